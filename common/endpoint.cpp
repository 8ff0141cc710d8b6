#include "common/endpoint.h"

#include <arpa/inet.h>

#include <charconv>

#include <fmt/format.h>

namespace imgshare {
namespace {

constexpr std::string_view kScheme = "tcp://";
constexpr std::size_t kMaxHostNameLength = 253;
constexpr std::size_t kMaxLabelLength = 63;
constexpr std::size_t kMaxQuotedLength = 80;

// The endpoint text as it may appear in a message: bounded, printable.
std::string quoted(std::string_view text) {
    std::string shown;
    for (char c : text.substr(0, kMaxQuotedLength)) {
        auto byte = static_cast<unsigned char>(c);
        shown += (byte < 0x20 || byte >= 0x7f) ? '?' : c;
    }
    if (text.size() > kMaxQuotedLength) shown += "...";
    return "'" + shown + "'";
}

std::unexpected<Error> malformed(std::string_view text, std::string_view why) {
    return fail(ErrorCode::CONFIG,
                fmt::format("endpoint {} must look like tcp://host:port ({})", quoted(text), why));
}

bool is_ipv4_address(const std::string& host) {
    in_addr address{};
    return ::inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool is_ipv6_address(const std::string& host) {
    in6_addr address{};
    return ::inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

bool is_alphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 1123 host names: dot-separated labels of letters, digits and inner
// hyphens. A name made only of digits and dots is a (bad) IPv4 address, not
// a host name: "300.1.1.1" must be refused, not resolved.
bool is_host_name(std::string_view host) {
    if (host.empty() || host.size() > kMaxHostNameLength) return false;
    bool only_digits_and_dots = true;
    std::size_t label_length = 0;
    char previous = '.';
    for (char c : host) {
        if (c == '.') {
            if (label_length == 0 || previous == '-') return false;
            label_length = 0;
        } else if (is_alphanumeric(c) || c == '-') {
            if (c == '-' && label_length == 0) return false;
            if (++label_length > kMaxLabelLength) return false;
            if (!(c >= '0' && c <= '9')) only_digits_and_dots = false;
        } else {
            return false;
        }
        previous = c;
    }
    return label_length > 0 && previous != '-' && !only_digits_and_dots;
}

Result<std::uint16_t> parse_port(std::string_view text, std::string_view port_text) {
    if (port_text.empty()) return malformed(text, "the port is missing");
    for (char c : port_text) {
        if (c < '0' || c > '9') return malformed(text, "the port must be a decimal number");
    }
    std::uint32_t port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc{} || port > 65535) {
        std::string_view shown = port_text.substr(0, 12);
        return fail(ErrorCode::CONFIG,
                    fmt::format("endpoint {}: port {}{} out of range (1-65535)", quoted(text),
                                shown, shown.size() < port_text.size() ? "..." : ""));
    }
    if (port == 0) {
        return fail(ErrorCode::CONFIG,
                    fmt::format("endpoint {}: port 0 is not allowed", quoted(text)));
    }
    return static_cast<std::uint16_t>(port);
}

Result<Endpoint> parse(std::string_view text, bool allow_any_host) {
    if (!text.starts_with(kScheme)) return malformed(text, "only tcp:// is supported");
    std::string_view rest = text.substr(kScheme.size());

    std::string host;
    std::string_view port_text;
    if (rest.starts_with('[')) {
        auto close = rest.find(']');
        if (close == std::string_view::npos) return malformed(text, "unclosed '['");
        host = std::string(rest.substr(1, close - 1));
        if (!is_ipv6_address(host)) return malformed(text, "bad IPv6 address in brackets");
        rest.remove_prefix(close + 1);
        if (!rest.starts_with(':')) return malformed(text, "the port is missing");
        port_text = rest.substr(1);
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) return malformed(text, "the port is missing");
        host = std::string(rest.substr(0, colon));
        port_text = rest.substr(colon + 1);
        if (host.empty()) return malformed(text, "the host is missing");
        if (host.find(':') != std::string::npos) {
            return malformed(text, "an IPv6 host must be written in brackets");
        }
        bool any_host = allow_any_host && host == "*";
        if (!any_host && !is_ipv4_address(host) && !is_host_name(host)) {
            return malformed(text, host == "*" ? "'*' is only allowed when binding"
                                               : "bad host name or IPv4 address");
        }
    }
    auto port = parse_port(text, port_text);
    if (!port) return std::unexpected(port.error());
    return Endpoint{std::move(host), *port};
}

}  // namespace

std::string Endpoint::to_string() const {
    if (host.find(':') != std::string::npos) return fmt::format("tcp://[{}]:{}", host, port);
    return fmt::format("tcp://{}:{}", host, port);
}

Result<Endpoint> parse_endpoint(std::string_view text) {
    return parse(text, false);
}

Result<Endpoint> parse_bind_endpoint(std::string_view text) {
    return parse(text, true);
}

Endpoint with_port(const Endpoint& endpoint, std::uint16_t port) {
    return Endpoint{endpoint.host, port};
}

}  // namespace imgshare
