#include "client/client_home.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "common/config_file.h"
#include "common/file_io.h"
#include "common/text_file.h"

namespace imgshare::client {
namespace {

constexpr std::string_view kBrokerKey = "broker_endpoint";
constexpr std::string_view kEventsKey = "events_endpoint";
constexpr std::string_view kLastSeqKey = "last_seq";
constexpr std::size_t kMaxSmallFileBytes = 64 * 1024;
constexpr auto kPrivateFile =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

// The entries of a key = value text, by key, each allowed key at most once.
Result<std::map<std::string, ConfigEntry>> entries_by_key(
    std::string_view text, std::string_view source,
    std::initializer_list<std::string_view> allowed) {
    auto entries = parse_key_values(text, source);
    if (!entries) return std::unexpected(entries.error());
    std::map<std::string, ConfigEntry> by_key;
    for (auto& entry : *entries) {
        if (std::find(allowed.begin(), allowed.end(), entry.key) == allowed.end()) {
            return fail_at(source, entry.line, fmt::format("unknown key '{}'", entry.key));
        }
        auto [previous, inserted] = by_key.emplace(entry.key, entry);
        if (!inserted) {
            return fail_at(
                source, entry.line,
                fmt::format("'{}' is already set on line {}", entry.key, previous->second.line));
        }
    }
    return by_key;
}

Result<Endpoint> endpoint_entry(const std::map<std::string, ConfigEntry>& entries,
                                std::string_view key, std::string_view source) {
    auto found = entries.find(std::string(key));
    if (found == entries.end()) return fail_at(source, 0, fmt::format("'{}' is missing", key));
    auto endpoint = parse_endpoint(found->second.value);
    if (!endpoint) return fail_at(source, found->second.line, endpoint.error().message);
    return endpoint;
}

}  // namespace

Result<Endpoint> default_events_endpoint(const Endpoint& broker) {
    if (broker.port == 65535) {
        return fail(ErrorCode::CONFIG,
                    "the broker's port is 65535, so the events port cannot be the next one: "
                    "give --events");
    }
    return with_port(broker, static_cast<std::uint16_t>(broker.port + 1));
}

Result<ClientConfig> parse_client_config(std::string_view text, std::string_view source) {
    auto entries = entries_by_key(text, source, {kBrokerKey, kEventsKey});
    if (!entries) return std::unexpected(entries.error());
    auto broker = endpoint_entry(*entries, kBrokerKey, source);
    if (!broker) return std::unexpected(broker.error());
    auto events = endpoint_entry(*entries, kEventsKey, source);
    if (!events) return std::unexpected(events.error());
    return ClientConfig{std::move(*broker), std::move(*events)};
}

std::string format_client_config(const ClientConfig& config) {
    return fmt::format(
        "# imgshare client configuration, written by `imgshare init`\n{} = {}\n{} = {}\n",
        kBrokerKey, config.broker.to_string(), kEventsKey, config.events.to_string());
}

Result<std::filesystem::path> resolve_home(std::string_view home_flag,
                                           const char* imgshare_home_env, const char* home_env) {
    if (!home_flag.empty()) return std::filesystem::path(home_flag);
    if (imgshare_home_env && *imgshare_home_env) return std::filesystem::path(imgshare_home_env);
    if (home_env && *home_env) return std::filesystem::path(home_env) / ".imgshare";
    return fail(ErrorCode::CONFIG, "no home directory: give --home or set IMGSHARE_HOME");
}

Result<void> ClientHome::initialise(const ClientConfig& config,
                                    const std::filesystem::path& trust_file) const {
    auto text = read_text_file(trust_file, kMaxTrustFileBytes);
    if (!text) return std::unexpected(text.error());
    auto trust = parse_trust(*text, trust_file.string());
    if (!trust) return std::unexpected(trust.error());
    std::error_code error;
    if (std::filesystem::exists(config_path(), error)) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("{} is already initialised ({} exists)",
                                                        dir_.string(), config_path().string()));
    }
    if (auto ok = ensure_private_directory(dir_); !ok) return ok;
    // The trust anchors as parsed, so what is pinned is exactly what was checked.
    if (auto ok = write_file_atomically(trust_path(), as_bytes(format_trust(*trust)), kPrivateFile);
        !ok) {
        return ok;
    }
    return write_file_atomically(config_path(), as_bytes(format_client_config(config)),
                                 kPrivateFile, ExistingFile::Refuse);
}

Result<ClientConfig> ClientHome::load_config() const {
    std::error_code error;
    if (!std::filesystem::exists(config_path(), error)) {
        return fail(ErrorCode::CONFIG,
                    fmt::format("{} is not initialised: run `imgshare --home {} init --broker "
                                "ENDPOINT --trust FILE` first",
                                dir_.string(), dir_.string()));
    }
    auto text = read_text_file(config_path(), kMaxSmallFileBytes);
    if (!text) return std::unexpected(text.error());
    return parse_client_config(*text, config_path().string());
}

Result<TrustAnchors> ClientHome::load_trust() const {
    return load_trust_file(trust_path());
}

Result<std::uint64_t> ClientHome::load_last_seq() const {
    std::error_code error;
    if (!std::filesystem::exists(state_path(), error)) return 0;
    auto text = read_text_file(state_path(), kMaxSmallFileBytes);
    if (!text) return std::unexpected(text.error());
    const auto source = state_path().string();
    auto entries = entries_by_key(*text, source, {kLastSeqKey});
    if (!entries) return std::unexpected(entries.error());
    auto found = entries->find(std::string(kLastSeqKey));
    if (found == entries->end()) return fail_at(source, 0, "'last_seq' is missing");
    const std::string& value = found->second.value;
    std::uint64_t seq = 0;
    auto [end, parsed] = std::from_chars(value.data(), value.data() + value.size(), seq);
    if (parsed != std::errc() || end != value.data() + value.size()) {
        return fail_at(source, found->second.line, "last_seq is not a number");
    }
    return seq;
}

Result<void> ClientHome::save_last_seq(std::uint64_t seq) const {
    return write_file_atomically(state_path(), as_bytes(fmt::format("{} = {}\n", kLastSeqKey, seq)),
                                 kPrivateFile);
}

}  // namespace imgshare::client
