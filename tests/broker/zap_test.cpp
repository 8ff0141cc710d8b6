#include "broker/zap.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare::broker {
namespace {

net::ZmqFrames frames_of(std::initializer_list<std::string> parts) {
    net::ZmqFrames frames;
    for (const auto& part : parts)
        frames.emplace_back(part.data(), part.size());
    return frames;
}

TEST(ZapTest, ParsesACurveRequestAndBuildsItsReply) {
    std::string key(32, 'k');
    auto request = parse_zap_request(
        frames_of({"rid", "", "1.0", "7", "clients", "127.0.0.1", "", "CURVE", key}));
    ASSERT_TRUE(request.has_value()) << request.error().message;
    EXPECT_EQ(request->domain, "clients");
    EXPECT_EQ(request->request_id, "7");
    EXPECT_EQ(request->address, "127.0.0.1");
    EXPECT_EQ(request->client_key, Bytes(32, 'k'));
    auto reply = zap_reply(*request, "200", "OK", "alice");
    ASSERT_EQ(reply.size(), 8u);
    EXPECT_EQ(net::string_of(reply[0]), "rid");
    EXPECT_EQ(net::string_of(reply[3]), "7");
    EXPECT_EQ(net::string_of(reply[4]), "200");
    EXPECT_EQ(net::string_of(reply[6]), "alice");
}

TEST(ZapTest, AnAdmissionCarriesTheClientKeyAsMetadata) {
    std::string key(32, 'k');
    auto request = parse_zap_request(
        frames_of({"rid", "", "1.0", "7", "clients", "127.0.0.1", "", "CURVE", key}));
    ASSERT_TRUE(request.has_value()) << request.error().message;
    auto reply = zap_admission(*request, "alice");
    ASSERT_EQ(reply.size(), 8u);
    EXPECT_EQ(net::string_of(reply[6]), "alice");
    // ZMTP metadata: name length, name, 4-byte big-endian value length, value.
    const std::string z85 = z85_encode(Bytes(32, 'k'));
    EXPECT_EQ(net::string_of(reply[7]), std::string("\x0a") + "Client-Key" +
                                            std::string("\0\0\0", 3) + "\x28" + z85);
    EXPECT_EQ(net::string_of(zap_refusal(*request, "no")[7]), "");
}

TEST(ZapTest, RefusesMalformedRequests) {
    std::string key(32, 'k');
    EXPECT_FALSE(parse_zap_request(frames_of({"rid", "", "1.0"})).has_value());
    EXPECT_FALSE(
        parse_zap_request(frames_of({"rid", "", "2.0", "7", "clients", "a", "", "CURVE", key}))
            .has_value());
    EXPECT_FALSE(
        parse_zap_request(frames_of({"rid", "", "1.0", "7", "clients", "a", "", "PLAIN", "u", "p"}))
            .has_value());
    EXPECT_FALSE(
        parse_zap_request(frames_of({"rid", "", "1.0", "7", "clients", "a", "", "CURVE", "short"}))
            .has_value());
}

}  // namespace
}  // namespace imgshare::broker
