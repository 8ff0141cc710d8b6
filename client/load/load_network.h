// How every part of a load run reaches the cluster: the broker's endpoints,
// the trust anchors pinned for it, the protocol log (disabled unless asked
// for) and the stop flag that ends every network wait.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "client/broker_connection.h"
#include "common/crypto/keys.h"
#include "common/protocol_log.h"
#include "common/trust_file.h"

namespace imgshare::client::load {

struct LoadNetwork {
    ConnectionSettings connection;  // the broker's request endpoint and pinned key
    std::string events_endpoint;    // the broker's XPUB
    TrustAnchors trust;
    ProtocolLog& log;
    const std::atomic<bool>& stop;

    // A new connection to the broker authenticated by `keys` (one per client thread).
    [[nodiscard]] std::unique_ptr<BrokerConnection> connect(const CurveKeyPair& keys) const {
        return std::make_unique<BrokerConnection>(connection, keys, log, stop);
    }
};

}  // namespace imgshare::client::load
