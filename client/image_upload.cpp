#include "client/image_upload.h"

#include <sodium.h>

#include <optional>

#include <fmt/format.h>

#include "client/output.h"
#include "common/wrap_key.h"

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
    // The broker relays CA_INFO: only the pinned CA's signature makes the key the server's.
    if (auto ok =
            verify_wrap_key(info->wrap_public_key, info->wrap_key_signature, trust.ca_verify_key);
        !ok) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the server's wrap key is not signed by the CA in the trust file");
    }
    return std::move(info->wrap_public_key);
}

namespace {

Result<PostCommitReply> committed_as_sent(Result<PostCommitReply> committed, std::string_view name,
                                          std::string_view owner) {
    if (!committed) return committed;
    if (committed->name != name || committed->owner != owner) {
        return fail(ErrorCode::INTEGRITY, "the server committed another image than the one sent");
    }
    return committed;
}

Result<PostCommitReply> post_in_one_request(BrokerConnection& connection, const Upload& upload) {
    auto chunk = upload.chunk(0);
    if (!chunk) return std::unexpected(chunk.error());
    const PostImageRequest request{upload.begin};
    auto committed = connection.call<PostCommitReply>(request, *chunk);
    if (committed && upload.progress) upload.progress(1);
    return committed_as_sent(std::move(committed), upload.name, upload.owner);
}

}  // namespace

Result<PostCommitReply> send_upload(BrokerConnection& connection, const Upload& upload) {
    if (upload.chunk_count == 1) return post_in_one_request(connection, upload);
    auto started = connection.call<PostBeginReply>(upload.begin);
    if (!started) return std::unexpected(started.error());
    if (started->next_index > upload.chunk_count) {
        return fail(ErrorCode::INTEGRITY, "the server asks for chunks beyond the image's end");
    }
    Transfer transfer{
        [&](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
            auto chunk = upload.chunk(index);
            if (!chunk) return std::unexpected(chunk.error());
            return encode(PostChunkRequest{started->upload, index}, id, std::nullopt, *chunk);
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
        [&](std::uint32_t done) {
            if (upload.progress) upload.progress(started->next_index + done);
        }};
    if (auto ok = connection.run(transfer, started->next_index, upload.chunk_count, upload.window);
        !ok) {
        return std::unexpected(ok.error());
    }
    return committed_as_sent(connection.call<PostCommitReply>(PostCommitRequest{started->upload}),
                             upload.name, upload.owner);
}

Result<PostCommitReply> upload_image(
    BrokerConnection& connection, const SealedImage& sealed, const PostBeginRequest& begin,
    const std::function<void(std::uint32_t done, std::uint32_t total)>& progress) {
    auto chunks = SealedChunks::open(sealed);
    if (!chunks) return std::unexpected(chunks.error());
    const std::uint32_t total = sealed.envelope.chunk_count;
    std::optional<TransferProgress> terminal;
    if (!progress) terminal.emplace("posting " + sealed.envelope.name, total);
    return send_upload(
        connection,
        Upload{begin, sealed.envelope.name, sealed.envelope.owner, total,
               [&](std::uint32_t index) { return chunks->chunk(index); }, kChunkWindow,
               [&](std::uint32_t done) {
                   if (progress) progress(done, total);
                   else terminal->update(done);
               }});
}

Result<PostCommitReply> committed_post(BrokerConnection& connection, const Envelope& envelope,
                                       std::string_view upload) {
    return committed_as_sent(
        connection.call<PostCommitReply>(PostCommitRequest{std::string(upload)}), envelope.name,
        envelope.owner);
}

}  // namespace imgshare::client
