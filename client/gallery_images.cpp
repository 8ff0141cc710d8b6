#include "client/gallery_images.h"

#include <cstdlib>

#include <fmt/format.h>

#include "client/image_download.h"
#include "client/output.h"
#include "client/thumbnail_download.h"
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

// Where a thumbnail is kept in the cache. No image name has a '/': this key is never an image's.
std::string thumbnail_cache_key(const std::string& name) { return "thumbnail/" + name; }

}  // namespace

Result<std::unique_ptr<GalleryImages>> GalleryImages::open(Session& session, Identity identity,
                                                          std::ostream& err,
                                                          std::size_t cache_bytes,
                                                          std::chrono::seconds log_check_interval) {
    std::string pattern = (scratch_parent(session) / "imgshare-gallery-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("cannot create a private directory like {}", pattern));
    }
    std::unique_ptr<GalleryImages> images(
        new GalleryImages(session, std::move(identity), pattern, cache_bytes));
    // A deleted image, or one whose grant was revoked, is not served from memory again, nor
    // its thumbnail.
    auto forget = [cache = &images->cache_](const std::string& name) {
        cache->forget(name);
        cache->forget(thumbnail_cache_key(name));
    };
    auto follower = GalleryFeed::start(session, images->identity_, images->feed_, err,
                                       std::move(forget), log_check_interval);
    if (!follower) return std::unexpected(follower.error());
    images->follower_ = std::move(*follower);
    return images;
}

GalleryImages::GalleryImages(Session& session, Identity identity, std::filesystem::path scratch,
                             std::size_t cache_bytes)
    : session_(session),
      identity_(std::move(identity)),
      scratch_(std::move(scratch)),
      cache_(cache_bytes),
      posts_(session_, identity_, scratch_) {
    for (std::size_t i = 0; i < kDownloadConnections; ++i)
        idle_connections_.push_back(session_.connect(identity_.keys.curve));
}

GalleryImages::~GalleryImages() {
    std::error_code error;
    std::filesystem::remove_all(scratch_, error);
}

Result<std::shared_ptr<const gallery::VerifiedImage>> GalleryImages::image(
    const std::string& name) {
    if (auto ok = check_image_name(name); !ok) return std::unexpected(ok.error());
    if (auto kept = cache_.find(name)) return kept;
    // Read first: an image deleted while it downloads must not stay in the cache.
    const auto forgets_seen = cache_.forgets();
    auto downloaded = download(name);
    if (!downloaded) return std::unexpected(downloaded.error());
    auto image = std::make_shared<const gallery::VerifiedImage>(std::move(*downloaded));
    cache_.put_unless_forgotten(name, image, forgets_seen);
    return image;
}

// An idle connection for the length of one download, given back however it ends.
class GalleryImages::Lease {
  public:
    explicit Lease(GalleryImages& images) : images_(images) {
        std::unique_lock lock(images_.pool_mutex_);
        images_.connection_freed_.wait(lock, [this] { return !images_.idle_connections_.empty(); });
        connection_ = std::move(images_.idle_connections_.back());
        images_.idle_connections_.pop_back();
        number_ = ++images_.downloads_;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
        {
            std::lock_guard lock(images_.pool_mutex_);
            images_.idle_connections_.push_back(std::move(connection_));
        }
        images_.connection_freed_.notify_one();
    }
    [[nodiscard]] BrokerConnection& connection() { return *connection_; }
    [[nodiscard]] std::uint64_t number() const { return number_; }

  private:
    GalleryImages& images_;
    std::unique_ptr<BrokerConnection> connection_;
    std::uint64_t number_ = 0;
};

Result<std::shared_ptr<const gallery::VerifiedImage>> GalleryImages::thumbnail(
    const std::string& name) {
    if (auto ok = check_image_name(name); !ok) return std::unexpected(ok.error());
    const std::string key = thumbnail_cache_key(name);
    if (auto kept = cache_.find(key)) return kept;
    const auto forgets_seen = cache_.forgets();  // as in image()
    Result<DownloadedThumbnail> downloaded = [&] {
        Lease lease(*this);
        OpenParameters parameters{session_.trust().ca_verify_key, identity_.keys.box, name,
                                  SystemClock().now_seconds(), identity_.certificate.username};
        return download_thumbnail(lease.connection(), parameters);
    }();
    if (!downloaded) return std::unexpected(downloaded.error());
    // Posted without a thumbnail (v1, or an image the owner's client could not decode).
    if (!downloaded->jpeg) return image(name);
    auto thumbnail = std::make_shared<const gallery::VerifiedImage>(gallery::VerifiedImage{
        .bytes = std::move(*downloaded->jpeg),
        .content_type = "image/jpeg",
        .verification = nlohmann::json{{"name", name}, {"thumbnail", true}}});
    cache_.put_unless_forgotten(key, thumbnail, forgets_seen);
    return thumbnail;
}

Result<gallery::VerifiedImage> GalleryImages::download(const std::string& name) {
    Lease lease(*this);
    BrokerConnection& connection = lease.connection();
    const std::filesystem::path file = scratch_ / fmt::format("image-{}", lease.number());
    OpenParameters parameters{session_.trust().ca_verify_key, identity_.keys.box, name,
                              SystemClock().now_seconds(), identity_.certificate.username};
    auto downloaded =
        download_image(connection, parameters, DownloadTarget{scratch_, file});
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
