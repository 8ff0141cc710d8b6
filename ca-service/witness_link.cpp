#include "ca-service/witness_link.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"
#include "common/transparency/cosignature.h"

namespace imgshare::ca {
namespace {

constexpr std::size_t kMaxReplyFrames = 3;

}  // namespace

Result<WitnessAddress> parse_witness_address(std::string_view text) {
    const auto comma = text.rfind(',');
    if (comma == std::string_view::npos) {
        return fail(ErrorCode::CONFIG,
                    "--witness: ENDPOINT,KEY (tcp://host:port and the witness's "
                    "witness_public_key), not one without a comma");
    }
    auto endpoint = parse_endpoint(text.substr(0, comma));
    if (!endpoint) return fail(ErrorCode::CONFIG, "--witness: " + endpoint.error().message);
    auto key = z85_decode(text.substr(comma + 1));
    if (!key || !check_public_key(*key, KeyKind::Box)) {
        return fail(ErrorCode::CONFIG,
                    "--witness: the key after the comma is not a CURVE public key (40 Z85 "
                    "characters: witness_public_key of 'imgshare-witness show')");
    }
    return WitnessAddress{std::move(*endpoint), std::move(*key)};
}

WitnessLink::WitnessLink(zmq::context_t& context, WitnessAddress address,
                         std::chrono::milliseconds timeout, ProtocolLog& log)
    : address_(std::move(address)),
      peer_name_("witness:" + address_.endpoint.to_string()),
      timeout_(timeout),
      log_(log),
      socket_(context, zmq::socket_type::dealer) {
    net::harden_peer_socket(socket_, net::Liveness::Service);
    // No queue for a witness that is not there: the send fails and the link backs off.
    socket_.set(zmq::sockopt::immediate, 1);
    auto own = generate_curve_keys();
    net::make_curve_client(socket_, address_.curve_public_key, own.public_key,
                           own.secret_key.view());
    socket_.connect(address_.endpoint.to_string());
}

template <class Reply, class Request>
Result<Reply> WitnessLink::call(const Request& request) {
    const auto id = next_id_++;
    auto frames = encode(request, id);
    log_.record(Direction::Sent, peer_name_, frames);
    auto out = net::frames_of(frames);
    if (auto sent = net::send_message(socket_, out); !sent) {
        return fail(ErrorCode::SERVICE_UNAVAILABLE,
                    fmt::format("the witness at {} is not connected", address_.endpoint.to_string()));
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        try {
            zmq::poll(items, 1, left);
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            throw;
        }
        if (!(items[0].revents & ZMQ_POLLIN)) continue;
        auto message = net::receive_message(socket_, kMaxReplyFrames);
        if (!message || message->too_many_frames) continue;
        auto views = net::frame_views(message->frames);
        log_.record(Direction::Received, peer_name_, views);
        auto header = views.empty() ? Result<Header>(std::unexpected(Error{ErrorCode::BAD_REQUEST, ""}))
                                    : decode_header(views[0]);
        if (!header || header->id != id) continue;  // a late answer to an earlier request
        return decode_reply<Reply>(std::span<const ByteView>(views));
    }
    return fail(ErrorCode::TIMEOUT, fmt::format("the witness at {} did not answer within {} ms",
                                                address_.endpoint.to_string(), timeout_.count()));
}

Result<Bytes> WitnessLink::add_checkpoint(ByteView tree_head, const transparency::TreeHead& head,
                                          ByteView log_verify_key,
                                          const ConsistencyProver& prove) {
    if (!cosigned_size_) {
        auto state = call<WitnessStateReply>(WitnessStateRequest{});
        if (!state) return std::unexpected(state.error());
        cosigned_size_ = state->size;
    }
    if (*cosigned_size_ > head.size) {
        return fail(ErrorCode::LOG_INCONSISTENT,
                    fmt::format("the witness at {} cosigned the log at {} entries, and the log "
                                "has {}: it will not cosign a smaller log",
                                address_.endpoint.to_string(), *cosigned_size_, head.size));
    }
    AddCheckpointRequest request;
    request.old_size = *cosigned_size_;
    request.tree_head = Bytes(tree_head.begin(), tree_head.end());
    if (request.old_size > 0 && request.old_size < head.size) {
        request.consistency = prove(request.old_size, head.size);
    }
    auto reply = call<AddCheckpointReply>(request);
    if (!reply) {
        cosigned_size_.reset();  // whatever it refused, ask where it stands next time
        return std::unexpected(reply.error());
    }
    auto cosignature =
        transparency::verify_cosignature(reply->cosignature, log_verify_key, head);
    if (!cosignature) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    fmt::format("the witness at {} answered with a cosignature that does not "
                                "verify: {}",
                                address_.endpoint.to_string(), cosignature.error().message));
    }
    cosigned_size_ = head.size;
    witness_key_ = cosignature->witness_key;
    return std::move(reply->cosignature);
}

Result<Bytes> WitnessLink::cosign(ByteView tree_head, const transparency::TreeHead& head,
                                  ByteView log_verify_key, const ConsistencyProver& prove,
                                  std::int64_t now_ms) {
    auto cosigned = add_checkpoint(tree_head, head, log_verify_key, prove);
    if (!cosigned && cosigned.error().code == ErrorCode::BAD_REQUEST) {
        // Most likely another size than the one the log remembered (a restarted CA or
        // witness): learn it and try once more.
        cosigned = add_checkpoint(tree_head, head, log_verify_key, prove);
    }
    if (!cosigned) {
        next_try_ms_ = now_ms + kRetryAfterMs;
        spdlog::warn("the witness at {} did not cosign the log's head of {} entries: {}: {}",
                     address_.endpoint.to_string(), head.size, to_string(cosigned.error().code),
                     cosigned.error().message);
    }
    return cosigned;
}

}  // namespace imgshare::ca
