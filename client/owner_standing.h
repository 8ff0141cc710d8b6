// Whether the owner of an image being downloaded still stands behind it, as
// the CA says now. Checked after DOWNLOAD and before anything is opened or
// written.
//
// In order: the owner's certificate in the DOWNLOAD reply must be the pinned
// CA's (verified apart from time: BAD_SIGNATURE, BAD_REQUEST); the owner's
// current state from the CA (GET_CERT, its signed standing checked by
// fetch_user_standing: BAD_SIGNATURE, STALE) must not be revoked (REVOKED); a reply's
// certificate that is not the current one must be in the certificate log on its own
// (LOG_PROOF: NOT_LOGGED, NOT_FOUND...); and if
// the reply's certificate has expired, the owner's current certificate must
// be valid now, for the same name and the same signing key (a renewal, so
// their images stay readable), else EXPIRED.
#pragma once

#include <cstdint>

#include "client/broker_connection.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

// The time at which ImageOpener must check the reply's certificate: `now_seconds`, or, for
// a renewed owner whose old certificate has expired, the last second it was valid (the
// envelope names that certificate's serial, so it is the one its signature is checked
// against).
[[nodiscard]] Result<std::int64_t> check_owner_standing(BrokerConnection& connection,
                                                        const DownloadReply& record,
                                                        ByteView ca_verify_key,
                                                        std::int64_t now_seconds);

}  // namespace imgshare::client
