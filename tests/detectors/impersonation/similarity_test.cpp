// Handle, name, text and URL comparison: the pieces the detector's score is made of.
#include <gtest/gtest.h>

#include "detectors/impersonation/handle_key.h"
#include "detectors/impersonation/name_key.h"
#include "detectors/impersonation/profile_text.h"
#include "detectors/impersonation/string_distance.h"

namespace mamori::detectors::impersonation {
namespace {

using model::Platform;

TEST(StringDistance, DamerauLevenshteinCountsTranspositionAsOneEdit) {
  EXPECT_EQ(damerau_levenshtein(U"somacity", U"somacity"), 0U);
  EXPECT_EQ(damerau_levenshtein(U"somacity", U"smoacity"), 1U);
  EXPECT_EQ(damerau_levenshtein(U"somacity", U"somcity"), 1U);
  EXPECT_EQ(damerau_levenshtein(U"somacity", U"sommacity"), 1U);
  EXPECT_EQ(damerau_levenshtein(U"kitten", U"sitting"), 3U);
  EXPECT_EQ(damerau_levenshtein(U"", U"abc"), 3U);
  EXPECT_EQ(damerau_levenshtein(U"相馬市", U"南相馬市"), 1U);
}

TEST(StringDistance, JaroWinklerKnownValues) {
  EXPECT_NEAR(jaro_winkler(U"martha", U"marhta"), 0.961, 0.001);
  EXPECT_NEAR(jaro_winkler(U"dwayne", U"duane"), 0.840, 0.001);
  EXPECT_DOUBLE_EQ(jaro_winkler(U"abc", U"xyz"), 0.0);
  EXPECT_DOUBLE_EQ(jaro_winkler(U"same", U"same"), 1.0);
}

TEST(StringDistance, LongInputsAreBoundedNotOverrun) {
  const std::u32string a(10000, U'a');
  const std::u32string b(10000, U'b');
  EXPECT_EQ(damerau_levenshtein(a, b), kMaxCompareLength);
  EXPECT_GE(jaro_winkler(a, a), 0.99);
}

class HandleKeyTest : public ::testing::Test {
 protected:
  HandleMatch compare(std::string_view candidate, std::string_view official,
                      Platform cp = Platform::x, Platform op = Platform::x) {
    return compare_handles(skeletons_.key(cp, candidate), skeletons_.key(op, official));
  }
  HandleSkeleton skeletons_;
};

TEST_F(HandleKeyTest, SeparatorAndCaseVariantsHaveTheSameLetters) {
  for (const char* h : {"soma__city", "somacity", "SOMA_CITY", "ｓｏｍａ＿ｃｉｔｙ"}) {
    EXPECT_EQ(compare(h, "soma_city").relation, HandleRelation::same_letters) << h;
  }
  EXPECT_EQ(compare("soma-city.bsky.social", "soma_city", Platform::bluesky).relation,
            HandleRelation::same_letters);
  EXPECT_EQ(compare("soma_city@evil.example", "soma_city", Platform::mastodon).relation,
            HandleRelation::same_letters);
}

TEST_F(HandleKeyTest, HomoglyphsShareTheSkeleton) {
  for (const char* h : {"s0ma_city", "soma_c1ty", "sorna_city", "soma_clty", "ѕоmа_city"}) {
    EXPECT_EQ(compare(h, "soma_city").relation, HandleRelation::confusable) << h;
  }
  EXPECT_EQ(compare("ichikavva_city", "ichikawa_city").relation, HandleRelation::confusable);
  EXPECT_EQ(compare("clate_city", "date_city").relation, HandleRelation::confusable);
}

TEST_F(HandleKeyTest, AffixesAndEdits) {
  EXPECT_EQ(compare("soma_city_official", "soma_city").relation, HandleRelation::affixed);
  EXPECT_EQ(compare("official_soma_city", "soma_city").relation, HandleRelation::affixed);
  EXPECT_EQ(compare("soma_city2024", "soma_city").relation, HandleRelation::affixed);
  EXPECT_EQ(compare("smoa_city", "soma_city").relation, HandleRelation::edited);
  EXPECT_EQ(compare("soma_cty", "soma_city").relation, HandleRelation::edited);
  EXPECT_EQ(compare("soma_city_fan", "soma_city").relation, HandleRelation::contains);
  EXPECT_EQ(compare("soma_taro", "soma_city").relation, HandleRelation::unrelated);
  EXPECT_EQ(compare("kurume_city", "soma_city").relation, HandleRelation::unrelated);
  EXPECT_GT(compare("smoa_city", "soma_city").similarity,
            compare("soma_taro", "soma_city").similarity);
}

TEST_F(HandleKeyTest, HostileHandlesDoNotBreakKeys) {
  const std::string junk = std::string("\xff\xfe@@@") + std::string(5000, 'a');
  const HandleKey k = skeletons_.key(Platform::bluesky, junk);
  EXPECT_LE(k.folded.size(), kMaxHandleBytes);
  EXPECT_EQ(compare("", "soma_city").relation, HandleRelation::unrelated);
}

class NameKeyTest : public ::testing::Test {
 protected:
  NameMatch compare(std::string_view c, std::string_view o) {
    return compare_names(make_name_key(c, skeletons_), make_name_key(o, skeletons_));
  }
  HandleSkeleton skeletons_;
};

TEST_F(NameKeyTest, DecorationsAndClaimWordsAreStripped) {
  for (const char* n : {"【公式】相馬市", "相馬市 公式アカウント", "相馬市🌸", "★相馬市★",
                        "相馬市 official", "ＯＦＦＩＣＩＡＬ 相馬市"}) {
    EXPECT_EQ(compare(n, "相馬市").relation, NameRelation::equal) << n;
  }
  EXPECT_TRUE(make_name_key("【公式】相馬市", skeletons_).claims_official);
  EXPECT_FALSE(make_name_key("相馬市", skeletons_).claims_official);
  EXPECT_EQ(compare("ソウマシ", "そうまし").relation, NameRelation::equal);
  EXPECT_EQ(compare("Soma City", "soma city").relation, NameRelation::equal);
}

TEST_F(NameKeyTest, DisclaimersAreKept) {
  const NameKey fan = make_name_key("相馬市ファン", skeletons_);
  EXPECT_TRUE(fan.disclaims);
  EXPECT_TRUE(make_name_key("相馬市（非公式）", skeletons_).disclaims);
  EXPECT_TRUE(text_disclaims_official("パロディアカウントです。相馬市とは関係ありません。"));
  EXPECT_FALSE(text_disclaims_official("相馬市の公式アカウントです。"));
}

TEST_F(NameKeyTest, ContainmentNeedsARealPart) {
  EXPECT_EQ(compare("相馬市役所", "相馬市").relation, NameRelation::contains);
  EXPECT_EQ(compare("福島県相馬市", "相馬市").relation, NameRelation::contains);
  EXPECT_NE(compare("相馬 太郎", "相馬市").relation, NameRelation::contains);
  EXPECT_NE(compare("相馬 太郎", "相馬市").relation, NameRelation::equal);
}

TEST(ProfileText, UrlNormalization) {
  EXPECT_EQ(normalize_url("https://WWW.City.Soma.Fukushima.JP/"), "city.soma.fukushima.jp");
  EXPECT_EQ(normalize_url("http://www.city.soma.fukushima.jp/index.html?utm=x#top"),
            "city.soma.fukushima.jp");
  EXPECT_EQ(normalize_url("city.soma.fukushima.jp/kurashi/"), "city.soma.fukushima.jp/kurashi");
  EXPECT_EQ(normalize_url("not a url"), "");
  EXPECT_EQ(normalize_url(""), "");
}

TEST(ProfileText, UrlInWebsiteFieldAndDescription) {
  const std::string official = normalize_url("https://www.city.soma.fukushima.jp/");
  const UrlMatch exact =
      compare_urls(normalize_url("https://city.soma.fukushima.jp"), "", official);
  EXPECT_EQ(exact.website, UrlRelation::same_url);
  const UrlMatch in_text =
      compare_urls("", "運用方針 https://www.city.soma.fukushima.jp/sns/", official);
  EXPECT_EQ(in_text.description, UrlRelation::same_host);
  const UrlMatch lookalike =
      compare_urls("", "see https://city.soma.fukushima.jp.evil.example/", official);
  EXPECT_EQ(lookalike.description, UrlRelation::none);
  const UrlMatch prefix = compare_urls("", "xcity.soma.fukushima.jp", official);
  EXPECT_EQ(prefix.description, UrlRelation::none);
}

TEST(ProfileText, GramSimilarity) {
  const TextGrams a =
      make_text_grams("相馬市の公式アカウントです。市政情報、イベント、防災情報をお知らせします。");
  const TextGrams b =
      make_text_grams("相馬市の公式アカウントです！市政情報・イベント・防災情報をお知らせします");
  const TextGrams c = make_text_grams("週末は釣りと写真。猫が好きです。");
  EXPECT_GT(gram_similarity(a, b), 0.9);
  EXPECT_LT(gram_similarity(a, c), 0.1);
  EXPECT_DOUBLE_EQ(gram_similarity(a, make_text_grams("")), 0.0);
}

}  // namespace
}  // namespace mamori::detectors::impersonation
