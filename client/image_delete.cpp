#include "client/image_delete.h"

#include <fmt/format.h>

#include "common/deletion.h"
#include "common/envelope.h"

namespace imgshare::client {

Result<DeleteReply> delete_image(BrokerConnection& connection,
                                 const DeleteParameters& parameters) {
    const auto& me = parameters.owner.certificate.username;
    auto record = connection.call<DownloadReply>(DownloadRequest{parameters.name});
    if (!record) return std::unexpected(record.error());
    auto envelope = decode_envelope(record->envelope);
    if (!envelope) return std::unexpected(envelope.error());
    if (envelope->owner != me) {
        return fail(ErrorCode::FORBIDDEN, fmt::format("only {}'s owner ({}) may delete it",
                                                      parameters.name, envelope->owner));
    }
    auto statement = make_deletion(parameters.name, me, record->envelope, parameters.now_seconds,
                                   parameters.owner.keys.sign.secret_key);
    auto deleted =
        connection.call<DeleteReply>(DeleteRequest{parameters.name, std::move(statement)});
    if (!deleted) return std::unexpected(deleted.error());
    if (deleted->name != parameters.name || deleted->owner != me) {
        return fail(ErrorCode::INTEGRITY,
                    "the server reports the deletion of another image than the one named");
    }
    return std::move(*deleted);
}

}  // namespace imgshare::client
