// The running CA's admin channel: how `imgshare-ca revoke`, `reissue` and `release` reach
// the one process that may open the registry (RocksDB locks it).
//
// A ZeroMQ REP socket at ipc://DATA_DIR/admin.sock. Who can reach it: local
// processes that may enter DATA_DIR, which is 0700 (the CA's own user); the
// socket file itself is made 0600. Nothing else listens, nothing here faces
// the network. Each exchange is one request and one reply, each a single
// msgpack map frame (AdminRequest, AdminReply below); malformed or oversized
// input gets an error reply and never reaches a handler. Every exchange is
// recorded in the CA's protocol log, peer "admin": the request under its
// command as type, the reply as OK or ERROR (names and messages only; an
// admin request holds no secret).
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "common/error.h"
#include "common/protocol/fields.h"
#include "common/protocol_log.h"

namespace imgshare::ca {

inline constexpr std::string_view kAdminRevoke = "REVOKE";
inline constexpr std::string_view kAdminReissue = "REISSUE";
inline constexpr std::string_view kAdminRelease = "RELEASE";
// The protocol log's peer for the admin channel's exchanges.
inline constexpr std::string_view kAdminPeer = "admin";

struct AdminRequest {
    std::string command;  // kAdminRevoke, kAdminReissue, kAdminRelease
    std::string username;
    // REISSUE: how long the new certificate is valid; absent: the running CA's --validity.
    std::optional<std::int64_t> validity_seconds = std::nullopt;
    static constexpr auto fields() {
        return std::make_tuple(field("command", &AdminRequest::command),
                               field("username", &AdminRequest::username),
                               field("validity_seconds", &AdminRequest::validity_seconds));
    }
    bool operator==(const AdminRequest&) const = default;
};

struct AdminReply {
    std::optional<ErrorCode> error = std::nullopt;  // absent: it was done
    std::string message;                            // what was done, or why not
    static constexpr auto fields() {
        return std::make_tuple(field("error", &AdminReply::error),
                               field("message", &AdminReply::message));
    }
    bool operator==(const AdminReply&) const = default;
};

// Records `request` as received from kAdminPeer and `reply` as sent to it, as the running CA
// does for each exchange (and a command that acts on the registry itself for its own).
void record_admin_exchange(ProtocolLog& log, const AdminRequest& request, const AdminReply& reply);

[[nodiscard]] std::filesystem::path admin_socket_path(const std::filesystem::path& data_dir);

// The CA's end. Move-only; the socket file is removed when it is destroyed.
class AdminServer {
  public:
    using Handler = std::function<AdminReply(const AdminRequest&)>;

    // Binds the socket in `data_dir` (which must be private: 0700), replacing a file left by
    // a CA that died (the caller holds the registry lock, so no live CA owns it). CONFIG when
    // the path is too long for a UNIX socket; IO_ERROR when it cannot be bound or protected.
    [[nodiscard]] static Result<std::unique_ptr<AdminServer>> bind(
        const std::filesystem::path& data_dir);

    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;
    ~AdminServer();

    // The socket to poll for input.
    [[nodiscard]] zmq::socket_t& socket() { return socket_; }

    // Answers the requests waiting now (never blocks) with `handler`, recording each
    // exchange in `log`.
    void serve_pending(const Handler& handler, ProtocolLog& log);

  private:
    explicit AdminServer(std::filesystem::path path);

    std::filesystem::path path_;
    zmq::context_t context_{1};
    zmq::socket_t socket_{context_, zmq::socket_type::rep};
};

// Sends `request` to the CA running on `data_dir` and waits up to `timeout` for its reply.
// SERVICE_UNAVAILABLE when there is no socket or no CA answers in time.
[[nodiscard]] Result<AdminReply> ask_running_ca(const std::filesystem::path& data_dir,
                                                const AdminRequest& request,
                                                std::chrono::milliseconds timeout);

}  // namespace imgshare::ca
