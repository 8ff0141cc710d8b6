#include "client/load/idle_clients.h"

#include <chrono>

#include <fmt/format.h>

#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"

namespace imgshare::client::load {
namespace {

constexpr int kSocketsBeyondClients = 16;
// Clients connect in batches, each answered before the next connects: thousands of CURVE
// handshakes at once would time out (ZMQ_HANDSHAKE_IVL) and retry together, for ever.
constexpr std::size_t kConnectBatch = 100;
constexpr auto kBatchWait = std::chrono::seconds(30);

}  // namespace

Result<std::unique_ptr<IdleClients>> IdleClients::connect(const LoadNetwork& network,
                                                          std::span<const LoadUser> users,
                                                          std::size_t count) {
    std::unique_ptr<IdleClients> idle(new IdleClients());
    idle->context_.set(zmq::ctxopt::max_sockets, static_cast<int>(count) + kSocketsBeyondClients);
    idle->sockets_.reserve(count);
    for (std::size_t first = 0; first < count; first += kConnectBatch) {
        const std::size_t end = std::min(count, first + kConnectBatch);
        for (std::size_t i = first; i < end; ++i) {
            if (auto ok = idle->connect_one(network, users[i % users.size()].keys.curve, i); !ok) {
                return std::unexpected(ok.error());
            }
        }
        if (auto ok = idle->await_answers(network, first, end, count); !ok) {
            return std::unexpected(ok.error());
        }
    }
    return idle;
}

Result<void> IdleClients::connect_one(const LoadNetwork& network, const CurveKeyPair& keys,
                                      std::size_t index) {
    auto& socket = sockets_.emplace_back(context_, zmq::socket_type::dealer);
    net::harden_peer_socket(socket, net::Liveness::Client);
    net::make_curve_client(socket, network.connection.broker_public_key, keys.public_key,
                           keys.secret_key.view());
    socket.connect(network.connection.endpoint);
    Frames request = encode(CaInfoRequest{}, index + 1);
    network.log.record(Direction::Sent, "broker", std::span<const Bytes>(request));
    auto message = net::frames_of(request);
    return net::send_message(socket, message);  // queued until the handshake completes
}

Result<void> IdleClients::await_answers(const LoadNetwork& network, std::size_t first,
                                        std::size_t end, std::size_t count) {
    std::vector<zmq::pollitem_t> items;
    for (std::size_t i = first; i < end; ++i)
        items.push_back({sockets_[i].handle(), 0, ZMQ_POLLIN, 0});
    std::vector<bool> answered(items.size(), false);
    std::size_t answers = 0;
    const auto deadline = std::chrono::steady_clock::now() + kBatchWait;
    while (answers < items.size()) {
        if (network.stop.load()) return fail(ErrorCode::INTERNAL, "interrupted");
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorCode::TIMEOUT,
                        fmt::format("only {} of {} idle clients were answered by the broker",
                                    first + answers, count));
        }
        try {
            zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            return fail(ErrorCode::INTERNAL, std::string("poll failed: ") + error.what());
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!(items[i].revents & ZMQ_POLLIN)) continue;
            while (auto reply = net::receive_message(sockets_[first + i], kMaxFrames)) {
                auto views = net::frame_views(reply->frames);
                network.log.record(Direction::Received, "broker", std::span<const ByteView>(views));
                // Any answer proves the connection is up and authenticated, even the broker's
                // own SERVICE_UNAVAILABLE when it is too busy to hear the CA in time.
                if (answered[i]) continue;
                answered[i] = true;
                ++answers;
            }
        }
    }
    return {};
}

IdleClients::~IdleClients() {
    for (auto& socket : sockets_)
        socket.close();
}

}  // namespace imgshare::client::load
