#include "common/service/worker_flags.h"

#include <utility>

#include "common/endpoint.h"

namespace imgshare::service {

void WorkerFlags::add_to(CLI::App& run) {
    run.add_option("--broker", broker_, "The broker's backend endpoint, e.g. tcp://127.0.0.1:7402")
        ->required();
    run.add_option("--broker-key", broker_key_, "The broker's CURVE public key (Z85)")->required();
    run.add_option("--node-id", node_id_, "Name this worker gives the broker")
        ->capture_default_str();
}

Result<WorkerConfig> WorkerFlags::config(CurveKeyPair keys) const {
    auto endpoint = parse_endpoint(broker_);
    if (!endpoint) return std::unexpected(endpoint.error());
    auto broker_public_key = z85_decode(broker_key_);
    if (!broker_public_key) {
        return fail(ErrorCode::CONFIG, "--broker-key is not a Z85 CURVE public key");
    }
    return WorkerConfig{endpoint->to_string(), std::move(*broker_public_key), std::move(keys),
                        service_, node_id_};
}

}  // namespace imgshare::service
