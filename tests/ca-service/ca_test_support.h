// Shared by the CA service's tests: a user's key pairs, REGISTER requests, the
// peers the broker stamps, and a CA on real RocksDB in a scratch directory.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "ca-service/ca_keys.h"
#include "ca-service/certificate_authority.h"
#include "ca-service/registry.h"
#include "common/certificate.h"
#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/registration.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::ca::testing {

struct UserKeys {
    SigningKeyPair sign = generate_signing_keys();
    BoxKeyPair box = generate_box_keys();
    CurveKeyPair curve = generate_curve_keys();
};

// A REGISTER with a valid proof of possession over exactly these keys.
inline RegisterRequest register_request(const std::string& username, const UserKeys& keys) {
    RegisterRequest request;
    request.username = username;
    request.sign_pk = keys.sign.public_key;
    request.box_pk = keys.box.public_key;
    request.curve_pk = keys.curve.public_key;
    request.proof = make_registration_proof(username, request.sign_pk, request.box_pk,
                                            request.curve_pk, keys.sign.secret_key);
    return request;
}

// The contexts the broker stamps: an unregistered client connected with `curve_pk`, a
// registered user, the broker's own requests; and the peers that never send the CA a
// request of their own: a client the CA could not be asked about, and a service.
inline RequestContext anonymous(ByteView curve_pk) {
    return RequestContext{AnonymousPeer{Bytes(curve_pk.begin(), curve_pk.end())}, {}};
}
inline RequestContext anonymous(const UserKeys& keys) {
    return anonymous(keys.curve.public_key);
}
inline RequestContext as_user(const std::string& username) {
    return RequestContext{UserPeer{username}, {}};
}
inline RequestContext from_broker() {
    return RequestContext{BrokerPeer{}, {}};
}
inline RequestContext unconfirmed(const UserKeys& keys) {
    return RequestContext{UnconfirmedPeer{keys.curve.public_key}, {}};
}
inline RequestContext from_service(std::string_view service = kStorageService) {
    return RequestContext{ServicePeer{std::string(service), generate_curve_keys().public_key}, {}};
}

// The error a call failed with; a success shows up as a mismatch, never as a crash.
template <class T>
Error error_of(const Result<T>& result) {
    if (result) return Error{ErrorCode::INTERNAL, "(the call succeeded)"};
    return result.error();
}

template <class T>
void expect_error(const Result<T>& result, ErrorCode code) {
    EXPECT_FALSE(result.has_value()) << "expected " << to_string(code);
    EXPECT_EQ(to_string(error_of(result).code), to_string(code)) << error_of(result).message;
}

class CaTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(init_ca_keys(data_dir()));
        auto loaded = load_ca_keys(data_dir());
        ASSERT_TRUE(loaded) << loaded.error().message;
        keys_.emplace(std::move(*loaded));
        open();
    }

    std::filesystem::path data_dir() const { return scratch_.path() / "ca"; }

    void open() {
        auto opened = Registry::open(registry_path(data_dir()));
        ASSERT_TRUE(opened) << opened.error().message;
        registry_.emplace(std::move(*opened));
        ca_.emplace(*keys_, *registry_, clock_);
    }

    // Closes the database and opens it again, as a restarted process would.
    void restart() {
        ca_.reset();
        registry_.reset();
        open();
    }

    // Registers `username` from its own anonymous connection; fails the test otherwise.
    Bytes register_ok(const std::string& username, const UserKeys& keys) {
        auto reply = ca_->register_user(register_request(username, keys), anonymous(keys));
        EXPECT_TRUE(reply) << reply.error().message;
        return reply ? reply->certificate : Bytes{};
    }

    std::uint64_t next_serial() const { return registry_->next_serial().value(); }

    imgshare::testing::ScratchDir scratch_;
    ManualClock clock_;
    std::optional<CaKeys> keys_;
    std::optional<Registry> registry_;
    std::optional<CertificateAuthority> ca_;
};

}  // namespace imgshare::ca::testing
