// Deleting one of my images (`imgshare delete`): the owner fetches the image's record
// (DOWNLOAD, for the envelope the storage node holds), signs a deletion statement naming
// the image, the owner and that envelope's digest (common/deletion.h), and sends DELETE.
//
// Promises: nothing is sent unless the stored envelope names me as its owner; the statement
// deletes that one post and nothing posted later under the same name, and is good for a few
// minutes only (kDeletionWindowSeconds).
#pragma once

#include <cstdint>
#include <string>

#include "client/broker_connection.h"
#include "client/session.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

struct DeleteParameters {
    const Identity& owner;  // the unlocked owner
    std::string name;
    std::int64_t now_seconds = 0;
};

// The image as it was (DeleteReply). NOT_FOUND for a missing name (or one I may not see);
// FORBIDDEN if I am not its owner; BAD_REQUEST if the stored envelope does not decode; the
// server's refusals (BAD_SIGNATURE, STALE: see PROTOCOL.md, DELETE); INTEGRITY if the server
// reports another image than the one named.
[[nodiscard]] Result<DeleteReply> delete_image(BrokerConnection& connection,
                                               const DeleteParameters& parameters);

}  // namespace imgshare::client
