// Messages to ZeroMQ frames and back: the typed face of the wire protocol.
//
// A message is a std::vector<Bytes> (Frames), one element per ZeroMQ frame:
//   [0] header (header.h)  [1] body: the message's map  [2] payload, raw bytes,
// present exactly when the message type carries one (carries_payload<M>()).
// Decoders take std::span<const Bytes> so a caller can pass any frame list.
//
// Every decoder treats its input as hostile and never throws; it answers
//   TOO_LARGE    more than kMaxFrames frames, a header or body frame over
//                kMaxFrameBytes, a payload frame
//                over kMaxChunkBytes, a str/bin/array/map over its limit or a
//                field over its own bound (messages.h);
//   BAD_REQUEST  everything else that is not a well-formed message: fewer than
//                2 frames, a payload frame where the
//                type has none (or none where it has one), a bad header, a
//                body that is not a map, a missing or ill-typed key, an
//                integer out of range, trailing bytes.
// Encoders trust their caller to respect the limits (the peer enforces them).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/fields.h"
#include "common/protocol/header.h"
#include "common/protocol/messages.h"

namespace imgshare {

using Frames = std::vector<Bytes>;
// Views of received frames (e.g. of zmq::message_t), decoded without copying.
using FrameViews = std::vector<ByteView>;
[[nodiscard]] FrameViews views_of(std::span<const Bytes> frames);

// Frames of message M with the given id (and, broker -> service only, user).
// `payload` becomes frame 2 for a type that carries one (an empty payload is
// still a frame); passing a payload to any other type is a bug and throws
// std::logic_error.
template <class M>
[[nodiscard]] Frames encode(const M& message, std::uint64_t id,
                            std::optional<std::string> user = {}, ByteView payload = {}) {
    Frames frames;
    frames.reserve(carries_payload<M>() ? 3 : 2);
    frames.push_back(
        encode_header(Header{kProtocolVersion, std::string(M::kType), id, std::move(user)}));
    frames.push_back(encode_map(message));
    if constexpr (carries_payload<M>()) {
        frames.emplace_back(payload.begin(), payload.end());
    } else if (!payload.empty()) {
        throw std::logic_error("encode: this message type has no payload frame");
    }
    return frames;
}

// An "OK" reply to request `id`.
template <class R>
[[nodiscard]] Frames encode_ok(const R& reply, std::uint64_t id, ByteView payload = {}) {
    static_assert(R::kType == kOkType, "encode_ok takes a reply struct");
    return encode(reply, id, std::nullopt, payload);
}

// An "ERROR" reply carrying error.code (as its stable name) and error.message.
// The message goes to the peer as is: never put a secret in it.
[[nodiscard]] Frames encode_error(const Error& error, std::uint64_t id);

// Re-encodes a decoded request, e.g. for the broker to stamp `user`. (The
// broker may instead replace frame 0 with encode_header and keep the rest.)
[[nodiscard]] Frames encode_request(const Request& request, std::uint64_t id,
                                    std::optional<std::string> user = {}, ByteView payload = {});

// Body frame of message M alone (hostile input); failures as above, prefixed
// "<TYPE> body: ".
template <class M>
[[nodiscard]] Result<M> decode_body(ByteView body_frame) {
    return wire::within(decode_map<M>(body_frame), [] { return std::string(M::kType) + " body"; });
}

struct DecodedRequest {
    Header header;
    Request request;
    ByteView payload;  // views frames[2]: valid while the decoded frames live
};

// A request or control message: frame checks, header, type looked up in the
// Request table (an "OK"/"ERROR" header here -> BAD_REQUEST), body.
[[nodiscard]] Result<DecodedRequest> decode_request(std::span<const ByteView> frames);
[[nodiscard]] Result<DecodedRequest> decode_request(std::span<const Bytes> frames);
// The payload view would dangle: keep the frames alive while decoding.
Result<DecodedRequest> decode_request(Frames&& frames) = delete;

template <class R>
struct DecodedReply {
    Header header;
    R reply;
    ByteView payload;  // views frames[2]: valid while the decoded frames live
};

namespace wire {
// The frame rules of a request of `type` (a request type), without decoding its body: 2 or 3
// frames, a payload frame exactly when the type carries one, each frame within its limit. The
// payload (empty when the type has none). What a service checks before its handler reads the
// body (common/service/service_worker.cpp), so every service refuses alike.
[[nodiscard]] Result<ByteView> request_payload(std::span<const ByteView> frames,
                                               std::string_view type);

// The shared part of decode_reply: frame checks and header; for "ERROR" the
// carried Error; for "OK" the still undecoded body and payload.
struct ReplyFrames {
    Header header;
    ByteView body;
    ByteView payload;
};
[[nodiscard]] Result<ReplyFrames> split_reply(std::span<const ByteView> frames,
                                              bool payload_expected);
}  // namespace wire

// A reply whose type the caller knows from the request it sent. Type "ERROR"
// -> the Error the peer sent (code and message as sent; an unknown code name
// becomes INTERNAL); "OK" -> R; any other type -> BAD_REQUEST. To match a
// reply to its request before choosing R, read decode_header(frames[0]).id.
template <class R>
[[nodiscard]] Result<DecodedReply<R>> decode_reply_message(std::span<const ByteView> frames) {
    static_assert(R::kType == kOkType, "decode_reply takes a reply struct");
    auto split = wire::split_reply(frames, carries_payload<R>());
    if (!split) return std::unexpected(std::move(split.error()));
    auto reply = decode_body<R>(split->body);
    if (!reply) return std::unexpected(std::move(reply.error()));
    return DecodedReply<R>{std::move(split->header), std::move(*reply), split->payload};
}

template <class R>
[[nodiscard]] Result<DecodedReply<R>> decode_reply_message(std::span<const Bytes> frames) {
    // The views point into `frames`; the temporary vector of views may go.
    auto views = views_of(frames);
    return decode_reply_message<R>(std::span<const ByteView>(views));
}

// The payload view would dangle: keep the frames alive while decoding.
template <class R>
Result<DecodedReply<R>> decode_reply_message(Frames&& frames) = delete;

template <class R>
[[nodiscard]] Result<R> decode_reply(std::span<const ByteView> frames) {
    auto decoded = decode_reply_message<R>(frames);
    if (!decoded) return std::unexpected(std::move(decoded.error()));
    return std::move(decoded->reply);
}

template <class R>
[[nodiscard]] Result<R> decode_reply(std::span<const Bytes> frames) {
    auto decoded = decode_reply_message<R>(frames);
    if (!decoded) return std::unexpected(std::move(decoded.error()));
    return std::move(decoded->reply);
}

}  // namespace imgshare
