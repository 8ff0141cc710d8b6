// What an `imgshare-load` run does, as its flags say: how many clients, which
// mix of operations, which image sizes, for how long, with how many requests
// in flight, watched by how many subscribers, verified how thoroughly.
//
// The parsers take the flags' text and refuse anything unclear with
// BAD_REQUEST naming the text, so a typo in a benchmark's command line stops
// the run instead of measuring something else. The pickers turn a uniform
// random number into an operation or a size with the configured weights.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/endpoint.h"
#include "common/error.h"

namespace imgshare::client::load {

enum class Operation { Post, Download, List };

// How many downloads are decrypted and verified like `imgshare download` does.
enum class VerifyMode { All, Sample, None };
// --verify sample checks one download in this many.
constexpr std::uint32_t kVerifySampleEvery = 10;

// Relative weights; at least one is positive.
struct OperationMix {
    std::uint32_t post = 20;
    std::uint32_t download = 70;
    std::uint32_t list = 10;

    bool operator==(const OperationMix&) const = default;
};

// Image sizes are drawn from these classes with these relative weights.
struct SizeClass {
    std::uint64_t bytes = 0;
    std::uint32_t weight = 1;

    bool operator==(const SizeClass&) const = default;
};

// Images are at least this large (a PNG signature and some bytes) and at most what a
// storage node accepts by default.
constexpr std::uint64_t kMinImageBytes = 64;
constexpr std::uint64_t kMaxImageBytes = 1ull << 30;

struct LoadOptions {
    Endpoint broker;
    Endpoint events;
    std::filesystem::path trust_file;
    std::filesystem::path home;
    std::uint32_t clients = 4;
    OperationMix mix;
    std::vector<SizeClass> sizes{{100 * 1024, 1}};
    std::chrono::milliseconds duration{10'000};  // used when `count` is not set
    std::optional<std::uint64_t> count;          // total operations over all clients
    std::uint32_t window = 8;
    // At most this many operations per second over all clients (each client its share);
    // unlimited when not set.
    std::optional<double> rate;
    std::uint32_t subscribers = 0;
    std::uint32_t e2e_recipients = 0;
    std::uint32_t idle_clients = 0;
    VerifyMode verify = VerifyMode::All;
    bool json = false;
    std::filesystem::path log_file;  // empty: no protocol log
};

// "100KiB", "1MiB", "200MiB", "4096", "4096B", "10KB" (KB/MB/GB are powers of 1000).
[[nodiscard]] Result<std::uint64_t> parse_byte_size(std::string_view text);
// "100KiB" or "10KiB:50,1MiB:50" (size:weight, weights default to 1). Every size within
// [kMinImageBytes, kMaxImageBytes].
[[nodiscard]] Result<std::vector<SizeClass>> parse_size_distribution(std::string_view text);
// "post=20,download=70,list=10"; operations left out weigh 0.
[[nodiscard]] Result<OperationMix> parse_mix(std::string_view text);
// "30s", "500ms", "2m", "1h", or a bare number of seconds; more than zero.
[[nodiscard]] Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// "all", "sample", "none".
[[nodiscard]] Result<VerifyMode> parse_verify_mode(std::string_view text);

[[nodiscard]] std::string_view to_string(Operation operation);
[[nodiscard]] std::string_view to_string(VerifyMode mode);
// The shortest exact form parse_byte_size reads back: "100KiB", "200MiB", "1000".
[[nodiscard]] std::string format_byte_size(std::uint64_t bytes);
[[nodiscard]] std::string format_mix(const OperationMix& mix);
[[nodiscard]] std::string format_sizes(const std::vector<SizeClass>& sizes);

// The operation, or the size, that a uniformly random `random` selects with the weights.
[[nodiscard]] Operation pick_operation(const OperationMix& mix, std::uint64_t random);
[[nodiscard]] std::uint64_t pick_size(const std::vector<SizeClass>& sizes, std::uint64_t random);

}  // namespace imgshare::client::load
