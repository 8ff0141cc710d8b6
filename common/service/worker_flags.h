// The `run` flags of a server that serves through the broker (a ServiceWorker:
// the CA, a storage node): which broker, its pinned key, and the name the
// worker gives it; and the WorkerConfig they make.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "common/crypto/keys.h"
#include "common/error.h"
#include "common/service/service_worker.h"

namespace imgshare::service {

class WorkerFlags {
  public:
    // For `service` ("ca", "storage"), which is also --node-id's default.
    explicit WorkerFlags(std::string service) : service_(service), node_id_(std::move(service)) {}

    // Adds --broker and --broker-key (both required) and --node-id to `run`. The flags are
    // bound to this object, which must outlive the parsing.
    void add_to(CLI::App& run);

    // The worker's configuration, authenticated by `keys`. CONFIG when --broker is not an
    // endpoint or --broker-key not a Z85 CURVE public key.
    [[nodiscard]] Result<WorkerConfig> config(CurveKeyPair keys) const;

  private:
    std::string service_;
    std::string broker_;
    std::string broker_key_;
    std::string node_id_;
};

}  // namespace imgshare::service
