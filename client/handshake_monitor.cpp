#include "client/handshake_monitor.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/net/multipart.h"

namespace imgshare::client {
namespace {

std::string unique_monitor_address() {
    static std::atomic<unsigned> next{0};
    return "inproc://imgshare-handshake-monitor-" + std::to_string(next++);
}

constexpr int kWatchedEvents =
    ZMQ_EVENT_CONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_DISCONNECTED;

// A handshake that failed without detail carries the errno of its end: the peer closing
// the connection (EPIPE, ECONNRESET), or our own handshake time-out running out (libzmq
// 4.3 leaves whatever errno was, e.g. EAGAIN), which is a peer not answering.
bool closed_by_peer(std::uint32_t error) {
    return error == EPIPE || error == ECONNRESET;
}

}  // namespace

HandshakeMonitor::HandshakeMonitor(zmq::context_t& context, zmq::socket_t& watched)
    : events_(context, zmq::socket_type::pair) {
    std::string address = unique_monitor_address();
    if (zmq_socket_monitor(watched.handle(), address.c_str(), kWatchedEvents) != 0) {
        throw zmq::error_t();
    }
    events_.set(zmq::sockopt::linger, 0);
    events_.connect(address);
}

void HandshakeMonitor::drain() {
    // Each event is two frames: [u16 event, u32 value] in host order, then the endpoint.
    while (auto message = net::receive_message(events_, 2)) {
        if (message->frames.empty() || message->frames[0].size() < 6) continue;
        std::uint16_t event = 0;
        std::uint32_t value = 0;
        std::memcpy(&event, message->frames[0].data(), sizeof event);
        std::memcpy(&value, static_cast<const char*>(message->frames[0].data()) + sizeof event,
                    sizeof value);
        switch (event) {
            case ZMQ_EVENT_CONNECTED:
                ++connections_;
                break;
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
                ++handshakes_;
                up_ = true;
                closed_in_handshake_ = false;
                key_refused_ = false;
                break;
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
                key_refused_ = true;
                break;
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
                closed_in_handshake_ = true;
                break;
            case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
                if (closed_by_peer(value)) closed_in_handshake_ = true;
                break;
            case ZMQ_EVENT_DISCONNECTED:
                up_ = false;
                break;
            default:
                break;
        }
    }
}

}  // namespace imgshare::client
