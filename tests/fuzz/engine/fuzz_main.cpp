// The built-in fuzzing engine: main() for a fuzz target written against
// libFuzzer's interface (LLVMFuzzerTestOneInput), for compilers that cannot
// build the project with -fsanitize=fuzzer (tests/fuzz/README.md says why).
//
//   fuzz_x [flags] CORPUS_DIR [SEED_DIR...]   fuzz; needs -max_total_time or -runs
//   fuzz_x FILE_OR_DIR...                      replay: run every input once
//
// Flags, as libFuzzer spells them: -max_total_time=S -runs=N -seed=N
// -max_len=N -timeout=S -rss_limit_mb=N -artifact_prefix=P. Fuzzing is
// coverage-guided: a mutated input that reaches a new edge (or an edge a new
// number of times, in AFL's buckets) joins the corpus and is written to
// CORPUS_DIR. The last lines are libFuzzer's "stat::" lines.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/engine/coverage.h"
#include "tests/fuzz/engine/crash_guard.h"
#include "tests/fuzz/engine/mutator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace imgshare::fuzz {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    std::optional<double> max_total_time;
    std::optional<std::uint64_t> runs;
    std::uint64_t seed = 0;
    std::size_t max_length = 0;  // 0: max(4096, largest initial input)
    GuardOptions guard;
    std::vector<fs::path> paths;
};

bool fuzzing_requested(const Options& options) {
    return options.max_total_time || options.runs;
}

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    options.seed = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (!arg.starts_with("-") || arg.find('=') == std::string_view::npos) {
            options.paths.emplace_back(arg);
            continue;
        }
        const std::string name(arg.substr(1, arg.find('=') - 1));
        const std::string value(arg.substr(arg.find('=') + 1));
        char* end = nullptr;
        const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
        const bool numeric = !value.empty() && *end == '\0';
        if (name == "artifact_prefix") {
            options.guard.artifact_prefix = value;
        } else if (!numeric) {
            std::fprintf(stderr, "error: -%s needs a number\n", name.c_str());
            return std::nullopt;
        } else if (name == "max_total_time") {
            options.max_total_time = static_cast<double>(number);
        } else if (name == "runs") {
            options.runs = number;
        } else if (name == "seed") {
            options.seed = number;
        } else if (name == "max_len") {
            options.max_length = number;
        } else if (name == "timeout") {
            options.guard.timeout_seconds = static_cast<unsigned>(number);
        } else if (name == "rss_limit_mb") {
            options.guard.rss_limit_mb = number;
        } else {
            std::fprintf(stderr, "warning: unknown flag -%s ignored\n", name.c_str());
        }
    }
    return options;
}

Input read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Input(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Regular files directly in each directory (sorted), or the file itself.
std::vector<fs::path> input_files(const std::vector<fs::path>& paths) {
    std::vector<fs::path> files;
    for (const auto& path : paths) {
        if (!fs::is_directory(path)) {
            files.push_back(path);
            continue;
        }
        std::vector<fs::path> in_directory;
        for (const auto& entry : fs::directory_iterator(path))
            if (entry.is_regular_file()) in_directory.push_back(entry.path());
        std::sort(in_directory.begin(), in_directory.end());
        files.insert(files.end(), in_directory.begin(), in_directory.end());
    }
    return files;
}

void run_one(const Input& input) {
    input_started(input.data(), input.size());
    LLVMFuzzerTestOneInput(input.data(), input.size());
    input_finished();
}

int replay(const Options& options) {
    const auto files = input_files(options.paths);
    for (const auto& file : files) {
        std::fprintf(stderr, "Running: %s\n", file.c_str());
        run_one(read_file(file));
    }
    std::fprintf(stderr, "Executed %zu inputs; none failed\n", files.size());
    return 0;
}

// AFL's hit-count buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+ as one bit each.
std::uint8_t bucket_of(std::uint8_t count) {
    if (count <= 3) return static_cast<std::uint8_t>(count == 3 ? 4 : count);
    if (count <= 7) return 8;
    if (count <= 15) return 16;
    if (count <= 31) return 32;
    if (count <= 127) return 64;
    return 128;
}

class CoverageTracker {
  public:
    // Merges the last input's coverage; true if it reached anything new.
    bool merge_last_run() {
        const std::uint8_t* map = coverage_map();
        bool found = false;
        for (std::size_t word = 0; word < kCoverageMapSize; word += 8) {
            std::uint64_t chunk = 0;
            std::memcpy(&chunk, map + word, sizeof chunk);
            if (chunk == 0) continue;
            for (std::size_t i = word; i < word + 8; ++i) {
                if (map[i] == 0) continue;
                const std::uint8_t bucket = bucket_of(map[i]);
                if ((bucket & ~seen_[i]) == 0) continue;
                if (seen_[i] == 0) ++edges_;
                seen_[i] = static_cast<std::uint8_t>(seen_[i] | bucket);
                found = true;
            }
        }
        return found;
    }
    [[nodiscard]] std::size_t edges() const { return edges_; }

  private:
    std::vector<std::uint8_t> seen_ = std::vector<std::uint8_t>(kCoverageMapSize, 0);
    std::size_t edges_ = 0;
};

std::string name_of(const Input& input) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (auto byte : input)
        hash = (hash ^ byte) * 1099511628211ULL;
    char name[17];
    std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(hash));
    return name;
}

void save_to(const fs::path& directory, const Input& input) {
    std::ofstream out(directory / name_of(input), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(input.data()),
              static_cast<std::streamsize>(input.size()));
}

int fuzz(Options options) {
    const fs::path corpus_dir = options.paths.front();
    fs::create_directories(corpus_dir);
    std::fprintf(stderr, "INFO: Seed: %llu\n", static_cast<unsigned long long>(options.seed));

    std::vector<Input> initial;
    for (const auto& file : input_files(options.paths))
        initial.push_back(read_file(file));
    if (initial.empty()) initial.emplace_back();
    if (options.max_length == 0) {
        options.max_length = 4096;
        for (const auto& input : initial)
            options.max_length = std::max(options.max_length, input.size());
    }

    const auto start = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    CoverageTracker coverage;
    std::vector<Input> corpus;
    std::uint64_t runs = 0;
    std::uint64_t added = 0;
    auto report = [&](const char* event) {
        std::fprintf(stderr, "#%llu\t%s cov: %zu corp: %zu exec/s: %.0f\n",
                     static_cast<unsigned long long>(runs), event, coverage.edges(), corpus.size(),
                     static_cast<double>(runs) / std::max(elapsed(), 1e-3));
    };

    for (auto& input : initial) {
        if (input.size() > options.max_length) input.resize(options.max_length);
        reset_coverage();
        run_one(input);
        ++runs;
        if (coverage.merge_last_run()) {
            save_to(corpus_dir, input);
            corpus.push_back(std::move(input));
        }
    }
    if (corpus.empty()) corpus.emplace_back();
    report("INITED");

    Mutator mutator(options.seed);
    auto next_pulse = Clock::now() + std::chrono::seconds(10);
    auto out_of_budget = [&] {
        if (options.runs && runs >= *options.runs) return true;
        return options.max_total_time && elapsed() >= *options.max_total_time;
    };
    while (!out_of_budget()) {
        Input input = corpus[mutator.below(corpus.size())];
        mutator.mutate(input, options.max_length, corpus);
        reset_coverage();
        run_one(input);
        ++runs;
        if (coverage.merge_last_run()) {
            save_to(corpus_dir, input);
            corpus.push_back(std::move(input));
            ++added;
            report("NEW");
        } else if (Clock::now() >= next_pulse) {
            report("pulse");
            next_pulse = Clock::now() + std::chrono::seconds(10);
        }
    }
    report("DONE");
    std::fprintf(stderr, "stat::number_of_executed_units: %llu\n",
                 static_cast<unsigned long long>(runs));
    std::fprintf(stderr, "stat::average_exec_per_sec: %.0f\n",
                 static_cast<double>(runs) / std::max(elapsed(), 1e-3));
    std::fprintf(stderr, "stat::new_units_added: %llu\n", static_cast<unsigned long long>(added));
    std::fprintf(stderr, "stat::coverage_edges: %zu\n", coverage.edges());
    return 0;
}

}  // namespace
}  // namespace imgshare::fuzz

int main(int argc, char** argv) {
    using namespace imgshare::fuzz;
    auto options = parse_options(argc, argv);
    if (!options) return 2;
    for (const auto& path : options->paths) {
        if (!std::filesystem::exists(path) &&
            !(fuzzing_requested(*options) && path == options->paths.front())) {
            std::fprintf(stderr, "error: no such file or directory: %s\n", path.c_str());
            return 2;
        }
    }
    if (options->paths.empty()) {
        std::fprintf(stderr,
                     "usage: %s [-max_total_time=S|-runs=N] [flags] CORPUS_DIR [SEED_DIR...]\n"
                     "       %s FILE_OR_DIR...   (replay each input once)\n",
                     argv[0], argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
    const bool fuzzing = fuzzing_requested(*options);
    options->guard.save_artifacts = fuzzing;
    install_crash_guard(options->guard);
    return fuzzing ? fuzz(std::move(*options)) : replay(*options);
}
