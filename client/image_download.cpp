#include "client/image_download.h"

#include <fmt/format.h>

#include "client/image_type.h"
#include "client/image_upload.h"
#include "client/output.h"
#include "client/owner_standing.h"
#include "common/clock.h"
#include "common/image_name.h"

namespace imgshare::client {
namespace {

Result<void> refuse_existing(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::symlink_status(path, error).type() ==
        std::filesystem::file_type::not_found) {
        return {};
    }
    return fail(ErrorCode::BAD_REQUEST,
                fmt::format("{} already exists; not overwriting it (choose another path with -o)",
                            path.string()));
}

std::filesystem::path output_path(const DownloadTarget& target, const Envelope& envelope) {
    if (target.file) return *target.file;
    auto type = image_type_of_content_type(envelope.content_type);
    std::string file_name = envelope.name + std::string(type ? file_extension_of(*type) : "");
    return target.directory / file_name;
}

std::filesystem::path directory_of(const std::filesystem::path& file) {
    return file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
}

}  // namespace

Result<DownloadedRecord> download_record(BrokerConnection& connection,
                                         const OpenParameters& parameters) {
    auto answered =
        connection.call_for_payload<DownloadReply>(DownloadRequest{parameters.requested_name});
    if (!answered) return std::unexpected(answered.error());
    auto vouched_at = check_owner_standing(connection, answered->first, parameters.ca_verify_key,
                                           parameters.now_seconds);
    if (!vouched_at) return std::unexpected(vouched_at.error());
    OpenParameters checked = parameters;
    checked.now_seconds = *vouched_at;
    return DownloadedRecord{std::move(answered->first), std::move(answered->second), checked};
}

Result<DownloadedImage> download_image(BrokerConnection& connection,
                                       const OpenParameters& parameters,
                                       const DownloadTarget& target) {
    const std::string& name = parameters.requested_name;
    if (auto ok = check_image_name(name); !ok) return std::unexpected(ok.error());
    if (target.file) {
        if (auto ok = refuse_existing(*target.file); !ok) return std::unexpected(ok.error());
    }
    auto downloaded = download_record(connection, parameters);
    if (!downloaded) return std::unexpected(downloaded.error());
    const DownloadReply& record = downloaded->record;
    const Bytes& first_chunk = downloaded->first_chunk;
    const OpenParameters& checked = downloaded->checked;
    auto directory = target.file ? directory_of(*target.file) : target.directory;
    auto opener = ImageOpener::begin(record, checked, directory);
    if (!opener) return std::unexpected(opener.error());
    // The owner's signed expiry binds the reader too: a storage node that still serves the
    // image afterwards (one that does not enforce it) gets nothing written here.
    if (const auto expires_at = opener->envelope().expires_at;
        expires_at != 0 && SystemClock().now_seconds() >= expires_at) {
        return fail(ErrorCode::EXPIRED,
                    fmt::format("{} expired at {} (its owner's signed expiry)", name,
                                format_utc(expires_at)));
    }
    // The envelope's name is the requested one, which passed the name rule: a safe file name.
    auto path = output_path(target, opener->envelope());
    if (auto ok = refuse_existing(path); !ok) return std::unexpected(ok.error());

    const std::uint32_t chunk_count = opener->envelope().chunk_count;
    TransferProgress progress("downloading " + name, chunk_count);
    // No chunk with the record (an image with a download limit): all come by GET_CHUNK.
    const std::uint32_t first = first_chunk.empty() ? 0 : 1;
    if (first == 1) {
        if (auto ok = opener->add_chunk(0, first_chunk); !ok) return std::unexpected(ok.error());
        progress.update(1);
    }
    Transfer transfer{[&](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
                          return encode(GetChunkRequest{name, index}, id);
                      },
                      [&](std::uint32_t index, std::span<const ByteView> frames) -> Result<void> {
                          auto reply = decode_reply_message<GetChunkReply>(frames);
                          if (!reply) return std::unexpected(reply.error());
                          if (reply->reply.index != index) {
                              return fail(ErrorCode::INTEGRITY,
                                          fmt::format("the server sent chunk {} for chunk {}",
                                                      reply->reply.index, index));
                          }
                          return opener->add_chunk(index, reply->payload);
                      },
                      [&](std::uint32_t done) { progress.update(first + done); }};
    if (auto ok = connection.run(transfer, first, chunk_count, kDownloadWindow); !ok) {
        return std::unexpected(ok.error());
    }
    auto size = opener->finish(path);
    if (!size) return std::unexpected(size.error());
    return DownloadedImage{.name = name,
                           .owner = opener->owner().username,
                           .path = path,
                           .size = *size,
                           .owner_certificate = opener->owner(),
                           .envelope = opener->envelope()};
}

}  // namespace imgshare::client
