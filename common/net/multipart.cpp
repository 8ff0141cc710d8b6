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

Result<void> send_message(zmq::socket_t& socket, ZmqFrames& frames) {
    for (size_t i = 0; i < frames.size(); ++i) {
        auto flags = zmq::send_flags::dontwait;
        if (i + 1 < frames.size()) flags = flags | zmq::send_flags::sndmore;
        try {
            auto sent = socket.send(frames[i], flags);
            if (!sent) return fail(ErrorCode::SERVICE_UNAVAILABLE, "peer's queue is full");
        } catch (const zmq::error_t& error) {
            if (error.num() == EHOSTUNREACH) {
                return fail(ErrorCode::SERVICE_UNAVAILABLE, "peer is not connected");
            }
            return fail(ErrorCode::INTERNAL, std::string("send failed: ") + error.what());
        }
    }
    return {};
}

std::vector<ByteView> frame_views(const ZmqFrames& frames, size_t first) {
    std::vector<ByteView> views;
    for (size_t i = first; i < frames.size(); ++i)
        views.push_back(view_of(frames[i]));
    return views;
}

zmq::message_t frame_of(ByteView bytes) {
    return zmq::message_t(bytes.data(), bytes.size());
}

std::string string_of(const zmq::message_t& frame) {
    return std::string(static_cast<const char*>(frame.data()), frame.size());
}

std::string user_id_of(const zmq::message_t& frame) {
    // zmq_msg_gets is const in effect; cppzmq's gets() throws when absent.
    const char* value = zmq_msg_gets(const_cast<zmq_msg_t*>(frame.handle()), "User-Id");
    return value ? std::string(value) : std::string();
}

}  // namespace imgshare::net
