// The readers of an end-to-end image: who they are (a recipient list from the
// command line), the certificates that say which box key is theirs, and the
// grants that seal the content key to each of them (DESIGN.md §2, "Key
// wrapping"; docs/E2E.md).
//
// Promises: a grant is only ever sealed to a box key taken from a certificate
// that verified against the pinned CA key now, names the user asked for and
// is not revoked; anything else fails before any key is sealed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/broker_connection.h"
#include "common/bytes.h"
#include "common/certificate.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

// "bob,carol" as usernames, sorted and without duplicates. BAD_REQUEST for an
// empty list or entry, a name that breaks the username rule, or more than
// kMaxRecipients names.
[[nodiscard]] Result<std::vector<std::string>> parse_recipient_list(std::string_view text);

// `names` with `owner` added, sorted and unique: every reader of an e2e image
// the owner signs for (the owner keeps a grant, to read and re-share it).
[[nodiscard]] std::vector<std::string> with_owner(std::vector<std::string> names,
                                                  const std::string& owner);

// `username`'s certificate from the CA (GET_CERT), verified: the server's
// errors as they come (NOT_FOUND for an unknown user); BAD_SIGNATURE if it is
// not signed by `ca_verify_key` or names another user, or its standing is not
// the CA's signed word about it, STALE if that is too old (fetch_user_standing);
// EXPIRED / NOT_YET_VALID outside its validity at `now`; REVOKED if the CA's
// signed standing says it is revoked. Every error names the recipient.
[[nodiscard]] Result<Certificate> fetch_reader_certificate(BrokerConnection& connection,
                                                           ByteView ca_verify_key,
                                                           const std::string& username,
                                                           std::int64_t now_seconds);

// The verified certificate of every name in `usernames`, in order: `me` for
// my own name (no request), fetch_reader_certificate for the others. The
// first failure wins and names the user.
[[nodiscard]] Result<std::vector<Certificate>> fetch_reader_certificates(
    BrokerConnection& connection, ByteView ca_verify_key, const Certificate& me,
    std::span<const std::string> usernames, std::int64_t now_seconds);

// One grant per reader: `content_key` sealed to the reader's certified box key.
[[nodiscard]] std::vector<Grant> seal_grants(const SecretBytes& content_key,
                                             std::span<const Certificate> readers);

}  // namespace imgshare::client
