// imgshare watch [--download DIR] (and imgshare-watch): report every new image I may read,
// optionally fetching and verifying each one, until SIGINT/SIGTERM.
#include <memory>

#include "client/commands/command.h"
#include "client/watcher.h"

namespace imgshare::client {
namespace {

Result<void> run_watch(const std::string& download_dir, std::int64_t log_check_seconds,
                       const CommandContext& context) {
    WatchOptions options;
    options.json = context.options.json;
    options.log_check_interval = std::chrono::seconds(log_check_seconds);
    if (!download_dir.empty()) {
        std::error_code error;
        if (!std::filesystem::is_directory(download_dir, error)) {
            return fail(ErrorCode::BAD_REQUEST,
                        "the download directory " + download_dir + " does not exist");
        }
        options.download_dir = download_dir;
    }
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    Watcher watcher(**session, std::move(*identity), options, context.out, context.err);
    return watcher.run();
}

}  // namespace

CommandAction define_watch(CLI::App& command) {
    auto download_dir = std::make_shared<std::string>();
    command.add_option("--download", *download_dir,
                       "Fetch and verify each new image into this directory, as NAME.EXT");
    auto log_check = std::make_shared<std::int64_t>(60);
    command
        .add_option("--log-check", *log_check,
                    "Every this many seconds, read what was added to the certificate log and "
                    "report any certificate for your name with other keys (0: never)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{86'400}))
        ->capture_default_str();
    command.footer(
        "First reports what was posted since it last ran (the last position is kept in "
        "HOME/state), then follows events until SIGINT or SIGTERM. Each image is reported once.\n"
        "Output: one line per new image: NEW_IMAGE NAME OWNER SEQ SIZE\n"
        "  with --download, after it: downloaded NAME from OWNER to PATH (verified)\n"
        "  a failed download is reported on stderr (error: CODE: message (image NAME)) and the "
        "watcher goes on\n"
        "--json: one object per line: {\"event\":\"NEW_IMAGE\",\"name\",\"owner\",\"seq\",\"size\","
        "\"created_at\",\"mode\"} and "
        "{\"event\":\"downloaded\",\"name\",\"owner\",\"path\",\"size\","
        "\"verified\"}\n"
        "Every --log-check seconds: a certificate for your name with keys that are not this "
        "home's is reported once on stderr as error: IMPERSONATION: … (with --json also "
        "{\"event\":\"IMPERSONATION\",\"entry\",\"serial\",\"username\",\"sign_pk\"}); the watcher "
        "goes on");
    return [download_dir, log_check](const CommandContext& context) {
        return run_watch(*download_dir, *log_check, context);
    };
}

}  // namespace imgshare::client
