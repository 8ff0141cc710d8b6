#include "client/gallery_images.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "client/image_download.h"
#include "client/image_listing.h"
#include "client/output.h"
#include "common/clock.h"
#include "common/crypto/sha256.h"
#include "common/file_io.h"
#include "common/image_name.h"

namespace imgshare::client {
namespace {

// Where plaintext may pass for a moment: the per-user runtime directory (a tmpfs) if there
// is one, else /dev/shm, else the home (which is 0700).
std::filesystem::path scratch_parent(const Session& session) {
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
        std::error_code error;
        if (std::filesystem::is_directory(runtime, error)) return runtime;
    }
    std::error_code error;
    if (std::filesystem::is_directory("/dev/shm", error)) return "/dev/shm";
    return session.home().dir();
}

nlohmann::json summary_json(const ImageSummary& image) {
    nlohmann::json item{{"seq", image.seq},
                        {"name", printable(image.name)},
                        {"owner", printable(image.owner)},
                        {"size", image.size},
                        {"created_at", format_utc(image.created_at)},
                        {"mode", printable(image.mode)}};
    if (image.recipients) {
        auto& readers = item["recipients"] = nlohmann::json::array();
        for (const auto& recipient : *image.recipients) readers.push_back(printable(recipient));
    }
    return item;
}

// The verification panel's facts, all from what download_image() verified.
nlohmann::json verification_of(const DownloadedImage& image, const Bytes& bytes,
                               ByteView ca_verify_key) {
    const auto& certificate = image.owner_certificate;
    nlohmann::json facts{{"name", image.name},
                         {"owner", certificate.username},
                         {"serial", certificate.serial},
                         {"valid_from", format_utc(certificate.not_before)},
                         {"valid_until", format_utc(certificate.not_after)},
                         {"issuer", printable(certificate.issuer)},
                         {"ca_key", to_hex(ca_verify_key)},
                         {"mode", image.envelope.mode},
                         {"content_type", image.envelope.content_type},
                         {"created_at", format_utc(image.envelope.created_at)},
                         {"size", bytes.size()},
                         {"sha256", to_hex(sha256(bytes))},
                         {"verified", true}};
    if (!image.envelope.recipients.empty()) facts["readers"] = image.envelope.recipients;
    return facts;
}

}  // namespace

Result<std::unique_ptr<GalleryImages>> GalleryImages::open(Session& session, Identity identity) {
    std::string pattern = (scratch_parent(session) / "imgshare-gallery-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("cannot create a private directory like {}", pattern));
    }
    return std::unique_ptr<GalleryImages>(
        new GalleryImages(session, std::move(identity), pattern));
}

GalleryImages::GalleryImages(Session& session, Identity identity, std::filesystem::path scratch)
    : session_(session),
      identity_(std::move(identity)),
      scratch_(std::move(scratch)),
      connection_(session_.connect(identity_.keys.curve)) {}

GalleryImages::~GalleryImages() {
    std::error_code error;
    std::filesystem::remove_all(scratch_, error);
}

Result<nlohmann::json> GalleryImages::list_images() {
    std::lock_guard lock(connection_mutex_);
    auto images = nlohmann::json::array();
    auto listed = for_each_listed_image(*connection_, 0, [&](const ImageSummary& image) {
        images.push_back(summary_json(image));
    });
    if (!listed) return std::unexpected(listed.error());
    // Newest first: the feed lists oldest first.
    std::reverse(images.begin(), images.end());
    return images;
}

Result<gallery::VerifiedImage> GalleryImages::image(const std::string& name) {
    if (auto ok = check_image_name(name); !ok) return std::unexpected(ok.error());
    if (auto kept = cache_.find(name)) return *kept;
    auto downloaded = download(name);
    if (!downloaded) return downloaded;
    cache_.put(name, std::make_shared<const gallery::VerifiedImage>(*downloaded));
    return downloaded;
}

Result<gallery::VerifiedImage> GalleryImages::download(const std::string& name) {
    std::lock_guard lock(connection_mutex_);
    const auto file = scratch_ / "image";
    OpenParameters parameters{session_.trust().ca_verify_key, identity_.keys.box, name,
                              SystemClock().now_seconds(), identity_.certificate.username};
    auto downloaded =
        download_image(*connection_, parameters, DownloadTarget{scratch_, file});
    if (!downloaded) return std::unexpected(downloaded.error());
    std::error_code error;
    if (downloaded->size > gallery::kDefaultImageCacheBytes) {
        std::filesystem::remove(file, error);
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("{} is {} bytes: more than the gallery keeps in memory; "
                                "use `imgshare download`", name, downloaded->size));
    }
    auto bytes = read_file(file, downloaded->size);
    std::filesystem::remove(file, error);
    if (!bytes) return std::unexpected(bytes.error());
    auto facts = verification_of(*downloaded, *bytes, session_.trust().ca_verify_key);
    return gallery::VerifiedImage{.bytes = std::move(*bytes),
                                  .content_type = downloaded->envelope.content_type,
                                  .verification = std::move(facts)};
}

}  // namespace imgshare::client
