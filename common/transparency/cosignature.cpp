#include "common/transparency/cosignature.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <set>

#include "common/crypto/signing.h"
#include "common/msgpack_util.h"

namespace imgshare::transparency {
namespace {

constexpr std::uint32_t kCosignatureVersion = 1;
const msgpack::unpack_limit kCosignatureLimit(/*array=*/4, /*map=*/0, /*str=*/0, /*bin=*/64,
                                              /*ext=*/0, /*depth=*/2);

// What the witness signs: [1, log_verify_key, size, root, timestamp].
Bytes signed_part(ByteView log_verify_key, const TreeHead& head, std::int64_t timestamp) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_array(5);
    packer.pack_uint32(kCosignatureVersion);
    msgpack_util::pack_bin(packer, log_verify_key);
    packer.pack_uint64(head.size);
    msgpack_util::pack_bin(packer, ByteView(head.root.data(), head.root.size()));
    packer.pack_int64(timestamp);
    return out;
}

Bytes encode(const Cosignature& cosignature) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_array(4);
    packer.pack_uint32(kCosignatureVersion);
    msgpack_util::pack_bin(packer, cosignature.witness_key);
    packer.pack_int64(cosignature.timestamp);
    msgpack_util::pack_bin(packer, cosignature.signature);
    return out;
}

Error malformed_cosignature() {
    return Error{ErrorCode::BAD_REQUEST, "not a cosignature"};
}

}  // namespace

Bytes make_cosignature(ByteView log_verify_key, const TreeHead& head, std::int64_t timestamp,
                       ByteView witness_verify_key, const SecretBytes& witness_secret_key) {
    Cosignature cosignature{Bytes(witness_verify_key.begin(), witness_verify_key.end()),
                            timestamp, {}};
    cosignature.signature = sign(kCosignatureSigningContext,
                                 signed_part(log_verify_key, head, timestamp), witness_secret_key);
    return encode(cosignature);
}

Result<Cosignature> decode_cosignature(ByteView encoded) {
    if (encoded.size() > kMaxCosignatureBytes) return std::unexpected(malformed_cosignature());
    auto handle = msgpack_util::unpack_bounded(encoded, kCosignatureLimit, "cosignature");
    if (!handle) return std::unexpected(malformed_cosignature());
    auto fields = msgpack_util::read_array(handle->get(), "cosignature", 4);
    if (!fields) return std::unexpected(malformed_cosignature());
    auto version = msgpack_util::read_uint(fields->data()[0], "version");
    auto key = msgpack_util::read_bin(fields->data()[1], "witness_key", 32, 32);
    auto timestamp = msgpack_util::read_int(fields->data()[2], "timestamp");
    auto signature = msgpack_util::read_bin(fields->data()[3], "signature", 64, 64);
    if (!version || *version != kCosignatureVersion || !key || !timestamp || !signature) {
        return std::unexpected(malformed_cosignature());
    }
    Cosignature cosignature{Bytes(key->begin(), key->end()), *timestamp,
                            Bytes(signature->begin(), signature->end())};
    if (encode(cosignature) != Bytes(encoded.begin(), encoded.end())) {
        return std::unexpected(malformed_cosignature());
    }
    return cosignature;
}

Result<Cosignature> verify_cosignature(ByteView encoded, ByteView log_verify_key,
                                       const TreeHead& head) {
    auto cosignature = decode_cosignature(encoded);
    if (!cosignature) return std::unexpected(cosignature.error());
    if (!verify(kCosignatureSigningContext,
                signed_part(log_verify_key, head, cosignature->timestamp), cosignature->signature,
                cosignature->witness_key)) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "a cosignature its witness did not make over this tree head of this log");
    }
    return cosignature;
}

std::size_t count_witnesses(std::span<const Bytes> cosignatures, ByteView log_verify_key,
                            const TreeHead& head, const WitnessPolicy& policy) {
    std::set<Bytes> witnessed;
    for (const auto& encoded : cosignatures) {
        auto cosignature = decode_cosignature(encoded);
        if (!cosignature) continue;
        // Only a listed witness's key is worth a signature check.
        if (std::ranges::find(policy.witness_keys, cosignature->witness_key) ==
            policy.witness_keys.end()) {
            continue;
        }
        if (witnessed.contains(cosignature->witness_key)) continue;
        if (verify_cosignature(encoded, log_verify_key, head)) {
            witnessed.insert(cosignature->witness_key);
        }
    }
    return witnessed.size();
}

Result<void> check_witnessed(std::span<const Bytes> cosignatures, ByteView log_verify_key,
                             const TreeHead& head, const WitnessPolicy& policy) {
    if (policy.quorum == 0) return {};
    const auto witnessed = count_witnesses(cosignatures, log_verify_key, head, policy);
    if (witnessed >= policy.quorum) return {};
    return fail(ErrorCode::NOT_WITNESSED,
                fmt::format("the certificate log's tree head of {} entries is cosigned by {} of "
                            "the trust file's witnesses, and {} are required: the log may be "
                            "showing you a view of its own; try again once the witnesses have "
                            "cosigned it",
                            head.size, witnessed, policy.quorum));
}

}  // namespace imgshare::transparency
