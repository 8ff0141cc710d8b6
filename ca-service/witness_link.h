// The CA's link to one certificate log witness (imgshare-witness; docs/TRANSPARENCY.md,
// "Witnesses"): a CURVE DEALER socket to the witness's endpoint and key, and what the log
// knows of the witness — the size it cosigned last, learnt with WITNESS_STATE and kept
// after each cosignature — so that each checkpoint goes with the consistency proof the
// witness needs.
//
// cosign() waits at most the link's time-out; the CA's worker is blocked meanwhile, so a
// witness that failed is not asked again for kRetryAfterMs (checkpoints made meanwhile go
// without its cosignature, and Checkpoints asks it again on a later tick). Messages are
// never queued for a witness that is not connected (ZMQ_IMMEDIATE): such a witness fails at
// once. Every message goes to the CA's protocol log, with the peer "witness:ENDPOINT".
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/endpoint.h"
#include "common/error.h"
#include "common/protocol_log.h"
#include "common/transparency/tree_head.h"

namespace imgshare::ca {

// Where a witness is and its CURVE key, as `imgshare-ca run --witness ENDPOINT,KEY` gives them.
struct WitnessAddress {
    Endpoint endpoint;
    Bytes curve_public_key;  // 32 bytes: `witness_public_key` of `imgshare-witness show`

    bool operator==(const WitnessAddress&) const = default;
};

// "tcp://host:port,Z85KEY"; CONFIG saying what is wrong.
[[nodiscard]] Result<WitnessAddress> parse_witness_address(std::string_view text);

// The consistency proof from `first` to `second` entries of the log, as the wire carries it.
using ConsistencyProver = std::function<std::vector<Bytes>(std::uint64_t first,
                                                           std::uint64_t second)>;

class WitnessLink {
  public:
    static constexpr std::int64_t kRetryAfterMs = 5000;

    WitnessLink(zmq::context_t& context, WitnessAddress address, std::chrono::milliseconds timeout,
                ProtocolLog& log);

    // The witness's cosignature of `tree_head` (the log's head of `head.size` entries), checked
    // to be a valid cosignature of that head by the witness key it names: TIMEOUT or
    // SERVICE_UNAVAILABLE when the witness does not answer, its refusal (LOG_INCONSISTENT...)
    // when it will not cosign. After a refusal for a size it did not expect, it asks
    // WITNESS_STATE once and tries again.
    [[nodiscard]] Result<Bytes> cosign(ByteView tree_head, const transparency::TreeHead& head,
                                       ByteView log_verify_key, const ConsistencyProver& prove,
                                       std::int64_t now_ms);

    // Whether it may be asked at `now_ms` (not within kRetryAfterMs of a failure).
    [[nodiscard]] bool due(std::int64_t now_ms) const { return now_ms >= next_try_ms_; }
    [[nodiscard]] const WitnessAddress& address() const { return address_; }
    // The witness key of its last valid cosignature (empty before one).
    [[nodiscard]] const Bytes& witness_key() const { return witness_key_; }

  private:
    // One request and its reply (matched by id), within the time-out.
    template <class Reply, class Request>
    [[nodiscard]] Result<Reply> call(const Request& request);
    [[nodiscard]] Result<Bytes> add_checkpoint(ByteView tree_head,
                                               const transparency::TreeHead& head,
                                               ByteView log_verify_key,
                                               const ConsistencyProver& prove);

    WitnessAddress address_;
    std::string peer_name_;
    std::chrono::milliseconds timeout_;
    ProtocolLog& log_;
    zmq::socket_t socket_;
    std::uint64_t next_id_ = 1;
    std::optional<std::uint64_t> cosigned_size_;  // what the witness cosigned last, if known
    std::int64_t next_try_ms_ = 0;
    Bytes witness_key_;
};

}  // namespace imgshare::ca
