#include "playbooks/engine/text_length.h"

#include <gtest/gtest.h>

namespace mamori::playbooks {
namespace {

TEST(TextLength, XWeightsCjkTwoAndUrls23) {
  EXPECT_EQ(x_weighted_length("hello"), 5u);
  EXPECT_EQ(x_weighted_length("相馬市"), 6u);
  EXPECT_EQ(x_weighted_length("ｶﾀｶﾅ"), 8u);  // half-width katakana is outside the light ranges
  EXPECT_EQ(x_weighted_length("“quote”—"), 3u + 5u);  // U+201C/D and U+2014 weigh 1
  EXPECT_EQ(x_weighted_length("詳しくは https://www.city.soma.fukushima.jp/a/very/long/path.html"),
            4u * 2 + 1 + 23);
  // The URL ends where Japanese text resumes.
  EXPECT_EQ(x_weighted_length("https://e.jp/a。"), 23u + 2);
  EXPECT_EQ(x_weighted_length(std::string(140, 'a')), 140u);
  std::string kanji;
  for (int i = 0; i < 140; ++i) kanji += "市";
  EXPECT_EQ(x_weighted_length(kanji), 280u);
  EXPECT_TRUE(measure(LengthLimit::x_post, kanji).fits());
  EXPECT_FALSE(measure(LengthLimit::x_post, kanji + "。").fits());
}

TEST(TextLength, GraphemesNeverUndercount) {
  EXPECT_EQ(grapheme_count("abc"), 3u);
  EXPECT_EQ(grapheme_count("相馬市"), 3u);
  EXPECT_EQ(grapheme_count("か\u3099"), 1u);              // combining dakuten
  EXPECT_EQ(grapheme_count("e\u0301"), 1u);               // combining acute
  EXPECT_EQ(grapheme_count("\U0001F1EF\U0001F1F5"), 1u);  // flag JP
  EXPECT_EQ(grapheme_count("\U0001F1EF\U0001F1F5\U0001F1FA\U0001F1F8"), 2u);
  EXPECT_EQ(grapheme_count("\U0001F468\u200D\U0001F469\u200D\U0001F467"), 1u);  // family
  EXPECT_EQ(grapheme_count("\U0001F44D\U0001F3FD"), 1u);                        // skin tone
  EXPECT_EQ(grapheme_count("\u2764\uFE0F"), 1u);  // variation selector
  EXPECT_EQ(grapheme_count("a\r\nb"), 3u);
  EXPECT_EQ(grapheme_count("\xff\xfe"), 2u);  // invalid bytes count, safely
  EXPECT_EQ(codepoint_count("か\u3099"), 2u);
}

TEST(TextLength, MastodonUrlsAndRemoteMentions) {
  EXPECT_EQ(mastodon_post_length("abc"), 3u);
  EXPECT_EQ(mastodon_post_length("見て https://example.jp/a/b/c/d/e/f/g/h/i"), 3u + 23);
  EXPECT_EQ(mastodon_post_length("@soma_city@mastodon.example.jp こんにちは"),
            std::string("@soma_city").size() + 1 + 5);
  EXPECT_EQ(mastodon_post_length("mail a@b.jp"), 11u);  // not a mention: no space before '@'
  EXPECT_EQ(mastodon_post_length("@user@ x"), 8u);      // no domain: counted as written
  EXPECT_EQ(measure(LengthLimit::mastodon_report, std::string(1000, 'a')).fits(), true);
  EXPECT_EQ(measure(LengthLimit::mastodon_report, std::string(1001, 'a')).fits(), false);
  EXPECT_EQ(measure(LengthLimit::bluesky_report, "a").max, 300u);
}

}  // namespace
}  // namespace mamori::playbooks
