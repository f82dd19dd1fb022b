#include "daemon/webhooks/meta_signature.h"

#include <gtest/gtest.h>

#include <string>

namespace mamori::webhooks {
namespace {

// HMAC-SHA256("secret", "test"), as any HMAC implementation computes it.
constexpr std::string_view kKnown =
    "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";

TEST(MetaSignature, MatchesTheHmacOfTheRawBody) {
  EXPECT_EQ(signature_header("secret", "test"), kKnown);
  EXPECT_TRUE(signature_matches("secret", "test", kKnown));
  // Meta's app secrets are 32 hex characters, but any length works (RFC 2104 key handling).
  const std::string long_key(100, 'k');
  EXPECT_EQ(signature_header(long_key, R"({"object":"instagram"})"),
            "sha256=989c593cd2a8a7e04b63075541e14537375f064521e907f207d28447f03a27af");
}

TEST(MetaSignature, UpperCaseHexIsTheSameSignature) {
  std::string upper(kKnown);
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  EXPECT_TRUE(signature_matches("secret", "test", upper));
}

TEST(MetaSignature, AnythingElseIsRefused) {
  EXPECT_FALSE(signature_matches("secret", "test ", kKnown));  // one byte more in the body
  EXPECT_FALSE(signature_matches("Secret", "test", kKnown));   // another secret
  EXPECT_FALSE(signature_matches("", "test", signature_header("", "test")));  // no secret
  std::string flipped(kKnown);
  flipped.back() = flipped.back() == '4' ? '5' : '4';
  EXPECT_FALSE(signature_matches("secret", "test", flipped));
  EXPECT_FALSE(signature_matches("secret", "test", kKnown.substr(0, kKnown.size() - 2)));
  EXPECT_FALSE(signature_matches("secret", "test", std::string(kKnown) + "00"));
  std::string sha1(kKnown);
  sha1.replace(0, 7, "sha1=XX");
  EXPECT_FALSE(signature_matches("secret", "test", sha1));
  std::string not_hex(kKnown);
  not_hex[10] = 'g';
  EXPECT_FALSE(signature_matches("secret", "test", not_hex));
  EXPECT_FALSE(signature_matches("secret", "test", ""));
}

TEST(MetaSignature, VerifyTokenMustBeExactlyTheConfiguredOne) {
  const std::string token = "verify-0123456789abcdef";
  EXPECT_TRUE(verify_token_matches(token, token));
  EXPECT_FALSE(verify_token_matches(token, token + "x"));
  EXPECT_FALSE(verify_token_matches(token, token.substr(0, token.size() - 1)));
  EXPECT_FALSE(verify_token_matches(token, ""));
  EXPECT_FALSE(verify_token_matches("", ""));  // an unset token verifies nothing
}

}  // namespace
}  // namespace mamori::webhooks
