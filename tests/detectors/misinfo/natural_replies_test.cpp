// Issue 17: flat contradictions, fake contact details, starter hoaxes on base forms, and the
// questions, corrections and quotations that must stay benign.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "detectors/misinfo/contacts.h"
#include "detectors/misinfo/detector.h"
#include "detectors/misinfo/hoaxes.h"
#include "detectors/misinfo/pair_contradiction.h"
#include "tests/detectors/misinfo/eval_support.h"

namespace mamori::detectors::misinfo {
namespace {

const char* kWater =
    "【断水・給水】7月14日(火)朝から東雲町で断水しています。応急給水所を東雲小学校と桐ヶ丘公民館に"
    "開設しました（8時〜20時）。復旧は7月15日(水)夕方の見込みです。水道課 0495-31-1400";
const char* kDonation =
    "【義援金】振込先：鷺ノ森信用金庫 本店営業部 普通預金 0123456\n"
    "市職員が電話・訪問で義援金をお願いすることはありません。福祉課 0495-31-1710 "
    "https://www.city.saginomori.lg.jp/gienkin/";

struct Fixture {
  MisinformationDetector detector;
  Fixture()
      : detector(std::make_shared<const FactIndex>(
                     std::vector<OfficialStatement>{
                         {"water", kWater, *testing::parse_utc("2026-07-13T23:00:00Z"), {}},
                         {"donation", kDonation, *testing::parse_utc("2026-07-13T23:00:00Z"), {}}},
                     [] {
                       FactIndexOptions o;
                       o.contacts.handles = {"@saginomori_city"};
                       return o;
                     }()),
                 std::make_shared<const RumourRegistry>()) {}

  ReplyAssessment score(const std::string& text, const char* post) const {
    model::Post p;
    p.post_id = "r";
    p.text = text;
    p.created_at = *testing::parse_utc("2026-07-14T01:00:00Z");
    p.in_reply_to_post_id = post;
    return detector.score(p);
  }
};

const Fixture& fx() {
  static const Fixture f;
  return f;
}

bool flagged(const ReplyAssessment& a) {
  return a.verdict == Verdict::misinformation;
}

std::string all_reasons(const ReplyAssessment& a) {
  std::string s;
  for (const auto& r : a.reasons) s += r + "\n";
  return s;
}

TEST(NaturalReplies, FlatContradictionsAreFlaggedWithoutAnyHedge) {
  EXPECT_TRUE(flagged(fx().score("給水所は今日は休み", "water")));
  EXPECT_TRUE(flagged(fx().score("東雲小の給水所は18時で閉まります", "water")));
  EXPECT_TRUE(flagged(fx().score("給水所、桐ヶ丘公民館じゃなくて中学校だよ", "water")));
  EXPECT_TRUE(flagged(fx().score("給水所は東雲小学校だけです", "water")));
}

TEST(NaturalReplies, QuestionsCorrectionsAndQuotationsStayBenign) {
  for (const char* text : {
           "給水所は今日は休みですか？",
           "給水所が休みって本当？",
           "給水所は休みってデマです。20時まで開いてます",
           "「給水所は今日は休み」ってLINEが来たけど、さっき東雲小で普通にもらえたよ",
           "給水所は休みじゃないよ。さっき行ってきた",
           "明日の夕方には復旧予定なんですね",
       }) {
    const auto a = fx().score(text, "water");
    EXPECT_FALSE(flagged(a)) << text << "\n" << all_reasons(a);
  }
}

TEST(NaturalReplies, AStatePromisedByThePostIsProgressNotAContradiction) {
  EXPECT_FALSE(flagged(fx().score("東雲町、さっき復旧しました！", "water")));
}

TEST(NaturalReplies, FakePhoneNumberNamesWhatDoesNotMatch) {
  const auto a = fx().score("水道課の番号は0495-31-1040です", "water");
  ASSERT_TRUE(flagged(a));
  const std::string reasons = all_reasons(a);
  EXPECT_NE(reasons.find("0495-31-1040"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("0495311400"), std::string::npos) << reasons;  // the one it imitates
}

TEST(NaturalReplies, GenuineContactsAndNationalNumbersStayBenign) {
  for (const char* text : {
           "水道課 0495-31-1400 に電話したらつながりました",
           "具合が悪くなったら#7119、事件なら110番へ",
           "怪しい電話は消費者ホットライン188へ",
           "詳しくは https://www.city.saginomori.lg.jp/suido/ に載ってます",
           "@saginomori_city の投稿を見てください",
       }) {
    const auto a = fx().score(text, "water");
    EXPECT_FALSE(flagged(a)) << text << "\n" << all_reasons(a);
  }
}

TEST(NaturalReplies, FakeChannelsPresentedAsTheCitysAreFlagged) {
  for (const char* text : {
           "給水の申し込みは市の公式サイトから→ https://saginomori-kyusui.com/form",
           "給水の予約は市公式アカウント @saginomori_suido を友だち追加",
           "義援金はこちらの口座へ。普通 7654321",
           "義援金はゆうちょでもOK→13450-27781931",
           "PayPayでも送れます！ID:sagi_fukkou",
       }) {
    const auto a = fx().score(text, "donation");
    EXPECT_TRUE(flagged(a)) << text << "\n" << all_reasons(a);
  }
  EXPECT_FALSE(flagged(fx().score("振込先は普通預金 0123456 ですね。送りました", "donation")));
}

TEST(NaturalReplies, VisitsToCollectMoneyAreFlagged) {
  EXPECT_TRUE(flagged(fx().score("市の職員さんが義援金集めに家をまわってるらしい", "donation")));
  EXPECT_FALSE(flagged(
      fx().score("職員が家に回ってくることはないって書いてあるじゃん。それ詐欺だよ", "donation")));
}

TEST(NaturalReplies, HoaxesMatchOnBaseFormsNotOnSurfaceStrings) {
  const auto t1 = analyze_text("動物園からライオンが逃げ出したらしい");
  ASSERT_FALSE(find_hoaxes(t1).empty());
  EXPECT_EQ(find_hoaxes(t1).front().id, "zoo-escape");
  EXPECT_TRUE(find_hoaxes(analyze_text("ライオンは逃げていません")).empty());
  EXPECT_TRUE(find_hoaxes(analyze_text("ライオンが逃げたら怖いね")).empty());
  EXPECT_FALSE(find_hoaxes(analyze_text("あの地震は人工地震だよ")).empty());
  EXPECT_TRUE(find_hoaxes(analyze_text("気の毒な話です")).empty());
  EXPECT_TRUE(flagged(fx().score("浄水場に毒を入れられたって。拡散して", "water")));
}

TEST(NaturalReplies, ShortCorrectionWordsMustBeWholeWords) {
  // "申請でマイナンバー" folds to …でま… but holds no デマ.
  const auto a = fx().score("給付金の申請でマイナンバーを集めて、全部海外に売るらしい", "water");
  EXPECT_NE(a.kind, ReplyKind::correction) << all_reasons(a);
  EXPECT_TRUE(flagged(a)) << all_reasons(a);
}

TEST(Contacts, ExtractsEachKindAndSkipsTheAddressedAccount) {
  const auto t = analyze_text(
      "@city_pr 電話 0478-20-5607、メール info@fake-city.jp、LINE @fake_line、"
      "口座番号 1234567、https://fake.example.com/x");
  const auto contacts = extract_contacts(t, extract_slots(t, model::TimePoint{}));
  std::set<std::string> values;
  for (const auto& c : contacts)
    values.insert(std::string(contact_kind_label(c.kind)) + ":" + c.value);
  EXPECT_TRUE(values.contains("電話番号:0478205607"));
  EXPECT_TRUE(values.contains("メールアドレス:info@fake-city.jp"));
  EXPECT_TRUE(values.contains("アカウント:fake_line"));
  EXPECT_TRUE(values.contains("口座・送金先:1234567"));
  EXPECT_TRUE(values.contains("リンク先:fake.example.com"));
  EXPECT_FALSE(values.contains("アカウント:city_pr"));
}

TEST(Contacts, NearMissesAndLookalikesNameTheImitatedContact) {
  OfficialContacts o;
  o.phones = {"0478-20-5670"};
  o.hosts = {"https://www.city.midorigahama.lg.jp/"};
  o.handles = {"@midorigahama_pr"};
  o.finish();
  ContactDetail phone{ContactKind::phone, "0478205607", "0478-20-5607", 0, 0};
  EXPECT_FALSE(o.is_official(phone));
  EXPECT_EQ(o.imitated(phone), "0478205670");
  ContactDetail link{ContactKind::link, "midorigahama-kyufu.jp", "", 0, 0};
  EXPECT_FALSE(o.is_official(link));
  EXPECT_EQ(o.imitated(link), "city.midorigahama.lg.jp");
  ContactDetail sub{ContactKind::link, "kenko.city.midorigahama.lg.jp", "", 0, 0};
  EXPECT_TRUE(o.is_official(sub));
  ContactDetail other{ContactKind::phone, "0312345678", "", 0, 0};
  EXPECT_TRUE(o.imitated(other).empty());
}

TEST(PairContradiction, SwappedExclusiveWordsCountsAndDenials) {
  EXPECT_TRUE(check_pair("男性がテニスをしています。", "女性がテニスをしています。").contradiction);
  EXPECT_TRUE(check_pair("2人の子供が遊んでいる。", "3人の子供が遊んでいる。").contradiction);
  EXPECT_FALSE(check_pair("男性がテニスをしています。", "人がテニスをしています。").contradiction);
  EXPECT_FALSE(check_pair("犬が走っています。", "空は青い。").contradiction);
}

}  // namespace
}  // namespace mamori::detectors::misinfo
