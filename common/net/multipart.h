// Whole multipart messages in and out of a socket, with the frame count
// bounded: libzmq checks ZMQ_MAXMSGSIZE per frame only, so a peer could
// otherwise send a million small frames in one message.
#pragma once

#include <zmq.hpp>

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

// Views of frames for decoders.
[[nodiscard]] inline ByteView view_of(const zmq::message_t& frame) {
    return {static_cast<const std::uint8_t*>(frame.data()), frame.size()};
}
[[nodiscard]] std::vector<ByteView> frame_views(const ZmqFrames& frames, size_t first = 0);
[[nodiscard]] zmq::message_t frame_of(ByteView bytes);
[[nodiscard]] inline zmq::message_t frame_of(const Bytes& bytes) {
    return frame_of(ByteView(bytes));
}
[[nodiscard]] std::string string_of(const zmq::message_t& frame);

// The User-Id ZAP attached to a received frame ("" when there is none).
[[nodiscard]] std::string user_id_of(const zmq::message_t& frame);

}  // namespace imgshare::net
