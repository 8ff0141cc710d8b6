#include "client/load/image_fetch.h"

#include <optional>

#include <fmt/format.h>

#include "client/image_opener.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/protocol/messages.h"

namespace imgshare::client::load {
namespace {

// The chunk of GET_CHUNK reply `frames`, which must answer for `index`.
Result<ByteView> chunk_of(std::uint32_t index, std::span<const ByteView> frames) {
    auto reply = decode_reply_message<GetChunkReply>(frames);
    if (!reply) return std::unexpected(reply.error());
    if (reply->reply.index != index) {
        return fail(ErrorCode::INTEGRITY, fmt::format("the server sent chunk {} for chunk {}",
                                                      reply->reply.index, index));
    }
    return reply->payload;
}

Transfer chunk_transfer(const std::string& name,
                        std::function<Result<void>(std::uint32_t, ByteView)> consume) {
    return Transfer{[&name](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
                        return encode(GetChunkRequest{name, index}, id);
                    },
                    [consume = std::move(consume)](
                        std::uint32_t index, std::span<const ByteView> frames) -> Result<void> {
                        auto chunk = chunk_of(index, frames);
                        if (!chunk) return std::unexpected(chunk.error());
                        return consume(index, *chunk);
                    },
                    {}};
}

Result<std::uint64_t> fetch_verified(BrokerConnection& connection, const std::string& name,
                                     const DownloadReply& record, const ImageReader& reader,
                                     std::size_t window) {
    // The reader's name: an end-to-end envelope must list it.
    OpenParameters parameters{reader.ca_verify_key, reader.user.keys.box, name,
                              SystemClock().now_seconds(), reader.user.username};
    auto opener = ImageOpener::begin(record, parameters, reader.scratch_dir);
    if (!opener) return std::unexpected(opener.error());
    auto transfer = chunk_transfer(
        name, [&](std::uint32_t index, ByteView chunk) { return opener->add_chunk(index, chunk); });
    if (auto ok = connection.run(transfer, 0, opener->envelope().chunk_count, window); !ok) {
        return std::unexpected(ok.error());
    }
    const auto destination = reader.scratch_dir / (name + ".png");
    auto length = opener->finish(destination);
    if (!length) return std::unexpected(length.error());
    std::error_code ignored;
    std::filesystem::remove(destination, ignored);
    return *length;
}

Result<std::uint64_t> fetch_unverified(BrokerConnection& connection, const std::string& name,
                                       const DownloadReply& record, std::size_t window) {
    auto envelope = decode_envelope(record.envelope);
    if (!envelope) return std::unexpected(envelope.error());
    std::uint64_t received = 0;
    auto transfer = chunk_transfer(name, [&](std::uint32_t index, ByteView chunk) -> Result<void> {
        if (chunk.size() != chunk_ciphertext_size(*envelope, index)) {
            return fail(ErrorCode::INTEGRITY,
                        fmt::format("chunk {} has {} bytes, not the {} the envelope says", index,
                                    chunk.size(), chunk_ciphertext_size(*envelope, index)));
        }
        received += chunk.size();
        return {};
    });
    if (auto ok = connection.run(transfer, 0, envelope->chunk_count, window); !ok) {
        return std::unexpected(ok.error());
    }
    return received;
}

}  // namespace

Result<std::uint64_t> fetch_image(BrokerConnection& connection, const std::string& name,
                                  bool verify, const ImageReader& reader, std::size_t window) {
    auto record = connection.call<DownloadReply>(DownloadRequest{name});
    if (!record) return std::unexpected(record.error());
    if (verify) return fetch_verified(connection, name, *record, reader, window);
    return fetch_unverified(connection, name, *record, window);
}

}  // namespace imgshare::client::load
