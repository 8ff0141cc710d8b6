// Posting a sealed image over a broker connection: an image of one chunk in
// one POST_IMAGE request; a larger one as POST_BEGIN, the chunks with a
// bounded window (resuming from the server's next_index), POST_COMMIT.
// Shared by `imgshare post` and imgshare-load.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "client/broker_connection.h"
#include "client/image_sealer.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "common/trust_file.h"

namespace imgshare::client {

// Chunks in flight during a transfer: 8 x 256 KiB keeps memory flat and the pipe full.
constexpr std::size_t kChunkWindow = 8;
// Downloads keep more in flight: each GET_CHUNK waits on a RocksDB read and two CURVE hops,
// and the replies are held until their turn (16 x 256 KiB).
constexpr std::size_t kDownloadWindow = 16;

// The server's key-wrapping public key, from CA_INFO. BAD_SIGNATURE if the CA answering is
// not the one pinned in the trust file, or the wrap key is not signed by it; BAD_REQUEST if
// the wrap key is not a usable X25519 key.
[[nodiscard]] Result<Bytes> fetch_escrow_wrap_key(BrokerConnection& connection,
                                                  const TrustAnchors& trust);

// Chunk `index` of the ciphertext being posted; the view lasts until the next call.
using ChunkSource = std::function<Result<ByteView>(std::uint32_t index)>;

struct Upload {
    const PostBeginRequest& begin;  // certificate, envelope, signature, wrapped key or grants
    std::string_view name;          // the envelope's: the commit must name it
    std::string_view owner;         // and its owner
    std::uint32_t chunk_count;
    ChunkSource chunk;
    std::size_t window = kChunkWindow;
    std::function<void(std::uint32_t chunks_done)> progress = {};  // optional
};

// Posts `upload`: the commit reply. The server's errors as they come; INTEGRITY if it asks
// for chunks beyond the end, acknowledges another chunk than the one sent, or commits
// another image or owner than the envelope's.
[[nodiscard]] Result<PostCommitReply> send_upload(BrokerConnection& connection,
                                                  const Upload& upload);

// Uploads `sealed` with `begin` (certificate, envelope, signature and the wrapped key or
// grants filled in), its chunks encrypted again from `sealed.image` as they are sent
// (pass 2, SealedChunks). The commit reply; INTEGRITY if it names another image or owner than the
// envelope; IO_ERROR if the image changed since it was sealed (the chunk that differs is
// not sent). A sealed image posted before, in part or whole, goes on from the first chunk
// the storage node lacks, and one committed already gets the reply of its commit.
// `progress(done, total)` hears of each chunk acknowledged; without it, the terminal's
// progress line does (output.h).
[[nodiscard]] Result<PostCommitReply> upload_image(
    BrokerConnection& connection, const SealedImage& sealed, const PostBeginRequest& begin,
    const std::function<void(std::uint32_t done, std::uint32_t total)>& progress = {});

// What the post of signed envelope `envelope` became when it was committed: POST_COMMIT
// for its upload handle, which the storage node answers as it answered the commit. NOT_FOUND
// if it is not committed (nor pending); INTEGRITY as upload_image.
[[nodiscard]] Result<PostCommitReply> committed_post(BrokerConnection& connection,
                                                     const Envelope& envelope,
                                                     std::string_view upload);

}  // namespace imgshare::client
