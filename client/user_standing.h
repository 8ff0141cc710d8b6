// Another user's current certificate and where it stands, as the CA says now (GET_CERT),
// checked so that the broker relaying the answer cannot change it (issue #22, "Signed
// standing"): the certificate is the pinned CA's, apart from time (BAD_SIGNATURE,
// BAD_REQUEST) and for `username` (BAD_SIGNATURE); the standing is the CA's signed statement
// about exactly that certificate (BAD_SIGNATURE when missing, changed or about another one)
// made within the last kStandingMaxAgeSeconds (STALE); and the certificate is in the
// certificate log, as the connection's CertificateLog checks it (NOT_LOGGED,
// LOG_INCONSISTENT; client/certificate_log.h). Whether the certificate's dates hold
// now is the caller's to decide: a reader may still open images an expired owner signed.
#pragma once

#include <cstdint>
#include <string>

#include "client/broker_connection.h"
#include "common/bytes.h"
#include "common/certificate.h"
#include "common/error.h"

namespace imgshare::client {

struct UserStanding {
    Certificate certificate;  // the user's current one
    bool revoked = false;
};

// That `encoded_certificate` (certificate `serial` of `username`) is in the certificate log, as
// the CA proves it (LOG_PROOF) and the connection's CertificateLog checks it (NOT_LOGGED,
// NOT_WITNESSED, LOG_INCONSISTENT, BAD_SIGNATURE): for a certificate that is not the user's
// current one, such as a renewed owner's older certificate that a DOWNLOAD names. LOG_PROOF's
// errors first (NOT_FOUND: the log holds no such certificate).
[[nodiscard]] Result<void> prove_logged(BrokerConnection& connection, ByteView encoded_certificate,
                                        const std::string& username, std::uint64_t serial,
                                        std::int64_t now_seconds);

// GET_CERT's errors (NOT_FOUND for no such user, ...), then the checks above.
[[nodiscard]] Result<UserStanding> fetch_user_standing(BrokerConnection& connection,
                                                       ByteView ca_verify_key,
                                                       const std::string& username,
                                                       std::int64_t now_seconds);

}  // namespace imgshare::client
