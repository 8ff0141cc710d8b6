// A real ServiceWorker for the CA's tests, connected to a stand-in broker (a
// CURVE ROUTER on loopback) that the test drives: it sends requests stamped
// with a user and reads what the worker sends back.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

#include "common/net/multipart.h"
#include "common/protocol/codec.h"
#include "common/protocol_log.h"
#include "common/service/service_worker.h"
#include "tests/ca-service/ca_test_support.h"
#include "tests/common/support/stand_in_broker.h"

namespace imgshare::ca::testing {

class WorkerTest : public CaTest {
  protected:
    void SetUp() override {
        CaTest::SetUp();
        service::WorkerConfig config{broker_.endpoint(), broker_.public_key(),
                                     generate_curve_keys(), "ca", "test"};
        worker_.emplace(std::move(config), log_, system_clock_);
        install(*worker_);
        thread_ = std::thread([this] { worker_->run(stop_); });

        auto ready = receive();
        ASSERT_GE(ready.size(), 2u);
        worker_identity_ = Bytes(ready[0].begin(), ready[0].end());
        EXPECT_EQ(decode_header(ready[1]).value().type, ReadyMessage::kType);
    }

    // What the worker serves: registered before it runs.
    virtual void install(service::ServiceWorker& worker) = 0;

    void TearDown() override {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

    // The next message from the worker other than a heartbeat, routing frame first.
    Frames receive() { return broker_.receive(); }

    // The `user` the broker stamps on its own requests.
    static std::string broker_user() { return PeerIdentity{BrokerPeer{}}.encode(); }

    // Sends `request` stamped with `user` and decodes the reply as R.
    template <class R, class M>
    Result<R> ask(const M& request, std::optional<std::string> user) {
        net::ZmqFrames frames;
        frames.push_back(net::frame_of(worker_identity_));
        for (const auto& frame : encode(request, ++next_id_, std::move(user)))
            frames.push_back(net::frame_of(frame));
        EXPECT_TRUE(net::send_message(broker_.socket(), frames));
        auto reply = receive();
        if (reply.size() < 2) return fail(ErrorCode::TIMEOUT, "no reply");
        EXPECT_EQ(decode_header(reply[1]).value().id, next_id_);
        return decode_reply<R>(std::span<const Bytes>(reply).subspan(1));
    }

    test::StandInBroker broker_;
    ProtocolLog log_ = ProtocolLog::disabled();
    SystemClock system_clock_;
    std::optional<service::ServiceWorker> worker_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    Bytes worker_identity_;
    std::uint64_t next_id_ = 0;
};

}  // namespace imgshare::ca::testing
