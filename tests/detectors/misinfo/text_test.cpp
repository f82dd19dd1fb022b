#include <gtest/gtest.h>

#include "detectors/misinfo/analyzed_text.h"
#include "detectors/misinfo/markers.h"
#include "detectors/misinfo/ngram_index.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {
namespace {

TEST(AnalyzedText, KeyEqualsSharedMatchKeyForTextWithoutLinks) {
  for (const char* s : {"【拡散希望】動物園からライオンが逃げた！！🦁",
                        "ｿｳﾏ市　ＡＢＣ　１２３", "避難所は「中央公民館」です。", "ﾃﾞﾏです☆彡"}) {
    EXPECT_EQ(analyze_text(s).key, text::to_u32(text::match_key(s))) << s;
  }
}

TEST(AnalyzedText, FoldsWidthAndKanaKeepingPositionsAligned) {
  const auto t = analyze_text("ライオン１０時");
  EXPECT_EQ(t.nfkc, U"ライオン10時");
  EXPECT_EQ(t.folded, U"らいおん10時");
  EXPECT_EQ(t.nfkc.size(), t.folded.size());
}

TEST(AnalyzedText, ExtractsLinksWithAndWithoutSchemeAndBlanksThem) {
  const auto t =
      analyze_text("公式はこちら→https://Bit.ly/3abc。詳細 wakaba-bokin.jp/x まで 3.5倍");
  ASSERT_EQ(t.urls.size(), 2u);
  EXPECT_EQ(t.urls[0], "https://bit.ly/3abc");
  EXPECT_EQ(t.urls[1], "wakaba-bokin.jp/x");
  EXPECT_EQ(url_host(t.urls[0]), "bit.ly");
  EXPECT_EQ(url_host("https://www.city.wakaba.example.lg.jp/a"), "city.wakaba.example.lg.jp");
  EXPECT_EQ(t.key.find(U"bit"), std::u32string::npos);   // links do not feed the n-grams
  EXPECT_NE(t.key.find(U"35倍"), std::u32string::npos);  // "3.5" is a number, not a domain
}

TEST(AnalyzedText, SplitsSentencesAndRecognisesQuestions) {
  const auto t = analyze_text("知ってる？まつり延期なんだって。本当ですか");
  ASSERT_EQ(t.sentences.size(), 3u);
  EXPECT_TRUE(t.sentences[0].interrogative);
  EXPECT_FALSE(t.sentences[1].interrogative);
  EXPECT_TRUE(t.sentences[2].interrogative);  // ですか without a question mark
  const auto x = analyze_text("ライオン逃げたって！？ｗｗ");
  ASSERT_EQ(x.sentences.size(), 1u);
  EXPECT_TRUE(x.sentences[0].exclamatory_question);
}

TEST(AnalyzedText, SurvivesInvalidUtf8AndHugeInput) {
  const std::string bad = std::string("中止") + '\xff' + '\xfe' + "らしい";
  const auto t = analyze_text(bad);
  EXPECT_NE(t.nfkc.find(U'\uFFFD'), std::u32string::npos);
  const std::string huge(200000, 'a');
  EXPECT_LE(analyze_text(huge).nfkc.size(), kMaxAnalyzedBytes);
}

TEST(Markers, FindsHedgingSpreadingAndCorrections) {
  const auto m = find_markers(analyze_text("知り合いの話だとダムが決壊したらしい。ＲＴお願い！"));
  EXPECT_TRUE(m.any(MarkerKind::hedge));
  EXPECT_TRUE(m.any(MarkerKind::spread));
  EXPECT_FALSE(m.any(MarkerKind::correction));
  const auto c = find_markers(analyze_text("それはﾃﾞﾏです。拡散しないでください"));
  EXPECT_TRUE(c.any(MarkerKind::correction));
  EXPECT_FALSE(c.any(MarkerKind::spread));  // 拡散しないで is not a call to spread
  // "RT" inside a word is not a retweet request; "言って" is a request, not hearsay.
  EXPECT_FALSE(find_markers(analyze_text("start the party")).any(MarkerKind::spread));
  EXPECT_FALSE(find_markers(analyze_text("もっと早く言って。")).any(MarkerKind::hedge));
  EXPECT_TRUE(find_markers(analyze_text("中止になったって。")).any(MarkerKind::hedge));
}

TEST(NgramIndex, RanksByIdfWeightedContainment) {
  const std::vector<std::u32string> docs = {U"どうぶつえんからライオンがにげた", U"いどにどく",
                                            U"ダムがけっかいした"};
  const NgramIndex index(docs);
  const auto hits = index.search(bigrams(U"きいて!どうぶつえんからライオンがにげたって"), 3);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].document, 0u);
  EXPECT_NEAR(hits[0].containment, 1.0, 1e-6);
  EXPECT_NEAR(index.containment(0, bigrams(U"どうぶつえんからライオンがにげた")), 1.0, 1e-6);
  EXPECT_TRUE(index.search(bigrams(U"まったくかんけいない"), 3).empty());
}

}  // namespace
}  // namespace mamori::detectors::misinfo
