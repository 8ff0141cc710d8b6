// The trust file: the roots of trust a user receives out of band (DESIGN.md §2).
//
//   # imgshare trust file
//   ca_verify_key = <64 hex characters: the CA's Ed25519 verify key>
//   log_verify_key = <64 hex characters: the certificate log's Ed25519 key (its tree heads)>
//   broker_public_key = <40 Z85 characters: the broker's CURVE public key>
//   broker_endpoint = tcp://127.0.0.1:7400        (optional)
//   witness_key = <64 hex characters: a witness's Ed25519 key>   (optional, repeatable)
//   witness_quorum = <how many of those must cosign a log head>  (optional; default 1
//                    with witnesses, 0 without; at most their number)
//
// Syntax as in config_file.h. A TrustAnchors value that parsing returns
// holds three 32-byte keys that are usable public keys (not all zero, not a
// low-order point), and nothing else: unknown, duplicate and missing keys are
// refused, because a typo in a trust root must stop the user, not be skipped.
// witness_key is the one key that may repeat (once per witness; the same witness twice is
// refused), and a quorum larger than the witnesses listed is refused.
// Every error is CONFIG naming the source and line, except that a file that
// cannot be read is IO_ERROR naming the file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/endpoint.h"
#include "common/error.h"
#include "common/transparency/cosignature.h"

namespace imgshare {

struct TrustAnchors {
    Bytes ca_verify_key;      // 32 raw bytes, Ed25519
    Bytes broker_public_key;  // 32 raw bytes, CURVE (X25519)
    std::optional<Endpoint> broker_endpoint;
    Bytes log_verify_key{};   // 32 raw bytes, Ed25519: signs the certificate log's tree heads
    // The certificate log's witnesses and how many must cosign a head (docs/TRANSPARENCY.md).
    transparency::WitnessPolicy witnesses{};

    bool operator==(const TrustAnchors&) const = default;
};

// Larger trust files are refused unread.
inline constexpr std::size_t kMaxTrustFileBytes = 64 * 1024;

// `source_name` only names the text in error messages (usually the file path).
[[nodiscard]] Result<TrustAnchors> parse_trust(std::string_view text, std::string_view source_name);

[[nodiscard]] Result<TrustAnchors> load_trust_file(const std::filesystem::path& path);

// The text form, which parse_trust reads back to an equal value. Every key
// must be 32 bytes (std::invalid_argument otherwise: a bug in the caller).
[[nodiscard]] std::string format_trust(const TrustAnchors& anchors);

}  // namespace imgshare
