#include "common/trust_file.h"

#include <sodium.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include "common/config_file.h"
#include "common/crypto/keys.h"
#include "common/crypto/sodium_init.h"
#include "common/text_file.h"

namespace imgshare {
namespace {

constexpr std::string_view kCaVerifyKey = "ca_verify_key";
constexpr std::string_view kLogVerifyKey = "log_verify_key";
constexpr std::string_view kBrokerPublicKey = "broker_public_key";
constexpr std::string_view kBrokerEndpoint = "broker_endpoint";
constexpr std::string_view kWitnessKey = "witness_key";
constexpr std::string_view kWitnessQuorum = "witness_quorum";
constexpr std::size_t kMaxWitnesses = transparency::kMaxCosignatures;

constexpr std::size_t kKeyBytes = kPublicKeySize;
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

bool is_all_zero(ByteView key) {
    return std::all_of(key.begin(), key.end(), [](std::uint8_t b) { return b == 0; });
}

// The line on which each key first appeared (0: not yet), so a duplicate can name both.
struct SeenLines {
    int ca_verify_key = 0;
    int log_verify_key = 0;
    int broker_public_key = 0;
    int broker_endpoint = 0;
    int witness_quorum = 0;
};

Result<Bytes> parse_verify_key(const ConfigEntry& entry, std::string_view source) {
    const std::string_view kCaVerifyKey = entry.key;  // the key being parsed, in messages
    if (entry.value.size() != kKeyBytes * 2) {
        return fail_at(source, entry.line,
                       fmt::format("{} must be {} hex characters, not {}", kCaVerifyKey,
                                   kKeyBytes * 2, entry.value.size()));
    }
    auto key = from_hex(entry.value);
    if (!key) return fail_at(source, entry.line, fmt::format("{} is not hex", kCaVerifyKey));
    if (is_all_zero(*key)) {
        return fail_at(source, entry.line, fmt::format("{} is all zero", kCaVerifyKey));
    }
    // Rejects low-order and non-canonical points: no signature could be trusted under them.
    if (crypto_core_ed25519_is_valid_point(key->data()) != 1) {
        return fail_at(source, entry.line,
                       fmt::format("{} is not a valid Ed25519 public key", kCaVerifyKey));
    }
    return key;
}

std::optional<Bytes> decode_z85_key(std::string_view text) {
    if (text.size() != kZ85KeyLength ||
        text.find_first_not_of(kZ85Alphabet) != std::string_view::npos) {
        return std::nullopt;
    }
    std::string terminated(text);  // zmq_z85_decode reads a C string
    Bytes key(kKeyBytes);
    if (zmq_z85_decode(key.data(), terminated.c_str()) == nullptr) return std::nullopt;
    // A 5-character group above 2^32-1 has no canonical meaning; whether libzmq
    // refuses or wraps it, only text that encodes back to itself is accepted.
    std::array<char, kZ85KeyLength + 1> again{};
    if (zmq_z85_encode(again.data(), key.data(), key.size()) == nullptr ||
        std::string_view(again.data(), kZ85KeyLength) != text) {
        return std::nullopt;
    }
    return key;
}

Result<Bytes> parse_broker_public_key(const ConfigEntry& entry, std::string_view source) {
    auto key = decode_z85_key(entry.value);
    if (!key) {
        return fail_at(
            source, entry.line,
            fmt::format("{} must be {} Z85 characters", kBrokerPublicKey, kZ85KeyLength));
    }
    if (is_all_zero(*key)) {
        return fail_at(source, entry.line, fmt::format("{} is all zero", kBrokerPublicKey));
    }
    // libsodium refuses a Diffie-Hellman with a low-order point (the shared
    // secret would be predictable); the scalar here is public and arbitrary.
    std::array<std::uint8_t, crypto_scalarmult_SCALARBYTES> probe_scalar{};
    probe_scalar.fill(0x5a);
    std::array<std::uint8_t, crypto_scalarmult_BYTES> shared{};
    if (crypto_scalarmult(shared.data(), probe_scalar.data(), key->data()) != 0) {
        return fail_at(source, entry.line,
                       fmt::format("{} is a low-order point, not a usable key", kBrokerPublicKey));
    }
    return std::move(*key);
}

Result<void> note_first_line(int& first_line, const ConfigEntry& entry, std::string_view source) {
    if (first_line != 0) {
        return fail_at(
            source, entry.line,
            fmt::format("duplicate key '{}' (first set on line {})", entry.key, first_line));
    }
    first_line = entry.line;
    return {};
}

}  // namespace

Result<TrustAnchors> parse_trust(std::string_view text, std::string_view source_name) {
    ensure_sodium();
    auto entries = parse_key_values(text, source_name);
    if (!entries) return std::unexpected(entries.error());

    TrustAnchors anchors;
    SeenLines seen;
    for (const ConfigEntry& entry : *entries) {
        if (entry.key == kCaVerifyKey) {
            if (auto ok = note_first_line(seen.ca_verify_key, entry, source_name); !ok) {
                return std::unexpected(ok.error());
            }
            auto key = parse_verify_key(entry, source_name);
            if (!key) return std::unexpected(key.error());
            anchors.ca_verify_key = std::move(*key);
        } else if (entry.key == kLogVerifyKey) {
            if (auto ok = note_first_line(seen.log_verify_key, entry, source_name); !ok) {
                return std::unexpected(ok.error());
            }
            auto key = parse_verify_key(entry, source_name);
            if (!key) return std::unexpected(key.error());
            anchors.log_verify_key = std::move(*key);
        } else if (entry.key == kBrokerPublicKey) {
            if (auto ok = note_first_line(seen.broker_public_key, entry, source_name); !ok) {
                return std::unexpected(ok.error());
            }
            auto key = parse_broker_public_key(entry, source_name);
            if (!key) return std::unexpected(key.error());
            anchors.broker_public_key = std::move(*key);
        } else if (entry.key == kBrokerEndpoint) {
            if (auto ok = note_first_line(seen.broker_endpoint, entry, source_name); !ok) {
                return std::unexpected(ok.error());
            }
            auto endpoint = parse_endpoint(entry.value);
            if (!endpoint) return fail_at(source_name, entry.line, endpoint.error().message);
            anchors.broker_endpoint = std::move(*endpoint);
        } else if (entry.key == kWitnessKey) {
            auto key = parse_verify_key(entry, source_name);
            if (!key) return std::unexpected(key.error());
            auto& keys = anchors.witnesses.witness_keys;
            if (std::ranges::find(keys, *key) != keys.end()) {
                return fail_at(source_name, entry.line, "the same witness_key twice");
            }
            if (keys.size() == kMaxWitnesses) {
                return fail_at(source_name, entry.line,
                               fmt::format("more than {} witness_key lines", kMaxWitnesses));
            }
            keys.push_back(std::move(*key));
        } else if (entry.key == kWitnessQuorum) {
            if (auto ok = note_first_line(seen.witness_quorum, entry, source_name); !ok) {
                return std::unexpected(ok.error());
            }
            if (entry.value.empty() || entry.value.size() > 2 ||
                entry.value.find_first_not_of("0123456789") != std::string::npos) {
                return fail_at(source_name, entry.line,
                               fmt::format("{} must be a number of witnesses", kWitnessQuorum));
            }
            anchors.witnesses.quorum = std::stoul(entry.value);
        } else {
            return fail_at(source_name, entry.line, fmt::format("unknown key '{}'", entry.key));
        }
    }
    const auto witness_count = anchors.witnesses.witness_keys.size();
    if (seen.witness_quorum == 0) {
        anchors.witnesses.quorum = witness_count == 0 ? 0 : 1;
    } else if (anchors.witnesses.quorum > witness_count) {
        return fail_at(source_name, seen.witness_quorum,
                       fmt::format("{} is {} but {} witness_key line(s) are given",
                                   kWitnessQuorum, anchors.witnesses.quorum, witness_count));
    } else if (anchors.witnesses.quorum == 0 && witness_count > 0) {
        return fail_at(source_name, seen.witness_quorum,
                       fmt::format("{} is 0 but witnesses are listed: remove them, or require "
                                   "at least one",
                                   kWitnessQuorum));
    }
    if (seen.ca_verify_key == 0) {
        return fail_at(source_name, 0, fmt::format("missing key '{}'", kCaVerifyKey));
    }
    if (seen.log_verify_key == 0) {
        return fail_at(source_name, 0, fmt::format("missing key '{}'", kLogVerifyKey));
    }
    if (seen.broker_public_key == 0) {
        return fail_at(source_name, 0, fmt::format("missing key '{}'", kBrokerPublicKey));
    }
    return anchors;
}

Result<TrustAnchors> load_trust_file(const std::filesystem::path& path) {
    auto text = read_text_file(path, kMaxTrustFileBytes);
    if (!text) return std::unexpected(text.error());
    return parse_trust(*text, path.string());
}

std::string format_trust(const TrustAnchors& anchors) {
    if (anchors.ca_verify_key.size() != kKeyBytes ||
        anchors.log_verify_key.size() != kKeyBytes ||
        anchors.broker_public_key.size() != kKeyBytes) {
        throw std::invalid_argument("format_trust: every key must be 32 bytes");
    }
    std::array<char, kZ85KeyLength + 1> broker_key{};
    if (zmq_z85_encode(broker_key.data(), anchors.broker_public_key.data(), kKeyBytes) == nullptr) {
        throw std::invalid_argument("format_trust: Z85 encoding failed");
    }
    std::string text =
        "# imgshare trust file: the CA's and the certificate log's verify keys and the "
        "broker's public key.\n";
    text += fmt::format("{} = {}\n", kCaVerifyKey, to_hex(anchors.ca_verify_key));
    text += fmt::format("{} = {}\n", kLogVerifyKey, to_hex(anchors.log_verify_key));
    text += fmt::format("{} = {}\n", kBrokerPublicKey, broker_key.data());
    if (anchors.broker_endpoint) {
        text += fmt::format("{} = {}\n", kBrokerEndpoint, anchors.broker_endpoint->to_string());
    }
    for (const auto& witness : anchors.witnesses.witness_keys) {
        if (witness.size() != kKeyBytes) {
            throw std::invalid_argument("format_trust: every key must be 32 bytes");
        }
        text += fmt::format("{} = {}\n", kWitnessKey, to_hex(witness));
    }
    if (!anchors.witnesses.witness_keys.empty()) {
        text += fmt::format("{} = {}\n", kWitnessQuorum, anchors.witnesses.quorum);
    }
    return text;
}

}  // namespace imgshare
