// Connected idle clients (--idle-clients N): N DEALER connections to the
// broker, CURVE-authenticated with the load users' keys (round robin), as
// many users' clients would sit connected with nothing to ask. Each proves
// its connection is in place with one CA_INFO (any reply will do) and then
// stays silent but for
// ZeroMQ's heartbeats, until the IdleClients goes. They connect a hundred at
// a time, as users arrive, not in one burst.
#pragma once

#include <zmq.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "client/load/load_network.h"
#include "client/load/load_users.h"
#include "common/error.h"

namespace imgshare::client::load {

class IdleClients {
  public:
    // Connects `count` clients and waits for a reply to each one's CA_INFO. TIMEOUT naming how
    // many answered if a batch is not answered within 30 s; INTERNAL "interrupted" if the
    // stop flag was set.
    [[nodiscard]] static Result<std::unique_ptr<IdleClients>> connect(
        const LoadNetwork& network, std::span<const LoadUser> users, std::size_t count);
    IdleClients(const IdleClients&) = delete;
    IdleClients& operator=(const IdleClients&) = delete;
    ~IdleClients();

    [[nodiscard]] std::size_t size() const { return sockets_.size(); }

  private:
    IdleClients() = default;
    [[nodiscard]] Result<void> connect_one(const LoadNetwork& network, const CurveKeyPair& keys,
                                           std::size_t index);
    // Until sockets [first, end) each have their answer.
    [[nodiscard]] Result<void> await_answers(const LoadNetwork& network, std::size_t first,
                                             std::size_t end, std::size_t count);

    zmq::context_t context_;
    std::vector<zmq::socket_t> sockets_;
};

}  // namespace imgshare::client::load
