// Whole multipart messages in and out of a socket, with the frame count
// bounded: libzmq checks ZMQ_MAXMSGSIZE per frame only, so a peer could
// otherwise send a million small frames in one message.
#pragma once

#include <zmq.hpp>

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::net {

using ZmqFrames = std::vector<zmq::message_t>;

// One received message. Frames beyond max_frames are read and dropped so the
// socket stays in step; `too_many_frames` says it happened.
struct Received {
    ZmqFrames frames;
    bool too_many_frames = false;
};

// Blocks until a whole message arrived (poll first to avoid blocking).
// nullopt if the receive would block or was interrupted.
[[nodiscard]] std::optional<Received> receive_message(zmq::socket_t& socket, size_t max_frames);

// Sends all frames as one message without blocking. SERVICE_UNAVAILABLE when
// the peer is gone (EHOSTUNREACH on a mandatory ROUTER) or its queue is full.
[[nodiscard]] Result<void> send_message(zmq::socket_t& socket, ZmqFrames& frames);

// Why send_frames did not send a message. For queue_full and peer_gone the
// first frame was refused, so nothing went out and `frames` are whole.
enum class SendFailure {
    queue_full,  // the peer is there but its high-water mark is reached
    peer_gone,   // no such peer on a mandatory ROUTER (it disconnected)
    failed,      // anything else, possibly after some frames went out
};

// send_message for callers that must tell a slow peer from a gone one: a
// broker drops a worker that is gone, not one that is only busy.
[[nodiscard]] std::expected<void, SendFailure> send_frames(zmq::socket_t& socket,
                                                           ZmqFrames& frames);

// Views of frames for decoders.
[[nodiscard]] inline ByteView view_of(const zmq::message_t& frame) {
    return {static_cast<const std::uint8_t*>(frame.data()), frame.size()};
}
[[nodiscard]] std::vector<ByteView> frame_views(const ZmqFrames& frames, size_t first = 0);
// Encoded frames (protocol/codec.h's Frames) as ZeroMQ frames, ready to send.
[[nodiscard]] ZmqFrames frames_of(const std::vector<Bytes>& encoded);
[[nodiscard]] zmq::message_t frame_of(ByteView bytes);
[[nodiscard]] inline zmq::message_t frame_of(const Bytes& bytes) {
    return frame_of(ByteView(bytes));
}
[[nodiscard]] std::string string_of(const zmq::message_t& frame);

// A metadata property of the connection a received frame came from (ZAP's or ZeroMQ's), ""
// when there is none.
[[nodiscard]] std::string property_of(const zmq::message_t& frame, const char* property);
// The User-Id ZAP attached to a received frame ("" when there is none).
[[nodiscard]] std::string user_id_of(const zmq::message_t& frame);
// The IP address of the peer a received frame came from ("" when unknown).
[[nodiscard]] std::string peer_address_of(const zmq::message_t& frame);

}  // namespace imgshare::net
