#include "client/thumbnail_download.h"

#include "client/image_download.h"
#include "common/crypto/thumbnail_box.h"
#include "common/image_name.h"

namespace imgshare::client {

Result<DownloadedThumbnail> download_thumbnail(BrokerConnection& connection,
                                               const OpenParameters& parameters) {
    if (auto ok = check_image_name(parameters.requested_name); !ok) {
        return std::unexpected(ok.error());
    }
    // DOWNLOAD's reply carries chunk 0 too; it is dropped here unread.
    auto downloaded = download_record(connection, parameters);
    if (!downloaded) return std::unexpected(downloaded.error());
    auto opened = open_record(downloaded->record, downloaded->checked);
    if (!opened) return std::unexpected(opened.error());
    DownloadedThumbnail thumbnail{std::move(opened->owner), std::move(opened->envelope),
                                  std::nullopt};
    if (!thumbnail.envelope.thumbnail.empty()) {  // v2, or v3 with one
        auto jpeg = open_thumbnail(opened->content_key, thumbnail.envelope.thumbnail);
        if (!jpeg) return std::unexpected(jpeg.error());
        thumbnail.jpeg = std::move(*jpeg);
    }
    return thumbnail;
}

}  // namespace imgshare::client
