#include "common/endpoint.h"

#include <gtest/gtest.h>

namespace imgshare {
namespace {

Endpoint parsed(std::string_view text) {
    auto endpoint = parse_endpoint(text);
    EXPECT_TRUE(endpoint.has_value()) << text << ": " << endpoint.error().message;
    return endpoint.value_or(Endpoint{});
}

Error refused(std::string_view text) {
    auto endpoint = parse_endpoint(text);
    EXPECT_FALSE(endpoint.has_value()) << text;
    return endpoint.has_value() ? Error{ErrorCode::INTERNAL, "accepted"} : endpoint.error();
}

TEST(EndpointTest, AcceptsIpv4LocalhostHostNamesAndBracketedIpv6) {
    EXPECT_EQ(parsed("tcp://127.0.0.1:7400"), (Endpoint{"127.0.0.1", 7400}));
    EXPECT_EQ(parsed("tcp://localhost:1"), (Endpoint{"localhost", 1}));
    EXPECT_EQ(parsed("tcp://broker-1.example.org:65535"),
              (Endpoint{"broker-1.example.org", 65535}));
    EXPECT_EQ(parsed("tcp://[::1]:7400"), (Endpoint{"::1", 7400}));
    EXPECT_EQ(parsed("tcp://[2001:db8::7]:80"), (Endpoint{"2001:db8::7", 80}));
}

TEST(EndpointTest, ToStringRoundTrips) {
    for (const char* text : {"tcp://127.0.0.1:7400", "tcp://[::1]:7401", "tcp://localhost:9"}) {
        EXPECT_EQ(parsed(text).to_string(), text);
    }
}

TEST(EndpointTest, ShapeErrorsSayWhatAnEndpointLooksLike) {
    for (const char* text : {"",
                             "127.0.0.1:7400",
                             "ipc:///tmp/x",
                             "tcp://",
                             "tcp://host",
                             "tcp://:7400",
                             "tcp://host:",
                             "tcp://ho st:1",
                             "tcp://host:12ab",
                             "tcp://host:-1",
                             "tcp://host:+1",
                             "tcp://::1:7400",
                             "tcp://[::1:7400",
                             "tcp://[::1]7400",
                             "tcp://[nope]:1",
                             "tcp://-bad.example:1",
                             "tcp://bad-.example:1",
                             "tcp://a..b:1",
                             "tcp://trailing.:1",
                             "tcp://300.1.1.1:7400",
                             "tcp://1.2.3:7400",
                             "tcp://host:1 "}) {
        Error error = refused(text);
        EXPECT_EQ(error.code, ErrorCode::CONFIG) << text;
        EXPECT_NE(error.message.find("must look like tcp://host:port"), std::string::npos)
            << text << ": " << error.message;
    }
}

TEST(EndpointTest, MessageQuotesTheEndpoint) {
    EXPECT_EQ(refused("udp://x:1").message,
              "endpoint 'udp://x:1' must look like tcp://host:port (only tcp:// is supported)");
}

TEST(EndpointTest, PortZeroIsNotAllowed) {
    Error error = refused("tcp://127.0.0.1:0");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_NE(error.message.find("port 0 is not allowed"), std::string::npos) << error.message;
}

TEST(EndpointTest, PortAboveRangeIsRefused) {
    Error error = refused("tcp://127.0.0.1:70000");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_NE(error.message.find("port 70000 out of range"), std::string::npos) << error.message;
    EXPECT_EQ(refused("tcp://h:65536").code, ErrorCode::CONFIG);
    EXPECT_EQ(refused("tcp://h:99999999999999999999999").code, ErrorCode::CONFIG);
}

TEST(EndpointTest, WildcardHostOnlyForBinding) {
    Error error = refused("tcp://*:7400");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    auto bind = parse_bind_endpoint("tcp://*:7400");
    ASSERT_TRUE(bind.has_value()) << bind.error().message;
    EXPECT_EQ(*bind, (Endpoint{"*", 7400}));
    EXPECT_EQ(bind->to_string(), "tcp://*:7400");
}

TEST(EndpointTest, BindEndpointAcceptsConcreteAddressesAndRefusesTheSameErrors) {
    EXPECT_TRUE(parse_bind_endpoint("tcp://127.0.0.1:7402").has_value());
    EXPECT_TRUE(parse_bind_endpoint("tcp://[::]:7402").has_value());
    EXPECT_EQ(parse_bind_endpoint("tcp://*:0").error().code, ErrorCode::CONFIG);
    EXPECT_EQ(parse_bind_endpoint("tcp://**:1").error().code, ErrorCode::CONFIG);
}

TEST(EndpointTest, HostileTextIsBoundedAndPrintableInTheMessage) {
    std::string text = "tcp://" + std::string(5000, 'a') + "\n\x01:1";
    Error error = refused(text);
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_LT(error.message.size(), 300u);
    for (char c : error.message)
        EXPECT_GE(static_cast<unsigned char>(c), 0x20);
}

TEST(EndpointTest, OverlongHostNameIsRefused) {
    std::string label(64, 'a');
    EXPECT_EQ(refused("tcp://" + label + ".example:1").code, ErrorCode::CONFIG);
    std::string name;
    for (int i = 0; i < 50; ++i)
        name += "abcd.";
    name += "orgx";  // 254 characters, one over the limit
    EXPECT_EQ(refused("tcp://" + name + ":1").code, ErrorCode::CONFIG);
}

TEST(EndpointTest, WithPortKeepsTheHost) {
    Endpoint router = parsed("tcp://[::1]:7400");
    EXPECT_EQ(with_port(router, 7401), (Endpoint{"::1", 7401}));
    EXPECT_EQ(with_port(router, 7401).to_string(), "tcp://[::1]:7401");
}

}  // namespace
}  // namespace imgshare
