#include "client/gallery_posts.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "client/image_post.h"
#include "client/image_share.h"
#include "client/image_type.h"
#include "client/output.h"
#include "client/recipients.h"
#include "client/temp_file.h"
#include "common/clock.h"
#include "common/image_name.h"
#include "common/registration.h"

namespace imgshare::client {
namespace {

// The page's bytes are written in pieces of this size, not per network read (4 KiB).
constexpr std::size_t kReceiveBuffer = 256 * 1024;

// The request's body into a new private file in `dir`: exactly `length` bytes, or TOO_LARGE
// as soon as more arrive (nothing beyond the bound is written), BAD_REQUEST if fewer do.
Result<TempFile> receive_image(const gallery::PagePost& post, const gallery::BodyReader& body,
                               const gallery::PostProgressSink& progress,
                               const std::filesystem::path& dir) {
    auto file = TempFile::create(dir, "post-");
    if (!file) return std::unexpected(file.error());
    Bytes buffer;
    buffer.reserve(std::min<std::uint64_t>(post.length, kReceiveBuffer));
    std::uint64_t received = 0;
    std::optional<Error> failure;
    auto flush = [&]() {
        if (auto ok = file->append(buffer); !ok) failure = ok.error();
        buffer.clear();
        progress("receiving", received, post.length);
        return !failure;
    };
    const bool read = body([&](const char* data, std::size_t size) {
        received += size;
        if (received > post.length) {
            failure = Error{ErrorCode::TOO_LARGE, "more bytes arrived than announced"};
            return false;
        }
        buffer.insert(buffer.end(), data, data + size);
        return buffer.size() < kReceiveBuffer || flush();
    });
    if (failure) return std::unexpected(*failure);
    if (!buffer.empty() && !flush()) return std::unexpected(*failure);
    if (!read || received != post.length) {
        return fail(ErrorCode::BAD_REQUEST, "the image did not arrive whole: post it again");
    }
    return file;
}

}  // namespace

GalleryPosts::GalleryPosts(Session& session, const Identity& identity,
                           std::filesystem::path scratch)
    : session_(session),
      identity_(identity),
      scratch_(std::move(scratch)),
      requests_(session_.connect(identity_.keys.curve)) {}

Result<nlohmann::json> GalleryPosts::post(const gallery::PagePost& post,
                                          const gallery::BodyReader& body,
                                          const gallery::PostProgressSink& progress) {
    // Everything the request says is checked before its body is read.
    if (auto ok = check_image_name(post.name); !ok) return std::unexpected(ok.error());
    std::optional<std::vector<std::string>> recipients;
    if (post.recipients) {
        auto parsed = parse_recipient_list(*post.recipients);
        if (!parsed) return std::unexpected(parsed.error());
        recipients = std::move(*parsed);
    }
    auto file = receive_image(post, body, progress, scratch_);
    if (!file) return std::unexpected(file.error());
    auto type = image_type_of_file(file->path());
    if (!type) {
        return fail(ErrorCode::BAD_REQUEST, "not a PNG, JPEG, GIF or WebP image (by its first "
                                            "bytes)");
    }
    const PostWanted wanted{post.name, std::string(content_type_of(*type)),
                            std::move(recipients)};

    std::lock_guard lock(posting_mutex_);
    progress("sealing", 0, post.length);
    // Its own connection: a long upload does not hold up the images being served.
    auto connection = session_.connect(identity_.keys.curve);
    auto posted = post_image(session_, identity_, *connection, file->path(), wanted,
                             [&](std::uint32_t done, std::uint32_t total) {
                                 progress("sending", done, total);
                             });
    if (!posted) return std::unexpected(posted.error());
    const auto& committed = posted->committed;
    nlohmann::json answer{{"name", committed.name},
                          {"seq", committed.seq},
                          {"size", committed.size},
                          {"mode", printable(committed.mode)}};
    // The readers as signed, not as the server says.
    if (posted->envelope.mode == kEndToEndMode) answer["recipients"] = posted->envelope.recipients;
    return answer;
}

Result<nlohmann::json> GalleryPosts::reader(const std::string& username) {
    if (auto ok = check_username(username); !ok) return std::unexpected(ok.error());
    if (username == identity_.certificate.username) {
        return nlohmann::json{{"username", username},
                              {"serial", identity_.certificate.serial},
                              {"valid_until", format_utc(identity_.certificate.not_after)}};
    }
    std::lock_guard lock(requests_mutex_);
    auto certificate = fetch_reader_certificate(*requests_, session_.trust().ca_verify_key,
                                                username, SystemClock().now_seconds());
    if (!certificate) return std::unexpected(certificate.error());
    return nlohmann::json{{"username", certificate->username},
                          {"serial", certificate->serial},
                          {"valid_until", format_utc(certificate->not_after)}};
}

Result<nlohmann::json> GalleryPosts::share(const std::string& name, const std::string& with) {
    if (auto ok = check_image_name(name); !ok) return std::unexpected(ok.error());
    auto readers = parse_recipient_list(with);
    if (!readers) return std::unexpected(readers.error());
    std::lock_guard lock(requests_mutex_);
    auto shared = share_image(*requests_,
                              ShareParameters{session_.trust().ca_verify_key, identity_, name,
                                              std::move(*readers), SystemClock().now_seconds()});
    if (!shared) return std::unexpected(shared.error());
    return nlohmann::json{{"name", name},
                          {"added", shared->added},
                          {"recipients", shared->recipients},
                          {"seq", shared->seq}};
}

}  // namespace imgshare::client
