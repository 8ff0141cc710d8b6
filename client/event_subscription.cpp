#include "client/event_subscription.h"

#include <span>
#include <string>

#include "common/net/multipart.h"
#include "common/net/socket_options.h"

namespace imgshare::client {

void subscribe_to_events(zmq::socket_t& socket, ByteView broker_public_key,
                         const CurveKeyPair& keys, std::string_view username) {
    net::harden_peer_socket(socket, net::Liveness::Client);
    net::make_curve_client(socket, broker_public_key, keys.public_key, keys.secret_key.view());
    socket.set(zmq::sockopt::subscribe, std::string(kImageTopic));
    socket.set(zmq::sockopt::subscribe, user_topic(username));
}

std::optional<Result<DecodedEvent>> receive_event(zmq::socket_t& socket, ProtocolLog& log) {
    constexpr std::size_t kEventFrames = 2;  // [topic][body]
    while (auto message = net::receive_message(socket, kEventFrames)) {
        if (message->too_many_frames) continue;
        Frames frames;
        for (const auto& frame : message->frames) {
            auto view = net::view_of(frame);
            frames.emplace_back(view.begin(), view.end());
        }
        if (frames.size() == kEventFrames) {
            log.record(Direction::Received, as_string(frames[0]),
                       std::span<const Bytes>(frames).subspan(1));
        }
        return decode_event(frames);
    }
    return std::nullopt;
}

}  // namespace imgshare::client
