// RFC 6238 TOTP (appendix B test vectors), RFC 4648 base32, the ±1 step window.
#include "daemon/signin/totp.h"

#include <gtest/gtest.h>

namespace mamori::signin {
namespace {

std::vector<unsigned char> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(Totp, Rfc6238Sha1TestVectors) {
  const auto key = bytes("12345678901234567890");
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [t, expected] : vectors) {
    EXPECT_EQ(totp_code(key, totp_step(t), 8), expected) << "T = " << t;
  }
  // Six digits are the last six of the same value.
  EXPECT_EQ(totp_code(key, totp_step(59), 6), "287082");
  EXPECT_EQ(totp_code(key, totp_step(1111111109), 6), "081804");
}

TEST(Totp, StepsAreThirtySeconds) {
  EXPECT_EQ(totp_step(0), 0);
  EXPECT_EQ(totp_step(29), 0);
  EXPECT_EQ(totp_step(30), 1);
  EXPECT_EQ(totp_step(59), 1);
  EXPECT_EQ(totp_step(-1), -1);
}

TEST(Totp, AcceptsOneStepEitherSideAndNoMore) {
  const auto key = bytes("12345678901234567890");
  const std::int64_t t = 1111111111;  // step 37037037
  const std::int64_t step = totp_step(t);
  EXPECT_EQ(match_totp(key, totp_code(key, step), t), step);
  EXPECT_EQ(match_totp(key, totp_code(key, step - 1), t), step - 1);
  EXPECT_EQ(match_totp(key, totp_code(key, step + 1), t), step + 1);
  EXPECT_EQ(match_totp(key, totp_code(key, step - 2), t), std::nullopt);
  EXPECT_EQ(match_totp(key, totp_code(key, step + 2), t), std::nullopt);
}

TEST(Totp, RejectsMalformedCodes) {
  const auto key = bytes("12345678901234567890");
  const std::int64_t t = 59;
  EXPECT_EQ(match_totp(key, "", t), std::nullopt);
  EXPECT_EQ(match_totp(key, "28708", t), std::nullopt);
  EXPECT_EQ(match_totp(key, "2870820", t), std::nullopt);
  EXPECT_EQ(match_totp(key, "28708a", t), std::nullopt);
  EXPECT_EQ(match_totp({}, "287082", t), std::nullopt);
}

TEST(Base32, Rfc4648Vectors) {
  EXPECT_EQ(base32_encode(bytes("")), "");
  EXPECT_EQ(base32_encode(bytes("f")), "MY");
  EXPECT_EQ(base32_encode(bytes("fo")), "MZXQ");
  EXPECT_EQ(base32_encode(bytes("foo")), "MZXW6");
  EXPECT_EQ(base32_encode(bytes("foob")), "MZXW6YQ");
  EXPECT_EQ(base32_encode(bytes("fooba")), "MZXW6YTB");
  EXPECT_EQ(base32_encode(bytes("foobar")), "MZXW6YTBOI");
  EXPECT_EQ(base32_decode("MZXW6YTBOI======"), bytes("foobar"));
  EXPECT_EQ(base32_decode("mzxw 6ytb oi"), bytes("foobar"));
  EXPECT_EQ(base32_decode("MZXW1"), std::nullopt);   // 1 is not in the alphabet
  EXPECT_EQ(base32_decode("MY==MY"), std::nullopt);  // data after padding
}

TEST(Totp, SecretsAreRandomAndRoundTrip) {
  const auto a = generate_totp_secret();
  const auto b = generate_totp_secret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  EXPECT_EQ(base32_decode(base32_encode(a)), a);
}

TEST(Totp, OtpauthUriCarriesTheParametersAppsRead) {
  const auto secret = bytes("12345678901234567890");
  EXPECT_EQ(otpauth_uri("mamori", "hanako", secret),
            "otpauth://totp/mamori:hanako?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=mamori"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_NE(otpauth_uri("相馬 市", "a b", secret)
                .find("otpauth://totp/%E7%9B%B8%E9%A6%AC%20%E5%B8%82:a%20b?"),
            std::string::npos);
}

}  // namespace
}  // namespace mamori::signin
