#include "common/transparency/tree_head.h"

#include <algorithm>

#include "common/crypto/signing.h"
#include "common/msgpack_util.h"

namespace imgshare::transparency {
namespace {

constexpr std::uint32_t kHeadVersion = 1;
const msgpack::unpack_limit kHeadLimit(/*array=*/5, /*map=*/0, /*str=*/0, /*bin=*/64,
                                       /*ext=*/0, /*depth=*/2);

Bytes encode(const TreeHead& head, bool with_signature) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_array(with_signature ? 5 : 4);
    packer.pack_uint32(kHeadVersion);
    packer.pack_uint64(head.size);
    msgpack_util::pack_bin(packer, ByteView(head.root.data(), head.root.size()));
    packer.pack_int64(head.timestamp);
    if (with_signature) msgpack_util::pack_bin(packer, head.signature);
    return out;
}

Error malformed_head() {
    return Error{ErrorCode::BAD_REQUEST, "not a signed tree head"};
}

}  // namespace

Bytes make_tree_head(std::uint64_t size, const MerkleHash& root, std::int64_t timestamp,
                     const SecretBytes& log_secret_key) {
    TreeHead head{size, root, timestamp, {}};
    head.signature = sign(kTreeHeadSigningContext, encode(head, false), log_secret_key);
    return encode(head, true);
}

Result<TreeHead> decode_tree_head(ByteView encoded) {
    if (encoded.size() > kMaxTreeHeadBytes) return std::unexpected(malformed_head());
    auto handle = msgpack_util::unpack_bounded(encoded, kHeadLimit, "tree head");
    if (!handle) return std::unexpected(malformed_head());
    auto fields = msgpack_util::read_array(handle->get(), "tree head", 5);
    if (!fields) return std::unexpected(malformed_head());
    auto version = msgpack_util::read_uint(fields->data()[0], "version");
    auto size = msgpack_util::read_uint(fields->data()[1], "size");
    auto root = msgpack_util::read_bin(fields->data()[2], "root", 32, 32);
    auto timestamp = msgpack_util::read_int(fields->data()[3], "timestamp");
    auto signature = msgpack_util::read_bin(fields->data()[4], "signature", 64, 64);
    if (!version || *version != kHeadVersion || !size || !root || !timestamp || !signature) {
        return std::unexpected(malformed_head());
    }
    TreeHead head{*size, {}, *timestamp, Bytes(signature->begin(), signature->end())};
    std::copy(root->begin(), root->end(), head.root.begin());
    if (encode(head, true) != Bytes(encoded.begin(), encoded.end())) {
        return std::unexpected(malformed_head());
    }
    return head;
}

Result<TreeHead> verify_tree_head(ByteView encoded, ByteView log_verify_key) {
    auto head = decode_tree_head(encoded);
    if (!head) return std::unexpected(head.error());
    if (!verify(kTreeHeadSigningContext, encode(*head, false), head->signature, log_verify_key)) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "a tree head the certificate log's key did not sign: whoever relayed it "
                    "changed it, or the trust file names another log");
    }
    return head;
}

}  // namespace imgshare::transparency
