// Downloading one image over a broker connection: DOWNLOAD (its reply carries
// chunk 0), the owner's standing at the CA (owner_standing.h: REVOKED,
// EXPIRED), then the other chunks with a bounded window, each handed in order
// to an ImageOpener, which verifies everything before the file appears
// (image_opener.h).
//
// Promises: the output path is either the one the user chose, or
// `directory/NAME.EXT` where NAME passed check_image_name (so it has no
// directory parts and cannot leave `directory`) and EXT comes from the closed
// list of image types; an existing file is never replaced.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "client/broker_connection.h"
#include "client/image_opener.h"
#include "common/error.h"

namespace imgshare::client {

struct DownloadTarget {
    std::filesystem::path directory;            // where NAME.EXT goes when `file` is not set
    std::optional<std::filesystem::path> file;  // the exact output path (-o)
};

struct DownloadedImage {
    std::string name;
    std::string owner;  // from the verified certificate
    std::filesystem::path path;
    std::uint64_t size = 0;
    Certificate owner_certificate;  // verified against the pinned CA
    Envelope envelope;              // verified: signed by that owner
};

// DOWNLOAD of `parameters.requested_name` and the owner's standing at the CA: the reply, its
// chunk 0, and the parameters ImageOpener/open_record must check it with (now_seconds as
// check_owner_standing decided). The start shared by download_image and download_thumbnail
// (thumbnail_download.h).
struct DownloadedRecord {
    DownloadReply record;
    Bytes first_chunk;
    OpenParameters checked;
};
[[nodiscard]] Result<DownloadedRecord> download_record(BrokerConnection& connection,
                                                       const OpenParameters& parameters);

// The image `parameters.requested_name`. BAD_REQUEST for a name that breaks the name rule or
// an output path that exists; the server's errors (NOT_FOUND, …) and the opener's.
[[nodiscard]] Result<DownloadedImage> download_image(BrokerConnection& connection,
                                                     const OpenParameters& parameters,
                                                     const DownloadTarget& target);

}  // namespace imgshare::client
