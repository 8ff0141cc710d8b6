// Every message of messages.h: round trip through frames with non-trivial
// values, and every key of every body enforced (missing, ill-typed, unknown).
#include <gtest/gtest.h>

#include <tuple>
#include <typeinfo>

#include "common/protocol/codec.h"
#include "common/protocol/message_types.h"
#include "common/protocol/messages.h"
#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

using testing::kPackedNil;
using testing::with_extra_key;
using testing::with_value;
using testing::without_key;

Bytes filled(std::size_t size, std::uint8_t first) {
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::uint8_t>(first + i * 7);
    return bytes;
}

const Bytes kCertificate = filled(300, 1);
const Bytes kEnvelope = filled(900, 2);
const Bytes kSignature = filled(64, 3);
const Bytes kWrappedKey = filled(80, 4);
const std::vector<Grant> kGrants{{"bob", filled(80, 5)}, {"carol", filled(80, 6)}};

auto request_samples() {
    return std::make_tuple(
        CaInfoRequest{},
        RegisterRequest{"alice", filled(32, 7), filled(32, 8), filled(32, 9), kSignature,
                        "imgshare-invite-token"},
        GetCertRequest{"bob"},
        PostBeginRequest{kCertificate, kEnvelope, kSignature, kWrappedKey, kGrants},
        PostChunkRequest{"upload-7f3a", 4'000'000'000u}, PostCommitRequest{"upload-7f3a"},
        ListRequest{1ull << 40, 250}, DownloadRequest{"holiday.jpg"},
        GetChunkRequest{"holiday.jpg", 12},
        ShareRequest{"holiday.jpg", kEnvelope, kSignature, kGrants, kCertificate},
        LookupCurveKeyRequest{filled(32, 10)}, RewrapRequest{kWrappedKey, "carol"},
        ReadyMessage{"storage", "node-2"}, HeartbeatMessage{}, DisconnectMessage{},
        RenewRequest{"alice", 1ull << 35, -1'718'000'000, kSignature},
        UserRevokedMessage{"mallory"}, UploadsRequest{},
        AbandonRequest{"0123456789abcdef0123456789abcdef"},
        DeleteRequest{"holiday.jpg", filled(170, 15)},
        UserReleasedMessage{"mallory", filled(32, 15)}, UsageRequest{},
        GetCertRequest{"bob", 1ull << 36}, LogHeadRequest{}, LogConsistencyRequest{1ull << 37},
        LogEntriesRequest{1ull << 38, 256});
}

// A certificate's place in the log, with every field set.
LogProof log_proof() {
    return LogProof{1ull << 39, filled(108, 16), {filled(32, 17), filled(32, 18)}, {filled(32, 19)}};
}

auto reply_samples() {
    return std::make_tuple(
        CaInfoReply{filled(32, 11), filled(32, 12), filled(64, 13)},
        RegisterReply{kCertificate, log_proof()},
        GetCertReply{kCertificate, filled(153, 14), log_proof()}, PostBeginReply{"upload-7f3a", 17},
        PostChunkReply{4'000'000'000u},
        PostCommitReply{
            "holiday.jpg", "alice", 1ull << 33, 5'000'000, -86'400, "e2e", {"bob", "carol"}},
        ListReply{{ImageSummary{"a.png", "alice", 1, 100, 1'718'000'000, "escrow"},
                   ImageSummary{"b.png", "bob", 2, 2'000'000, -1, "e2e"}},
                  2,
                  true},
        DownloadReply{kCertificate, kEnvelope, kSignature, kWrappedKey, "escrow"},
        GetChunkReply{12}, ShareReply{{"bob", "carol", "dave"}},
        LookupCurveKeyReply{"alice", true, -7}, RewrapReply{filled(80, 13)},
        RenewReply{kCertificate, log_proof()}, LogHeadReply{filled(108, 20)},
        LogConsistencyReply{filled(108, 21), {filled(32, 22)}},
        LogEntriesReply{{filled(40, 23), filled(1200, 24)}},
        UploadsReply{{PendingUpload{"0123456789abcdef0123456789abcdef", "big.png", "e2e",
                                    1ull << 34, 65'536, 1'000, -5, 1'718'000'600}}},
        AbandonReply{"0123456789abcdef0123456789abcdef", "big.png", 4'000'000'000u},
        DeleteReply{{"holiday.jpg", "alice", 1ull << 33, 5'000'000, -86'400, "e2e",
                     {"alice", "bob"}}},
        UsageReply{1ull << 40, 7, 2'097'152, 1, 100ull << 20});
}

template <class Tuple, class Visit>
void for_each_sample(const Tuple& samples, Visit visit) {
    std::apply([&](const auto&... sample) { (visit(sample), ...); }, samples);
}

const Bytes kPayload = filled(5000, 14);

TEST(ProtocolTest, EveryRequestRoundTripsThroughFrames) {
    for_each_sample(request_samples(), [](const auto& sample) {
        using M = std::decay_t<decltype(sample)>;
        SCOPED_TRACE(M::kType);
        ByteView payload = carries_payload<M>() ? ByteView(kPayload) : ByteView();
        auto frames = encode(sample, 99, "alice", payload);
        ASSERT_EQ(frames.size(), carries_payload<M>() ? 3u : 2u);
        auto decoded = decode_request(frames);
        ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
        EXPECT_EQ(decoded->header, (Header{kProtocolVersion, std::string(M::kType), 99, "alice"}));
        ASSERT_TRUE(std::holds_alternative<M>(decoded->request));
        EXPECT_EQ(std::get<M>(decoded->request), sample);
        EXPECT_EQ(Bytes(decoded->payload.begin(), decoded->payload.end()),
                  carries_payload<M>() ? kPayload : Bytes{});
    });
}

TEST(ProtocolTest, EveryReplyRoundTripsThroughFrames) {
    for_each_sample(reply_samples(), [](const auto& sample) {
        using R = std::decay_t<decltype(sample)>;
        SCOPED_TRACE(typeid(R).name());
        ByteView payload = carries_payload<R>() ? ByteView(kPayload) : ByteView();
        auto frames = encode_ok(sample, 5, payload);
        auto decoded = decode_reply_message<R>(frames);
        ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
        EXPECT_EQ(decoded->header, (Header{kProtocolVersion, "OK", 5, std::nullopt}));
        EXPECT_EQ(decoded->reply, sample);
        EXPECT_EQ(Bytes(decoded->payload.begin(), decoded->payload.end()),
                  carries_payload<R>() ? kPayload : Bytes{});
        EXPECT_EQ(decode_reply<R>(frames).value(), sample);
    });
}

TEST(ProtocolTest, ErrorRepliesRoundTripForEveryCode) {
    for (int i = 0; i <= static_cast<int>(kLastErrorCode); ++i) {
        Error sent{static_cast<ErrorCode>(i), "no image named \"cat\""};
        auto frames = encode_error(sent, 31);
        EXPECT_EQ(decode_header(frames[0]).value().type, "ERROR");
        auto received = decode_reply<GetCertReply>(frames);
        ASSERT_FALSE(received.has_value());
        EXPECT_EQ(received.error(), sent);
    }
}

TEST(ProtocolTest, RequestTypeTableMatchesTheMessages) {
    std::vector<std::string_view> expected{
        "CA_INFO",    "REGISTER", "GET_CERT",  "POST_BEGIN", "POST_CHUNK", "POST_COMMIT",
        "POST_IMAGE", "LIST",     "DOWNLOAD",  "GET_CHUNK",  "SHARE",      "LOOKUP_CURVE_KEY",
        "REWRAP",     "READY",    "HEARTBEAT", "DISCONNECT", "RENEW",      "USER_REVOKED",
        "UPLOADS",    "ABANDON",  "DELETE",    "USER_RELEASED", "USAGE",
        "LOG_HEAD",   "LOG_CONSISTENCY", "LOG_ENTRIES", "WITNESS_STATE", "ADD_CHECKPOINT", "LOG_PROOF"};
    auto names = request_type_names();
    EXPECT_EQ(std::vector<std::string_view>(names.begin(), names.end()), expected);
    for (auto name : expected) {
        EXPECT_TRUE(is_request_type(name));
        EXPECT_TRUE(is_known_message_type(name));
        EXPECT_EQ(request_carries_payload(name), name == "POST_CHUNK" || name == "POST_IMAGE")
            << name;
    }
    EXPECT_FALSE(is_request_type("OK"));
    EXPECT_TRUE(is_known_message_type("OK"));
    EXPECT_TRUE(is_known_message_type("ERROR"));
    EXPECT_FALSE(is_known_message_type("NEW_IMAGE"));
    EXPECT_FALSE(request_carries_payload("GET_CHUNK"));  // its reply does
    EXPECT_TRUE(carries_payload<GetChunkReply>());
}

// For one body: each key missing, each value nil, each value of another kind,
// and an unknown key added.
template <class M>
void check_every_key_is_enforced(const M& sample) {
    const Bytes body = encode_map(sample);
    std::apply(
        [&](const auto&... descriptor) {
            [[maybe_unused]] auto check = [&](const auto& f) {
                std::string key(f.key);
                SCOPED_TRACE(key);
                using Member = std::decay_t<decltype(sample.*(f.member))>;
                auto missing = decode_map<M>(without_key(body, key));
                if (f.optional || wire::is_optional<Member>::value) {
                    EXPECT_TRUE(missing.has_value());
                } else {
                    ASSERT_FALSE(missing.has_value());
                    EXPECT_EQ(missing.error().code, ErrorCode::BAD_REQUEST);
                    EXPECT_NE(missing.error().message.find("missing key '" + key + "'"),
                              std::string::npos)
                        << missing.error().message;
                }
                // Strings and error codes are str on the wire: give them an integer.
                constexpr bool is_text = std::is_same_v<Member, std::string> ||
                                         std::is_same_v<Member, std::optional<std::string>> ||
                                         std::is_same_v<Member, ErrorCode>;
                Bytes other_kind = is_text ? Bytes{0x01} : testing::packed_string("x");
                for (const Bytes& wrong : {kPackedNil, other_kind}) {
                    auto ill_typed = decode_map<M>(with_value(body, key, wrong));
                    ASSERT_FALSE(ill_typed.has_value());
                    EXPECT_EQ(ill_typed.error().code, ErrorCode::BAD_REQUEST);
                    EXPECT_NE(ill_typed.error().message.find("key '" + key + "'"),
                              std::string::npos)
                        << ill_typed.error().message;
                }
            };
            (check(descriptor), ...);
        },
        M::fields());
    auto extended =
        decode_map<M>(with_extra_key(body, "added_in_v1_1", testing::hex("81a17892c0c3")));
    ASSERT_TRUE(extended.has_value());
    EXPECT_EQ(*extended, sample);
}

TEST(ProtocolTest, EveryRequestKeyIsEnforced) {
    for_each_sample(request_samples(), [](const auto& sample) {
        SCOPED_TRACE(std::decay_t<decltype(sample)>::kType);
        check_every_key_is_enforced(sample);
    });
}

TEST(ProtocolTest, EveryReplyKeyIsEnforced) {
    for_each_sample(reply_samples(), [](const auto& sample) {
        SCOPED_TRACE(typeid(sample).name());
        check_every_key_is_enforced(sample);
    });
    check_every_key_is_enforced(ErrorReply{ErrorCode::RATE_LIMITED, "slow down", 250});
    // e2e samples: an absent optional key (escrow's recipients) has no value to break.
    const std::vector<std::string> readers{"alice", "bob"};
    // An IMAGE_DELETED: a NEW_IMAGE leaves `event` out, and is an ImageSummary's body.
    check_every_key_is_enforced(ImageEvent{
        {"a.png", "alice", 9, 10, 11, "e2e", readers, 1'800'000'000, 3},
        std::string(kImageDeletedEvent)});
    check_every_key_is_enforced(Grant{"bob", filled(80, 1)});
    // A LIST item of an image that expires and has a download limit: every key present.
    check_every_key_is_enforced(
        ImageSummary{"a.png", "alice", 9, 10, 11, "e2e", readers, 1'800'000'000, 3});
}

TEST(ProtocolTest, RateLimitedErrorCarriesItsRetryHintAndOthersDoNot) {
    auto plain = encode_error(Error{ErrorCode::NOT_FOUND, "no"}, 3);
    EXPECT_FALSE(decode_body<ErrorReply>(plain[1]).value().retry_after_ms.has_value());
    auto limited = encode(ErrorReply{ErrorCode::RATE_LIMITED, "slow down", 120}, 4);
    EXPECT_EQ(decode_body<ErrorReply>(limited[1]).value().retry_after_ms, 120u);
    // A receiver that knows nothing of the hint still reads the error.
    EXPECT_EQ(decode_reply<ListReply>(limited).error(),
              (Error{ErrorCode::RATE_LIMITED, "slow down"}));
}

TEST(ProtocolTest, ListRequestDefaultsWhenKeysAreAbsent) {
    auto decoded = decode_body<ListRequest>(testing::hex("80"));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->after_seq, 0u);
    EXPECT_EQ(decoded->limit, 100u);
}

TEST(ProtocolTest, ProtocolSizeBoundsAreEnforced) {
    PostBeginRequest post{kCertificate, kEnvelope, kSignature, kWrappedKey, kGrants};
    post.envelope = Bytes(kMaxEnvelopeBytes + 1);
    EXPECT_EQ(decode_body<PostBeginRequest>(encode_map(post)).error().code, ErrorCode::TOO_LARGE);
    post.envelope = kEnvelope;
    post.certificate = Bytes(kMaxCertificateBytes + 1);
    EXPECT_EQ(decode_body<PostBeginRequest>(encode_map(post)).error().code, ErrorCode::TOO_LARGE);
    post.certificate = kCertificate;
    post.grants = std::vector<Grant>(kMaxRecipients + 1, Grant{"x", {}});
    EXPECT_EQ(decode_body<PostBeginRequest>(encode_map(post)).error().code, ErrorCode::TOO_LARGE);
    post.grants.resize(kMaxRecipients);
    EXPECT_TRUE(decode_body<PostBeginRequest>(encode_map(post)).has_value());

    auto long_name = decode_body<DownloadRequest>(
        encode_map(DownloadRequest{std::string(kMaxImageNameBytes + 1, 'n')}));
    EXPECT_EQ(long_name.error().code, ErrorCode::TOO_LARGE);
    EXPECT_EQ(long_name.error().message,
              "DOWNLOAD body: key 'name': 129 bytes exceed the limit of 128");

    ListReply many;
    many.items.resize(kMaxListLimit + 1);
    EXPECT_EQ(decode_body<ListReply>(encode_map(many)).error().code, ErrorCode::TOO_LARGE);
}

}  // namespace
}  // namespace imgshare
