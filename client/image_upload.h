// Posting a sealed image over a broker connection: POST_BEGIN, the chunks
// with a bounded window (resuming from the server's next_index), POST_COMMIT.
#pragma once

#include "client/broker_connection.h"
#include "client/image_sealer.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "common/trust_file.h"

namespace imgshare::client {

// Chunks in flight during a transfer: 8 x 256 KiB keeps memory flat and the pipe full.
constexpr std::size_t kChunkWindow = 8;

// The server's key-wrapping public key, from CA_INFO. BAD_SIGNATURE if the CA answering is
// not the one pinned in the trust file; BAD_REQUEST if the wrap key is not a usable X25519
// key.
[[nodiscard]] Result<Bytes> fetch_escrow_wrap_key(BrokerConnection& connection,
                                                  const TrustAnchors& trust);

// Uploads `sealed` with `begin` (certificate, envelope, signature and the wrapped key or
// grants filled in). The commit reply; INTEGRITY if it names another image or owner than
// the envelope.
[[nodiscard]] Result<PostCommitReply> upload_image(BrokerConnection& connection,
                                                   const SealedImage& sealed,
                                                   const PostBeginRequest& begin);

}  // namespace imgshare::client
