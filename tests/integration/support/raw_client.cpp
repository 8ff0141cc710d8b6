#include "tests/integration/support/raw_client.h"

#include "common/net/socket_options.h"

namespace imgshare::testing {

RawClient::RawClient(const std::string& endpoint, const Bytes& broker_public_key,
                     const CurveKeyPair& keys)
    : keys_{keys.public_key, SecretBytes::copy_of(keys.secret_key.view())},
      context_(1),
      socket_(context_, zmq::socket_type::dealer) {
    net::harden_peer_socket(socket_, net::Liveness::Client);
    net::make_curve_client(socket_, broker_public_key, keys_.public_key, keys_.secret_key.view());
    socket_.connect(endpoint);
}

RawClient::RawClient(const std::string& endpoint, const Bytes& broker_public_key)
    : RawClient(endpoint, broker_public_key, generate_curve_keys()) {}

zmq::socket_t stranger_socket(zmq::context_t& context, const Bytes& broker_public_key) {
    auto keys = generate_curve_keys();
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    net::harden_peer_socket(socket, net::Liveness::Client);
    socket.set(zmq::sockopt::linger, 0);
    net::make_curve_client(socket, broker_public_key, keys.public_key, keys.secret_key.view());
    return socket;
}

void RawClient::send(const Frames& frames) {
    for (size_t i = 0; i < frames.size(); ++i) {
        zmq::message_t frame(frames[i].data(), frames[i].size());
        socket_.send(frame,
                     i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
}

std::optional<Frames> RawClient::receive(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
    Frames frames;
    while (true) {
        zmq::message_t frame;
        if (!socket_.recv(frame)) return std::nullopt;
        auto bytes = static_cast<const std::uint8_t*>(frame.data());
        frames.emplace_back(bytes, bytes + frame.size());
        if (!frame.more()) return frames;
    }
}

std::optional<Frames> RawClient::call(const Frames& frames, std::chrono::milliseconds timeout) {
    send(frames);
    return receive(timeout);
}

std::optional<ErrorCode> error_code_of(const Frames& reply) {
    auto header = reply.empty() ? Result<Header>(fail(ErrorCode::BAD_REQUEST, "empty"))
                                : decode_header(reply[0]);
    if (!header || header->type != kErrorType || reply.size() < 2) return std::nullopt;
    auto body = decode_body<ErrorReply>(reply[1]);
    if (!body) return std::nullopt;
    return body->code;
}

std::optional<ErrorCode> code_of(const std::optional<Frames>& reply) {
    if (!reply) return ErrorCode::TIMEOUT;
    return error_code_of(*reply);
}

}  // namespace imgshare::testing
