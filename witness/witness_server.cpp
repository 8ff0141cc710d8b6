#include "witness/witness_server.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <variant>

#include "common/net/socket_options.h"
#include "common/protocol/codec.h"
#include "common/protocol/header.h"

namespace imgshare::witness {
namespace {

// A peer's identity frame and a request's header and body (no request here has a payload).
constexpr std::size_t kMaxFrames = 4;

}  // namespace

WitnessServer::WitnessServer(zmq::context_t& context, const std::string& bind_endpoint,
                             const CurveKeyPair& curve, Witness& witness, ProtocolLog& log,
                             Clock& clock)
    : socket_(context, zmq::socket_type::router), witness_(witness), log_(log), clock_(clock) {
    net::harden_peer_socket(socket_, net::Liveness::Service);
    // Any client key completes the handshake (see the header).
    net::make_open_curve_server(socket_, curve.secret_key.view());
    net::make_router_mandatory(socket_);
    socket_.bind(bind_endpoint);
}

void WitnessServer::run(const std::atomic<bool>& stop) {
    zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    while (!stop.load()) {
        log_.flush();
        try {
            zmq::poll(items, 1, std::chrono::milliseconds(100));
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            throw;
        }
        while (items[0].revents & ZMQ_POLLIN) {
            auto message = net::receive_message(socket_, kMaxFrames);
            if (!message) break;
            if (message->too_many_frames) {
                auto& peer = message->frames[0];
                reply(peer, net::peer_address_of(peer),
                      encode_error(Error{ErrorCode::TOO_LARGE, "a request has 2 frames"}, 0));
                continue;
            }
            on_message(std::move(message->frames));
        }
    }
    log_.flush();
}

void WitnessServer::on_message(net::ZmqFrames frames) {
    auto& peer = frames[0];
    const std::string peer_name = net::peer_address_of(peer);
    auto views = net::frame_views(frames, 1);
    log_.record(Direction::Received, peer_name, views);
    std::uint64_t id = 0;
    if (!views.empty()) {
        if (auto header = decode_header(views[0])) id = header->id;
    }
    auto decoded = decode_request(std::span<const ByteView>(views));
    if (!decoded) {
        reply(peer, peer_name, encode_error(decoded.error(), id));
        return;
    }
    if (auto* state = std::get_if<WitnessStateRequest>(&decoded->request)) {
        (void)state;
        reply(peer, peer_name, encode_ok(witness_.state(), id));
    } else if (auto* add = std::get_if<AddCheckpointRequest>(&decoded->request)) {
        auto cosigned = witness_.add_checkpoint(*add, clock_.now_seconds());
        if (!cosigned) {
            spdlog::warn("refused to cosign a tree head: {}: {}", to_string(cosigned.error().code),
                         cosigned.error().message);
            reply(peer, peer_name, encode_error(cosigned.error(), id));
            return;
        }
        reply(peer, peer_name, encode_ok(*cosigned, id));
    } else {
        reply(peer, peer_name,
              encode_error(Error{ErrorCode::BAD_REQUEST,
                                 "a witness answers WITNESS_STATE and ADD_CHECKPOINT only"},
                           id));
    }
}

void WitnessServer::reply(zmq::message_t& peer, const std::string& peer_name, Frames frames) {
    log_.record(Direction::Sent, peer_name, frames);
    net::ZmqFrames out;
    out.reserve(frames.size() + 1);
    out.push_back(std::move(peer));
    for (auto& frame : net::frames_of(frames)) out.push_back(std::move(frame));
    if (auto sent = net::send_message(socket_, out); !sent) {
        spdlog::warn("a reply to {} was not sent: {}", peer_name, sent.error().message);
    }
}

}  // namespace imgshare::witness
