// The servers refuse exactly what PROTOCOL.md says they refuse, with the code it names, for
// the framing and bounds a second implementation found them disagreeing on (issue #23): a
// payload frame on a type without one, none on a type with one, LIST limits. (Four frames:
// BrokerTest.GarbageAndTooManyFramesAreRefusedAndOthersKeepWorking.)
#include <gtest/gtest.h>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"

namespace imgshare::testing {
namespace {

class ProtocolConformanceTest : public ClusterTest {
  protected:
    void SetUp() override { alice_ = register_user(cluster_, "alice"); }

    RawClient alice_client() {
        return RawClient(cluster_.client_endpoint(), cluster_.broker_public_key(),
                         alice_.keys.curve);
    }

    TestUser alice_;
};

TEST_F(ProtocolConformanceTest, APayloadFrameOnATypeWithoutOneIsBadRequestAtEveryService) {
    auto client = alice_client();
    auto info = encode(CaInfoRequest{}, 1);  // the CA's
    info.push_back(Bytes{1, 2, 3});
    EXPECT_EQ(code_of(client.call(info)), ErrorCode::BAD_REQUEST);
    auto list = encode(ListRequest{}, 2);  // the storage node's
    list.push_back(Bytes{});               // an empty payload is still a frame
    EXPECT_EQ(code_of(client.call(list)), ErrorCode::BAD_REQUEST);
    // Without it, the same requests are served.
    EXPECT_EQ(code_of(client.call(encode(CaInfoRequest{}, 3))), std::nullopt);
    EXPECT_EQ(code_of(client.call(encode(ListRequest{}, 4))), std::nullopt);
}

TEST_F(ProtocolConformanceTest, APostChunkWithoutItsPayloadFrameIsBadRequest) {
    auto client = alice_client();
    auto image = escrow_image(alice_, "sunset", wrap_public_key(cluster_), 2);
    auto begun = client.call(encode(image.begin, 1));
    ASSERT_TRUE(begun.has_value());
    auto upload = decode_reply<PostBeginReply>(*begun);
    ASSERT_TRUE(upload.has_value()) << upload.error().message;
    auto chunk = encode(PostChunkRequest{upload->upload, 0}, 2, std::nullopt, image.chunks[0]);
    chunk.pop_back();
    auto reply = client.call(chunk);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(error_code_of(*reply), ErrorCode::BAD_REQUEST);
    auto refused = decode_reply<PostChunkReply>(*reply);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().message, "POST_CHUNK needs a payload frame");
}

TEST_F(ProtocolConformanceTest, ListLimitsOutsideOneToAThousandAreRefusedNotClamped) {
    auto client = alice_client();
    EXPECT_EQ(code_of(client.call(encode(ListRequest{0, kMaxListLimit + 1}, 1))),
              ErrorCode::TOO_LARGE);
    EXPECT_EQ(code_of(client.call(encode(ListRequest{0, UINT32_MAX}, 2))), ErrorCode::TOO_LARGE);
    EXPECT_EQ(code_of(client.call(encode(ListRequest{0, 0}, 3))), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(code_of(client.call(encode(ListRequest{0, kMaxListLimit}, 4))), std::nullopt);
    EXPECT_EQ(code_of(client.call(encode(ListRequest{0, 1}, 5))), std::nullopt);
}

}  // namespace
}  // namespace imgshare::testing
