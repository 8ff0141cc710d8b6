// Helpers for the end-to-end tests: a raw subscriber on the broker's event
// socket (a user's keys: support/signed_requests.h; the storage node's
// database: support/storage_database.h).
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/keystore.h"
#include "common/net/socket_options.h"
#include "common/protocol/event.h"
#include "tests/integration/support/cluster.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/storage_database.h"

namespace imgshare::testing {

inline bool has_error(const CommandResult& result, const std::string& code) {
    return result.exit_code != 0 && result.err.find("error: " + code + ":") != std::string::npos;
}

// The grant key of the storage node's `grants` family (storage-node/storage_keys.h).
inline std::string grant_key_of(const std::string& name, const std::string& recipient) {
    return name + std::string(1, '\0') + recipient;
}

// A SUB socket on the broker's events endpoint, authenticated with `keys`, asking for
// `topics` in order and then for each topic passed to subscribe() (the broker admits or
// ignores each).
class Subscriber {
  public:
    Subscriber(Cluster& cluster, const CurveKeyPair& keys,
               const std::vector<std::string>& topics = {})
        : socket_(context_, zmq::socket_type::sub) {
        net::harden_peer_socket(socket_, net::Liveness::Client);
        net::make_curve_client(socket_, cluster.broker_public_key(), keys.public_key,
                               keys.secret_key.view());
        for (const auto& topic : topics)
            socket_.set(zmq::sockopt::subscribe, topic);
        socket_.connect(cluster.events_endpoint());
    }

    // Asks for one more topic, on the connected socket.
    void subscribe(const std::string& topic) { socket_.set(zmq::sockopt::subscribe, topic); }

    // The next event, or nullopt after `timeout`.
    std::optional<DecodedEvent> next(std::chrono::milliseconds timeout) {
        zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
        Frames frames;
        zmq::message_t frame;
        do {
            if (!socket_.recv(frame)) return std::nullopt;
            auto bytes = static_cast<const std::uint8_t*>(frame.data());
            frames.emplace_back(bytes, bytes + frame.size());
        } while (frame.more());
        auto event = decode_event(frames);
        if (!event) throw std::runtime_error("malformed event: " + event.error().message);
        return std::move(*event);
    }

  private:
    zmq::context_t context_{1};
    zmq::socket_t socket_;
};

// How many lines of `text` contain `needle`.
inline std::size_t count_lines_with(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (text.substr(at, end - at).find(needle) != std::string::npos) ++count;
        at = end + 1;
    }
    return count;
}

}  // namespace imgshare::testing
