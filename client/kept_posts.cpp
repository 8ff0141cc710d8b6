#include "client/kept_posts.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <system_error>

#include <fmt/format.h>

#include "common/crypto/sealed_box.h"
#include "common/envelope.h"
#include "common/file_io.h"
#include "common/keystore.h"
#include "common/protocol/fields.h"
#include "common/protocol/upload_handle.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRecordExtension = ".post";
constexpr std::string_view kKeyExtension = ".key";
// What older versions kept beside a record (the whole ciphertext) or sealed into: removed
// as leftovers, since this version resumes from the image file itself.
constexpr std::string_view kOldCiphertextExtension = ".sealed";
constexpr std::string_view kOldSealingPrefixes[] = {".imgshare-post-", ".sealing-"};
// A content key sealed to a box key: 32 bytes and crypto_box_SEALBYTES.
constexpr std::size_t kMaxSealedKeyBytes = 256;
constexpr auto kPrivateFile = fs::perms::owner_read | fs::perms::owner_write;
// A record holds a POST_BEGIN: its envelope and certificate and up to 64 grants.
constexpr std::size_t kMaxRecordBytes = 64 * 1024;
// What an interrupted keep leaves (a key without a record) is surely abandoned after this
// long; a post being kept right now is younger.
constexpr std::int64_t kLeftoverSeconds = 24 * 3600;

std::int64_t modified_at(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0;
    return static_cast<std::int64_t>(info.st_mtime);
}

}  // namespace

std::string KeptPost::upload() const {
    return upload_handle(begin.envelope, begin.signature);
}

Result<Envelope> KeptPost::envelope() const {
    auto envelope = decode_envelope(begin.envelope);
    if (!envelope) {
        return fail(ErrorCode::IO_ERROR, "a post kept in the home has a damaged envelope (" +
                                             envelope.error().message + "); remove it");
    }
    return envelope;
}

fs::path KeptPosts::record_path(std::string_view name) const {
    return dir_ / (std::string(name) + std::string(kRecordExtension));
}

fs::path KeptPosts::key_path(std::string_view name) const {
    return dir_ / (std::string(name) + std::string(kKeyExtension));
}

Result<void> KeptPosts::prepare() const {
    return ensure_private_directory(dir_);
}

Result<KeptPost> KeptPosts::read(const fs::path& path) const {
    auto bytes = read_file(path, kMaxRecordBytes);
    if (!bytes) return std::unexpected(std::move(bytes.error()));
    auto post = decode_map<KeptPost>(*bytes);
    if (!post) {
        return fail(ErrorCode::IO_ERROR, fmt::format("{} is damaged ({}); remove it to post "
                                                     "that image again",
                                                     path.string(), post.error().message));
    }
    return post;
}

Result<void> KeptPosts::write(const KeptPost& post) const {
    auto envelope = post.envelope();
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    return write_file_atomically(record_path(envelope->name), encode_map(post), kPrivateFile);
}

Result<std::optional<KeptPost>> KeptPosts::find(std::string_view name) const {
    auto path = record_path(name);
    std::error_code error;
    if (!fs::exists(path, error)) return std::optional<KeptPost>();
    auto post = read(path);
    if (!post) return std::unexpected(std::move(post.error()));
    return std::optional<KeptPost>(std::move(*post));
}

Result<std::vector<KeptPost>> KeptPosts::pending() const {
    std::vector<std::string> names;
    std::error_code error;
    for (fs::directory_iterator it(dir_, error), end; !error && it != end; it.increment(error)) {
        if (it->path().extension() == kKeyExtension) {
            names.push_back(it->path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    std::vector<KeptPost> posts;
    for (const auto& name : names) {
        auto post = find(name);
        if (!post) return std::unexpected(std::move(post.error()));
        // A key without a record is a leftover; one beside a committed record, what a crash
        // between committed()'s two steps leaves.
        if (*post && (*post)->pending()) posts.push_back(std::move(**post));
    }
    return posts;
}

Result<void> KeptPosts::keep(const KeptPost& post, ByteView sealed_key) const {
    auto envelope = post.envelope();
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    const auto& name = envelope->name;
    std::error_code error;
    if (fs::exists(record_path(name), error)) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("a post named '{}' is kept already ({})", name,
                                record_path(name).string()));
    }
    // The key first: a pending record is never without it.
    if (auto kept = write_file_atomically(key_path(name), sealed_key, kPrivateFile); !kept) {
        return kept;
    }
    return write(post);
}

Result<SecretBytes> KeptPosts::content_key(const KeptPost& post, const BoxKeyPair& owner) const {
    auto envelope = post.envelope();
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    const auto path = key_path(envelope->name);
    auto sealed = read_file(path, kMaxSealedKeyBytes);
    if (!sealed) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("the post of '{}' kept in this home cannot be resumed ({}); "
                                "abandon it with `imgshare uploads --abandon {}`",
                                envelope->name, sealed.error().message, post.upload()));
    }
    auto key = unseal(*sealed, owner);
    if (!key) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("{} does not open with this home's keys (damaged?); abandon the "
                                "post with `imgshare uploads --abandon {}`",
                                path.string(), post.upload()));
    }
    return key;
}

Result<void> KeptPosts::committed(const KeptPost& post, std::int64_t now) const {
    KeptPost done = post;
    done.committed_at = now;
    if (auto written = write(done); !written) return written;
    auto envelope = post.envelope();
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    std::error_code error;
    fs::remove(key_path(envelope->name), error);
    return {};
}

Result<void> KeptPosts::forget(std::string_view name) const {
    std::error_code error;
    // The record first: a key without its record is a leftover that prune() removes.
    fs::remove(record_path(name), error);
    if (error) {
        return fail(ErrorCode::IO_ERROR, fmt::format("cannot remove {}: {}",
                                                     record_path(name).string(), error.message()));
    }
    fs::remove(key_path(name), error);
    return {};
}

void KeptPosts::prune(std::int64_t now) const {
    std::error_code error;
    std::vector<fs::path> leftovers;
    std::vector<std::string> old_commits;
    for (fs::directory_iterator it(dir_, error), end; !error && it != end; it.increment(error)) {
        const auto& path = it->path();
        const auto file = path.filename().string();
        if (path.extension() == kRecordExtension) {
            if (now - modified_at(path) <= kKeepCommittedSeconds) continue;
            auto post = read(path);
            if (post && !post->pending() && now - post->committed_at > kKeepCommittedSeconds) {
                old_commits.push_back(path.stem().string());
            }
            continue;
        }
        const bool old =
            std::ranges::any_of(kOldSealingPrefixes,
                                [&](std::string_view prefix) { return file.starts_with(prefix); }) ||
            path.extension() == kOldCiphertextExtension;
        const bool orphan = path.extension() == kKeyExtension &&
                            !fs::exists(record_path(path.stem().string()), error);
        if ((old || orphan) && now - modified_at(path) > kLeftoverSeconds) {
            leftovers.push_back(path);
        }
    }
    for (const auto& name : old_commits)
        (void)forget(name);
    for (const auto& path : leftovers)
        fs::remove(path, error);
}

}  // namespace imgshare::client
