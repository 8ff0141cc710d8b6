// An image's thumbnail as a reader gets it (docs/CRYPTO.md, "Thumbnails"): DOWNLOAD, the
// owner's standing at the CA (owner_standing.h) and open_record()'s checks — the very checks
// `download` makes before its first chunk: certificate, envelope signature, name, mode and
// readers, the wrapped key, the key commitment — then the thumbnail box opened with the
// content key it derives from.
//
// Promises: a thumbnail is returned only after all of those passed and its box
// authenticated; nothing is written anywhere. The image's chunks are not read: they are
// checked when the image itself is opened (image_download.h).
#pragma once

#include <optional>

#include "client/broker_connection.h"
#include "client/image_opener.h"
#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::client {

struct DownloadedThumbnail {
    Certificate owner_certificate;  // verified against the pinned CA
    Envelope envelope;              // verified: signed by that owner
    std::optional<Bytes> jpeg;      // nullopt: a v1 envelope, posted without a thumbnail
};

// The errors of DOWNLOAD, check_owner_standing and open_record; INTEGRITY if the thumbnail
// box does not open (open_thumbnail).
[[nodiscard]] Result<DownloadedThumbnail> download_thumbnail(BrokerConnection& connection,
                                                             const OpenParameters& parameters);

}  // namespace imgshare::client
