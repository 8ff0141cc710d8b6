#include "client/thumbnail_download.h"

#include "client/owner_standing.h"
#include "common/crypto/thumbnail_box.h"
#include "common/image_name.h"

namespace imgshare::client {

Result<DownloadedThumbnail> download_thumbnail(BrokerConnection& connection,
                                               const OpenParameters& parameters) {
    if (auto ok = check_image_name(parameters.requested_name); !ok) {
        return std::unexpected(ok.error());
    }
    // DOWNLOAD's reply carries chunk 0 too; it is dropped here unread.
    auto answered =
        connection.call_for_payload<DownloadReply>(DownloadRequest{parameters.requested_name});
    if (!answered) return std::unexpected(answered.error());
    const DownloadReply& record = answered->first;
    auto vouched_at =
        check_owner_standing(connection, record, parameters.ca_verify_key, parameters.now_seconds);
    if (!vouched_at) return std::unexpected(vouched_at.error());
    OpenParameters checked = parameters;
    checked.now_seconds = *vouched_at;
    auto opened = open_record(record, checked);
    if (!opened) return std::unexpected(opened.error());
    DownloadedThumbnail thumbnail{std::move(opened->owner), std::move(opened->envelope),
                                  std::nullopt};
    if (thumbnail.envelope.v == kEnvelopeWithThumbnailVersion) {
        auto jpeg = open_thumbnail(opened->content_key, thumbnail.envelope.thumbnail);
        if (!jpeg) return std::unexpected(jpeg.error());
        thumbnail.jpeg = std::move(*jpeg);
    }
    return thumbnail;
}

}  // namespace imgshare::client
