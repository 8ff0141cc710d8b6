// client/gallery/access_guard: each refusal, and the one way in.
#include "client/gallery/access_guard.h"

#include <gtest/gtest.h>

namespace imgshare::gallery {
namespace {

RequestFacts with_cookie(const AccessGuard& guard, std::string method) {
    return RequestFacts{.method = std::move(method),
                        .host = "127.0.0.1:8123",
                        .origin = "",
                        .cookie = "other=1; imgshare_gallery=" + guard.token(),
                        .url_token = "",
                        .fetch_site = ""};
}

TEST(AccessGuardTest, TheTokenIs128RandomBitsNewForEachRun) {
    AccessGuard first(8123), second(8123);
    EXPECT_EQ(first.token().size(), 32u);
    EXPECT_NE(first.token(), second.token());
}

TEST(AccessGuardTest, TheCookieOfThisRunAdmitsAGet) {
    AccessGuard guard(8123);
    EXPECT_TRUE(guard.admit(with_cookie(guard, "GET")).has_value());
    auto localhost = with_cookie(guard, "GET");
    localhost.host = "localhost:8123";
    EXPECT_TRUE(guard.admit(localhost).has_value());
}

TEST(AccessGuardTest, NoCookieOrAnotherRunsCookieIsForbidden) {
    AccessGuard guard(8123), other(8123);
    auto none = with_cookie(guard, "GET");
    none.cookie = "";
    auto refused = guard.admit(none);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::FORBIDDEN);
    EXPECT_EQ(refused.error().message.find(guard.token()), std::string::npos);
    EXPECT_FALSE(guard.admit(with_cookie(other, "GET")).has_value());
    auto prefix = with_cookie(guard, "GET");
    prefix.cookie = "imgshare_gallery=" + guard.token().substr(0, 31);
    EXPECT_FALSE(guard.admit(prefix).has_value());
}

TEST(AccessGuardTest, AForeignHostIsForbiddenEvenWithTheCookie) {
    AccessGuard guard(8123);
    for (std::string host : {"evil.example:8123", "127.0.0.1:8124", "127.0.0.1", "",
                             "localhost.evil.example:8123", "[::1]:8123"}) {
        auto facts = with_cookie(guard, "GET");
        facts.host = host;
        auto refused = guard.admit(facts);
        ASSERT_FALSE(refused.has_value()) << host;
        EXPECT_EQ(refused.error().code, ErrorCode::FORBIDDEN) << host;
    }
}

TEST(AccessGuardTest, AChangeNeedsThisPagesOrigin) {
    AccessGuard guard(8123);
    auto same = with_cookie(guard, "POST");
    same.origin = "http://127.0.0.1:8123";
    same.fetch_site = "same-origin";
    EXPECT_TRUE(guard.admit(same).has_value());
    for (std::string origin : {"", "null", "http://evil.example", "http://127.0.0.1:8124",
                               "https://127.0.0.1:8123"}) {
        auto facts = same;
        facts.origin = origin;
        auto refused = guard.admit(facts);
        ASSERT_FALSE(refused.has_value()) << origin;
        EXPECT_EQ(refused.error().code, ErrorCode::FORBIDDEN) << origin;
    }
    auto cross_site = same;
    cross_site.fetch_site = "same-site";
    EXPECT_FALSE(guard.admit(cross_site).has_value());
}

TEST(AccessGuardTest, TheUrlTokenIsAcceptedOnlyAsItselfOnAGetToThisHost) {
    AccessGuard guard(8123);
    RequestFacts visit{.method = "GET",
                       .host = "127.0.0.1:8123",
                       .origin = "",
                       .cookie = "",
                       .url_token = guard.token(),
                       .fetch_site = ""};
    EXPECT_TRUE(guard.offers_url_token(visit));
    auto wrong = visit;
    wrong.url_token[0] = wrong.url_token[0] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(guard.offers_url_token(wrong));
    auto rebound = visit;
    rebound.host = "evil.example:8123";
    EXPECT_FALSE(guard.offers_url_token(rebound));
    auto post = visit;
    post.method = "POST";
    EXPECT_FALSE(guard.offers_url_token(post));
}

TEST(AccessGuardTest, TheCookieIsHttpOnlyAndSameSiteStrict) {
    AccessGuard guard(8123);
    auto cookie = guard.session_cookie();
    EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
}

}  // namespace
}  // namespace imgshare::gallery
