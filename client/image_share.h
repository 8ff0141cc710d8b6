// Changing who may read an end-to-end image (`imgshare share`): the owner
// fetches their own grant (DOWNLOAD, metadata only), checks it as any reader
// would (open_record; an image posted under a certificate that expired since
// is checked at that certificate's last valid second if the owner's own
// certificate renews it: same name and signing key), verifies each new reader's
// certificate, seals the content key to each, signs the envelope again with the
// grown or shrunk recipient list under the next revision, and sends SHARE with
// the owner's current certificate. A revoked reader's grant is erased by the
// storage node; a copy they downloaded before cannot be recalled.
//
// Promises: the content key leaves this process only sealed to a certified
// reader; nothing is sent unless every check passed; the storage node is told
// nothing it could use to read the image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/broker_connection.h"
#include "client/session.h"
#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::client {

struct ShareParameters {
    ByteView ca_verify_key;  // pinned, from the trust file
    const Identity& owner;   // the unlocked owner
    std::string name;
    std::vector<std::string> new_readers;  // sorted and unique (parse_recipient_list)
    std::int64_t now_seconds = 0;
    std::vector<std::string> revoked_readers = {};  // sorted and unique, never the owner
};

struct ShareOutcome {
    std::vector<std::string> added;       // empty: all were readers already
    std::vector<std::string> recipients;  // every reader afterwards, sorted
    std::uint64_t seq = 0;                // the share's feed entry (0 when nothing was sent)
    std::vector<std::string> removed = {};  // the readers revoked (none were: nothing sent)
};

// FORBIDDEN if I am not the image's owner; BAD_REQUEST for an escrow image
// (every registered user may read it already) or a revoke of the owner; the reader checks of
// open_record (BAD_SIGNATURE, INTEGRITY, ...); the certificate checks of
// fetch_reader_certificate (NOT_FOUND, REVOKED, EXPIRED, ...); the server's
// errors; INTEGRITY if the server reports another recipient list than the one
// signed.
[[nodiscard]] Result<ShareOutcome> share_image(BrokerConnection& connection,
                                               const ShareParameters& parameters);

}  // namespace imgshare::client
