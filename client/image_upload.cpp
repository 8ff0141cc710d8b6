#include "client/image_upload.h"

#include <sodium.h>

#include <fmt/format.h>

#include "client/output.h"

namespace imgshare::client {

Result<Bytes> fetch_escrow_wrap_key(BrokerConnection& connection, const TrustAnchors& trust) {
    auto info = connection.call<CaInfoReply>(CaInfoRequest{});
    if (!info) return std::unexpected(info.error());
    if (info->ca_verify_key != trust.ca_verify_key) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the CA behind this broker is not the one in the trust file");
    }
    if (auto ok = check_public_key(info->wrap_public_key, KeyKind::Box); !ok) {
        return fail(ErrorCode::BAD_REQUEST, "the server's wrap key: " + ok.error().message);
    }
    return std::move(info->wrap_public_key);
}

Result<PostCommitReply> upload_image(BrokerConnection& connection, const SealedImage& sealed,
                                     const PostBeginRequest& begin) {
    auto started = connection.call<PostBeginReply>(begin);
    if (!started) return std::unexpected(started.error());
    const std::uint32_t chunk_count = sealed.envelope.chunk_count;
    if (started->next_index > chunk_count) {
        return fail(ErrorCode::INTEGRITY, "the server asks for chunks beyond the image's end");
    }
    TransferProgress progress("posting " + sealed.envelope.name, chunk_count);
    Bytes chunk;
    Transfer transfer{
        [&](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
            if (auto ok = read_sealed_chunk(sealed, index, chunk); !ok) {
                return std::unexpected(ok.error());
            }
            return encode(PostChunkRequest{started->upload, index}, id, std::nullopt, chunk);
        },
        [](std::uint32_t index, std::span<const ByteView> frames) -> Result<void> {
            auto reply = decode_reply<PostChunkReply>(frames);
            if (!reply) return std::unexpected(reply.error());
            if (reply->index != index) {
                return fail(ErrorCode::INTEGRITY,
                            fmt::format("the server acknowledged chunk {} for chunk {}",
                                        reply->index, index));
            }
            return {};
        },
        [&](std::uint32_t done) { progress.update(started->next_index + done); }};
    if (auto ok = connection.run(transfer, started->next_index, chunk_count, kChunkWindow); !ok) {
        return std::unexpected(ok.error());
    }
    auto committed = connection.call<PostCommitReply>(PostCommitRequest{started->upload});
    if (!committed) return committed;
    if (committed->name != sealed.envelope.name || committed->owner != sealed.envelope.owner) {
        return fail(ErrorCode::INTEGRITY, "the server committed another image than the one sent");
    }
    return committed;
}

}  // namespace imgshare::client
