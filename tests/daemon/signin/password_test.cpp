// special-ward.txt 5(2) password policy and argon2id hashing.
#include "daemon/signin/password.h"

#include <gtest/gtest.h>

namespace mamori::signin {
namespace {

TEST(PasswordPolicy, AcceptsTenCharactersWithAllFourClasses) {
  EXPECT_EQ(password_policy_violation("Kawa#Sakura9", "hanako"), std::nullopt);
  EXPECT_EQ(password_policy_violation("Tq7-vbn.Zk", ""), std::nullopt);  // exactly 10
}

TEST(PasswordPolicy, RejectsShortPasswordsNamingTheLength) {
  const auto v = password_policy_violation("Ab3#xyz", "hanako");
  ASSERT_TRUE(v.has_value());
  EXPECT_NE(v->find("10 文字以上"), std::string::npos) << *v;
  EXPECT_NE(v->find("現在 7 文字"), std::string::npos) << *v;
}

TEST(PasswordPolicy, NamesEachMissingCharacterClass) {
  const auto no_upper = password_policy_violation("kawa#sakura9", "");
  ASSERT_TRUE(no_upper);
  EXPECT_NE(no_upper->find("不足: 英大文字"), std::string::npos) << *no_upper;
  const auto no_lower = password_policy_violation("KAWA#SAKURA9", "");
  ASSERT_TRUE(no_lower);
  EXPECT_NE(no_lower->find("英小文字"), std::string::npos);
  const auto no_digit = password_policy_violation("Kawa#Sakurax", "");
  ASSERT_TRUE(no_digit);
  EXPECT_NE(no_digit->find("数字"), std::string::npos);
  const auto no_symbol = password_policy_violation("KawaSakura9x", "");
  ASSERT_TRUE(no_symbol);
  EXPECT_NE(no_symbol->find("記号"), std::string::npos);
  const auto only_lower = password_policy_violation("kawasakurax", "");
  ASSERT_TRUE(only_lower);
  EXPECT_NE(only_lower->find("英大文字・数字・記号"), std::string::npos) << *only_lower;
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
  // 9 characters (19 bytes of UTF-8) is still too short; 10 are enough.
  const auto v = password_policy_violation("Aa1#さくらさく", "");
  ASSERT_TRUE(v.has_value());
  EXPECT_NE(v->find("現在 9 文字"), std::string::npos) << *v;
  EXPECT_EQ(password_policy_violation("Aa1#さくらさくら", ""), std::nullopt);
}

TEST(PasswordPolicy, RejectsEasilyGuessedCombinations) {
  EXPECT_TRUE(password_policy_violation("P@ssw0rd2025!", "").has_value());
  EXPECT_TRUE(password_policy_violation("Qwerty#2025x", "").has_value());
  EXPECT_TRUE(password_policy_violation("Hanako#2025x", "hanako").has_value());
  EXPECT_EQ(password_policy_violation("Hanako#2025x", "taro"), std::nullopt);
}

TEST(PasswordPolicy, RejectsControlCharactersAndHugeInput) {
  EXPECT_TRUE(password_policy_violation(std::string("Kawa#Sakura9\x01", 13), "").has_value());
  EXPECT_TRUE(password_policy_violation("Kawa#Sakura9" + std::string(2000, 'x'), "").has_value());
}

TEST(PasswordHash, IsArgon2idAndVerifies) {
  const std::string hash = hash_password("Kawa#Sakura9", HashCost::minimum());
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(verify_password("Kawa#Sakura9", hash));
  EXPECT_FALSE(verify_password("Kawa#Sakura8", hash));
  EXPECT_FALSE(verify_password("", hash));
  // A fresh salt each time.
  EXPECT_NE(hash, hash_password("Kawa#Sakura9", HashCost::minimum()));
}

TEST(PasswordHash, MalformedHashIsNoMatchNotACrash) {
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "$argon2id$v=19$garbage"));
  EXPECT_FALSE(verify_password("x", std::string(500, 'a')));
}

TEST(PasswordHash, KnowsWhenCostChanged) {
  const std::string cheap = hash_password("Kawa#Sakura9", HashCost::minimum());
  EXPECT_FALSE(password_needs_rehash(cheap, HashCost::minimum()));
  EXPECT_TRUE(password_needs_rehash(cheap, HashCost::interactive()));
}

TEST(PasswordHash, WipeClearsTheSecret) {
  std::string s = "Kawa#Sakura9";
  wipe_string(s);
  EXPECT_TRUE(s.empty());
}

}  // namespace
}  // namespace mamori::signin
