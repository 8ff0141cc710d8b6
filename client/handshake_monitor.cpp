#include "client/handshake_monitor.h"

#include <atomic>
#include <cstdint>
#include <cstring>

#include "common/net/multipart.h"

namespace imgshare::client {
namespace {

std::string unique_monitor_address() {
    static std::atomic<unsigned> next{0};
    return "inproc://imgshare-handshake-monitor-" + std::to_string(next++);
}

constexpr int kWatchedEvents =
    ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_DISCONNECTED;

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
        std::memcpy(&event, message->frames[0].data(), sizeof event);
        switch (event) {
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
                ++handshakes_;
                break;
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
                last_failure_ = "the broker refused this client's key";
                break;
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
                last_failure_ = "the CURVE handshake failed";
                break;
            case ZMQ_EVENT_DISCONNECTED:
                if (handshakes_ == 0) last_failure_ = "the broker closed the connection";
                break;
            default:
                break;
        }
    }
}

}  // namespace imgshare::client
