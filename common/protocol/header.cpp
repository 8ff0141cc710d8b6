#include "common/protocol/header.h"

#include <string>

#include "common/protocol/message_types.h"
#include "common/protocol/msgpack_document.h"

namespace imgshare {
namespace {

Result<Header> read_header(const MsgpackValue& root) {
    if (root.kind() != MsgpackValue::Kind::map) {
        return std::unexpected(wire::wrong_kind("map", root));
    }
    wire::MapKeys keys(root);
    if (auto checked = keys.check(); !checked) return std::unexpected(std::move(checked.error()));
    // The version decides how the rest is read, so it is checked first.
    auto version = keys.find("v");
    if (!version) return fail(ErrorCode::BAD_REQUEST, "missing key 'v'");
    if (version->kind() == MsgpackValue::Kind::unsigned_integer &&
        *version->as_unsigned() != kProtocolVersion) {
        return fail(ErrorCode::BAD_REQUEST,
                    "unsupported protocol version " + std::to_string(*version->as_unsigned()));
    }
    auto header = wire::read_fields<Header>(keys);
    if (!header) return header;
    if (!is_known_message_type(header->type)) {
        return fail(ErrorCode::BAD_REQUEST, "unknown message type " + wire::quoted(header->type));
    }
    return header;
}

}  // namespace

Bytes encode_header(const Header& header) {
    return encode_map(header);
}

Result<Header> decode_header(ByteView frame) {
    auto document = MsgpackDocument::parse(frame);
    if (!document) return wire::within(Result<Header>(std::unexpected(document.error())), "header");
    return wire::within(read_header(document->root()), "header");
}

}  // namespace imgshare
