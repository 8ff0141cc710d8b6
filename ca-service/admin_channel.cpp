#include "ca-service/admin_channel.h"

#include <spdlog/spdlog.h>

#include <system_error>

#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/header.h"
#include "common/protocol/message_types.h"

namespace imgshare::ca {
namespace {

namespace fs = std::filesystem;

// sun_path holds 108 bytes, the terminating NUL included.
constexpr std::size_t kMaxSocketPathBytes = 107;
// An admin request is a command and a username: anything bigger is not one.
constexpr std::int64_t kMaxAdminMessageBytes = 4096;

std::string endpoint_of(const fs::path& path) {
    return "ipc://" + path.string();
}

AdminReply refused(ErrorCode code, std::string message) {
    return AdminReply{code, std::move(message)};
}

// As the protocol log records a message: a header naming `type`, then the map.
std::vector<Bytes> log_frames(std::string_view type, Bytes body) {
    std::vector<Bytes> frames;
    frames.push_back(encode_header(Header{kProtocolVersion, std::string(type), 0, std::nullopt}));
    frames.push_back(std::move(body));
    return frames;
}

AdminReply answer(const net::Received& message, const AdminServer::Handler& handler,
                  ProtocolLog& log) {
    std::optional<AdminReply> refusal;
    std::optional<AdminRequest> request;
    if (message.too_many_frames || message.frames.size() != 1) {
        refusal = refused(ErrorCode::BAD_REQUEST, "an admin request is one frame");
    } else if (auto decoded = decode_map<AdminRequest>(net::view_of(message.frames[0])); !decoded) {
        refusal = refused(decoded.error().code, decoded.error().message);
    } else {
        request = std::move(*decoded);
    }
    if (refusal) {
        // What arrived is not a request: its frames as they are (binary as digests).
        std::vector<ByteView> views;
        for (const auto& frame : message.frames)
            views.push_back(net::view_of(frame));
        log.record(Direction::Received, kAdminPeer, views);
        log.record(Direction::Sent, kAdminPeer, log_frames(kErrorType, encode_map(*refusal)));
        return *refusal;
    }
    AdminReply reply;
    try {
        reply = handler(*request);
    } catch (const std::exception& error) {
        spdlog::error("admin request {} failed: {}", request->command, error.what());
        reply = refused(ErrorCode::INTERNAL, "internal error in the CA");
    }
    record_admin_exchange(log, *request, reply);
    return reply;
}

}  // namespace

void record_admin_exchange(ProtocolLog& log, const AdminRequest& request, const AdminReply& reply) {
    log.record(Direction::Received, kAdminPeer, log_frames(request.command, encode_map(request)));
    log.record(Direction::Sent, kAdminPeer,
               log_frames(reply.error ? kErrorType : kOkType, encode_map(reply)));
}

fs::path admin_socket_path(const fs::path& data_dir) {
    return data_dir / "admin.sock";
}

AdminServer::AdminServer(fs::path path) : path_(std::move(path)) {}

Result<std::unique_ptr<AdminServer>> AdminServer::bind(const fs::path& data_dir) {
    auto path = admin_socket_path(fs::absolute(data_dir));
    if (path.string().size() > kMaxSocketPathBytes) {
        return fail(ErrorCode::CONFIG, "the admin socket path " + path.string() + " is over " +
                                           std::to_string(kMaxSocketPathBytes) +
                                           " bytes: use a shorter data directory");
    }
    std::unique_ptr<AdminServer> server(new AdminServer(path));
    std::error_code ignored;
    fs::remove(path, ignored);  // left by a CA that died: the registry lock says none runs
    try {
        net::harden_peer_socket(server->socket_, net::Liveness::Service);
        server->socket_.set(zmq::sockopt::maxmsgsize, kMaxAdminMessageBytes);
        server->socket_.bind(endpoint_of(path));
    } catch (const zmq::error_t& error) {
        return fail(ErrorCode::IO_ERROR,
                    "cannot bind the admin socket " + path.string() + ": " + error.what());
    }
    std::error_code error;
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, error);
    if (error) {
        return fail(ErrorCode::IO_ERROR, "cannot make the admin socket " + path.string() +
                                             " private: " + error.message());
    }
    return server;
}

AdminServer::~AdminServer() {
    socket_.close();
    std::error_code ignored;
    fs::remove(path_, ignored);
}

void AdminServer::serve_pending(const Handler& handler, ProtocolLog& log) {
    while (auto message = net::receive_message(socket_, 2)) {
        auto reply = answer(*message, handler, log);
        net::ZmqFrames frames;
        frames.push_back(net::frame_of(encode_map(reply)));
        if (auto sent = net::send_message(socket_, frames); !sent) {
            spdlog::warn("could not answer an admin request: {}", sent.error().message);
        }
    }
}

Result<AdminReply> ask_running_ca(const fs::path& data_dir, const AdminRequest& request,
                                  std::chrono::milliseconds timeout) {
    auto path = admin_socket_path(fs::absolute(data_dir));
    std::error_code error;
    if (!fs::exists(path, error)) {
        return fail(ErrorCode::SERVICE_UNAVAILABLE,
                    "no CA is running on " + data_dir.string() + " (no " + path.string() + ")");
    }
    try {
        zmq::context_t context(1);
        zmq::socket_t socket(context, zmq::socket_type::req);
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::maxmsgsize, kMaxAdminMessageBytes);
        socket.connect(endpoint_of(path));
        net::ZmqFrames frames;
        frames.push_back(net::frame_of(encode_map(request)));
        if (auto sent = net::send_message(socket, frames); !sent) {
            return fail(ErrorCode::SERVICE_UNAVAILABLE,
                        "cannot reach the CA through " + path.string());
        }
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, timeout) == 0) {
            return fail(ErrorCode::SERVICE_UNAVAILABLE,
                        "the CA did not answer through " + path.string() + " within " +
                            std::to_string(timeout.count()) + " ms: is it running?");
        }
        auto reply = net::receive_message(socket, 2);
        if (!reply || reply->too_many_frames || reply->frames.size() != 1) {
            return fail(ErrorCode::INTERNAL, "the CA's admin reply is not one frame");
        }
        return decode_map<AdminReply>(net::view_of(reply->frames[0]));
    } catch (const zmq::error_t& failure) {
        return fail(ErrorCode::SERVICE_UNAVAILABLE,
                    "cannot reach the CA through " + path.string() + ": " + failure.what());
    }
}

}  // namespace imgshare::ca
