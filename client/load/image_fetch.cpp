#include "client/load/image_fetch.h"

#include <functional>
#include <optional>

#include <fmt/format.h>

#include "client/image_opener.h"
#include "client/owner_standing.h"
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

using ChunkConsumer = std::function<Result<void>(std::uint32_t, ByteView)>;

// Hands `consume` chunk 0 (from the DOWNLOAD reply), then GET_CHUNK 1 .. chunk_count-1 in
// order, `window` in flight. A DOWNLOAD reply without a chunk (an image with a download
// limit) has every chunk come by GET_CHUNK.
Result<void> fetch_chunks(BrokerConnection& connection, const std::string& name,
                          ByteView first_chunk, std::uint32_t chunk_count, std::size_t window,
                          const ChunkConsumer& consume) {
    const std::uint32_t first = first_chunk.empty() ? 0 : 1;
    if (first == 1) {
        if (auto ok = consume(0, first_chunk); !ok) return ok;
    }
    Transfer transfer{[&name](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
                          return encode(GetChunkRequest{name, index}, id);
                      },
                      [&consume](std::uint32_t index,
                                 std::span<const ByteView> frames) -> Result<void> {
                          auto chunk = chunk_of(index, frames);
                          if (!chunk) return std::unexpected(chunk.error());
                          return consume(index, *chunk);
                      },
                      {}};
    return connection.run(transfer, first, chunk_count, window);
}

Result<std::uint64_t> fetch_verified(BrokerConnection& connection, const std::string& name,
                                     const DownloadReply& record, ByteView first_chunk,
                                     const ImageReader& reader, std::size_t window) {
    // The owner's standing at the CA (GET_CERT), as `imgshare download` checks it.
    auto vouched_at = check_owner_standing(connection, record, reader.ca_verify_key,
                                           SystemClock().now_seconds());
    if (!vouched_at) return std::unexpected(vouched_at.error());
    // The reader's name: an end-to-end envelope must list it.
    OpenParameters parameters{reader.ca_verify_key, reader.user.keys.box, name, *vouched_at,
                              reader.user.username};
    auto opener = ImageOpener::begin(record, parameters, reader.scratch_dir);
    if (!opener) return std::unexpected(opener.error());
    if (auto ok = fetch_chunks(
            connection, name, first_chunk, opener->envelope().chunk_count, window,
            [&](std::uint32_t index, ByteView chunk) { return opener->add_chunk(index, chunk); });
        !ok) {
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
                                       const DownloadReply& record, ByteView first_chunk,
                                       std::size_t window) {
    auto envelope = decode_envelope(record.envelope);
    if (!envelope) return std::unexpected(envelope.error());
    std::uint64_t received = 0;
    auto count = [&](std::uint32_t index, ByteView chunk) -> Result<void> {
        if (chunk.size() != chunk_ciphertext_size(*envelope, index)) {
            return fail(ErrorCode::INTEGRITY,
                        fmt::format("chunk {} has {} bytes, not the {} the envelope says", index,
                                    chunk.size(), chunk_ciphertext_size(*envelope, index)));
        }
        received += chunk.size();
        return {};
    };
    if (auto ok =
            fetch_chunks(connection, name, first_chunk, envelope->chunk_count, window, count);
        !ok) {
        return std::unexpected(ok.error());
    }
    return received;
}

}  // namespace

Result<std::uint64_t> fetch_image(BrokerConnection& connection, const std::string& name,
                                  bool verify, const ImageReader& reader, std::size_t window) {
    auto answered = connection.call_for_payload<DownloadReply>(DownloadRequest{name});
    if (!answered) return std::unexpected(answered.error());
    const auto& [record, first_chunk] = *answered;
    if (verify) return fetch_verified(connection, name, record, first_chunk, reader, window);
    return fetch_unverified(connection, name, record, first_chunk, window);
}

}  // namespace imgshare::client::load
