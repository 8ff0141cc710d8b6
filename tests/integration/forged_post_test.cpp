// POST_BEGIN (and POST_IMAGE, the same post in one request) with an envelope
// that is not the authenticated user's: whoever signed it, the storage node
// refuses it and nothing is posted. POST_IMAGE's chunk is checked against the
// signed digest before anything is stored.
#include <gtest/gtest.h>

#include "common/crypto/chunk_stream.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"

namespace imgshare::testing {
namespace {

// A well-formed escrow POST_BEGIN for a one-chunk image, signed by `signer`; its chunk in
// `chunk_out` when given.
PostBeginRequest post_signed_by(const TestUser& owner, const TestUser& signer,
                                const Bytes& wrap_key, const std::string& name,
                                Bytes* chunk_out = nullptr) {
    auto key = generate_content_key();
    ChunkEncryptor encryptor(key);
    auto chunk = encryptor.encrypt(Bytes(4096, 0x42), true);
    if (chunk_out) *chunk_out = chunk;
    Envelope envelope;
    envelope.name = name;
    envelope.owner = owner.certificate.username;
    envelope.owner_serial = owner.certificate.serial;
    envelope.mode = std::string(kEscrowMode);
    envelope.content_type = "image/png";
    envelope.padded_size = 4096;
    envelope.chunk_size = 4096;
    envelope.chunk_count = 1;
    envelope.stream_header = encryptor.header();
    envelope.ciphertext_sha256 = sha256(chunk);
    envelope.key_commitment = key_commitment(key);
    envelope.created_at = owner.certificate.not_before;
    auto encoded = encode_envelope(envelope);
    PostBeginRequest request;
    request.certificate = encode_certificate(owner.certificate);
    request.envelope = encoded;
    request.signature = sign_envelope(encoded, signer.keys.sign.secret_key);
    request.wrapped_key = seal(key.view(), wrap_key);
    return request;
}

class ForgedPostTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_home_ = cluster_.new_user("alice");
        bob_home_ = cluster_.new_user("bob");
        alice_ = load_user(alice_home_);
        bob_ = load_user(bob_home_);
        wrap_key_ = wrap_public_key(cluster_);
    }

    std::optional<ErrorCode> post_as_bob(const PostBeginRequest& request) {
        RawClient bob(cluster_.client_endpoint(), cluster_.broker_public_key(), bob_.keys.curve);
        return code_of(bob.call(encode(request, 7)));
    }

    // POST_IMAGE of `request` with `chunk`, from `client`: the reply frames.
    static Frames post_image(RawClient& client, const PostBeginRequest& request,
                             const Bytes& chunk) {
        auto reply = client.call(encode(PostImageRequest{request}, 11, std::nullopt, chunk));
        return reply.value_or(Frames{});
    }

    std::filesystem::path alice_home_, bob_home_;
    TestUser alice_, bob_;
    Bytes wrap_key_;
};

TEST_F(ForgedPostTest, BobCannotPostAlicesSignedEnvelopeAsHerself) {
    // A real envelope and certificate of alice's, replayed from bob's connection.
    EXPECT_EQ(post_as_bob(post_signed_by(alice_, alice_, wrap_key_, "stolen")),
              ErrorCode::FORBIDDEN);
}

TEST_F(ForgedPostTest, EnvelopeClaimingBobButSignedByAliceIsRefused) {
    EXPECT_EQ(post_as_bob(post_signed_by(bob_, alice_, wrap_key_, "forged")),
              ErrorCode::BAD_SIGNATURE);
}

TEST_F(ForgedPostTest, NothingForgedWasPosted) {
    (void)post_as_bob(post_signed_by(alice_, alice_, wrap_key_, "stolen"));
    (void)post_as_bob(post_signed_by(bob_, alice_, wrap_key_, "forged"));
    auto listed = cluster_.imgshare(alice_home_, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.out.find("stolen"), std::string::npos);
    EXPECT_EQ(listed.out.find("forged"), std::string::npos);
}

TEST_F(ForgedPostTest, BobsOwnCorrectlySignedPostIsAccepted) {
    // The control case: the same construction, honestly signed, is accepted.
    RawClient bob(cluster_.client_endpoint(), cluster_.broker_public_key(), bob_.keys.curve);
    auto reply = bob.call(encode(post_signed_by(bob_, bob_, wrap_key_, "honest"), 9));
    ASSERT_TRUE(reply.has_value());
    auto begun = decode_reply<PostBeginReply>(*reply);
    EXPECT_TRUE(begun.has_value()) << begun.error().message;
}

TEST_F(ForgedPostTest, OneRequestPostsAreRefusedExactlyLikeThreeRequestOnes) {
    RawClient bob(cluster_.client_endpoint(), cluster_.broker_public_key(), bob_.keys.curve);
    Bytes chunk;
    auto stolen = post_signed_by(alice_, alice_, wrap_key_, "stolen", &chunk);
    EXPECT_EQ(error_code_of(post_image(bob, stolen, chunk)), ErrorCode::FORBIDDEN);
    auto forged = post_signed_by(bob_, alice_, wrap_key_, "forged", &chunk);
    EXPECT_EQ(error_code_of(post_image(bob, forged, chunk)), ErrorCode::BAD_SIGNATURE);
    // Bob's own envelope with a chunk changed on the way: the signed digest does not match.
    auto honest = post_signed_by(bob_, bob_, wrap_key_, "honest", &chunk);
    Bytes tampered = chunk;
    tampered[100] ^= 1;
    EXPECT_EQ(error_code_of(post_image(bob, honest, tampered)), ErrorCode::INTEGRITY);
    // A stranger's connection is refused by the broker before storage sees it.
    RawClient stranger(cluster_.client_endpoint(), cluster_.broker_public_key());
    EXPECT_EQ(error_code_of(post_image(stranger, honest, chunk)), ErrorCode::NOT_REGISTERED);
    auto listed = cluster_.imgshare(alice_home_, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.out.find("stolen"), std::string::npos);
    EXPECT_EQ(listed.out.find("forged"), std::string::npos);
    EXPECT_EQ(listed.out.find("honest"), std::string::npos);

    // The control: the untouched chunk is committed, and a retry answers the same.
    auto committed = decode_reply<PostCommitReply>(post_image(bob, honest, chunk));
    ASSERT_TRUE(committed.has_value()) << committed.error().message;
    EXPECT_EQ(committed->name, "honest");
    EXPECT_EQ(committed->owner, "bob");
    auto again = decode_reply<PostCommitReply>(post_image(bob, honest, chunk));
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(*again, *committed);
    auto relisted = cluster_.imgshare(alice_home_, {"list"});
    ASSERT_EQ(relisted.exit_code, 0) << relisted.err;
    EXPECT_NE(relisted.out.find("honest"), std::string::npos) << relisted.out;
}

}  // namespace
}  // namespace imgshare::testing
