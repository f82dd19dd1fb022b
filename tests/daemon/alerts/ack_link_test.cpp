// Signed acknowledge-link tokens: what is signed verifies, and anything altered, forged with
// another secret, truncated or expired does not.
#include "daemon/alerts/ack_link.h"

#include <gtest/gtest.h>

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";
const std::chrono::sys_seconds kNow{std::chrono::seconds(1'743'444'000)};  // 2025-04-01 03:00 JST

AckLinkSigner signer(const std::string& secret = kSecret) {
  return AckLinkSigner(config::Secret(secret), "https://mamori.city.example.jp/", 24h);
}

std::string token_of(const std::string& url) {
  const std::string prefix = "https://mamori.city.example.jp/ack/";
  EXPECT_EQ(url.rfind(prefix, 0), 0u) << url;
  return url.substr(prefix.size());
}

TEST(AckLink, SignedTokenVerifiesWithItsClaims) {
  const auto s = signer();
  const std::string url = s.url(42, 2, "佐藤 花子", "kouhou-mail", kNow);
  const auto v = s.verify(token_of(url), kNow + 1h);
  ASSERT_TRUE(std::holds_alternative<AckClaims>(v));
  const auto& c = std::get<AckClaims>(v);
  EXPECT_EQ(c.incident_id, 42);
  EXPECT_EQ(c.level, 2);
  EXPECT_EQ(c.person, "佐藤 花子");
  EXPECT_EQ(c.channel, "kouhou-mail");
  EXPECT_EQ(c.expires, kNow + 24h);
  EXPECT_EQ(c.cycle, 0);
  const auto reopened = s.verify(token_of(s.url(42, 1, "佐藤 花子", "mail", kNow, 3)), kNow);
  ASSERT_TRUE(std::holds_alternative<AckClaims>(reopened));
  EXPECT_EQ(std::get<AckClaims>(reopened).cycle, 3);  // signed: the route compares it
}

TEST(AckLink, TokenIsUrlSafe) {
  const std::string token = token_of(signer().url(7, 1, "山田 太郎 <&>?#/", "slack", kNow));
  for (char ch : token) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
    EXPECT_TRUE(ok) << "character '" << ch << "' in " << token;
  }
}

TEST(AckLink, ExpiredTokenIsRejected) {
  const auto s = signer();
  const std::string token = token_of(s.url(42, 1, "佐藤 花子", "mail", kNow));
  EXPECT_TRUE(std::holds_alternative<AckClaims>(s.verify(token, kNow + 24h - 1s)));
  const auto v = s.verify(token, kNow + 24h);
  ASSERT_TRUE(std::holds_alternative<AckTokenError>(v));
  EXPECT_EQ(std::get<AckTokenError>(v), AckTokenError::expired);
}

TEST(AckLink, TokenSignedWithAnotherSecretIsForged) {
  const std::string token =
      token_of(signer("another-secret-another-secret-another").url(42, 1, "佐藤", "mail", kNow));
  const auto v = signer().verify(token, kNow);
  ASSERT_TRUE(std::holds_alternative<AckTokenError>(v));
  EXPECT_EQ(std::get<AckTokenError>(v), AckTokenError::bad_signature);
}

TEST(AckLink, AlteredClaimsAreRejected) {
  const auto s = signer();
  const std::string token = token_of(s.url(42, 1, "佐藤 花子", "mail", kNow));
  // Re-sign nothing, but swap in the claims of another incident (a valid base64url part).
  const std::string other = token_of(s.url(43, 1, "佐藤 花子", "mail", kNow));
  const auto dot1 = token.find('.');
  const auto dot2 = token.rfind('.');
  const std::string spliced = token.substr(0, dot1 + 1) +
                              other.substr(dot1 + 1, other.rfind('.') - dot1 - 1) +
                              token.substr(dot2);
  const auto v = s.verify(spliced, kNow);
  ASSERT_TRUE(std::holds_alternative<AckTokenError>(v));
  EXPECT_EQ(std::get<AckTokenError>(v), AckTokenError::bad_signature);

  // Every single-character change anywhere in the token is caught.
  int accepted = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    if (std::holds_alternative<AckClaims>(s.verify(t, kNow))) ++accepted;
  }
  EXPECT_EQ(accepted, 0);
}

TEST(AckLink, MalformedTokensAreRejectedWithoutCrashing) {
  const auto s = signer();
  const std::string good = token_of(s.url(42, 1, "佐藤", "mail", kNow));
  for (const std::string& bad :
       {std::string(), std::string("v1"), std::string("v1."), std::string(".."),
        std::string("v2") + good.substr(2), good.substr(0, good.size() / 2), good + ".x",
        std::string("v1.%%%.%%%"), std::string(5000, 'A'),
        std::string("v1.e30.") + good.substr(good.rfind('.') + 1)}) {
    const auto v = s.verify(bad, kNow);
    ASSERT_TRUE(std::holds_alternative<AckTokenError>(v)) << bad;
    EXPECT_NE(std::get<AckTokenError>(v), AckTokenError::expired) << bad;
  }
}

TEST(AckLink, SignedButIncompleteClaimsAreMalformed) {
  // Well signed (our secret) but missing fields: never trusted as claims.
  const auto s = signer();
  AckClaims c;
  c.incident_id = 0;  // not a valid id
  c.level = 1;
  c.expires = kNow + 1h;
  const auto v = s.verify(s.token(c), kNow);
  ASSERT_TRUE(std::holds_alternative<AckTokenError>(v));
  EXPECT_EQ(std::get<AckTokenError>(v), AckTokenError::malformed);
}

TEST(AckLink, TokenIdIsStableAndDoesNotContainTheToken) {
  const std::string token = token_of(signer().url(42, 1, "佐藤", "mail", kNow));
  const std::string id = AckLinkSigner::token_id(token);
  EXPECT_EQ(id.size(), 64u);
  EXPECT_EQ(id, AckLinkSigner::token_id(token));
  EXPECT_NE(id, AckLinkSigner::token_id(token_of(signer().url(42, 2, "佐藤", "mail", kNow))));
  EXPECT_EQ(id.find(token.substr(3, 10)), std::string::npos);
}

TEST(AckLink, ErrorsAreDescribedInJapanese) {
  for (auto e : {AckTokenError::malformed, AckTokenError::bad_signature, AckTokenError::expired}) {
    EXPECT_NE(describe(e).find("リンク"), std::string_view::npos);
  }
}

}  // namespace
}  // namespace mamori::alerts
