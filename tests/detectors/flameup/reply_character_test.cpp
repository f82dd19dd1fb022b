#include "detectors/flameup/reply_character.h"

#include <gtest/gtest.h>

namespace mamori::detectors::flameup {
namespace {

Tone tone(const char* text) {
  return classify_reply(text).tone;
}

TEST(ReplyCharacter, CriticismApologyDemandsAndAbuseAreHostile) {
  EXPECT_EQ(tone("対応が遅すぎる。責任者は説明しろ"), Tone::hostile);
  EXPECT_EQ(tone("今すぐ謝罪しろ"), Tone::hostile);
  EXPECT_EQ(tone("無能な職員ばかり"), Tone::hostile);
  EXPECT_EQ(tone("これは炎上して当然"), Tone::hostile);
}

TEST(ReplyCharacter, WidthAndKanaVariantsMatchAlike) {
  EXPECT_EQ(tone("ﾊﾞｶじゃないの"), Tone::hostile);
  EXPECT_EQ(tone("ばかじゃないの"), Tone::hostile);
  EXPECT_EQ(tone("ＡＨＯかな、アホすぎ"), Tone::hostile);
}

TEST(ReplyCharacter, NegationCancelsButRhetoricalNegationDoesNot) {
  EXPECT_NE(tone("別に最悪ではないと思う"), Tone::hostile);
  EXPECT_NE(tone("謝罪は必要ないと思います"), Tone::hostile);
  EXPECT_EQ(tone("最悪ではないか"), Tone::hostile);
  EXPECT_EQ(tone("バカじゃないの"), Tone::hostile);
}

TEST(ReplyCharacter, HarmlessContinuationsAreNotCriticism) {
  EXPECT_NE(tone("言い訳ばかり"), Tone::neutral);  // 言い訳 is criticism; ばかり is not abuse
  EXPECT_EQ(tone("雨ばかりですね"), Tone::neutral);
  EXPECT_EQ(tone("最悪の事態にならずよかったです。ありがとうございます"), Tone::thanks);
  EXPECT_EQ(tone("最低気温は3度の予報です"), Tone::neutral);
}

TEST(ReplyCharacter, ThanksQuestionsAndNeutral) {
  EXPECT_EQ(tone("迅速な情報発信、本当に助かります"), Tone::thanks);
  EXPECT_EQ(tone("給水所は何時まで開いていますか"), Tone::question);
  EXPECT_EQ(tone("駐車場はありますか？"), Tone::question);
  EXPECT_EQ(tone("今日は朝から雨がすごい"), Tone::neutral);
  EXPECT_EQ(tone(""), Tone::neutral);
}

TEST(ReplyCharacter, SarcasticThanksStayHostile) {
  const auto c = classify_reply("説明ありがとう。でも全く納得できません");
  EXPECT_EQ(c.tone, Tone::hostile);
  EXPECT_GT(c.gratitude, 0.0);
}

TEST(ReplyCharacter, ReportsMatchedPhrases) {
  std::vector<std::string> matched;
  classify_reply("税金泥棒。謝れ", &matched);
  EXPECT_EQ(matched.size(), 2u);
}

TEST(ReplyCharacter, InvalidUtf8IsHandled) {
  const std::string bad = std::string("最悪") + '\xff' + '\xfe';
  EXPECT_NO_THROW(classify_reply(bad));
}

TEST(ReplyCharacter, LexiconIsSubstantial) {
  EXPECT_GE(lexicon_size(), 250u);
}

TEST(ReplierHeuristic, NewOrAnonymousAccounts) {
  model::Post p;
  p.created_at = model::TimePoint(std::chrono::hours(24 * 400));
  p.author_handle = "tanaka_hanako";
  p.author_display_name = "田中花子";
  p.author_followers_count = 120;
  p.author_created_at = model::TimePoint(std::chrono::hours(24 * 10));
  EXPECT_FALSE(looks_new_or_anonymous(p));
  p.author_created_at = model::TimePoint(std::chrono::hours(24 * 390));
  EXPECT_TRUE(looks_new_or_anonymous(p));  // 10 days old
  p.author_created_at.reset();
  p.author_handle = "user83749261";
  EXPECT_TRUE(looks_new_or_anonymous(p));  // default-looking handle
  p.author_handle = "tanaka";
  p.author_followers_count = 1;
  EXPECT_TRUE(looks_new_or_anonymous(p));
  p.author_followers_count.reset();
  p.author_display_name.clear();
  EXPECT_TRUE(looks_new_or_anonymous(p));
}

}  // namespace
}  // namespace mamori::detectors::flameup
