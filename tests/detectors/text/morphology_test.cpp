// The MeCab analyzer (detectors/text/morphology.h) with the system dictionary found through
// /etc/mecabrc, as the daemon and mamorictl use it.
#include "detectors/text/morphology.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mamori::detectors::text {
namespace {

std::string surface(std::string_view text, const Morpheme& m) {
  return std::string(text.substr(m.begin, m.end - m.begin));
}

TEST(Morphology, FindsTheDebianDictionaryWithoutConfiguration) {
  const Morphology& m = Morphology::shared();
  EXPECT_FALSE(m.dictionary().empty());
  EXPECT_EQ(&m, &Morphology::shared());  // loaded once
}

TEST(Morphology, GivesBaseFormsPartsOfSpeechAndSpans) {
  const std::string text = "ライオンが逃げ出したらしい";
  const auto ms = Morphology::shared().analyze(text);
  ASSERT_GE(ms.size(), 4u);
  EXPECT_EQ(surface(text, ms[0]), "ライオン");
  EXPECT_EQ(ms[0].pos, "名詞");
  bool verb = false;
  for (const auto& m : ms) verb = verb || (m.pos == "動詞" && m.base == "逃げ出す");
  EXPECT_TRUE(verb);
  EXPECT_EQ(ms.back().pos, "助動詞");
  EXPECT_EQ(ms.back().base, "らしい");
  EXPECT_EQ(ms.back().end, text.size());
  for (std::size_t i = 1; i < ms.size(); ++i) EXPECT_EQ(ms[i].begin, ms[i - 1].end);
}

TEST(Morphology, AnalysesNegationAndQuestionParticles) {
  const std::string text = "中止じゃないですか";
  const auto ms = Morphology::shared().analyze(text);
  bool negation = false, question = false;
  for (const auto& m : ms) {
    negation = negation || (m.pos == "助動詞" && m.base == "ない");
    question = question || (m.pos == "助詞" && m.base == "か");
  }
  EXPECT_TRUE(negation);
  EXPECT_TRUE(question);
}

TEST(Morphology, UnknownWordsAndBadBytesDoNotBreakTheSpans) {
  const std::string text = std::string("ｸﾏ出た\xff\xfe") + "zzqx_handle 逃げた";
  const auto ms = Morphology::shared().analyze(text);
  ASSERT_FALSE(ms.empty());
  for (const auto& m : ms) {
    EXPECT_LE(m.begin, m.end);
    EXPECT_LE(m.end, text.size());
    EXPECT_FALSE(m.base.empty());
  }
  EXPECT_TRUE(Morphology::shared().analyze("").empty());
}

// Each thread keeps the split of feature strings it has seen: words met again (in the same text
// and in the next one) read the same features as when first met.
TEST(Morphology, WordsMetAgainGetTheSameFeatures) {
  const std::string sentence = "給水所は明日休みらしいよ、ｺﾛﾅの検査は中止";
  const std::string twice = sentence + "。" + sentence;
  const auto first = Morphology::shared().analyze(twice);
  const auto again = Morphology::shared().analyze(twice);
  ASSERT_EQ(first.size(), again.size());
  ASSERT_EQ(first.size() % 2, 1u);  // the two halves and the 。 between them
  const std::size_t half = first.size() / 2;
  const auto same = [&](const Morpheme& a, const Morpheme& b) {
    EXPECT_EQ(a.pos, b.pos);
    EXPECT_EQ(a.pos1, b.pos1);
    EXPECT_EQ(a.pos2, b.pos2);
    EXPECT_EQ(a.conj_type, b.conj_type);
    EXPECT_EQ(a.conj_form, b.conj_form);
    EXPECT_EQ(a.base, b.base);
    EXPECT_EQ(a.reading, b.reading);
    EXPECT_EQ(a.known, b.known);
  };
  for (std::size_t i = 0; i < first.size(); ++i) {
    same(first[i], again[i]);
    EXPECT_EQ(first[i].begin, again[i].begin);
  }
  for (std::size_t i = 0; i < half; ++i) same(first[i], first[half + 1 + i]);
  // A fresh analyzer (its own, empty, per-thread store) reads the same features.
  const Morphology other;
  const auto fresh = other.analyze(twice);
  ASSERT_EQ(fresh.size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) same(first[i], fresh[i]);
}

TEST(Morphology, IsUsableFromSeveralThreads) {
  std::vector<std::thread> threads;
  std::vector<std::size_t> counts(4);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    threads.emplace_back([&counts, i] {
      for (int k = 0; k < 200; ++k)
        counts[i] = Morphology::shared().analyze("給水所は今日は休み").size();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto c : counts) EXPECT_EQ(c, counts[0]);
  EXPECT_GT(counts[0], 3u);
}

TEST(Morphology, AMissingDictionaryIsAClearError) {
  try {
    Morphology bad("/nonexistent/mecab-dictionary");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/mecab-dictionary"), std::string::npos);
  }
}

}  // namespace
}  // namespace mamori::detectors::text
