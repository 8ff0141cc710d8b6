// The command line every server shares: init and show print the same keys, show before init
// is a clear error, run sets the log level before building anything and refuses a bogus one,
// errors and exceptions are exit code 1 with "error: CODE: message", and what CLI11 refuses
// is its usage error.
#include "common/service/server_main.h"

#include <gtest/gtest.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "common/logging.h"
#include "tests/common/scratch_dir.h"
#include "tests/common/support/rotated_log.h"

namespace imgshare::service {
namespace {

namespace fs = std::filesystem;

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

class ServerMainTest : public ::testing::Test {
  protected:
    ServerMainTest() {
        program_.name = "imgshare-test";
        program_.description = "imgshare-test: a server for the skeleton's tests";
        program_.keys = curve_key_files("test", "test_public_key = ");
        program_.init = {"Create the keys", "Directory for the keys"};
        program_.show = {"Print the public key", "The data directory"};
        program_.run = {"Serve until stopped", "The data directory (keys)"};
        program_.add_run_flags = [this](CLI::App& run) {
            run.add_option("--port", port_, "A flag of this server's own")->capture_default_str();
        };
        program_.serve = [this](const RunContext& context) -> Result<void> {
            ++served_;
            served_level_ = spdlog::default_logger()->level();
            served_dir_ = context.data_dir();
            stop_seen_ = &context.stop();
            if (open_log_) {
                ProtocolLog log = context.open_protocol_log();
                for (int i = 0; i < protocol_records_; ++i)
                    log.record(Direction::Received, "alice", std::span<const Bytes>{});
            }
            for (int i = 0; i < operational_lines_; ++i)
                spdlog::info("operational line {} of {}", i, operational_lines_);
            if (throw_) throw std::runtime_error("the parts fell apart");
            return serve_result_;
        };
    }

    Outcome command(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), "imgshare-test");
        std::vector<const char*> argv;
        for (const auto& argument : arguments)
            argv.push_back(argument.c_str());
        std::ostringstream out;
        std::ostringstream err;
        Outcome outcome;
        outcome.exit_code = run_server_command(static_cast<int>(argv.size()), argv.data(), program_,
                                               ServerEnvironment{out, err, stop_});
        outcome.out = out.str();
        outcome.err = err.str();
        return outcome;
    }

    std::string data_dir() const { return (scratch_ / "server").string(); }

    testing::ScratchDir scratch_;
    ServerProgram program_;
    std::atomic<bool> stop_{false};
    int port_ = 7;
    int served_ = 0;
    spdlog::level::level_enum served_level_ = spdlog::level::off;
    fs::path served_dir_;
    const std::atomic<bool>* stop_seen_ = nullptr;
    bool open_log_ = false;
    int protocol_records_ = 1;
    int operational_lines_ = 0;
    bool throw_ = false;
    Result<void> serve_result_;
};

TEST_F(ServerMainTest, InitCreatesTheKeysAndShowPrintsWhatInitPrinted) {
    auto init = command({"init", "--data-dir", data_dir()});
    ASSERT_EQ(init.exit_code, kExitSuccess) << init.err;
    EXPECT_TRUE(init.out.starts_with("test_public_key = ")) << init.out;
    EXPECT_EQ(init.out.size(), std::string("test_public_key = ").size() + 40 + 1) << init.out;
    EXPECT_TRUE(fs::exists(scratch_ / "server" / "test.key"));

    auto show = command({"show", "--data-dir", data_dir()});
    ASSERT_EQ(show.exit_code, kExitSuccess) << show.err;
    EXPECT_EQ(show.out, init.out);
}

TEST_F(ServerMainTest, InitRefusesToReplaceKeys) {
    ASSERT_EQ(command({"init", "--data-dir", data_dir()}).exit_code, kExitSuccess);
    auto shown = command({"show", "--data-dir", data_dir()});
    auto again = command({"init", "--data-dir", data_dir()});
    EXPECT_EQ(again.exit_code, kExitFailure);
    EXPECT_TRUE(again.err.starts_with("error: ")) << again.err;
    EXPECT_EQ(again.out, "");
    EXPECT_EQ(command({"show", "--data-dir", data_dir()}).out, shown.out);
}

TEST_F(ServerMainTest, ShowBeforeInitSaysWhichKeyFileIsMissing) {
    auto show = command({"show", "--data-dir", data_dir()});
    EXPECT_EQ(show.exit_code, kExitFailure);
    EXPECT_EQ(show.out, "");
    EXPECT_TRUE(show.err.starts_with("error: CONFIG: cannot read key file ")) << show.err;
    EXPECT_NE(show.err.find("test.key (run init?)"), std::string::npos) << show.err;
}

TEST_F(ServerMainTest, RunHandsTheServerItsDataDirFlagsLogLevelAndStopFlag) {
    auto run = command({"run", "--data-dir", data_dir(), "--port", "9", "--log-level", "warn"});
    ASSERT_EQ(run.exit_code, kExitSuccess) << run.err;
    EXPECT_EQ(served_, 1);
    EXPECT_EQ(port_, 9);
    EXPECT_EQ(served_dir_, fs::path(data_dir()));
    EXPECT_EQ(served_level_, spdlog::level::warn);
    EXPECT_EQ(stop_seen_, &stop_);
}

TEST_F(ServerMainTest, RunLogsAtInfoUnlessTold) {
    ASSERT_EQ(command({"run", "--data-dir", data_dir()}).exit_code, kExitSuccess);
    EXPECT_EQ(served_level_, spdlog::level::info);
    EXPECT_EQ(port_, 7);
}

TEST_F(ServerMainTest, RunRefusesAnUnknownLogLevelBeforeBuildingAnything) {
    auto run = command({"run", "--data-dir", data_dir(), "--log-level", "bogus"});
    EXPECT_EQ(run.exit_code, kExitFailure);
    EXPECT_EQ(served_, 0);
    EXPECT_TRUE(run.err.starts_with("error: CONFIG: log level 'bogus'")) << run.err;
}

TEST_F(ServerMainTest, TheProtocolLogIsInTheDataDirUnlessLogFileSaysOtherwise) {
    open_log_ = true;
    ASSERT_EQ(command({"run", "--data-dir", data_dir()}).exit_code, kExitSuccess);
    EXPECT_TRUE(fs::exists(scratch_ / "server" / "protocol.log"));

    const fs::path elsewhere = scratch_ / "logs" / "test.log";
    ASSERT_EQ(
        command({"run", "--data-dir", data_dir(), "--log-file", elsewhere.string()}).exit_code,
        kExitSuccess);
    auto text = read_file(elsewhere, 1 << 20);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_NE(as_string(*text).find(R"("process":"imgshare-test")"), std::string::npos);
}

TEST_F(ServerMainTest, TheLogFlagsBoundTheProtocolLogByRotation) {
    open_log_ = true;
    protocol_records_ = 400;  // ~50 KB of lines
    const fs::path log = scratch_ / "server" / "protocol.log";
    auto run = command(
        {"run", "--data-dir", data_dir(), "--log-max-bytes", "4096", "--log-keep", "3"});
    ASSERT_EQ(run.exit_code, kExitSuccess) << run.err;
    auto files = testing::rotated_files_oldest_first(log);
    EXPECT_EQ(files.size(), 4u);
    for (const auto& part : files) {
        EXPECT_LE(fs::file_size(part), 4096u) << part;
        EXPECT_EQ(testing::permission_bits(part), 0600u) << part;
    }
}

TEST_F(ServerMainTest, TheOperationalLogGoesToARotatedPrivateFileWhenAsked) {
    operational_lines_ = 300;  // ~25 KB of lines
    const fs::path log = scratch_ / "logs" / "operational.log";
    auto run = command({"run", "--data-dir", data_dir(), "--operational-log", log.string(),
                        "--log-max-bytes", "4096", "--log-keep", "2"});
    init_process_logging("imgshare-test");  // off the scratch directory again
    ASSERT_EQ(run.exit_code, kExitSuccess) << run.err;
    auto files = testing::rotated_files_oldest_first(log);
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files.front(), scratch_ / "logs" / "operational.2.log");
    for (const auto& part : files) {
        EXPECT_LE(fs::file_size(part), 4096u) << part;
        EXPECT_EQ(testing::permission_bits(part), 0600u) << part;
    }
    // The newest lines, whole and in order, each once.
    auto lines = testing::rotated_log_lines(log);
    ASSERT_FALSE(lines.empty());
    const int first = operational_lines_ - static_cast<int>(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto expected = "operational line " + std::to_string(first + static_cast<int>(i)) +
                        " of 300";
        EXPECT_TRUE(lines[i].ends_with("imgshare-test info: " + expected)) << lines[i];
    }
}

TEST_F(ServerMainTest, LogFlagsOutOfRangeAreUsageErrors) {
    for (const auto& flags : std::vector<std::vector<std::string>>{
             {"--log-max-bytes", "100"}, {"--log-keep", "0"}, {"--log-max-bytes", "many"}}) {
        std::vector<std::string> arguments{"run", "--data-dir", data_dir()};
        arguments.insert(arguments.end(), flags.begin(), flags.end());
        auto outcome = command(arguments);
        EXPECT_NE(outcome.exit_code, kExitSuccess) << flags[0] << " " << flags[1];
        EXPECT_NE(outcome.err.find(flags[0]), std::string::npos) << outcome.err;
    }
    EXPECT_EQ(served_, 0);
}

TEST_F(ServerMainTest, AServersErrorIsPrintedWithItsCodeAndExitsOne) {
    serve_result_ = fail(ErrorCode::CONFIG, "--port is taken");
    auto run = command({"run", "--data-dir", data_dir()});
    EXPECT_EQ(run.exit_code, kExitFailure);
    EXPECT_EQ(run.err, "error: CONFIG: --port is taken\n");
}

TEST_F(ServerMainTest, AnExceptionIsAnInternalErrorAndExitsOne) {
    throw_ = true;
    auto run = command({"run", "--data-dir", data_dir()});
    EXPECT_EQ(run.exit_code, kExitFailure);
    EXPECT_EQ(run.err, "error: INTERNAL: the parts fell apart\n");
}

TEST_F(ServerMainTest, AnUnknownOrMissingCommandIsAUsageError) {
    for (const auto& arguments : std::vector<std::vector<std::string>>{
             {"serve", "--data-dir", data_dir()}, {}, {"run"}, {"run", "--data-dir"}}) {
        auto outcome = command(arguments);
        EXPECT_NE(outcome.exit_code, kExitSuccess);
        EXPECT_NE(outcome.exit_code, kExitFailure) << "a usage error has CLI11's own code";
        EXPECT_FALSE(outcome.err.empty());
    }
    EXPECT_EQ(served_, 0);
    EXPECT_FALSE(fs::exists(scratch_ / "server"));
}

TEST_F(ServerMainTest, AnUnknownFlagIsAUsageError) {
    auto outcome = command({"run", "--data-dir", data_dir(), "--prot", "9"});
    EXPECT_EQ(outcome.exit_code, static_cast<int>(CLI::ExitCodes::ExtrasError));
    EXPECT_NE(outcome.err.find("--prot"), std::string::npos) << outcome.err;
    EXPECT_EQ(served_, 0);
}

TEST_F(ServerMainTest, HelpDescribesEveryCommandAndExitsZero) {
    auto help = command({"--help"});
    EXPECT_EQ(help.exit_code, kExitSuccess);
    for (const char* text : {"imgshare-test: a server", "init", "show", "run", "Create the keys"}) {
        EXPECT_NE(help.out.find(text), std::string::npos) << text << " in\n" << help.out;
    }
    auto run_help = command({"run", "--help"});
    EXPECT_EQ(run_help.exit_code, kExitSuccess);
    for (const char* flag : {"--data-dir", "--log-file", "--log-level", "--port", "--log-max-bytes",
                             "--log-keep", "--operational-log"}) {
        EXPECT_NE(run_help.out.find(flag), std::string::npos) << flag << " in\n" << run_help.out;
    }
    EXPECT_EQ(command({"show", "--help"}).exit_code, kExitSuccess);
}

TEST_F(ServerMainTest, AnExtraCommandRunsOnTheDataDirWithItsOwnArguments) {
    std::string seen_name;
    program_.extra_commands.push_back(ExtraCommand{
        .name = "greet",
        .text = {"Greet someone", "The data directory"},
        .add_flags =
            [&](CLI::App& greet) { greet.add_option("NAME", seen_name, "Whom")->required(); },
        .action = [&](const fs::path& dir, std::ostream& out) -> Result<void> {
            out << "hello " << seen_name << " in " << dir.filename().string() << "\n";
            return {};
        },
    });
    auto greet = command({"greet", "carol", "--data-dir", data_dir()});
    ASSERT_EQ(greet.exit_code, kExitSuccess) << greet.err;
    EXPECT_EQ(greet.out, "hello carol in server\n");
    EXPECT_NE(command({"greet", "--data-dir", data_dir()}).exit_code, kExitSuccess);
}

}  // namespace
}  // namespace imgshare::service
