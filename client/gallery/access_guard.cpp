#include "client/gallery/access_guard.h"

#include <sodium.h>

#include <array>

#include <fmt/format.h>

#include "common/bytes.h"
#include "common/crypto/sodium_init.h"

namespace imgshare::gallery {
namespace {

constexpr std::size_t kTokenBytes = 16;  // 128 bits, as issue #20 asks

bool is_safe_method(std::string_view method) {
    return method == "GET" || method == "HEAD";
}

// Trims the spaces around one `name=value` pair of a Cookie header.
std::string_view trim_spaces(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

}  // namespace

AccessGuard::AccessGuard(int port) : port_(port) {
    ensure_sodium();
    std::array<unsigned char, kTokenBytes> random{};
    randombytes_buf(random.data(), random.size());
    token_ = to_hex(ByteView(random.data(), random.size()));
    sodium_memzero(random.data(), random.size());
}

Result<void> AccessGuard::check_host(std::string_view host) const {
    if (host == fmt::format("127.0.0.1:{}", port_) || host == fmt::format("localhost:{}", port_))
        return {};
    return fail(ErrorCode::FORBIDDEN,
                "the Host header is not this gallery's (127.0.0.1 or localhost with its port)");
}

bool AccessGuard::matches_token(std::string_view candidate) const {
    // Constant time, so that the time of a refusal tells nothing about the token.
    return candidate.size() == token_.size() &&
           sodium_memcmp(candidate.data(), token_.data(), token_.size()) == 0;
}

std::optional<std::string> AccessGuard::cookie_value(std::string_view header) const {
    const std::string prefix = std::string(kSessionCookie) + "=";
    while (!header.empty()) {
        auto end = header.find(';');
        auto pair = trim_spaces(header.substr(0, end));
        if (pair.starts_with(prefix)) return std::string(pair.substr(prefix.size()));
        if (end == std::string_view::npos) break;
        header.remove_prefix(end + 1);
    }
    return std::nullopt;
}

bool AccessGuard::offers_url_token(const RequestFacts& facts) const {
    return check_host(facts.host).has_value() && is_safe_method(facts.method) &&
           matches_token(facts.url_token);
}

Result<void> AccessGuard::admit(const RequestFacts& facts) const {
    if (auto ok = check_host(facts.host); !ok) return ok;
    auto cookie = cookie_value(facts.cookie);
    if (!cookie || !matches_token(*cookie)) {
        return fail(ErrorCode::FORBIDDEN,
                    "no valid gallery cookie: open the URL that `imgshare gallery` printed");
    }
    if (is_safe_method(facts.method)) return {};
    // SameSite=Strict already keeps the cookie from cross-site requests; the Origin check
    // holds even for a browser that sends it anyway (a same-site page on another port).
    if (facts.origin != fmt::format("http://127.0.0.1:{}", port_) &&
        facts.origin != fmt::format("http://localhost:{}", port_)) {
        return fail(ErrorCode::FORBIDDEN, "a request that changes something must come from "
                                          "this gallery's own page (Origin)");
    }
    if (!facts.fetch_site.empty() && facts.fetch_site != "same-origin") {
        return fail(ErrorCode::FORBIDDEN, "a request that changes something must come from "
                                          "this gallery's own page (Sec-Fetch-Site)");
    }
    return {};
}

std::string AccessGuard::session_cookie() const {
    return fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/", kSessionCookie, token_);
}

}  // namespace imgshare::gallery
