// Issue 18: every Japanese local government known (other real bodies are not impersonators), the
// city's own departments, affiliated bodies and wards get the verdict `related`, accounts on the
// city's official account list are known official, and copies dressed as a department are caught.
#include "detectors/impersonation/official_family.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "detectors/impersonation/detector.h"
#include "detectors/impersonation/local_governments.h"
#include "detectors/text/csv.h"
#include "detectors/text/normalize.h"
#include "tests/detectors/impersonation/avatar_recipes.h"

namespace mamori::detectors::impersonation {
namespace {

using model::Platform;
using model::ProfileSnapshot;

const model::TimePoint kNow{std::chrono::milliseconds(1'717'200'000'000LL)};

ProfileSnapshot profile(std::string handle, std::string name, std::string description = "",
                        std::string url = "") {
  ProfileSnapshot s;
  s.platform = Platform::x;
  s.account_id = "id-" + handle;
  s.handle = std::move(handle);
  s.display_name = std::move(name);
  s.description = std::move(description);
  s.url = std::move(url);
  s.observed_at = kNow;
  return s;
}

std::u32string key(std::string_view s) {
  return text::to_u32(text::match_key(s));
}

TEST(LocalGovernmentDirectory, HoldsEveryPrefectureMunicipalityAndWard) {
  const auto& d = LocalGovernmentDirectory::japan();
  std::size_t prefectures = 0, municipalities = 0, wards = 0;
  for (const auto& g : d.bodies()) {
    switch (g.kind) {
      case LocalGovernment::Kind::prefecture:
        ++prefectures;
        break;
      case LocalGovernment::Kind::municipality:
        ++municipalities;
        break;
      case LocalGovernment::Kind::ward:
        ++wards;
        break;
    }
    EXPECT_EQ(g.code.size(), 6U) << g.display();
  }
  EXPECT_EQ(prefectures, 47U);
  EXPECT_EQ(municipalities + wards, 1916U);
  EXPECT_GT(wards, 150U);
  const auto* date = d.named(key("伊達市"));
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(date->size(), 2U);  // 北海道 and 福島県
  const auto* hokkaido_date = d.named(key("北海道伊達市"));
  ASSERT_NE(hokkaido_date, nullptr);
  EXPECT_EQ(hokkaido_date->size(), 1U);
}

TEST(LocalGovernmentDirectory, MentionsAreLeftmostLongest) {
  const auto& d = LocalGovernmentDirectory::japan();
  auto names = [&](std::string_view text) {
    std::vector<std::string> out;
    for (const auto& m : d.mentions(key(text)))
      out.push_back(d.bodies()[m.bodies.front()].display());
    return out;
  };
  EXPECT_EQ(names("東松山市"), std::vector<std::string>{"埼玉県東松山市"});
  EXPECT_EQ(names("【公式】愛媛県松山市"), std::vector<std::string>{"愛媛県松山市"});
  EXPECT_EQ(names("横浜市港北区役所"), std::vector<std::string>{"横浜市港北区"});
  EXPECT_EQ(names("大分県と大分市"), (std::vector<std::string>{"大分県", "大分県大分市"}));
  EXPECT_TRUE(names("まったり日記").empty());
}

TEST(LocalGovernmentDirectory, AMentionOfSeveralBodiesIsPlacedByItsCityOrPrefecture) {
  const auto& d = LocalGovernmentDirectory::japan();
  auto placed = [&](std::string_view text) {
    auto mentions = d.mentions(key(text));
    d.narrow(mentions);
    std::vector<std::string> out;
    for (const auto& m : mentions) {
      std::string s;
      for (auto b : m.bodies) s += (s.empty() ? "" : "|") + d.bodies()[b].display();
      out.push_back(s);
    }
    return out;
  };
  EXPECT_EQ(placed("泉区役所（仙台市）"), (std::vector<std::string>{"仙台市泉区", "宮城県仙台市"}));
  EXPECT_EQ(placed("伊達市（北海道）"), (std::vector<std::string>{"北海道伊達市", "北海道"}));
  EXPECT_EQ(placed("中央区役所 熊本市")[0], "熊本市中央区");
  // Nothing places it: both 泉区 stay.
  EXPECT_EQ(placed("泉区役所"), std::vector<std::string>{"仙台市泉区|横浜市泉区"});
  // A city that is not the ward's leaves the mention as it is.
  EXPECT_EQ(placed("泉区（大阪市）")[0], "仙台市泉区|横浜市泉区");
}

TEST(LocalGovernmentDirectory, HomepagesFindTheirBodyAndWardsUnderTheCitysHost) {
  const auto& d = LocalGovernmentDirectory::japan();
  auto body = [&](std::string_view url) {
    const auto b = d.homepage_body(normalize_url(url));
    return b ? d.bodies()[*b].display() : std::string("-");
  };
  EXPECT_EQ(body("https://www.city.matsumoto.nagano.jp/"), "長野県松本市");
  EXPECT_EQ(body("https://www.city.matsumoto.nagano.jp/soshiki/1/"), "長野県松本市");
  EXPECT_EQ(body("https://www.city.sapporo.jp/chuo/event/"), "札幌市中央区");
  EXPECT_EQ(body("https://www.city.sapporo.jp/"), "北海道札幌市");
  EXPECT_EQ(body("https://example.com/"), "-");
}

TEST(LocalGovernmentDirectory, CsvQuotingAndBadRowsAreHandled) {
  std::vector<std::string> f;
  std::string error;
  EXPECT_TRUE(text::split_csv_line(R"(1,"a ""b"", c",d)", f, error));
  EXPECT_EQ(f, (std::vector<std::string>{"1", "a \"b\", c", "d"}));
  EXPECT_FALSE(text::split_csv_line(R"(1,"open)", f, error));
  const std::string prefs =
      "h\n1,北海道,ほっかいどう,北海道,ほっかいどう,Hokkaido,HKD,https://www.pref.hokkaido.lg.jp/"
      ",10006\n";
  EXPECT_THROW(LocalGovernmentDirectory("h\n1,北海道,1100\n", prefs), std::runtime_error);
  EXPECT_THROW(LocalGovernmentDirectory("", "h\n1,\"open\n"), std::runtime_error);
  const LocalGovernmentDirectory tiny(
      "h\n1,北海道,1100,札幌市,さっぽろし,0,0,https://www.city.sapporo.jp/,x,011002\n", prefs);
  EXPECT_EQ(tiny.bodies().size(), 2U);
}

TEST(FamilyWord, DepartmentsAndAffiliatedBodiesButNotTheMainOffice) {
  EXPECT_EQ(family_word(key("消防局")), "消防");
  EXPECT_EQ(family_word(key("立中央図書館")), "図書館");
  EXPECT_EQ(family_word(key("教育委員会")), "教育委員会");
  EXPECT_EQ(family_word(key("子育て支援課")), "子育て");
  EXPECT_EQ(family_word(key("観光協会")), "観光協会");
  EXPECT_EQ(family_word(key("環境政策課")), "環境政策課");
  EXPECT_EQ(family_word(key("広報課")), "");
  EXPECT_EQ(family_word(key("役所")), "");
  EXPECT_EQ(family_word(key("公式")), "");
  EXPECT_EQ(family_word(key("環境政策課"), true), "");  // a bare suffix needs the body's full name
}

class FamilyTest : public ::testing::Test {
 protected:
  static constexpr const char* kDescription =
      "松山市の公式アカウントです。市政やイベント、防災の情報をお届けします。";
  static ImpersonationDetector make(std::string name, std::string handle, std::string url,
                                    std::string description,
                                    std::vector<AllowedAccount> allow = {}) {
    OfficialAccount main;
    main.profile =
        profile(std::move(handle), std::move(name), std::move(description), std::move(url));
    main.avatar = compute_official_avatar_hash(testing::impersonation::encode(
                                                   testing::impersonation::render_emblem(0), "png"))
                      .hash;
    return ImpersonationDetector({}, {main}, std::move(allow));
  }
  FamilyTest()
      : matsuyama_(make("松山市", "matsuyama_city", "https://www.city.matsuyama.ehime.jp/",
                        kDescription, {{Platform::x, "matsuyama_kanko", "", true}})) {}

  Assessment assess(const ImpersonationDetector& d, const ProfileSnapshot& c,
                    bool copied_icon = false) const {
    if (!copied_icon) {
      const auto own =
          *compute_avatar_hash(testing::impersonation::encode(
                                   testing::impersonation::render_emblem(1234), "jpeg", 80))
               .hash;
      return d.assess(c, &own, kNow);
    }
    const auto copy =
        *compute_avatar_hash(
             testing::impersonation::encode(testing::impersonation::render_emblem(0), "jpeg", 70))
             .hash;
    return d.assess(c, &copy, kNow);
  }
  ImpersonationDetector matsuyama_;
};

TEST_F(FamilyTest, AnotherRealMunicipalityIsNotAnImpersonator) {
  const auto a =
      assess(matsuyama_, profile("matsumoto_city", "松本市", "長野県松本市の公式アカウントです。",
                                 "https://www.city.matsumoto.nagano.jp/"));
  EXPECT_EQ(a.verdict, Verdict::benign);
  EXPECT_EQ(a.components.other_body, "長野県松本市");
  EXPECT_TRUE(std::any_of(a.reasons.begin(), a.reasons.end(), [](const std::string& r) {
    return r.find("別の地方公共団体「長野県松本市」") != std::string::npos;
  }));
}

TEST_F(FamilyTest, AnotherBodyThatCopiesTheOfficialIsStillFlagged) {
  const auto a = assess(matsuyama_, profile("matsumoto_city", "松本市", kDescription), true);
  EXPECT_NE(a.verdict, Verdict::benign);
  EXPECT_NE(a.verdict, Verdict::related);
}

TEST_F(FamilyTest, ThePrefectureWithItsOwnHomepageIsFlaggedOnlyForAWholeIconCopy) {
  const auto own =
      profile("ehime_pref", "愛媛県", "愛媛県の公式アカウントです。", "https://www.pref.ehime.jp/");
  const auto a = assess(matsuyama_, own);
  EXPECT_TRUE(a.components.other_body_corroborated);
  EXPECT_EQ(a.verdict, Verdict::benign);
  // The official's icon itself, re-compressed: a copy, whatever else the account says.
  const auto copy = assess(matsuyama_, own, true);
  EXPECT_NE(copy.verdict, Verdict::benign);
  // Named as another body but linking elsewhere: not corroborated.
  const auto elsewhere =
      assess(matsuyama_, profile("ehime_pref", "愛媛県", "", "https://x.example/"));
  EXPECT_FALSE(elsewhere.components.other_body_corroborated);
}

TEST_F(FamilyTest, ThePrefectureIsAnotherBody) {
  const auto a = assess(matsuyama_, profile("ehime_pref", "愛媛県", "愛媛県の公式アカウントです。",
                                            "https://www.pref.ehime.jp/"));
  EXPECT_EQ(a.verdict, Verdict::benign);
  EXPECT_EQ(a.components.other_body, "愛媛県");
}

TEST_F(FamilyTest, DepartmentWithItsOwnIconAndTextIsRelated) {
  const auto a = assess(matsuyama_, profile("matsuyama_fd", "松山市消防局",
                                            "火災・救急のお知らせと防火の啓発をしています。",
                                            "https://www.city.matsuyama.ehime.jp/shobo/"));
  EXPECT_EQ(a.verdict, Verdict::related);
  EXPECT_EQ(a.components.family, "消防");
  const auto f = to_finding(a, profile("matsuyama_fd", "松山市消防局"), kNow);
  EXPECT_EQ(f.severity, model::Severity::low);
  EXPECT_NE(f.evidence_json.find("\"verdict\":\"related\""), std::string::npos);
}

TEST_F(FamilyTest, CopyDressedAsADepartmentIsCaught) {
  // The official's icon, or its profile text, or a look-alike of its handle.
  const auto icon = assess(matsuyama_, profile("matsuyama_fd", "松山市消防局", "消防局です"), true);
  EXPECT_NE(icon.verdict, Verdict::related);
  EXPECT_NE(icon.verdict, Verdict::benign);
  const auto text = assess(matsuyama_, profile("fd_matsuyama", "松山市消防局", kDescription));
  EXPECT_NE(text.verdict, Verdict::related);
  EXPECT_NE(text.verdict, Verdict::benign);
  const auto handle = assess(matsuyama_, profile("matsuyama_clty", "松山市消防局", "消防局です"));
  EXPECT_NE(handle.verdict, Verdict::related);
  EXPECT_NE(handle.verdict, Verdict::benign);
}

TEST_F(FamilyTest, FansSayingSoAreNotFamily) {
  const auto a =
      assess(matsuyama_, profile("matsuyama_ouen", "松山市応援団 (非公式)", "ファンです"));
  EXPECT_NE(a.verdict, Verdict::related);
}

TEST_F(FamilyTest, AccountsOnTheListPageAreKnownOfficial) {
  const auto a = assess(matsuyama_, profile("matsuyama_kanko", "松山市", kDescription), true);
  EXPECT_TRUE(a.allow_listed);
  EXPECT_TRUE(a.listed);
  EXPECT_EQ(a.verdict, Verdict::benign);
  EXPECT_NE(a.reasons.front().find("一覧ページ"), std::string::npos);
}

TEST(FamilySameName, SameNameInAnotherPrefectureIsToldApartByPrefectureOrHomepage) {
  OfficialAccount main;
  main.profile = profile("date_city_fks", "伊達市", "福島県伊達市の公式アカウントです。",
                         "https://www.city.fukushima-date.lg.jp/");
  const ImpersonationDetector d({}, {main}, {});
  const auto by_pref =
      d.assess(profile("date_city_hk", "北海道伊達市", "北の湘南から"), nullptr, kNow);
  EXPECT_EQ(by_pref.verdict, Verdict::benign);
  EXPECT_EQ(by_pref.components.other_body, "北海道伊達市");
  const auto by_url = d.assess(
      profile("datecity", "伊達市", "", "https://www.city.date.hokkaido.jp/"), nullptr, kNow);
  EXPECT_EQ(by_url.verdict, Verdict::benign);
  EXPECT_EQ(by_url.components.other_body, "北海道伊達市");
  const auto nothing = d.assess(profile("date_news_1", "伊達市"), nullptr, kNow);
  EXPECT_EQ(nothing.verdict, Verdict::suspicious);  // says nothing that tells it apart
  const auto own_pref = d.assess(profile("date_x_1", "福島県伊達市"), nullptr, kNow);
  EXPECT_TRUE(own_pref.components.other_body.empty());
}

TEST(FamilyWards, ACitysWardIsRelatedAnotherCitysWardIsAnotherBody) {
  OfficialAccount main;
  main.profile = profile("yokohama_koho", "横浜市", "横浜市の公式アカウントです。",
                         "https://www.city.yokohama.lg.jp/");
  const ImpersonationDetector d({}, {main}, {});
  const auto ward = d.assess(profile("kohoku_ku", "横浜市港北区", "区役所からのお知らせ",
                                     "https://www.city.yokohama.lg.jp/kohoku/"),
                             nullptr, kNow);
  EXPECT_EQ(ward.verdict, Verdict::related);
  EXPECT_EQ(ward.components.family, "横浜市港北区");
  const auto other = d.assess(profile("osaka_chuo", "大阪市中央区", "区役所です"), nullptr, kNow);
  EXPECT_EQ(other.verdict, Verdict::benign);
  EXPECT_EQ(other.components.other_body, "大阪市中央区");
}

TEST(FamilyWards, AWardNameSharedByTwoCitiesIsPlacedByTheCityInTheName) {
  OfficialAccount main;
  main.profile = profile("sendai_city_koho", "仙台市", "仙台市の公式アカウントです。",
                         "https://www.city.sendai.jp/");
  const ImpersonationDetector d({}, {main}, {});
  const auto ward = d.assess(profile("izumi_ku_office", "泉区役所（仙台市）", "泉区の情報です。",
                                     "https://www.city.sendai.jp/izumiku/"),
                             nullptr, kNow);
  EXPECT_EQ(ward.verdict, Verdict::related);
  EXPECT_EQ(ward.components.family, "仙台市泉区");
  // The other city's 泉区, named with its city, is another body.
  const auto other = d.assess(
      profile("izumi_ku_yokohama", "泉区役所（横浜市）", "泉区からのお知らせ"), nullptr, kNow);
  EXPECT_EQ(other.verdict, Verdict::benign);
  EXPECT_EQ(other.components.other_body, "横浜市泉区");
}

TEST(FamilyDescriptions, AStockSelfIntroductionIsNotACopyButACopiedSentenceIs) {
  OfficialAccount main;
  main.profile = profile("misato_town_mz", "美郷町",
                         "宮崎県美郷町の公式アカウントです。町からのお知らせを発信します。",
                         "https://www.town.miyazaki-misato.lg.jp/");
  const ImpersonationDetector d({}, {main}, {});
  // The same-name town in 秋田県 introduces itself the way every official account does.
  const auto stock =
      d.assess(profile("misato_akita", "美郷町", "秋田県美郷町の公式アカウントです。",
                       "https://www.town.misato.akita.jp/"),
               nullptr, kNow);
  EXPECT_EQ(stock.components.description, 0.0);
  EXPECT_EQ(stock.verdict, Verdict::benign);
  // One that copies the official's own sentence is still flagged, though its homepage is real.
  const auto copy =
      d.assess(profile("misato_akita", "美郷町",
                       "秋田県美郷町の公式アカウントです。町からのお知らせを発信します。",
                       "https://www.town.misato.akita.jp/"),
               nullptr, kNow);
  EXPECT_GE(copy.components.description, 0.7);
  EXPECT_NE(copy.verdict, Verdict::benign);
}

TEST(RomajiForms, HepburnWithLongVowelsWrittenOutAndCollapsed) {
  EXPECT_EQ(romaji_forms("こうほく"), (std::vector<std::string>{"kouhoku", "kohoku"}));
  EXPECT_EQ(romaji_forms("さっぽろ"), (std::vector<std::string>{"sapporo"}));
  EXPECT_EQ(romaji_forms("しんじゅく"), (std::vector<std::string>{"shinjuku"}));
  EXPECT_EQ(romaji_forms("ちゅうおう"), (std::vector<std::string>{"chuuou", "chuo"}));
  EXPECT_EQ(romaji_forms("みやぎの"), (std::vector<std::string>{"miyagino"}));
  EXPECT_EQ(romaji_forms("きょうと"), (std::vector<std::string>{"kyouto", "kyoto"}));
  EXPECT_TRUE(romaji_forms("").front().empty());
}

TEST(FamilyWards, AWardHandleExtendingTheCitysByTheWardsNameIsNotALookAlike) {
  OfficialAccount main;
  main.profile = profile("yokohama_koho", "横浜市", "横浜市の公式アカウントです。",
                         "https://www.city.yokohama.lg.jp/");
  const ImpersonationDetector d({}, {main}, {});
  const auto ward = d.assess(profile("yokohama_kohoku", "横浜市港北区", "区役所からのお知らせ",
                                     "https://www.city.yokohama.lg.jp/kohoku/"),
                             nullptr, kNow);
  EXPECT_TRUE(ward.components.handle_names_ward);
  EXPECT_EQ(ward.verdict, Verdict::related);
  // Two letters added that are not the ward's name: still a look-alike of the city's handle.
  const auto typo = d.assess(profile("yokohama_kohoo", "横浜市港北区", "区役所からのお知らせ",
                                     "https://www.city.yokohama.lg.jp/kohoku/"),
                             nullptr, kNow);
  EXPECT_FALSE(typo.components.handle_names_ward);
  EXPECT_NE(typo.verdict, Verdict::related);
}

TEST(FamilyUnknownBody, WithoutTheOfficialsBodyNoNameIsAnotherBodys) {
  OfficialAccount main;  // a name the directory does not know, no homepage
  main.profile = profile("koho_soma", "広報そうま", "相馬市の広報です。");
  const ImpersonationDetector d({}, {main}, {});
  const auto a = d.assess(profile("koho_s0ma", "広報そうま", "相馬市の広報です。"), nullptr, kNow);
  EXPECT_TRUE(a.components.other_body.empty());
  EXPECT_NE(a.verdict, Verdict::benign);
}

}  // namespace
}  // namespace mamori::detectors::impersonation
