// ZeroMQ TCP endpoints as they appear in flags, configuration and the trust
// file: "tcp://host:port".
//
// A parsed Endpoint always holds a usable address: a host that is an IPv4
// address, an IPv6 address (written in brackets, stored without them), or a
// DNS host name (`localhost` included), and a port in 1..65535. Bind
// endpoints may also use `*` (every interface) as host. Only the TCP
// transport is accepted: every imgshare socket faces the network and uses
// CURVE. Errors are CONFIG with a message that names the offending text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace imgshare {

struct Endpoint {
    std::string host;  // "127.0.0.1", "::1" (no brackets), "broker.example", "*" (bind only)
    std::uint16_t port = 0;

    // "tcp://host:port", with brackets around an IPv6 host; parses back to *this.
    [[nodiscard]] std::string to_string() const;

    bool operator==(const Endpoint&) const = default;
};

// An endpoint to connect to.
[[nodiscard]] Result<Endpoint> parse_endpoint(std::string_view text);

// An endpoint to bind to: as parse_endpoint, and `*` is allowed as host.
[[nodiscard]] Result<Endpoint> parse_bind_endpoint(std::string_view text);

// The same host on another port (e.g. the broker's XPUB port next to its ROUTER port).
[[nodiscard]] Endpoint with_port(const Endpoint& endpoint, std::uint16_t port);

}  // namespace imgshare
