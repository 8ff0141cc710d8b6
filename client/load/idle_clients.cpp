#include "client/load/idle_clients.h"

#include <chrono>

#include <fmt/format.h>

#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"

namespace imgshare::client::load {
namespace {

constexpr int kSocketsBeyondClients = 16;
constexpr auto kBaseWait = std::chrono::seconds(30);
constexpr std::size_t kClientsPerExtraSecond = 100;

}  // namespace

Result<std::unique_ptr<IdleClients>> IdleClients::connect(const LoadNetwork& network,
                                                          std::span<const LoadUser> users,
                                                          std::size_t count) {
    std::unique_ptr<IdleClients> idle(new IdleClients());
    idle->context_.set(zmq::ctxopt::max_sockets, static_cast<int>(count) + kSocketsBeyondClients);
    idle->sockets_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto& keys = users[i % users.size()].keys.curve;
        auto& socket = idle->sockets_.emplace_back(idle->context_, zmq::socket_type::dealer);
        net::harden_peer_socket(socket);
        net::make_curve_client(socket, network.connection.broker_public_key, keys.public_key,
                               keys.secret_key.view());
        socket.connect(network.connection.endpoint);
        Frames request = encode(CaInfoRequest{}, i + 1);
        network.log.record(Direction::Sent, "broker", std::span<const Bytes>(request));
        net::ZmqFrames message;
        for (const auto& frame : request)
            message.push_back(net::frame_of(frame));
        // Queued until the handshake completes.
        if (auto sent = net::send_message(socket, message); !sent) {
            return std::unexpected(sent.error());
        }
    }

    std::vector<zmq::pollitem_t> items;
    for (auto& socket : idle->sockets_)
        items.push_back({socket.handle(), 0, ZMQ_POLLIN, 0});
    std::vector<bool> answered(count, false);
    std::size_t answers = 0;
    const auto deadline = std::chrono::steady_clock::now() + kBaseWait +
                          std::chrono::seconds(count / kClientsPerExtraSecond);
    while (answers < count) {
        if (network.stop.load()) return fail(ErrorCode::INTERNAL, "interrupted");
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorCode::TIMEOUT,
                        fmt::format("only {} of {} idle clients were answered by the broker",
                                    answers, count));
        }
        try {
            zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            return fail(ErrorCode::INTERNAL, std::string("poll failed: ") + error.what());
        }
        for (std::size_t i = 0; i < count; ++i) {
            if (!(items[i].revents & ZMQ_POLLIN)) continue;
            while (auto reply = net::receive_message(idle->sockets_[i], kMaxFrames)) {
                auto views = net::frame_views(reply->frames);
                network.log.record(Direction::Received, "broker", std::span<const ByteView>(views));
                if (answered[i]) continue;
                auto info = decode_reply<CaInfoReply>(std::span<const ByteView>(views));
                if (!info) return std::unexpected(info.error());
                answered[i] = true;
                ++answers;
            }
        }
    }
    return idle;
}

IdleClients::~IdleClients() {
    for (auto& socket : sockets_)
        socket.close();
}

}  // namespace imgshare::client::load
