// Who may use the gallery's page: only the browser of the user who started it.
//
// Promises (docs/SECURITY.md, "The gallery"):
//   - the run's token is 128 random bits, compared in constant time;
//   - the token is accepted once from the URL the command printed (`/?token=T`) and then only
//     from the cookie that exchange set (HttpOnly, SameSite=Strict);
//   - a Host other than `127.0.0.1:PORT` or `localhost:PORT` is refused (DNS rebinding);
//   - a request that changes state needs the cookie and an Origin of this very page (a
//     cross-site form or fetch is refused, even if the browser attached the cookie).
// Every refusal is FORBIDDEN with a reason that never contains the token.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace imgshare::gallery {

// The cookie the token is exchanged for.
inline constexpr std::string_view kSessionCookie = "imgshare_gallery";

// What the guard looks at, taken from one HTTP request (empty when absent).
struct RequestFacts {
    std::string method;
    std::string host;           // the Host header
    std::string origin;         // the Origin header
    std::string cookie;         // the Cookie header, as sent
    std::string url_token;      // the `token` query parameter
    std::string fetch_site;     // Sec-Fetch-Site, which browsers set and pages cannot
};

class AccessGuard {
  public:
    // A new random token for a server listening on 127.0.0.1:`port`.
    explicit AccessGuard(int port);

    // The token the printed URL carries: a secret, never for a log.
    [[nodiscard]] const std::string& token() const { return token_; }
    [[nodiscard]] int port() const { return port_; }

    // The Host check alone (DNS rebinding): `127.0.0.1:PORT` or `localhost:PORT`.
    [[nodiscard]] Result<void> check_host(std::string_view host) const;

    // Whether `facts` carries the right token in the URL (the first visit).
    [[nodiscard]] bool offers_url_token(const RequestFacts& facts) const;

    // Every check for one request: Host, then the cookie, then, for any method but GET and
    // HEAD, the same-origin check. FORBIDDEN with the reason otherwise.
    [[nodiscard]] Result<void> admit(const RequestFacts& facts) const;

    // The Set-Cookie value that the token exchange answers with.
    [[nodiscard]] std::string session_cookie() const;

  private:
    [[nodiscard]] bool matches_token(std::string_view candidate) const;
    [[nodiscard]] std::optional<std::string> cookie_value(std::string_view header) const;

    int port_;
    std::string token_;
};

}  // namespace imgshare::gallery
