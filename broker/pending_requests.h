// Requests the broker has sent to a service and not yet seen answered. Each
// gets a broker-chosen id (the service never sees client identities) and a
// deadline; an expired entry is failed like any other (Broker::fail: the client
// gets SERVICE_UNAVAILABLE, a ZAP lookup an unconfirmed peer), never left to hang.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "broker/zap.h"
#include "common/net/multipart.h"
#include "common/protocol/messages.h"
#include "common/protocol/peer_identity.h"

namespace imgshare::broker {

// The client a reply goes back to.
struct ClientOrigin {
    std::string routing_id;
    std::uint64_t request_id = 0;
    std::string user;  // the connection's User-Id (PeerIdentity::encode()): logs, rate limits
    std::string type;
};

// What a pending request is waiting for: one of four stages.
// A client request at a service; the reply goes back as is (after its reply hook).
struct ForwardedRequest {
    ClientOrigin client;
    PeerIdentity sender;  // client.user, parsed
};
// Storage answered an escrow DOWNLOAD; the CA re-wraps the key for the requester.
struct DownloadRewrap {
    ClientOrigin client;
    DownloadReply download;      // storage's answer
    zmq::message_t first_chunk;  // and its payload, passed on without a copy
};
// The ZAP handler asked the CA who a key belongs to.
struct ZapLookup {
    ZapRequest zap;
};
// A request came on a connection ZAP could not confirm (unknown:<key>): the CA is asked who
// the key is before the request goes on as that peer (broker/sender_confirmation.cpp).
struct SenderLookup {
    ClientOrigin client;
    Bytes curve_key;      // the connection's, from its User-Id
    net::ZmqFrames body;  // the request's body frames, forwarded untouched once it is known
};

struct PendingRequest {
    std::variant<ForwardedRequest, DownloadRewrap, ZapLookup, SenderLookup> stage;
    std::string service = {};
    std::string worker = {};  // the backend routing id it was sent to: only it may answer
    std::int64_t deadline_ms = 0;
};

class PendingRequests {
  public:
    std::uint64_t add(PendingRequest request);
    // Removes and returns the entry `id`.
    std::optional<PendingRequest> take(std::uint64_t id);
    // The entry a reply from `worker` answers: removed and returned only if `id` was sent to
    // that worker. Ids are a counter, so another service could guess them; a reply from any
    // other worker leaves the entry in place (nullopt).
    std::optional<PendingRequest> take_reply(std::uint64_t id, const std::string& worker);
    // Removes and returns every entry past its deadline.
    std::vector<PendingRequest> expire(std::int64_t now_ms);
    [[nodiscard]] size_t size() const { return pending_.size(); }

  private:
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, PendingRequest> pending_;
};

}  // namespace imgshare::broker
