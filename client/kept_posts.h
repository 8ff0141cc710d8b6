// The posts a home keeps (HOME/uploads/), so that running the same `imgshare
// post` again after any interruption finishes the same post instead of
// starting another (docs/CLIENT.md, "Interrupted posts"):
//
//   NAME.post    the kept post (KeptPost, msgpack): exactly the POST_BEGIN it
//                sends, the image file's SHA-256, when it was sealed and when
//                its commit was acknowledged (0 while pending)
//   NAME.key     its content key, sealed to the owner's own box key (a sealed
//                box: only the unlocked keystore opens it); only while the
//                post is pending. The ciphertext is not kept: a rerun
//                encrypts the unchanged image again under this key and the
//                envelope's stream header (image_sealer.h), which gives the
//                same chunks, and refuses an image that changed.
//
// NAME is the image's name (check_image_name: no '/', never a leading '.'),
// so a home keeps at most one post per name.
//
// Promises: a post is kept before anything of it is sent: its sealed key is
// durable under its final name before its record is written, and the record
// is replaced atomically, so after a crash a pending record always has its
// key (or is committed). Nothing is kept in the clear that the wire does not
// carry: the content key only sealed, to the owner (NAME.key) and as on the
// wire (the wrapped key or the grants); no ciphertext, so posting needs no
// disk beyond the record and key (well under a kilobyte).
// Files are 0600 in a 0700 directory. Records are read back as untrusted
// input: one that does not decode is IO_ERROR naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "client/image_sealer.h"
#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/crypto/keys.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

struct KeptPost {
    PostBeginRequest begin;      // what POST_BEGIN (or POST_IMAGE) sends, byte for byte
    Bytes image_sha256;          // of the image file: the same file posted again is this post
    std::int64_t sealed_at = 0;  // Unix seconds, this machine's clock
    std::int64_t committed_at = 0;  // when the commit was acknowledged; 0 while pending

    static constexpr auto fields() {
        using M = KeptPost;
        return std::make_tuple(field("begin", &M::begin), field("image_sha256", &M::image_sha256),
                               field("sealed_at", &M::sealed_at),
                               field("committed_at", &M::committed_at));
    }
    bool operator==(const KeptPost&) const = default;

    [[nodiscard]] bool pending() const { return committed_at == 0; }
    // The upload handle the storage node knows it by (upload_handle.h).
    [[nodiscard]] std::string upload() const;
    // Its envelope, decoded: INTEGRITY-free, but a record damaged on disk may not decode
    // (IO_ERROR, "… remove it").
    [[nodiscard]] Result<Envelope> envelope() const;
};

// Committed posts are remembered this long, so that running a post again that
// had been reported posted reports the same success instead of NAME_TAKEN.
inline constexpr std::int64_t kKeepCommittedSeconds = 30 * 24 * 3600;

class KeptPosts {
  public:
    explicit KeptPosts(std::filesystem::path dir) : dir_(std::move(dir)) {}

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

    // Creates the directory (0700) if needed: call before sealing into it.
    [[nodiscard]] Result<void> prepare() const;
    // The post kept under image name `name`; nullopt when there is none.
    [[nodiscard]] Result<std::optional<KeptPost>> find(std::string_view name) const;
    // The posts kept and still pending (those with a sealed key), by name. Committed
    // records are not read: a home may hold thousands.
    [[nodiscard]] Result<std::vector<KeptPost>> pending() const;

    // Keeps a freshly sealed post: writes `sealed_key` (its content key sealed to the
    // owner's box public key) to NAME.key, durably, then NAME.post. BAD_REQUEST if a post is
    // kept under that name already.
    [[nodiscard]] Result<void> keep(const KeptPost& post, ByteView sealed_key) const;
    // The content key of pending post `post`, from NAME.key opened with the owner's box
    // keys. IO_ERROR naming the file if it is missing or does not open (damaged, or sealed
    // to other keys).
    [[nodiscard]] Result<SecretBytes> content_key(const KeptPost& post,
                                                  const BoxKeyPair& owner) const;
    // Its commit was acknowledged: the record stays (marked), the key goes.
    [[nodiscard]] Result<void> committed(const KeptPost& post, std::int64_t now) const;
    // Forgets the post kept under `name`, record and key.
    [[nodiscard]] Result<void> forget(std::string_view name) const;
    // Forgets committed posts older than kKeepCommittedSeconds, and removes what an
    // interrupted seal or keep left behind (files without a record) after a day. Reads
    // only records last written more than kKeepCommittedSeconds ago (a commit rewrites
    // its record), so it costs a directory listing, however many posts are kept.
    void prune(std::int64_t now) const;

  private:
    [[nodiscard]] std::filesystem::path record_path(std::string_view name) const;
    [[nodiscard]] std::filesystem::path key_path(std::string_view name) const;
    [[nodiscard]] Result<void> write(const KeptPost& post) const;
    [[nodiscard]] Result<KeptPost> read(const std::filesystem::path& path) const;

    std::filesystem::path dir_;
};

}  // namespace imgshare::client
