// An audit of the certificate log for one user (`imgshare audit`, and `watch` at an interval;
// docs/TRANSPARENCY.md, "Looking"): the log read back, checked to hash to a signed tree head that extends
// the one the home kept, and every certificate in it for the user's name compared with the
// user's own keys. A CA that issued the name to someone else cannot hide it: the certificate
// is in the log (clients accept no other), and here it is found.
//
// Errors, in order: LOG_HEAD / LOG_CONSISTENCY / LOG_ENTRIES's; the head's as
// CertificateLog::accept_head says (BAD_SIGNATURE, LOG_INCONSISTENT, with evidence);
// LOG_INCONSISTENT when the entries do not hash to the head's root or do not decode.
// IMPERSONATION is not an error here: the report lists each impostor certificate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/broker_connection.h"
#include "client/certificate_log.h"
#include "common/certificate.h"
#include "common/error.h"
#include "common/transparency/merkle_tree.h"

namespace imgshare::client {

// The user's three public keys, as the home's keystore holds them.
struct OwnKeys {
    Bytes sign_pk, box_pk, curve_pk;
};

struct LoggedCertificate {
    std::uint64_t index = 0;  // its entry
    Certificate certificate;
};

struct AuditReport {
    std::uint64_t size = 0;           // entries checked, in all
    transparency::MerkleHash root{};  // the head's root they hash to
    std::uint64_t own_certificates = 0;     // certificates for the name, with the user's keys
    std::vector<LoggedCertificate> impostors;  // CA-signed, for the name, with other keys: those
                                               // found by this check
};

// The log as one user has checked it: the entries read so far (their tree, in memory: about
// 64 bytes an entry), so that each check reads only what was appended since the last.
class LogMonitor {
  public:
    LogMonitor(std::string username, OwnKeys keys, Bytes ca_verify_key);

    // The newest head accepted by `log`, the entries up to it (those after the last check),
    // their root checked against the head; the impostors among the new entries.
    [[nodiscard]] Result<AuditReport> check(BrokerConnection& connection, CertificateLog& log,
                                            std::int64_t now_seconds);

  private:
    std::string username_;
    OwnKeys keys_;
    Bytes ca_verify_key_;
    transparency::MerkleTree tree_;
    std::uint64_t own_certificates_ = 0;
};

// The line a long-running client (watch, imgshare-watch, the gallery) reports an impostor
// with: "the certificate log holds certificate #S for NAME (entry I) with keys that are not
// this home's (sign_pk HEX): the CA issued your name to someone else" (after "IMPERSONATION: ").
[[nodiscard]] std::string describe_impostor(const LoggedCertificate& impostor);

// One check of the whole log (`imgshare audit`).
[[nodiscard]] Result<AuditReport> audit_log(BrokerConnection& connection, CertificateLog& log,
                                            ByteView ca_verify_key, const std::string& username,
                                            const OwnKeys& keys, std::int64_t now_seconds);

}  // namespace imgshare::client
