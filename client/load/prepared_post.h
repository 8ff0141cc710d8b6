// A post sealed with the real sealer (client/image_sealer.h) before it is
// sent, so that sending it measures the servers and the wire, not the
// client's encryption: its POST_BEGIN (certificate, signed envelope, the
// content key wrapped for the server, or in end-to-end mode one grant per
// reader, as `imgshare post --to` seals them) and its ciphertext chunks,
// held in memory for small images or in a private temporary file for large
// ones (unlike `imgshare post`, which encrypts again as it sends).
//
// Promises: the content key is wrapped and then wiped with the sealer's
// output; nothing secret is kept. send_post() is `imgshare post`'s upload
// (client/image_upload.h: POST_IMAGE for one chunk, else POST_BEGIN, the
// chunks with a bounded window from the server's next_index, POST_COMMIT)
// without the progress display; the commit must name this image and owner
// (INTEGRITY otherwise).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/broker_connection.h"
#include "client/image_sealer.h"
#include "client/load/load_users.h"
#include "client/temp_file.h"
#include "common/bytes.h"
#include "common/certificate.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client::load {

// Images up to this size keep their ciphertext in memory; larger ones stay in a file.
constexpr std::uint64_t kInMemoryImageBytes = 16u << 20;

struct PreparedPost {
    std::string name;
    std::string owner;
    std::uint64_t image_bytes = 0;
    std::vector<std::string> readers;  // end-to-end: who may read it (owner included); else empty
    PostBeginRequest begin;
    std::uint32_t chunk_count = 0;
    std::vector<Bytes> chunks;             // in memory, or
    std::optional<TempFile> ciphertext;    // chunk i at i * (chunk_size + kChunkOverhead)
    std::optional<Envelope> envelope = {};  // with `ciphertext`: the chunks' sizes

    // Chunk `index`: a view into memory, or read into `buffer` from the file.
    [[nodiscard]] Result<ByteView> chunk(std::uint32_t index, Bytes& buffer) const;
    // Ciphertext bytes this post holds (in memory or on disk).
    [[nodiscard]] std::uint64_t ciphertext_bytes() const;
};

// Who posts and how the content key is wrapped.
struct PostAuthor {
    const LoadUser& user;
    ByteView escrow_wrap_key;  // the server's wrapping key, from CA_INFO
    // End-to-end (--e2e-recipients): every reader's verified certificate, the owner's among
    // them, sorted by name (client/recipients.h). Empty: escrow, the key wrapped for the server.
    std::span<const Certificate> readers;
    std::filesystem::path scratch_dir;  // where large posts' ciphertext files go
};

// Seals the image file `body` (`image_bytes` long) as `name`, in end-to-end mode for
// `author.readers` when there are any. The sealer's errors.
[[nodiscard]] Result<PreparedPost> prepare_post(const std::filesystem::path& body,
                                                std::uint64_t image_bytes, std::string name,
                                                const PostAuthor& author);

// Uploads and commits `post` with at most `window` chunks in flight.
[[nodiscard]] Result<PostCommitReply> send_post(BrokerConnection& connection,
                                                const PreparedPost& post, std::size_t window);

}  // namespace imgshare::client::load
