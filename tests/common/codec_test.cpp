// Frame-level rules of codec.h and hostile frames against the decoders.
#include "common/protocol/codec.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

using testing::hex;

Frames list_request() {
    return encode(ListRequest{3, 20}, 1);
}
Frames chunk_request(std::size_t payload_size = 100) {
    return encode(PostChunkRequest{"up-1", 2}, 2, std::nullopt, Bytes(payload_size, 0xab));
}
Frames post_begin() {
    return encode(PostBeginRequest{Bytes(200, 1),
                                   Bytes(700, 2),
                                   Bytes(64, 3),
                                   Bytes(80, 4),
                                   {{"bob", Bytes(80, 5)}, {"carol", Bytes(80, 6)}}},
                  77);
}

Error request_error(const Frames& frames) {
    auto result = decode_request(frames);
    EXPECT_FALSE(result.has_value());
    return result ? Error{ErrorCode::INTERNAL, "decoded"} : result.error();
}

bool is_protocol_failure(const Error& error) {
    return error.code == ErrorCode::BAD_REQUEST || error.code == ErrorCode::TOO_LARGE;
}

TEST(CodecTest, EmptyBodiesAreAnEmptyMap) {
    auto frames = encode(CaInfoRequest{}, 9);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[1], Bytes{0x80});
    EXPECT_TRUE(decode_request(frames).has_value());
}

TEST(CodecTest, FrameCountOutsideTwoToThreeIsRefused) {
    EXPECT_EQ(request_error({}).code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(request_error({list_request()[0]}).code, ErrorCode::BAD_REQUEST);
    auto four = chunk_request();
    four.push_back(Bytes{1});
    auto error = request_error(four);
    EXPECT_EQ(error.code, ErrorCode::TOO_LARGE);  // over a limit, as the broker answers it
    EXPECT_EQ(error.message, "a message has at most 3 frames, got 4");
}

TEST(CodecTest, PayloadFrameOnlyWhereTheTypeHasOne) {
    auto extra = list_request();
    extra.push_back(Bytes{1, 2, 3});
    auto error = request_error(extra);
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message, "unexpected payload frame on a LIST message");

    auto missing = chunk_request();
    missing.pop_back();
    EXPECT_EQ(request_error(missing).message, "POST_CHUNK needs a payload frame");
    // An empty payload frame is still a frame.
    const Frames empty_payload = chunk_request(0);
    EXPECT_TRUE(decode_request(empty_payload).has_value());
}

TEST(CodecTest, EncodingAPayloadForATypeWithoutOneIsABug) {
    Bytes payload{1};
    EXPECT_THROW((void)encode(ListRequest{}, 1, std::nullopt, payload), std::logic_error);
    EXPECT_THROW((void)encode_ok(PostChunkReply{1}, 1, payload), std::logic_error);
}

TEST(CodecTest, OversizedFramesAreTooLarge) {
    const Frames largest = chunk_request(kMaxChunkBytes);
    EXPECT_TRUE(decode_request(largest).has_value());
    auto big_payload = request_error(chunk_request(kMaxChunkBytes + 1));
    EXPECT_EQ(big_payload.code, ErrorCode::TOO_LARGE);

    auto big_body = list_request();
    big_body[1].resize(kMaxFrameBytes + 1);
    EXPECT_EQ(request_error(big_body).code, ErrorCode::TOO_LARGE);
    auto big_header = list_request();
    big_header[0].resize(kMaxFrameBytes + 1);
    EXPECT_EQ(request_error(big_header).code, ErrorCode::TOO_LARGE);
}

TEST(CodecTest, TrailingGarbageIsRefused) {
    auto after_body = list_request();
    after_body[1].push_back(0xc0);
    EXPECT_EQ(request_error(after_body).code, ErrorCode::BAD_REQUEST);
    auto after_header = list_request();
    after_header[0].insert(after_header[0].end(), {'x', 'y'});
    EXPECT_EQ(request_error(after_header).code, ErrorCode::BAD_REQUEST);
}

TEST(CodecTest, BodyMustBeAMap) {
    auto array_body = list_request();
    array_body[1] = hex("920314");
    auto error = request_error(array_body);
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message, "LIST body: expected map, got array");
    auto empty_body = list_request();
    empty_body[1].clear();
    EXPECT_EQ(request_error(empty_body).code, ErrorCode::BAD_REQUEST);
}

TEST(CodecTest, RepliesAreNotRequests) {
    auto ok = encode_ok(PostChunkReply{1}, 4);
    auto error = request_error(ok);
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message, "message type 'OK' is not a request");
    EXPECT_EQ(request_error(encode_error(Error{ErrorCode::NOT_FOUND, "x"}, 1)).code,
              ErrorCode::BAD_REQUEST);
}

TEST(CodecTest, RequestsAreNotReplies) {
    auto reply = decode_reply<ListReply>(list_request());
    ASSERT_FALSE(reply.has_value());
    EXPECT_EQ(reply.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(reply.error().message, "expected an OK or ERROR reply, got 'LIST'");
}

TEST(CodecTest, ErrorReplyWithAnUnknownCodeBecomesInternalAndKeepsTheMessage) {
    auto frames = encode_error(Error{ErrorCode::NOT_FOUND, "no image named cat"}, 8);
    frames[1] = testing::with_value(frames[1], "code", testing::packed_string("OUT_OF_COFFEE"));
    auto reply = decode_reply<DownloadReply>(frames);
    ASSERT_FALSE(reply.has_value());
    EXPECT_EQ(reply.error(), (Error{ErrorCode::INTERNAL, "no image named cat"}));
}

TEST(CodecTest, MalformedErrorReplyIsBadRequest) {
    auto frames = encode_error(Error{ErrorCode::NOT_FOUND, "x"}, 8);
    frames[1] = testing::without_key(frames[1], "message");
    auto reply = decode_reply<DownloadReply>(frames);
    EXPECT_EQ(reply.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(reply.error().message, "ERROR body: missing key 'message'");
    auto with_payload = encode_error(Error{ErrorCode::NOT_FOUND, "x"}, 8);
    with_payload.push_back(Bytes{1});
    EXPECT_EQ(decode_reply<GetChunkReply>(with_payload).error().code, ErrorCode::BAD_REQUEST);
}

TEST(CodecTest, ReplyPayloadRulesFollowTheReplyType) {
    Bytes chunk(64, 0x5a);
    auto frames = encode_ok(GetChunkReply{3}, 12, chunk);
    auto decoded = decode_reply_message<GetChunkReply>(frames);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->header.id, 12u);
    EXPECT_EQ(Bytes(decoded->payload.begin(), decoded->payload.end()), chunk);
    // The same frames read as a reply type without a payload are refused.
    EXPECT_EQ(decode_reply<PostChunkReply>(frames).error().code, ErrorCode::BAD_REQUEST);
}

TEST(CodecTest, BrokerStampsUserByReencoding) {
    const Frames original = chunk_request();
    auto decoded = decode_request(original).value();
    EXPECT_FALSE(decoded.header.user.has_value());
    auto forwarded = encode_request(decoded.request, decoded.header.id, "alice", decoded.payload);
    auto received = decode_request(forwarded).value();
    EXPECT_EQ(received.header.user, "alice");
    EXPECT_EQ(received.header.id, 2u);
    EXPECT_EQ(std::get<PostChunkRequest>(received.request).upload, "up-1");
    EXPECT_EQ(received.payload.size(), 100u);

    // Or by swapping only the header frame.
    auto frames = chunk_request();
    decoded.header.user = "bob";
    frames[0] = encode_header(decoded.header);
    EXPECT_EQ(decode_request(frames).value().header.user, "bob");
}

TEST(CodecTest, EveryTruncationOfAValidMessageIsRefused) {
    const Frames valid = post_begin();
    ASSERT_TRUE(decode_request(valid).has_value());
    for (std::size_t frame = 0; frame < 2; ++frame) {
        for (std::size_t size = 0; size < valid[frame].size(); ++size) {
            Frames cut = valid;
            cut[frame].resize(size);
            auto result = decode_request(cut);
            ASSERT_FALSE(result.has_value()) << "frame " << frame << " cut to " << size;
            EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST);
        }
    }
}

TEST(CodecTest, RandomFramesAreRefusedWithoutThrowing) {
    std::mt19937_64 random(1234567);
    for (int round = 0; round < 3000; ++round) {
        Frames frames(random() % 5);
        for (auto& frame : frames)
            frame = testing::random_bytes(random, random() % 200);
        auto request = decode_request(frames);
        ASSERT_FALSE(request.has_value());
        EXPECT_TRUE(is_protocol_failure(request.error())) << describe(request.error());
        auto reply = decode_reply<ListReply>(frames);
        ASSERT_FALSE(reply.has_value());
        EXPECT_TRUE(is_protocol_failure(reply.error())) << describe(reply.error());
    }
}

TEST(CodecTest, RandomlyMutatedMessagesNeverThrow) {
    std::mt19937_64 random(42);
    const Frames valid = post_begin();
    int refused = 0;
    for (int round = 0; round < 3000; ++round) {
        Frames frames = valid;
        auto& frame = frames[random() % 2];
        for (int flips = 1 + random() % 4; flips > 0; --flips) {
            frame[random() % frame.size()] = static_cast<std::uint8_t>(random());
        }
        auto result = decode_request(frames);  // a throw fails the test
        if (!result) {
            ++refused;
            EXPECT_TRUE(is_protocol_failure(result.error())) << describe(result.error());
        }
    }
    EXPECT_GT(refused, 0);
}

// docs/PROTOCOL.md section 11 and the examples before it, byte for byte.
TEST(CodecTest, DocumentedExamplesAreExact) {
    auto list = encode(ListRequest{0, 50}, 7);
    EXPECT_EQ(to_hex(list[0]), "83a17601a474797065a44c495354a2696407");
    EXPECT_EQ(to_hex(list[1]), "82a961667465725f73657100a56c696d697432");
    auto forwarded = encode(ListRequest{0, 50}, 7, "alice");
    EXPECT_EQ(to_hex(forwarded[0]), "84a17601a474797065a44c495354a2696407a475736572a5616c696365");
    auto ok = encode_ok(ListReply{}, 7);
    EXPECT_EQ(to_hex(ok[0]), "83a17601a474797065a24f4ba2696407");
    EXPECT_EQ(to_hex(ok[1]), "83a56974656d7390a86c6173745f73657100a46d6f7265c2");
    auto error = encode_error(Error{ErrorCode::NOT_FOUND, "no image named cat.png"}, 9);
    EXPECT_EQ(to_hex(error[0]), "83a17601a474797065a54552524f52a2696409");
    EXPECT_EQ(to_hex(error[1]),
              "82a4636f6465a94e4f545f464f554e44a76d657373616765b66e6f20696d616765206e616d656420"
              "6361742e706e67");
}

}  // namespace
}  // namespace imgshare
