#include "detectors/threat/detector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "detectors/text/normalized_text.h"

namespace mamori::detectors::threat {
namespace {

struct Case {
  const char* text;
  bool threat;
  Kind kind;
};

class ThreatCases : public ::testing::TestWithParam<Case> {};

TEST_P(ThreatCases, Judged) {
  const Case& c = GetParam();
  const Assessment a = assess(c.text);
  EXPECT_EQ(a.threat, c.threat) << c.text;
  if (c.threat && a.threat) {
    EXPECT_EQ(a.kind, c.kind) << c.text;
    EXPECT_FALSE(a.cues.empty());
    EXPECT_EQ(a.reasons.size(), 2u);
  }
  if (!c.threat) {
    EXPECT_TRUE(a.reasons.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Mechanisms, ThreatCases,
    ::testing::Values(
        // Announced acts, in several forms.
        Case{"市長を殺してやる", true, Kind::violence},
        Case{"ぶっころすぞ市長", true, Kind::violence},  // kana spelling via the reading
        Case{"市長ｺﾛｽ", true, Kind::violence},           // half-width kana, NFKC
        Case{"庁舎を爆破します", true, Kind::bomb},      // サ変 noun acted on
        Case{"会場に爆弾を仕掛けた", true, Kind::bomb},
        Case{"市役所に火をつけてやる", true, Kind::arson},
        Case{"図書館に放火する", true, Kind::arson}, Case{"職員に危害を加える", true, Kind::harm},
        Case{"帰り道に気をつけろよ", true, Kind::harm},
        Case{"金を払え。さもないと写真をばらまく", true, Kind::extortion},
        Case{"【市公式】給付金の受け取りには手数料を振り込んでください", true, Kind::fraud},
        // Negated, reported, quoted, asked, passive, modifying a noun.
        Case{"殺すなんて言ってない", false, Kind::violence},
        Case{"爆破なんてしないよ", false, Kind::bomb},
        Case{"危害を加えるつもりはない", false, Kind::harm},
        Case{"爆破予告があったそうです", false, Kind::bomb},
        Case{"放火の疑いがあるらしい", false, Kind::arson},
        Case{"「市役所を燃やす」という書き込みを通報した", false, Kind::arson},
        Case{"放火犯は捕まったんですか？", false, Kind::arson},
        Case{"蚊に刺された", false, Kind::violence},
        Case{"犯人が館長を刺すシーンが怖い", false, Kind::violence},
        Case{"市民を殺す気か", false, Kind::violence},
        // Hyperbole and anger are not threats.
        Case{"殺人的な暑さ", false, Kind::violence},
        Case{"ゲームでラスボスを殺した", false, Kind::violence},  // no one is aimed at
        Case{"職員どもを皆殺しにする日は近い", true, Kind::violence},
        Case{"死ぬほど待たされた", false, Kind::violence},
        Case{"市長は辞めろ、無能", false, Kind::violence},
        Case{"議会で追及してやる", false, Kind::violence},
        Case{"情熱を燃やす毎日です", false, Kind::arson},  // no target: not arson
        Case{"たばこに火をつけるのは喫煙所で", false, Kind::arson},
        // Warnings about fraud are not fraud.
        Case{"市をかたる還付金詐欺に注意してください。ATMで手続きはできません", false,
             Kind::fraud}));

TEST(Threat, AnalysisSharedWithOtherDetectorsJudgesTheSame) {
  for (const char* t : {"市長を殺してやる", "市長ｺﾛｽ", "放火犯は捕まった？\n図書館に放火する",
                        "「市役所を燃やす」\nという書き込みを通報した", "蚊に刺された",
                        "https://example.jp/a 市長を殺してやる", "詳しくはbit.ly/x爆破する"}) {
    const text::NormalizedText normalized(t);
    const Assessment own = assess(t);
    const Assessment shared = assess(normalized);
    EXPECT_EQ(own.threat, shared.threat) << t;
    EXPECT_EQ(own.kind, shared.kind) << t;
    EXPECT_EQ(own.cues, shared.cues) << t;
  }
}

// The shared analysis blanks links (text::NormalizedText): a threat next to a link is still one.
TEST(Threat, ThreatNextToALinkIsStillFound) {
  for (const char* t : {"市役所を爆破する https://example.jp/x", "見ろ→bit.ly/abc 市長を殺す"}) {
    const Assessment a = assess(t);
    EXPECT_TRUE(a.threat) << t;
  }
  EXPECT_FALSE(assess("https://bomb.example.jp/ 花火大会のお知らせ").threat);
}

TEST(Threat, HostileInputNeverCrashes) {
  const std::string bad = std::string("\xff\xfe殺\x80す\0ぞ", 12);
  EXPECT_NO_THROW(assess(bad));
  EXPECT_FALSE(assess("").threat);
  std::string longtext;
  for (int i = 0; i < 2000; ++i) longtext += "「殺す」";
  EXPECT_FALSE(assess(longtext).threat);  // all quoted
}

TEST(Threat, FindingPreservesEvidence) {
  model::Post p;
  p.platform = model::Platform::mastodon;
  p.post_id = "109";
  p.author_handle = "troll@example.social";
  p.text = "保健センターに放火します";
  p.created_at = model::TimePoint{std::chrono::milliseconds{1'700'000'000'000}};
  const Assessment a = assess(p.text);
  ASSERT_TRUE(a.threat);
  const model::Finding f = make_finding(p, a, p.created_at + std::chrono::minutes(1));
  EXPECT_EQ(f.type, model::IncidentType::threat);
  EXPECT_EQ(f.subject, "mastodon:post:109");
  EXPECT_EQ(f.severity, model::Severity::critical);  // arson announced
  EXPECT_EQ(f.severity_label, "放火の予告");
  const auto ev = boost::json::parse(f.evidence_json).as_object();
  EXPECT_EQ(ev.at("kind").as_string(), "arson");
  EXPECT_EQ(ev.at("post").as_object().at("text").as_string(), p.text);
  EXPECT_EQ(ev.at("post").as_object().at("author_handle").as_string(), p.author_handle);
}

}  // namespace
}  // namespace mamori::detectors::threat
