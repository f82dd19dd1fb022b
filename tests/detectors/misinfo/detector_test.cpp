#include "detectors/misinfo/detector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>

#include "tests/detectors/misinfo/eval_support.h"

namespace mamori::detectors::misinfo {
namespace {

model::TimePoint at(const char* iso) {
  return *testing::parse_utc(iso);
}

std::shared_ptr<const FactIndex> demo_facts() {
  std::vector<OfficialStatement> s = {
      {"fest",
       "第45回わかば市民まつりは、11月3日(日・祝)10時から若葉中央公園で開催します。",
       at("2024-10-28T03:00:00Z"),
       {}},
      {"shelter",
       "【避難所開設】若葉第一小学校体育館と中央公民館を開設しました。問い合わせは0299-55-1111。"
       " https://www.city.wakaba.example.lg.jp/bousai/",
       at("2024-10-12T06:05:00Z"),
       {}},
      {"water",
       "【断水のお知らせ】11月14日(木)9時から16時まで緑町1〜3丁目で断水します。",
       at("2024-11-07T01:00:00Z"),
       {}},
  };
  return std::make_shared<const FactIndex>(std::move(s));
}

std::shared_ptr<const RumourRegistry> demo_rumours() {
  return std::make_shared<const RumourRegistry>(std::vector<Rumour>{
      {"zoo",
       "動物園から猛獣が逃げ出した",
       {"動物園からライオンが逃げた", "トラが逃げ出した"},
       "動物の逃走はありません。",
       "https://www.city.wakaba.example.lg.jp/zoo"},
  });
}

model::Post reply(const std::string& id, const std::string& text, const char* to = nullptr,
                  const char* when = "2024-10-30T01:00:00Z") {
  model::Post p;
  p.post_id = id;
  p.author_handle = "user_" + id;
  p.text = text;
  p.created_at = at(when);
  if (to != nullptr) p.in_reply_to_post_id = to;
  return p;
}

bool has_reason(const ReplyAssessment& a, const std::string& part) {
  for (const auto& r : a.reasons) {
    if (r.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(MisinformationDetector, OppositeStateContradictsTheRepliedPost) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  const auto a = d.score(reply("1", "市民まつり、今年は中止になったらしいよ", "fest"));
  EXPECT_EQ(a.verdict, Verdict::misinformation);
  EXPECT_EQ(a.matched, "fact:fest");
  EXPECT_TRUE(has_reason(a, "「開催」だが、返信は「中止」")) << a.reasons.front();
  EXPECT_TRUE(has_reason(a, "伝聞"));
  EXPECT_EQ(a.fact_id, "fest");
}

// The daemon prepares each official post once and builds the index again from the prepared
// facts when the city posts (issue 20): the same judgements, the facts shared, not re-analysed.
TEST(MisinformationDetector, AnIndexFromPreparedFactsJudgesAsOneFromStatements) {
  const auto from_statements = demo_facts();
  std::vector<std::shared_ptr<const Fact>> prepared;
  for (const auto& f : from_statements->facts())
    prepared.push_back(FactIndex::prepare(f->statement));
  prepared.push_back(FactIndex::prepare(from_statements->facts().front()->statement));  // repeated
  const auto first = std::make_shared<const FactIndex>(prepared, FactIndexOptions{});
  const auto again = std::make_shared<const FactIndex>(prepared, FactIndexOptions{});
  ASSERT_EQ(first->size(), 3U);
  EXPECT_EQ(first->find("water"), again->find("water"));  // one Fact, shared
  EXPECT_EQ(first->find("water"), prepared[2].get());
  const MisinformationDetector d(first, demo_rumours());
  const auto a = d.score(reply("1", "市民まつり、今年は中止になったらしいよ", "fest"));
  EXPECT_EQ(a.verdict, Verdict::misinformation);
  EXPECT_EQ(a.fact_id, "fest");
  const auto phone = d.score(reply("4", "問い合わせ先変わったよ、0120-999-111だって", "shelter"));
  EXPECT_TRUE(has_reason(phone, "電話番号が市の発表と異なる"));
}

TEST(MisinformationDetector, DifferentDatePlaceAndNumberAreContradictions) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  const auto date = d.score(reply("1", "まつり11月10日に延期だって！拡散希望", "fest"));
  EXPECT_EQ(date.verdict, Verdict::misinformation);
  EXPECT_TRUE(has_reason(date, "日付が市の発表と異なる（返信: 11月10日"));
  const auto place = d.score(reply("2", "避難所、若葉第二中学校に変更になったそうです", "shelter"));
  EXPECT_EQ(place.verdict, Verdict::misinformation);
  EXPECT_TRUE(has_reason(place, "場所が市の発表と異なる"));
  const auto area = d.score(reply("3", "緑町4丁目も断水するって回覧に書いてあった", "water"));
  EXPECT_EQ(area.verdict, Verdict::misinformation);
  EXPECT_TRUE(has_reason(area, "数値が市の発表と異なる（返信: 4丁目"));
  const auto phone = d.score(reply("4", "問い合わせ先変わったよ、0120-999-111だって", "shelter"));
  EXPECT_EQ(phone.verdict, Verdict::misinformation);
  EXPECT_TRUE(has_reason(phone, "電話番号が市の発表と異なる"));
}

TEST(MisinformationDetector, SameValuesAsTheCityAreNotContradictions) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  const auto a = d.score(reply("1", "11月3日の10時からですね！若葉中央公園に行きます", "fest"));
  EXPECT_EQ(a.verdict, Verdict::benign);
  EXPECT_TRUE(a.claim_key.empty());
  EXPECT_LT(a.score, 0.1);
}

TEST(MisinformationDetector, CorrectionsAndQuestionsAreNotMisinformation) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  const auto c =
      d.score(reply("1", "中止って書いてる人いるけど、公式は開催するって言ってますよ", "fest"));
  EXPECT_EQ(c.verdict, Verdict::benign);
  EXPECT_EQ(c.kind, ReplyKind::correction);
  const auto c2 = d.score(reply("2", "動物園からライオンが逃げたって話はデマです。拡散しないで"));
  EXPECT_EQ(c2.verdict, Verdict::benign);
  EXPECT_EQ(c2.kind, ReplyKind::correction);
  const auto q = d.score(reply("3", "市民まつり中止って本当ですか？", "fest"));
  EXPECT_EQ(q.verdict, Verdict::benign);
  EXPECT_EQ(q.kind, ReplyKind::question);
  // The question carries the same claim key, so it is counted with the rumour's cluster.
  const auto claim = d.score(reply("4", "市民まつり中止になったって", "fest"));
  EXPECT_EQ(q.claim_key, claim.claim_key);
  // A reply that says the city is hiding the truth is not a correction even with "デマ".
  const auto denial = d.score(reply("5", "市はデマって言ってるけど実際にライオン逃げてるらしい"));
  EXPECT_NE(denial.kind, ReplyKind::correction);
}

TEST(MisinformationDetector, RegisteredRumourNearDuplicatesAreCaught) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  // Reworded endings, emoji, half-width katakana: near-duplicates of the registered wording.
  for (const char* text :
       {"動物園からライオンが逃げたんだって！！外出ないで", "動物園からﾗｲｵﾝが逃げた😱 #拡散希望",
        "【拡散】動物園からライオンが逃げたらしい、まじやばい"}) {
    const auto a = d.score(reply("x", text));
    EXPECT_EQ(a.verdict, Verdict::misinformation) << text;
    EXPECT_EQ(a.matched, "rumour:zoo") << text;
    EXPECT_GE(a.rumour_similarity, 0.8) << text;
  }
  // Written in hiragana the grams differ, but the rumour is still recognised.
  const auto kana = d.score(reply("y", "どうぶつえんからﾗｲｵﾝが逃げた😱 #拡散希望"));
  EXPECT_EQ(kana.matched, "rumour:zoo");
  EXPECT_EQ(kana.verdict, Verdict::misinformation);
}

TEST(MisinformationDetector, RumourAddedToTheRegistryIsMatchedOnItsNextAppearance) {
  MisinformationDetector d(demo_facts(), demo_rumours());
  const auto text = "中央公民館の避難所で食中毒が出たらしい";
  const auto before = d.score(reply("1", text, "shelter"));
  EXPECT_TRUE(before.rumour_id.empty());
  d.set_rumours(
      std::make_shared<const RumourRegistry>(std::vector<Rumour>{{"food-poisoning",
                                                                  "避難所で食中毒が発生した",
                                                                  {"避難所で食中毒が出た"},
                                                                  "事実ではありません",
                                                                  ""}}));
  const auto after = d.score(reply("2", text, "shelter"));
  EXPECT_EQ(after.rumour_id, "food-poisoning");
  EXPECT_EQ(after.verdict, Verdict::misinformation);
  EXPECT_GT(after.score, before.score);
}

TEST(MisinformationDetector, ShortenedLinkPresentedAsOfficial) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  const auto a = d.score(
      reply("1", "避難所の最新情報は市の公式サイトはこちら→ https://bit.ly/3xyz", "shelter"));
  EXPECT_EQ(a.verdict, Verdict::misinformation);
  EXPECT_TRUE(has_reason(a, "短縮URL（bit.ly）でリンク先を隠しているを公式のように示している") ||
              has_reason(a, "短縮URL（bit.ly）"));
  // The city's own domain (from its posts) and *.lg.jp are official.
  const auto ok = d.score(
      reply("2", "詳しくは https://www.city.wakaba.example.lg.jp/bousai/ をどうぞ", "shelter"));
  EXPECT_EQ(ok.verdict, Verdict::benign);
  // Links in Post::urls count too (expanded t.co targets).
  auto p = reply("3", "こちらから申し込みできます", "fest");
  p.urls = {"https://wakaba-ticket.example.com/buy"};
  const auto expanded = d.score(p);
  EXPECT_TRUE(has_reason(expanded, "wakaba-ticket.example.com"));
}

TEST(MisinformationDetector, FlaggedImpersonatorRaisesTheScore) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  const auto text = "市民まつりは中止です";
  const auto plain = d.score(reply("1", text, "fest"));
  const auto flagged =
      d.score(reply("1", text, "fest"), ReplyContext{.author_flagged_impersonator = true});
  EXPECT_GT(flagged.score, plain.score);
  EXPECT_EQ(flagged.verdict, Verdict::misinformation);
  EXPECT_TRUE(has_reason(flagged, "成りすまし"));
}

TEST(MisinformationDetector, MentionsAreCheckedAgainstTheClosestFactByTopic) {
  const MisinformationDetector d(demo_facts(), demo_rumours());
  const auto a = d.score(
      reply("1", "@wakaba_city 市民まつりは雨で中止になったって聞いたけど告知まだ？！拡散します"));
  EXPECT_EQ(a.matched, "fact:fest");
  const auto unrelated =
      d.score(reply("2", "@wakaba_city 市役所の近くでおすすめのランチありますか"));
  EXPECT_TRUE(unrelated.matched.empty());
  EXPECT_EQ(unrelated.verdict, Verdict::benign);
}

TEST(MisinformationDetector, EmptyIndexesAndHostileInputDoNotCrash) {
  const MisinformationDetector empty(nullptr, nullptr);
  EXPECT_EQ(empty.score(reply("1", "")).verdict, Verdict::benign);
  const std::string junk = std::string("\xff\xfe\x00拡散希望", 12) + std::string(50000, '?');
  EXPECT_NO_THROW(empty.score(reply("2", junk)));
}

// ---- clusters -----------------------------------------------------------------------------

TEST(ClaimClusters, OpenAtConfiguredSizeOnceThenEscalate) {
  DetectorSettings settings;
  settings.open_min_claims = 3;
  settings.medium_claims = 5;
  MisinformationDetector d(demo_facts(), demo_rumours(), settings);
  const auto t0 = at("2024-10-30T01:00:00Z");
  const char* texts[] = {"市民まつり中止になったらしい", "まつり中止だってさ",
                         "市民まつり、中止になったって！", "今年のまつり中止なんだって",
                         "市民まつり中止らしいよ"};
  std::vector<model::Finding> all;
  for (int i = 0; i < 5; ++i) {
    auto p = reply(std::to_string(i), texts[i], "fest");
    p.created_at = t0 + std::chrono::minutes(i);
    const auto a = d.observe(p, {}, p.created_at);
    EXPECT_EQ(a.verdict, Verdict::misinformation) << texts[i];
    auto found = d.advance(p.created_at);
    if (i < 2) {
      EXPECT_TRUE(found.empty()) << i;
    }
    for (auto& f : found) all.push_back(std::move(f));
  }
  ASSERT_EQ(all.size(), 2u);  // opened at 3, escalated at 5
  EXPECT_EQ(all[0].severity, model::Severity::low);
  EXPECT_EQ(all[1].severity, model::Severity::medium);
  EXPECT_EQ(all[0].subject, all[1].subject);
  EXPECT_EQ(all[0].type, model::IncidentType::misinformation);
  EXPECT_TRUE(all[0].subject.starts_with("cluster:"));
  const auto ev = boost::json::parse(all[1].evidence_json).as_object();
  EXPECT_EQ(ev.at("claims").as_int64(), 5);
  EXPECT_EQ(ev.at("fact").as_object().at("id").as_string(), "fest");
  EXPECT_GE(ev.at("samples").as_array().size(), 1u);
  EXPECT_TRUE(d.advance(t0 + std::chrono::minutes(6)).empty());  // nothing new
}

TEST(ClaimClusters, HighConfidenceRumourOpensAtOnceAndQuestionsCount) {
  MisinformationDetector d(demo_facts(), demo_rumours());
  const auto t0 = at("2024-11-17T01:00:00Z");
  auto q = reply("q1", "動物園からライオンが逃げたって本当ですか？");
  q.created_at = t0;
  const auto qa = d.observe(q, {}, t0);
  EXPECT_EQ(qa.kind, ReplyKind::question);
  EXPECT_TRUE(d.advance(t0).empty());  // questions alone never open a finding
  auto p = reply("c1", "動物園からライオンが逃げた！拡散希望");
  p.created_at = t0 + std::chrono::minutes(1);
  d.observe(p, {}, p.created_at);
  const auto found = d.advance(p.created_at);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject, MisinformationDetector::cluster_subject("rumour:zoo"));
  EXPECT_TRUE(
      std::any_of(found[0].reasons.begin(), found[0].reasons.end(),
                  [](const std::string& r) { return r.find("質問が1件") != std::string::npos; }));
  const auto ev = boost::json::parse(found[0].evidence_json).as_object();
  EXPECT_EQ(ev.at("rumour").as_object().at("correction").as_string(), "動物の逃走はありません。");
  EXPECT_EQ(ev.at("questions").as_int64(), 1);
}

TEST(ClaimClusters, SpreadOpensAndOldRepliesLeaveTheWindow) {
  DetectorSettings settings;
  settings.window = std::chrono::minutes(30);
  settings.open_min_spread = 20;
  MisinformationDetector d(demo_facts(), demo_rumours(), settings);
  const auto t0 = at("2024-10-30T01:00:00Z");
  auto p = reply("1", "市民まつり中止になったらしい", "fest");
  p.created_at = t0;
  p.repost_count = 5;
  d.observe(p, {}, t0);
  EXPECT_TRUE(d.advance(t0).empty());
  p.repost_count = 25;  // the same post seen again with more reposts replaces the old counts
  d.observe(p, {}, t0 + std::chrono::minutes(5));
  const auto found = d.advance(t0 + std::chrono::minutes(5));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(boost::json::parse(found[0].evidence_json).at("claims").as_int64(), 1);
  EXPECT_EQ(d.cluster_count(), 1u);
  EXPECT_TRUE(d.advance(t0 + std::chrono::hours(3)).empty());
  EXPECT_EQ(d.cluster_count(), 0u);  // forgotten after the window
}

TEST(ClaimClusters, SubjectIsStableAndDistinctPerClaim) {
  EXPECT_EQ(MisinformationDetector::cluster_subject("rumour:zoo"),
            MisinformationDetector::cluster_subject("rumour:zoo"));
  EXPECT_NE(MisinformationDetector::cluster_subject("rumour:zoo"),
            MisinformationDetector::cluster_subject("rumour:dam"));
  EXPECT_EQ(MisinformationDetector::cluster_subject("x").size(),
            std::string("cluster:").size() + 16);
}

}  // namespace
}  // namespace mamori::detectors::misinfo
