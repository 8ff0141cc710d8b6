// Posting an image file, the whole flow of `imgshare post` (docs/CLIENT.md), shared by the
// command and the gallery's page (client/gallery_images.h): settle who may read it (the
// server's verified wrap key, or every recipient's certificate verified with the pinned CA
// key), seal it (pass 1), keep the post in the home (kept_posts.h), upload it (pass 2), and
// keep the home's record in step with the answer. A post kept from an earlier run of the same
// image, name, mode and readers is resumed, or reported as the commit it had.
//
// Promises: nothing is sent before every reader's certificate verified; the same file posted
// again after any failure finishes the same post; a post the node refuses for good
// (NAME_TAKEN, INTEGRITY, a bad or expired certificate, …) is forgotten. The file must not
// change while this runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/broker_connection.h"
#include "client/session.h"
#include "common/envelope.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

// What a post asks for, settled before anything is sent.
struct PostWanted {
    std::string name;          // passes check_image_name
    std::string content_type;  // from the file's first bytes (image_type.h)
    std::optional<std::vector<std::string>> recipients;  // e2e: parse_recipient_list's list
    // The owner's controls, signed into the envelope: kept this long from the sealing on
    // (0: as long as the node keeps images), and served for this many complete downloads
    // at most (0: no limit).
    std::int64_t expires_in_seconds = 0;
    std::uint32_t max_downloads = 0;
};

// Chunks sent so far of the image's `total`; called as the upload goes.
using PostProgress = std::function<void(std::uint32_t done, std::uint32_t total)>;

struct PostedImage {
    PostCommitReply committed;
    Envelope envelope;  // as signed: its recipients are the readers, not what the server says
};

// Posts `file` as `wanted` by `identity` over `connection`; `progress` (optional; else the
// terminal's progress line) hears of each chunk. BAD_REQUEST if a post of other bytes or
// readers is pending under that name (its message says how to finish or abandon it); the
// certificate checks of fetch_reader_certificates (NOT_FOUND, REVOKED, EXPIRED, …) before
// anything is sealed; the errors of seal_image and upload_image; a failure the post can be
// resumed from says so in its message.
[[nodiscard]] Result<PostedImage> post_image(Session& session, const Identity& identity,
                                             BrokerConnection& connection,
                                             const std::filesystem::path& file,
                                             const PostWanted& wanted,
                                             const PostProgress& progress = {});

}  // namespace imgshare::client
