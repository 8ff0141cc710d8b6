#include "client/load/prepared_post.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/crypto/sealed_box.h"

namespace imgshare::client::load {

Result<ByteView> PreparedPost::chunk(std::uint32_t index, Bytes& buffer) const {
    if (!sealed) {
        if (index >= chunks.size()) {
            return fail(ErrorCode::BAD_REQUEST, fmt::format("no chunk {} in {}", index, name));
        }
        return ByteView(chunks[index]);
    }
    if (auto ok = read_sealed_chunk(*sealed, index, buffer); !ok) {
        return std::unexpected(ok.error());
    }
    return ByteView(buffer);
}

std::uint64_t PreparedPost::ciphertext_bytes() const {
    if (sealed) {
        const auto& envelope = sealed->envelope;
        std::uint64_t total = 0;
        for (std::uint32_t index = 0; index < envelope.chunk_count; ++index)
            total += chunk_ciphertext_size(envelope, index);
        return total;
    }
    std::uint64_t total = 0;
    for (const auto& one : chunks)
        total += one.size();
    return total;
}

Result<PreparedPost> prepare_post(const std::filesystem::path& body, std::uint64_t image_bytes,
                                  std::string name, const PostAuthor& author) {
    if (author.e2e_recipients > 0) {
        return fail(ErrorCode::BAD_REQUEST,
                    "end-to-end posts (--e2e-recipients) are not supported yet: they wait for "
                    "`imgshare post --to`");
    }
    SealParameters parameters{name,
                              author.user.certificate,
                              author.user.keys.sign.secret_key,
                              "image/png",
                              std::string(kEscrowMode),
                              {},
                              SystemClock().now_seconds(),
                              static_cast<std::uint32_t>(kDefaultChunkSize)};
    auto sealed = seal_image(body, parameters, author.scratch_dir);
    if (!sealed) return std::unexpected(sealed.error());

    PreparedPost post;
    post.name = std::move(name);
    post.owner = author.user.username;
    post.image_bytes = image_bytes;
    post.chunk_count = sealed->envelope.chunk_count;
    post.begin = PostBeginRequest{encode_certificate(author.user.certificate),
                                  sealed->encoded_envelope,
                                  sealed->signature,
                                  seal(sealed->content_key.view(), author.escrow_wrap_key),
                                  {}};
    if (image_bytes > kInMemoryImageBytes) {
        post.sealed = std::move(*sealed);
        return post;
    }
    post.chunks.resize(post.chunk_count);
    for (std::uint32_t index = 0; index < post.chunk_count; ++index) {
        if (auto ok = read_sealed_chunk(*sealed, index, post.chunks[index]); !ok) {
            return std::unexpected(ok.error());
        }
    }
    return post;  // the sealer's file and content key go with `sealed`
}

Result<PostCommitReply> send_post(BrokerConnection& connection, const PreparedPost& post,
                                  std::size_t window) {
    auto started = connection.call<PostBeginReply>(post.begin);
    if (!started) return std::unexpected(started.error());
    if (started->next_index > post.chunk_count) {
        return fail(ErrorCode::INTEGRITY, "the server asks for chunks beyond the image's end");
    }
    Bytes buffer;
    Transfer transfer{
        [&](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
            auto chunk = post.chunk(index, buffer);
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
        {}};
    if (auto ok = connection.run(transfer, started->next_index, post.chunk_count, window); !ok) {
        return std::unexpected(ok.error());
    }
    auto committed = connection.call<PostCommitReply>(PostCommitRequest{started->upload});
    if (!committed) return committed;
    if (committed->name != post.name || committed->owner != post.owner) {
        return fail(ErrorCode::INTEGRITY, "the server committed another image than the one sent");
    }
    return committed;
}

}  // namespace imgshare::client::load
