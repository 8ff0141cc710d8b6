#include "common/envelope.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/content_type.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/signing.h"
#include "common/crypto/thumbnail_box.h"
#include "common/image_name.h"
#include "common/msgpack_util.h"
#include "common/protocol/limits.h"
#include "common/registration.h"

namespace imgshare {
namespace {

constexpr std::size_t kV1FieldCount = 14;
constexpr std::size_t kV2FieldCount = 15;
constexpr std::size_t kV3FieldCount = 18;
// The array header and version byte that start every v2 envelope (canonical fixarray, fixint).
constexpr std::uint8_t kV2ArrayHeader = 0x90 | kV2FieldCount;
// And every v3 one: array 16 (0xdc, big-endian count), then the fixint version.
constexpr std::uint8_t kV3ArrayHeader[] = {0xdc, 0x00, kV3FieldCount};
static_assert(kMaxEnvelopeV1Bytes + 3 + kMaxThumbnailBoxBytes <= kMaxEnvelopeBytes,
              "a v2 envelope is a v1 envelope plus a bin 16 thumbnail box");
static_assert(kMaxChunkSize + kChunkOverhead == kMaxChunkBytes);
constexpr std::size_t kMaxContentTypeLength = 64;
const msgpack::unpack_limit kEnvelopeLimit(/*array=*/kMaxRecipients, /*map=*/0, /*str=*/256,
                                           /*bin=*/kMaxThumbnailBoxBytes, /*ext=*/0, /*depth=*/3);

using Packer = msgpack::packer<msgpack_util::BytesWriter>;

Result<Bytes> read_fixed_bin(const msgpack::object& object, std::string_view field,
                             std::size_t size) {
    auto bin = msgpack_util::read_bin(object, field, size, size);
    if (!bin) return std::unexpected(std::move(bin.error()));
    return Bytes(bin->begin(), bin->end());
}

Result<void> check_consistency(const Envelope& envelope) {
    if (auto name_ok = check_image_name(envelope.name); !name_ok) return name_ok;
    if (auto owner_ok = check_username(envelope.owner); !owner_ok) return owner_ok;
    if (envelope.mode != kEscrowMode && envelope.mode != kEndToEndMode) {
        return fail(ErrorCode::BAD_REQUEST, "envelope mode must be 'escrow' or 'e2e'");
    }
    if (envelope.chunk_size < kMinChunkSize || envelope.chunk_size > kMaxChunkSize) {
        // Above kMaxChunkSize a full chunk's ciphertext would not fit a payload frame: the
        // image could be stored but never read back.
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("envelope chunk_size {} is outside {}..{}", envelope.chunk_size,
                                kMinChunkSize, kMaxChunkSize));
    }
    if (!is_known_content_type(envelope.content_type)) {
        return fail(ErrorCode::BAD_REQUEST,
                    "envelope content_type is not one of image/png, image/jpeg, image/gif, "
                    "image/webp");
    }
    if (envelope.padded_size == 0 ||
        envelope.padded_size > std::uint64_t{kMaxChunkCount} * envelope.chunk_size) {
        return fail(ErrorCode::TOO_LARGE, "envelope padded_size is out of range");
    }
    auto expected_chunks = (envelope.padded_size + envelope.chunk_size - 1) / envelope.chunk_size;
    if (envelope.chunk_count != expected_chunks) {
        return fail(ErrorCode::BAD_REQUEST, "envelope chunk_count does not match its sizes");
    }
    const auto& recipients = envelope.recipients;
    if (!std::is_sorted(recipients.begin(), recipients.end()) ||
        std::adjacent_find(recipients.begin(), recipients.end()) != recipients.end()) {
        return fail(ErrorCode::BAD_REQUEST, "envelope recipients must be sorted and unique");
    }
    for (const auto& recipient : recipients) {
        if (auto ok = check_username(recipient); !ok) return ok;
    }
    bool has_owner = std::binary_search(recipients.begin(), recipients.end(), envelope.owner);
    if (envelope.mode == kEscrowMode && !recipients.empty()) {
        return fail(ErrorCode::BAD_REQUEST, "an escrow envelope has no recipients");
    }
    if (envelope.mode == kEndToEndMode && !has_owner) {
        return fail(ErrorCode::BAD_REQUEST, "an e2e envelope lists its owner as a recipient");
    }
    return {};
}

Result<Envelope> decode_fields(std::span<const msgpack::object> fields) {
    using namespace msgpack_util;
    Envelope envelope;
    auto v = read_uint(fields[0], "v");
    if (!v) return std::unexpected(v.error());
    if (*v != kEnvelopeVersion && *v != kEnvelopeWithThumbnailVersion &&
        *v != kEnvelopeWithControlsVersion) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("unknown envelope version {}", *v));
    }
    const std::size_t field_count = *v == kEnvelopeVersion                ? kV1FieldCount
                                    : *v == kEnvelopeWithThumbnailVersion ? kV2FieldCount
                                                                          : kV3FieldCount;
    if (fields.size() != field_count) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("a v{} envelope has {} fields, not {}", *v, field_count,
                                fields.size()));
    }
    envelope.v = static_cast<std::uint32_t>(*v);
    if (envelope.v == kEnvelopeWithThumbnailVersion) {
        auto box = msgpack_util::read_bin(fields[14], "thumbnail", 0, kMaxThumbnailBoxBytes);
        if (!box) return std::unexpected(box.error());
        if (!is_thumbnail_box_size(box->size())) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("thumbnail of {} bytes is not a box size", box->size()));
        }
        envelope.thumbnail.assign(box->begin(), box->end());
    }
    if (envelope.v == kEnvelopeWithControlsVersion) {
        auto box = msgpack_util::read_bin(fields[14], "thumbnail", 0, kMaxThumbnailBoxBytes);
        if (!box) return std::unexpected(box.error());
        if (!box->empty() && !is_thumbnail_box_size(box->size())) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("thumbnail of {} bytes is not a box size", box->size()));
        }
        envelope.thumbnail.assign(box->begin(), box->end());
        auto revision = read_uint(fields[15], "revision");
        auto expires_at = read_int(fields[16], "expires_at");
        auto max_downloads = read_uint(fields[17], "max_downloads");
        if (!revision) return std::unexpected(revision.error());
        if (!expires_at) return std::unexpected(expires_at.error());
        if (!max_downloads) return std::unexpected(max_downloads.error());
        if (*expires_at < 0) {
            return fail(ErrorCode::BAD_REQUEST, "envelope expires_at is negative");
        }
        if (*max_downloads > UINT32_MAX) {
            return fail(ErrorCode::BAD_REQUEST, "envelope max_downloads is out of range");
        }
        envelope.revision = *revision;
        envelope.expires_at = *expires_at;
        envelope.max_downloads = static_cast<std::uint32_t>(*max_downloads);
        if (envelope_version_for(envelope) != kEnvelopeWithControlsVersion) {
            // The same values as a v1 or v2 envelope: one encoding for each.
            return fail(ErrorCode::BAD_REQUEST, "a v3 envelope sets a control");
        }
    }
    auto name = read_string(fields[1], "name", kMaxImageNameBytes);
    auto owner = read_string(fields[2], "owner", kMaxUsernameLength);
    auto serial = read_uint(fields[3], "owner_serial");
    auto mode = read_string(fields[4], "mode", 16);
    auto content_type = read_string(fields[5], "content_type", kMaxContentTypeLength);
    auto padded_size = read_uint(fields[6], "padded_size");
    auto chunk_size = read_uint(fields[7], "chunk_size");
    auto chunk_count = read_uint(fields[8], "chunk_count");
    auto header = read_fixed_bin(fields[9], "stream_header", kStreamHeaderSize);
    auto digest = read_fixed_bin(fields[10], "ciphertext_sha256", 32);
    auto commitment = read_fixed_bin(fields[11], "key_commitment", kKeyCommitmentSize);
    auto created_at = read_int(fields[12], "created_at");
    for (const Error* error :
         {name ? nullptr : &name.error(), owner ? nullptr : &owner.error(),
          serial ? nullptr : &serial.error(), mode ? nullptr : &mode.error(),
          content_type ? nullptr : &content_type.error(),
          padded_size ? nullptr : &padded_size.error(), chunk_size ? nullptr : &chunk_size.error(),
          chunk_count ? nullptr : &chunk_count.error(), header ? nullptr : &header.error(),
          digest ? nullptr : &digest.error(), commitment ? nullptr : &commitment.error(),
          created_at ? nullptr : &created_at.error()}) {
        if (error) return std::unexpected(*error);
    }
    if (*chunk_size > UINT32_MAX || *chunk_count > UINT32_MAX) {
        return fail(ErrorCode::BAD_REQUEST, "envelope chunk fields out of range");
    }
    if (fields[13].type != msgpack::type::ARRAY) {
        return fail(ErrorCode::BAD_REQUEST, "envelope recipients must be an array");
    }
    for (const auto& item : std::span(fields[13].via.array.ptr, fields[13].via.array.size)) {
        auto recipient = read_string(item, "recipients", kMaxUsernameLength);
        if (!recipient) return std::unexpected(recipient.error());
        envelope.recipients.push_back(std::move(*recipient));
    }
    envelope.name = std::move(*name);
    envelope.owner = std::move(*owner);
    envelope.owner_serial = *serial;
    envelope.mode = std::move(*mode);
    envelope.content_type = std::move(*content_type);
    envelope.padded_size = *padded_size;
    envelope.chunk_size = static_cast<std::uint32_t>(*chunk_size);
    envelope.chunk_count = static_cast<std::uint32_t>(*chunk_count);
    envelope.stream_header = std::move(*header);
    envelope.ciphertext_sha256 = std::move(*digest);
    envelope.key_commitment = std::move(*commitment);
    envelope.created_at = *created_at;
    return envelope;
}

}  // namespace

std::uint32_t envelope_version_for(const Envelope& envelope) {
    if (envelope.revision != 0 || envelope.expires_at != 0 || envelope.max_downloads != 0) {
        return kEnvelopeWithControlsVersion;
    }
    return envelope.thumbnail.empty() ? kEnvelopeVersion : kEnvelopeWithThumbnailVersion;
}

Bytes encode_envelope(const Envelope& envelope) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    Packer packer(writer);
    const bool with_controls = envelope.v == kEnvelopeWithControlsVersion;
    const bool with_thumbnail = with_controls || envelope.v == kEnvelopeWithThumbnailVersion;
    packer.pack_array(with_controls    ? kV3FieldCount
                      : with_thumbnail ? kV2FieldCount
                                       : kV1FieldCount);
    packer.pack_uint32(envelope.v);
    packer.pack(envelope.name);
    packer.pack(envelope.owner);
    packer.pack_uint64(envelope.owner_serial);
    packer.pack(envelope.mode);
    packer.pack(envelope.content_type);
    packer.pack_uint64(envelope.padded_size);
    packer.pack_uint32(envelope.chunk_size);
    packer.pack_uint32(envelope.chunk_count);
    msgpack_util::pack_bin(packer, envelope.stream_header);
    msgpack_util::pack_bin(packer, envelope.ciphertext_sha256);
    msgpack_util::pack_bin(packer, envelope.key_commitment);
    packer.pack_int64(envelope.created_at);
    packer.pack_array(static_cast<std::uint32_t>(envelope.recipients.size()));
    for (const auto& recipient : envelope.recipients)
        packer.pack(recipient);
    if (with_thumbnail) msgpack_util::pack_bin(packer, envelope.thumbnail);
    if (with_controls) {
        packer.pack_uint64(envelope.revision);
        packer.pack_int64(envelope.expires_at);
        packer.pack_uint32(envelope.max_downloads);
    }
    return out;
}

Result<Envelope> decode_envelope(ByteView encoded) {
    const bool v1 = envelope_signing_context(encoded) == kEnvelopeSigningContext;
    if (encoded.size() > (v1 ? kMaxEnvelopeV1Bytes : kMaxEnvelopeBytes)) {
        return fail(ErrorCode::TOO_LARGE, "envelope is larger than the limit");
    }
    auto handle = msgpack_util::unpack_bounded(encoded, kEnvelopeLimit, "envelope");
    if (!handle) return std::unexpected(handle.error());
    const msgpack::object& array = handle->get();
    if (array.type != msgpack::type::ARRAY ||
        (array.via.array.size != kV1FieldCount && array.via.array.size != kV2FieldCount &&
         array.via.array.size != kV3FieldCount)) {
        return fail(ErrorCode::BAD_REQUEST,
                    "envelope must be an array of 14 (v1), 15 (v2) or 18 (v3)");
    }
    auto envelope = decode_fields(std::span(array.via.array.ptr, array.via.array.size));
    if (!envelope) {
        envelope.error().message = "envelope: " + envelope.error().message;
        return envelope;
    }
    if (auto ok = check_consistency(*envelope); !ok) {
        return fail(ok.error().code, "envelope: " + ok.error().message);
    }
    if (encode_envelope(*envelope) != Bytes(encoded.begin(), encoded.end())) {
        return fail(ErrorCode::BAD_REQUEST, "envelope is not canonically encoded");
    }
    return envelope;
}

std::string_view envelope_signing_context(ByteView encoded) {
    const bool v3 = encoded.size() >= 4 && encoded[0] == kV3ArrayHeader[0] &&
                    encoded[1] == kV3ArrayHeader[1] && encoded[2] == kV3ArrayHeader[2] &&
                    encoded[3] == kEnvelopeWithControlsVersion;
    if (v3) return kEnvelopeV3SigningContext;
    const bool v2 = encoded.size() >= 2 && encoded[0] == kV2ArrayHeader &&
                    encoded[1] == kEnvelopeWithThumbnailVersion;
    return v2 ? kEnvelopeV2SigningContext : kEnvelopeSigningContext;
}

Bytes sign_envelope(ByteView encoded, const SecretBytes& owner_signing_secret_key) {
    return sign(envelope_signing_context(encoded), encoded, owner_signing_secret_key);
}

Result<Envelope> verify_envelope(ByteView encoded, ByteView signature,
                                 const Certificate& owner_certificate) {
    if (auto ok = verify(envelope_signing_context(encoded), encoded, signature,
                         owner_certificate.sign_pk);
        !ok) {
        return fail(ErrorCode::BAD_SIGNATURE, "the envelope's signature is not its owner's");
    }
    auto envelope = decode_envelope(encoded);
    if (!envelope) return envelope;
    if (envelope->owner != owner_certificate.username ||
        envelope->owner_serial != owner_certificate.serial) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the envelope names another owner than the certificate that signed it");
    }
    return envelope;
}

std::uint64_t chunk_plaintext_size(const Envelope& envelope, std::uint32_t index) {
    std::uint64_t start = std::uint64_t{index} * envelope.chunk_size;
    if (start >= envelope.padded_size) return 0;
    return std::min<std::uint64_t>(envelope.chunk_size, envelope.padded_size - start);
}

std::uint64_t chunk_ciphertext_size(const Envelope& envelope, std::uint32_t index) {
    return chunk_plaintext_size(envelope, index) + kChunkOverhead;
}

}  // namespace imgshare
