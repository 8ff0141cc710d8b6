// Who may send the CA what: every kind of peer, and every malformed `user`,
// sent with every CA request through ServiceWorker::dispatch (what the worker
// runs for each request from the broker) over install_handlers, each with its
// exact answer.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/crypto/sealed_box.h"
#include "common/renewal.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

// What a request must get: OK (no code), or this error.
struct Answer {
    std::optional<ErrorCode> code;
    std::string message;
};
const Answer kOk{};
Answer refused(ErrorCode code, std::string message) {
    return Answer{code, std::move(message)};
}

class CaSendersTest : public CaTest {
  protected:
    void SetUp() override {
        CaTest::SetUp();
        install_handlers(worker_, *ca_);
        bob_certificate_ = decode_certificate(register_ok("bob", bob_)).value();
    }

    // The request as the broker would send it, stamped with `user`.
    template <class M>
    Result<service::Outgoing> send(const M& request, std::optional<std::string> user) {
        return worker_.dispatch(Header{kProtocolVersion, std::string(M::kType), 1, std::move(user)},
                                encode_map(request), {});
    }

    template <class M>
    void expect_answer(const M& request, const PeerIdentity& peer, const Answer& expected) {
        auto answer = send(request, peer.encode());
        SCOPED_TRACE(std::string(M::kType) + " from " + peer.encode());
        if (!expected.code) {
            EXPECT_TRUE(answer) << answer.error().message;
            return;
        }
        ASSERT_FALSE(answer) << "answered OK";
        EXPECT_EQ(to_string(answer.error().code), to_string(*expected.code));
        EXPECT_EQ(answer.error().message, expected.message);
    }

    RenewRequest bob_renewal() const {
        auto now = clock_.now_seconds();
        return RenewRequest{"bob", bob_certificate_.serial, now,
                            make_renewal_proof(keys_->signing.public_key, bob_certificate_, now,
                                               bob_.sign.secret_key)};
    }

    ProtocolLog log_ = ProtocolLog::disabled();
    service::ServiceWorker worker_{
        service::WorkerConfig{"tcp://127.0.0.1:1", generate_curve_keys().public_key,
                              generate_curve_keys(), "ca", "test"},
        log_, clock_};
    UserKeys bob_, carol_;  // bob is registered; carol is not
    Certificate bob_certificate_;
};

TEST_F(CaSendersTest, EachKindOfPeerGetsItsExactAnswer) {
    const Bytes carol_key = carol_.curve.public_key;
    const PeerIdentity user{UserPeer{"bob"}}, anonymous{AnonymousPeer{carol_key}},
        unconfirmed{UnconfirmedPeer{carol_key}}, ca{ServicePeer{"ca", carol_key}},
        storage{ServicePeer{"storage", carol_key}}, broker{BrokerPeer{}};
    const std::vector<PeerIdentity> peers{user, anonymous, unconfirmed, ca, storage, broker};

    for (const auto& peer : peers)
        expect_answer(CaInfoRequest{}, peer, kOk);

    const auto get_cert_unregistered = refused(
        ErrorCode::NOT_REGISTERED, "GET_CERT needs a registered key; run 'imgshare register'");
    const auto get_cert_other = refused(ErrorCode::FORBIDDEN, "GET_CERT is for registered users");
    const std::vector<Answer> get_cert{
        kOk, get_cert_unregistered, get_cert_other, get_cert_other, get_cert_other, kOk};
    for (std::size_t i = 0; i < peers.size(); ++i)
        expect_answer(GetCertRequest{"bob"}, peers[i], get_cert[i]);

    const auto renew_other = refused(ErrorCode::FORBIDDEN, "RENEW is for registered users");
    const std::vector<Answer> renew{
        kOk,
        refused(ErrorCode::NOT_REGISTERED, "RENEW needs a registered key; run 'imgshare register'"),
        renew_other,
        renew_other,
        renew_other,
        renew_other};
    for (std::size_t i = 0; i < peers.size(); ++i)
        expect_answer(bob_renewal(), peers[i], renew[i]);
    expect_answer(bob_renewal(), PeerIdentity{UserPeer{"carol"}},
                  refused(ErrorCode::FORBIDDEN, "a user may renew only their own certificate"));

    const LookupCurveKeyRequest lookup{bob_.curve.public_key};
    const RewrapRequest rewrap{seal(Bytes(32, 5), keys_->wrap.public_key), "bob"};
    for (const auto& peer : peers) {
        bool is_broker = peer.is<BrokerPeer>();
        expect_answer(
            lookup, peer,
            is_broker ? kOk
                      : refused(ErrorCode::FORBIDDEN, "LOOKUP_CURVE_KEY is for the broker only"));
        expect_answer(
            rewrap, peer,
            is_broker ? kOk : refused(ErrorCode::FORBIDDEN, "REWRAP is for the broker only"));
    }

    // Last: the anonymous peer's REGISTER succeeds and carol is registered from then on.
    const auto register_other =
        refused(ErrorCode::FORBIDDEN, "REGISTER must come from an unregistered client");
    const std::vector<Answer> registration{
        refused(ErrorCode::BAD_REQUEST, "already registered as bob"),
        kOk,
        register_other,
        register_other,
        register_other,
        register_other};
    for (std::size_t i = 0; i < peers.size(); ++i) {
        if (i == 1) continue;
        expect_answer(register_request("carol", carol_), peers[i], registration[i]);
    }
    EXPECT_EQ(next_serial(), 3u) << "only bob's registration and his renewal issued";
    expect_answer(register_request("carol", carol_), anonymous, registration[1]);
    expect_answer(register_request("carol2", UserKeys{}), anonymous,
                  refused(ErrorCode::FORBIDDEN, "curve_pk is not the key this connection uses"));
}

TEST_F(CaSendersTest, AMissingOrMalformedUserIsRefusedBeforeAnyHandler) {
    // As the parser words it, after "header 'user': " (every malformed kind:
    // tests/common/peer_identity_test.cpp).
    const std::vector<std::string> malformed{"",
                                             "Bob",
                                             "anon:",
                                             "anon:abc",
                                             "unknown:" + std::string(40, '~'),
                                             "service:ca",
                                             "service:broker:" + z85_encode(Bytes(32, 1)),
                                             "broker:bob",
                                             "user:bob"};
    auto expect_refused = [&](auto request) {
        for (const auto& user : malformed) {
            auto answer = send(request, user);
            ASSERT_FALSE(answer) << user;
            EXPECT_EQ(answer.error().code, ErrorCode::BAD_REQUEST) << user;
            EXPECT_EQ(answer.error().message,
                      "header 'user': " + PeerIdentity::parse(user).error().message);
        }
        auto missing = send(request, std::nullopt);
        ASSERT_FALSE(missing);
        EXPECT_EQ(missing.error().message,
                  "header 'user' is missing: the broker names the sender of every request");
    };
    expect_refused(CaInfoRequest{});
    expect_refused(register_request("carol", carol_));
    expect_refused(GetCertRequest{"bob"});
    expect_refused(bob_renewal());
    expect_refused(LookupCurveKeyRequest{bob_.curve.public_key});
    expect_refused(RewrapRequest{seal(Bytes(32, 5), keys_->wrap.public_key), "bob"});
    EXPECT_EQ(send(CaInfoRequest{}, "anon:abc").error().message,
              "header 'user': peer identity 'anon:abc': its key is not 40 characters of Z85");
    EXPECT_EQ(next_serial(), 2u) << "nothing was issued";
}

}  // namespace
}  // namespace imgshare::ca::testing
