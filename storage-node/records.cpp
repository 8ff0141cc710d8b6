#include "storage-node/records.h"

#include "common/protocol/fields.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage {
namespace {

Error unreadable(std::string_view what, std::string_view why) {
    return Error{ErrorCode::INTERNAL,
                 std::string("stored ").append(what).append(" is unreadable: ").append(why)};
}

bool valid_chunk_count(std::uint32_t count) {
    return count >= 1 && count <= kMaxChunkCount;
}

}  // namespace

Bytes encode_record(const ImageRecord& record) {
    return encode_map(record);
}

Bytes encode_record(const UploadSession& session) {
    return encode_map(session);
}

Result<ImageRecord> decode_image_record(ByteView bytes) {
    auto record = decode_map<ImageRecord>(bytes);
    if (!record) return std::unexpected(unreadable("image record", record.error().message));
    if (record->upload.size() != kUploadIdSize) {
        return std::unexpected(unreadable("image record", "bad upload id"));
    }
    if (record->mode != kEscrowMode && record->mode != kEndToEndMode) {
        return std::unexpected(unreadable("image record", "unknown mode"));
    }
    if (!valid_chunk_count(record->chunk_count)) {
        return std::unexpected(unreadable("image record", "bad chunk count"));
    }
    return record;
}

Result<UploadSession> decode_upload_session(ByteView bytes) {
    auto session = decode_map<UploadSession>(bytes);
    if (!session) return std::unexpected(unreadable("upload session", session.error().message));
    if (!valid_chunk_count(session->chunk_count)) {
        return std::unexpected(unreadable("upload session", "bad chunk count"));
    }
    return session;
}

}  // namespace imgshare::storage
