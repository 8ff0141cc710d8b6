#include "client/load/prepared_post.h"

#include <fmt/format.h>

#include "client/image_upload.h"
#include "client/recipients.h"
#include "common/clock.h"
#include "common/crypto/sealed_box.h"

namespace imgshare::client::load {

Result<ByteView> PreparedPost::chunk(std::uint32_t index, Bytes& buffer) const {
    if (!ciphertext) {
        if (index >= chunks.size()) {
            return fail(ErrorCode::BAD_REQUEST, fmt::format("no chunk {} in {}", index, name));
        }
        return ByteView(chunks[index]);
    }
    if (index >= envelope->chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("no chunk {} in {}", index, name));
    }
    buffer.resize(chunk_ciphertext_size(*envelope, index));
    const std::uint64_t stride = std::uint64_t{envelope->chunk_size} + kChunkOverhead;
    if (auto ok = ciphertext->read_at(stride * index, buffer); !ok) {
        return std::unexpected(ok.error());
    }
    return ByteView(buffer);
}

std::uint64_t PreparedPost::ciphertext_bytes() const {
    if (envelope) {
        std::uint64_t total = 0;
        for (std::uint32_t index = 0; index < envelope->chunk_count; ++index)
            total += chunk_ciphertext_size(*envelope, index);
        return total;
    }
    std::uint64_t total = 0;
    for (const auto& one : chunks)
        total += one.size();
    return total;
}

Result<PreparedPost> prepare_post(const std::filesystem::path& body, std::uint64_t image_bytes,
                                  std::string name, const PostAuthor& author) {
    const bool end_to_end = !author.readers.empty();
    std::vector<std::string> readers;
    for (const auto& reader : author.readers)
        readers.push_back(reader.username);
    SealParameters parameters{name,
                              author.user.certificate,
                              author.user.keys.sign.secret_key,
                              "image/png",
                              std::string(end_to_end ? kEndToEndMode : kEscrowMode),
                              readers,
                              SystemClock().now_seconds(),
                              static_cast<std::uint32_t>(kDefaultChunkSize),
                              {}};  // no thumbnail: the load is about the image path
    auto sealed = seal_image(body, parameters);
    if (!sealed) return std::unexpected(sealed.error());

    PreparedPost post;
    post.name = std::move(name);
    post.owner = author.user.username;
    post.image_bytes = image_bytes;
    post.readers = std::move(readers);
    post.chunk_count = sealed->envelope.chunk_count;
    post.begin = PostBeginRequest{encode_certificate(author.user.certificate),
                                  sealed->encoded_envelope,
                                  sealed->signature,
                                  {},
                                  {}};
    if (end_to_end) {
        post.begin.grants = seal_grants(sealed->content_key, author.readers);
    } else {
        post.begin.wrapped_key = seal(sealed->content_key.view(), author.escrow_wrap_key);
    }
    // The chunks, made before the clock starts (pass 2 of the sealer, image_sealer.h).
    auto made = SealedChunks::open(*sealed);
    if (!made) return std::unexpected(made.error());
    if (image_bytes > kInMemoryImageBytes) {
        auto file = TempFile::create(author.scratch_dir, ".imgshare-load-");
        if (!file) return std::unexpected(file.error());
        post.ciphertext = std::move(*file);
        post.envelope = sealed->envelope;
    } else {
        post.chunks.resize(post.chunk_count);
    }
    for (std::uint32_t index = 0; index < post.chunk_count; ++index) {
        auto chunk = made->chunk(index);
        if (!chunk) return std::unexpected(chunk.error());
        if (post.ciphertext) {
            if (auto ok = post.ciphertext->append(*chunk); !ok) return std::unexpected(ok.error());
        } else {
            post.chunks[index].assign(chunk->begin(), chunk->end());
        }
    }
    return post;  // the content key goes with `sealed`
}

Result<PostCommitReply> send_post(BrokerConnection& connection, const PreparedPost& post,
                                  std::size_t window) {
    Bytes buffer;
    return send_upload(
        connection, Upload{post.begin, post.name, post.owner, post.chunk_count,
                           [&](std::uint32_t index) { return post.chunk(index, buffer); }, window});
}

}  // namespace imgshare::client::load
