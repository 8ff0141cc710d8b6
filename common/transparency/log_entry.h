// What the certificate log (docs/TRANSPARENCY.md) holds: one entry per certificate the CA
// issues (REGISTER, RENEW, the operator's reissue) and per revocation and release, in the
// order the CA wrote them. The leaf hash of an entry (merkle_tree.h) is over its encoding.
//
// Encoding (canonical msgpack arrays, version 1):
//   certificate  [1, "certificate", certificate: bin]       (the encoded certificate as issued)
//   revocation   [1, "revocation", username: str, serial: uint, at: int64]
//   release      [1, "release", username: str, serial: uint, at: int64]
// A certificate entry holds the certificate byte for byte, so whoever holds a certificate
// can compute its leaf without asking anyone. decode_log_entry accepts exactly these
// encodings (BAD_REQUEST otherwise) and bounds every size before it allocates.
#pragma once

#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::transparency {

enum class LogEntryKind { certificate, revocation, release };

struct LogEntry {
    LogEntryKind kind = LogEntryKind::certificate;
    Bytes certificate;      // certificate entries only
    std::string username;   // revocation and release entries only
    std::uint64_t serial = 0;
    std::int64_t at = 0;

    bool operator==(const LogEntry&) const = default;
};

// An entry is never larger than this (a certificate is at most kMaxCertificateBytes).
inline constexpr std::size_t kMaxLogEntryBytes = 2048;

[[nodiscard]] Bytes encode_certificate_entry(ByteView encoded_certificate);
[[nodiscard]] Bytes encode_revocation_entry(std::string_view username, std::uint64_t serial,
                                            std::int64_t at);
[[nodiscard]] Bytes encode_release_entry(std::string_view username, std::uint64_t serial,
                                         std::int64_t at);
[[nodiscard]] Result<LogEntry> decode_log_entry(ByteView encoded);

}  // namespace imgshare::transparency
