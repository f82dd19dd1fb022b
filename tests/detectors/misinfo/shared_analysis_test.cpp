// A reply normalized and analysed once for several detectors (text::NormalizedText) gives the
// misinformation detector exactly what its own analysis gives: the same AnalyzedText, the same
// assessment, with or without links, cut, invalid or NUL-bearing input.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"
#include "detectors/misinfo/detector.h"
#include "detectors/text/normalized_text.h"
#include "tests/detectors/misinfo/eval_support.h"
#include "tests/support/test_support.h"

namespace mamori::detectors::misinfo {
namespace {

void expect_same(const AnalyzedText& a, const AnalyzedText& b, const std::string& what) {
  EXPECT_EQ(a.nfkc, b.nfkc) << what;
  EXPECT_EQ(a.folded, b.folded) << what;
  EXPECT_EQ(a.key, b.key) << what;
  EXPECT_EQ(a.urls, b.urls) << what;
  ASSERT_EQ(a.tokens.size(), b.tokens.size()) << what;
  for (std::size_t i = 0; i < a.tokens.size(); ++i) {
    const Token& x = a.tokens[i];
    const Token& y = b.tokens[i];
    EXPECT_TRUE(x.begin == y.begin && x.end == y.end && x.m.pos == y.m.pos &&
                x.m.pos1 == y.m.pos1 && x.m.pos2 == y.m.pos2 && x.m.conj_type == y.m.conj_type &&
                x.m.conj_form == y.m.conj_form && x.m.base == y.m.base &&
                x.m.reading == y.m.reading && x.m.known == y.m.known)
        << what << " token " << i;
  }
  ASSERT_EQ(a.sentences.size(), b.sentences.size()) << what;
  for (std::size_t i = 0; i < a.sentences.size(); ++i) {
    const Sentence& x = a.sentences[i];
    const Sentence& y = b.sentences[i];
    EXPECT_TRUE(x.begin == y.begin && x.end == y.end && x.interrogative == y.interrogative &&
                x.exclamatory_question == y.exclamatory_question &&
                x.first_token == y.first_token && x.end_token == y.end_token)
        << what << " sentence " << i;
  }
}

TEST(SharedAnalysis, GivesTheSameAnalyzedTextAsTheDetectorsOwn) {
  std::vector<std::string> texts = {
      "公式はこちら→https://Bit.ly/3abc。詳細 wakaba-bokin.jp/x まで 3.5倍",  // links blanked
      std::string("中止") + '\xff' + '\xfe' + "らしい",                       // invalid UTF-8
      std::string("ライオン\0逃げた", 20),                                    // a NUL byte
      "ｿｳﾏ市　ＡＢＣ　１２３\n改行のあと？",
      std::string(kMaxAnalyzedBytes + 100, 'a'),  // cut: analysed on its own
      ""};
  for (const auto& r : testing::load_replies(mamori::testing::data_dir() / "misinfo")) {
    texts.push_back(r.post.text);
  }
  for (const auto& t : texts) {
    const text::NormalizedText normalized(t);
    expect_same(analyze_text(t), analyze_text(t, &normalized), t.substr(0, 80));
  }
}

TEST(SharedAnalysis, GivesTheSameAssessmentOnTheEvaluationSet) {
  const auto dir = mamori::testing::data_dir() / "misinfo";
  auto facts = std::make_shared<const FactIndex>(testing::load_official(dir / "official.jsonl"));
  auto rumours = std::make_shared<const RumourRegistry>(testing::load_starter_rumours());
  const MisinformationDetector detector(facts, rumours);
  for (const auto& r : testing::load_replies(dir)) {
    const text::NormalizedText normalized(r.post.text);
    const ReplyAssessment own = detector.score(r.post);
    const ReplyAssessment shared = detector.score(r.post, normalized);
    EXPECT_EQ(own.score, shared.score) << r.post.text;
    EXPECT_EQ(own.verdict, shared.verdict) << r.post.text;
    EXPECT_EQ(own.kind, shared.kind) << r.post.text;
    EXPECT_EQ(own.reasons, shared.reasons) << r.post.text;
    EXPECT_EQ(own.claim_key, shared.claim_key) << r.post.text;
  }
}

}  // namespace
}  // namespace mamori::detectors::misinfo
