#include "common/net/multipart.h"

#include <cerrno>

namespace imgshare::net {

std::optional<Received> receive_message(zmq::socket_t& socket, size_t max_frames) {
    Received received;
    while (true) {
        zmq::message_t frame;
        auto result = socket.recv(
            frame, received.frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
        if (!result) return std::nullopt;  // would block before the first frame
        bool more = frame.more();
        if (received.frames.size() < max_frames) {
            received.frames.push_back(std::move(frame));
        } else {
            received.too_many_frames = true;
        }
        if (!more) return received;
    }
}

namespace {

// The frames sent as one message; on failure why, and libzmq's errno for
// `failed`.
std::expected<void, SendFailure> send_all(zmq::socket_t& socket, ZmqFrames& frames,
                                          int& zmq_error) {
    for (size_t i = 0; i < frames.size(); ++i) {
        auto flags = zmq::send_flags::dontwait;
        if (i + 1 < frames.size()) flags = flags | zmq::send_flags::sndmore;
        try {
            if (!socket.send(frames[i], flags)) {
                // Only the first frame can meet a full pipe: the rest follow it.
                return std::unexpected(i == 0 ? SendFailure::queue_full : SendFailure::failed);
            }
        } catch (const zmq::error_t& error) {
            zmq_error = error.num();
            if (error.num() == EHOSTUNREACH && i == 0) {
                return std::unexpected(SendFailure::peer_gone);
            }
            return std::unexpected(SendFailure::failed);
        }
    }
    return {};
}

}  // namespace

std::expected<void, SendFailure> send_frames(zmq::socket_t& socket, ZmqFrames& frames) {
    int zmq_error = 0;
    return send_all(socket, frames, zmq_error);
}

Result<void> send_message(zmq::socket_t& socket, ZmqFrames& frames) {
    int zmq_error = 0;
    auto sent = send_all(socket, frames, zmq_error);
    if (sent) return {};
    switch (sent.error()) {
        case SendFailure::queue_full:
            return fail(ErrorCode::SERVICE_UNAVAILABLE, "peer's queue is full");
        case SendFailure::peer_gone:
            return fail(ErrorCode::SERVICE_UNAVAILABLE, "peer is not connected");
        case SendFailure::failed:
            break;
    }
    return fail(ErrorCode::INTERNAL,
                std::string("send failed: ") +
                    (zmq_error != 0 ? zmq_strerror(zmq_error) : "the message was cut short"));
}

std::vector<ByteView> frame_views(const ZmqFrames& frames, size_t first) {
    std::vector<ByteView> views;
    for (size_t i = first; i < frames.size(); ++i)
        views.push_back(view_of(frames[i]));
    return views;
}

ZmqFrames frames_of(const std::vector<Bytes>& encoded) {
    ZmqFrames frames;
    frames.reserve(encoded.size());
    for (const auto& bytes : encoded)
        frames.push_back(frame_of(bytes));
    return frames;
}

zmq::message_t frame_of(ByteView bytes) {
    return zmq::message_t(bytes.data(), bytes.size());
}

std::string string_of(const zmq::message_t& frame) {
    return std::string(static_cast<const char*>(frame.data()), frame.size());
}

// zmq_msg_gets is const in effect; cppzmq's gets() throws when absent.
std::string property_of(const zmq::message_t& frame, const char* property) {
    const char* value = zmq_msg_gets(const_cast<zmq_msg_t*>(frame.handle()), property);
    return value ? std::string(value) : std::string();
}

std::string user_id_of(const zmq::message_t& frame) {
    return property_of(frame, "User-Id");
}

std::string peer_address_of(const zmq::message_t& frame) {
    return property_of(frame, "Peer-Address");
}

}  // namespace imgshare::net
