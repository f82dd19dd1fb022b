#include "detectors/integrity/own_post_anomaly.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace mamori::detectors::integrity {
namespace {

using namespace std::chrono_literals;

// 2024-06-03 00:00 JST = 2024-06-02 15:00 UTC.
const model::TimePoint kMondayJst =
    model::TimePoint(std::chrono::sys_days(std::chrono::year(2024) / 6 / 2).time_since_epoch()) +
    15h;

model::Post post(model::TimePoint created, std::string text = "本日の市役所からのお知らせです",
                 std::string client = "Hootsuite Inc.") {
  static int n = 0;
  model::Post p;
  p.platform = model::Platform::x;
  p.post_id = std::to_string(++n);
  p.author_id = "100";
  p.text = std::move(text);
  p.client = std::move(client);
  p.created_at = created;
  return p;
}

// 60 days of office-hours posting: 09:30, 12:00 and 16:45 JST.
OwnPostAnomalyScorer with_history() {
  OwnPostAnomalyScorer s;
  for (int d = -60; d < 0; ++d) {
    const auto day = kMondayJst + std::chrono::days(d);
    for (auto t : {9h + 30min, 12h + 0min, 16h + 45min}) s.learn(post(day + t));
  }
  return s;
}

bool has(const PostAssessment& a, std::string_view id) {
  return std::any_of(a.signals.begin(), a.signals.end(),
                     [&](const PostSignal& s) { return s.id == id; });
}

TEST(OwnPostAnomaly, OrdinaryOfficeHoursPostIsQuiet) {
  auto s = with_history();
  const auto t = kMondayJst + 10h;
  const auto a = s.observe(
      post(t, "ごみ収集日程のお知らせ https://www.city.soma.fukushima.jp/gomi"), t + 1min);
  EXPECT_TRUE(a.signals.empty());
  EXPECT_FALSE(a.anomalous);
}

TEST(OwnPostAnomaly, CryptoGiveawayFromNewClientAtNightWithShortenerIsAnomalous) {
  auto s = with_history();
  const auto t = kMondayJst + 3h + 10min;  // 03:10 JST
  const auto a = s.observe(
      post(t, "【当選しました】ビットコインプレゼント！受け取りはDMください https://bit.ly/3xyz",
           "Free Bot App"),
      t + 1min);
  EXPECT_TRUE(has(a, "unusual_hour"));
  EXPECT_TRUE(has(a, "unusual_client"));
  EXPECT_TRUE(has(a, "shortened_url"));
  EXPECT_TRUE(has(a, "giveaway"));
  EXPECT_TRUE(has(a, "crypto"));
  EXPECT_TRUE(has(a, "dm_solicitation"));
  EXPECT_TRUE(a.anomalous);
  EXPECT_GT(a.score, 0.9);
  const auto f = own_post_finding(post(t), a, "soma_city", t);
  EXPECT_EQ(f.type, model::IncidentType::account_compromise);
  EXPECT_EQ(f.subject, "x:official:soma_city");
  EXPECT_EQ(f.severity, model::Severity::critical);
  EXPECT_GE(f.reasons.size(), 7u);
}

TEST(OwnPostAnomaly, SingleWeakSignalStaysBelowThreshold) {
  auto s = with_history();
  const auto t = kMondayJst + 11h;
  const auto a = s.observe(post(t, "イベント詳細は https://bit.ly/ev をご覧ください"), t);
  EXPECT_TRUE(has(a, "shortened_url"));
  EXPECT_FALSE(a.anomalous) << a.score;
}

TEST(OwnPostAnomaly, BurstAtNightIsDetectedAgainstTheBusiestWindow) {
  auto s = with_history();
  const auto start = kMondayJst + 2h;
  PostAssessment last;
  for (int i = 0; i < 8; ++i) {
    const auto t = start + std::chrono::minutes(i * 5);
    last = s.observe(post(t, "Follow and RT to win! giveaway"), t + 1min);
  }
  EXPECT_TRUE(has(last, "burst"));
  EXPECT_TRUE(has(last, "unusual_hour"));
  EXPECT_TRUE(last.anomalous);
}

TEST(OwnPostAnomaly, DisasterDayBurstInDaytimeAloneIsNotACompromise) {
  auto s = with_history();
  const auto start = kMondayJst + 13h;
  PostAssessment last;
  for (int i = 0; i < 10; ++i) {
    const auto t = start + std::chrono::minutes(i * 5);
    last = s.observe(post(t, "【避難情報】相馬市に避難指示を発令しました"), t);
  }
  EXPECT_TRUE(has(last, "burst"));
  EXPECT_FALSE(last.anomalous) << last.score;
}

TEST(OwnPostAnomaly, OldPostsAndRepostsOnlyFeedTheHistory) {
  OwnPostAnomalyScorer s;
  const auto t = kMondayJst + 3h;
  auto old = post(t, "giveaway crypto DM me https://bit.ly/x", "Bot");
  EXPECT_TRUE(s.observe(old, t + 24h).signals.empty());
  auto rp = post(t, "giveaway crypto DM me", "Bot");
  rp.reposted_post_id = "999";
  EXPECT_TRUE(s.observe(rp, t).signals.empty());
  EXPECT_EQ(s.history_size(), 2u);
}

TEST(OwnPostAnomaly, FewPostsUseQuietHoursAndDoNotJudgeClients) {
  OwnPostAnomalyScorer s;
  const auto night = kMondayJst + 2h;
  const auto a = s.observe(post(night, "お知らせ", "Brand New"), night);
  EXPECT_TRUE(has(a, "unusual_hour"));
  EXPECT_FALSE(has(a, "unusual_client"));
  const auto day = kMondayJst + 14h;
  EXPECT_FALSE(has(s.observe(post(day), day), "unusual_hour"));
}

TEST(OwnPostAnomaly, ScamWordingIsFoundInFullWidthAndEnglishButNotInOrdinaryWords) {
  EXPECT_EQ(scam_wording("ＤＭください").size(), 1u);
  EXPECT_EQ(scam_wording("Send a DM to claim your free gift").size(), 2u);
  EXPECT_TRUE(scam_wording("The method of payment is explained on the website").empty());
  EXPECT_TRUE(scam_wording("市民プールの営業時間を変更します").empty());
}

}  // namespace
}  // namespace mamori::detectors::integrity
