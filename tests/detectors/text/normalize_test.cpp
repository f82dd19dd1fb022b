#include "detectors/text/normalize.h"

#include <gtest/gtest.h>

namespace mamori::detectors::text {
namespace {

TEST(Normalize, NfkcCasefoldFoldsWidthAndCase) {
  EXPECT_EQ(nfkc_casefold("ＳＯＭＡ＿City"), "soma_city");
  EXPECT_EQ(nfkc_casefold("ｿｳﾏ"), "ソウマ");
  EXPECT_EQ(nfkc_casefold("①"), "1");
}

TEST(Normalize, FoldKanaMapsKatakanaToHiragana) {
  EXPECT_EQ(fold_kana("ソウマシ"), "そうまし");
  EXPECT_EQ(fold_kana("相馬市ヴ"), "相馬市ゔ");
  EXPECT_EQ(fold_kana("ー"), "ー");  // prolonged sound mark has no hiragana form
}

TEST(Normalize, MatchKeyDropsDecorationsButKeepsLetters) {
  EXPECT_EQ(match_key("【公式】相馬市 ★"), "公式相馬市");
  EXPECT_EQ(match_key("相馬市🌸"), "相馬市");
  EXPECT_EQ(match_key("ソウマ　シ"), "そうまし");
  EXPECT_NE(match_key("南相馬市"), match_key("相馬市"));
}

TEST(Normalize, InvalidUtf8BecomesReplacementCharacter) {
  const std::string bad = std::string("ab") + '\xff' + "c";
  EXPECT_EQ(to_utf8(to_u32(bad)),
            "ab\xEF\xBF\xBD"
            "c");
  EXPECT_NO_THROW(match_key(bad));
}

}  // namespace
}  // namespace mamori::detectors::text
