// A compromised broker for the integration tests: it holds the real broker key (so clients
// complete the handshake) and answers CA_INFO, GET_CERT and one DOWNLOAD as its Lies say,
// each captured from the real cluster or forged; anything else is refused.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"

namespace imgshare::testing {

// What the lying broker answers: CA_INFO, GET_CERT by username and one DOWNLOAD (its reply and
// chunk 0), each captured from the real cluster or forged. Anything else is refused.
struct Lies {
    CaInfoReply info;
    std::map<std::string, GetCertReply> certificates;
    std::optional<std::pair<DownloadReply, Bytes>> download;
};

// Answers as its Lies say, and records every POST_BEGIN and POST_IMAGE it is sent (refusing
// it, so the client stops there) and every GET_CHUNK.
class LyingBroker {
  public:
    LyingBroker(const std::string& endpoint, const CurveKeyPair& broker_keys, Lies lies)
        : context_(1), socket_(context_, zmq::socket_type::router), lies_(std::move(lies)) {
        net::harden_peer_socket(socket_, net::Liveness::Client);
        socket_.set(zmq::sockopt::curve_server, true);
        socket_.set(zmq::sockopt::curve_secretkey,
                    zmq::const_buffer(broker_keys.secret_key.view().data(), 32));
        socket_.bind(endpoint);
        thread_ = std::thread([this] { run(); });
    }
    ~LyingBroker() {
        stop_ = true;
        thread_.join();
    }

    std::vector<PostBeginRequest> posts() const {
        std::lock_guard lock(mutex_);
        return posts_;
    }
    int chunk_requests() const { return chunk_requests_.load(); }

  private:
    Frames answer(const Header& header, ByteView body) {
        if (header.type == CaInfoRequest::kType) return encode_ok(lies_.info, header.id);
        if (header.type == GetCertRequest::kType) {
            auto request = decode_body<GetCertRequest>(body);
            if (request) {
                if (auto found = lies_.certificates.find(request->username);
                    found != lies_.certificates.end()) {
                    return encode_ok(found->second, header.id);
                }
            }
            return encode_error(Error{ErrorCode::NOT_FOUND, "no such user"}, header.id);
        }
        if (header.type == DownloadRequest::kType && lies_.download) {
            return encode_ok(lies_.download->first, header.id, lies_.download->second);
        }
        if (header.type == GetChunkRequest::kType) ++chunk_requests_;
        if (header.type == PostBeginRequest::kType || header.type == PostImageRequest::kType) {
            auto post = decode_body<PostBeginRequest>(body);
            std::lock_guard lock(mutex_);
            if (post) posts_.push_back(*post);
        }
        return encode_error(Error{ErrorCode::INTERNAL, "no"}, header.id);
    }

    void run() {
        while (!stop_) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(50));
            while (auto message = net::receive_message(socket_, 5)) {
                if (message->frames.size() < 3) continue;
                auto header = decode_header(net::view_of(message->frames[1]));
                if (!header) continue;
                Frames reply = answer(*header, net::view_of(message->frames[2]));
                net::ZmqFrames out;
                out.push_back(std::move(message->frames[0]));
                for (const auto& frame : reply)
                    out.push_back(net::frame_of(frame));
                (void)net::send_message(socket_, out);
            }
        }
    }

    zmq::context_t context_;
    zmq::socket_t socket_;
    Lies lies_;
    std::atomic<bool> stop_{false};
    std::atomic<int> chunk_requests_{0};
    mutable std::mutex mutex_;
    std::vector<PostBeginRequest> posts_;
    std::thread thread_;
};

}  // namespace imgshare::testing
