// install_handlers over a real ServiceWorker: a stand-in broker (a CURVE
// ROUTER on loopback) sends each CA message type with a stamped user and reads
// the replies, so the table from message type to handler is what runs.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/crypto/sealed_box.h"
#include "common/net/multipart.h"
#include "common/protocol/codec.h"
#include "common/protocol_log.h"
#include "common/renewal.h"
#include "common/service/service_worker.h"
#include "common/wrap_key.h"
#include "tests/ca-service/worker_test_support.h"

namespace imgshare::ca::testing {
namespace {

class HandlersTest : public WorkerTest {
  protected:
    void install(service::ServiceWorker& worker) override { install_handlers(worker, *ca_); }
};

TEST_F(HandlersTest, EachCaMessageReachesItsHandler) {
    UserKeys alice;
    auto info = ask<CaInfoReply>(CaInfoRequest{}, "anon:" + z85_encode(alice.curve.public_key));
    ASSERT_TRUE(info) << error_of(info).message;
    EXPECT_EQ(info->ca_verify_key, keys_->signing.public_key);
    EXPECT_TRUE(verify_wrap_key(info->wrap_public_key, info->wrap_key_signature,
                                keys_->signing.public_key));

    auto registered = ask<RegisterReply>(register_request("alice", alice),
                                         "anon:" + z85_encode(alice.curve.public_key));
    ASSERT_TRUE(registered) << error_of(registered).message;
    EXPECT_EQ(decode_certificate(registered->certificate).value().username, "alice");

    auto certificate = ask<GetCertReply>(GetCertRequest{"alice"}, "alice");
    ASSERT_TRUE(certificate) << error_of(certificate).message;
    EXPECT_EQ(certificate->certificate, registered->certificate);

    auto lookup =
        ask<LookupCurveKeyReply>(LookupCurveKeyRequest{alice.curve.public_key}, broker_user());
    ASSERT_TRUE(lookup) << error_of(lookup).message;
    EXPECT_EQ(lookup->username, "alice");

    auto issued = decode_certificate(registered->certificate).value();
    auto renewed = ask<RenewReply>(
        RenewRequest{"alice", issued.serial, clock_.now_seconds(),
                     make_renewal_proof(keys_->signing.public_key, issued, clock_.now_seconds(),
                                        alice.sign.secret_key)},
        "alice");
    ASSERT_TRUE(renewed) << error_of(renewed).message;
    EXPECT_EQ(decode_certificate(renewed->certificate).value().serial, issued.serial + 1);

    Bytes content_key(32, 5);
    auto rewrapped = ask<RewrapReply>(
        RewrapRequest{seal(content_key, keys_->wrap.public_key), "alice"}, broker_user());
    ASSERT_TRUE(rewrapped) << error_of(rewrapped).message;
    auto opened = unseal(rewrapped->wrapped_key, alice.box);
    ASSERT_TRUE(opened);
    EXPECT_EQ(Bytes(opened->view().begin(), opened->view().end()), content_key);
}

TEST_F(HandlersTest, RefusalsTravelAsErrorReplies) {
    expect_error(ask<LookupCurveKeyReply>(LookupCurveKeyRequest{Bytes(32, 9)}, "mallory"),
                 ErrorCode::FORBIDDEN);
    expect_error(ask<GetCertReply>(GetCertRequest{"nobody"}, "mallory"), ErrorCode::NOT_FOUND);
    // A type the CA does not serve gets an error, not silence.
    expect_error(ask<ListReply>(ListRequest{}, "mallory"), ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare::ca::testing
