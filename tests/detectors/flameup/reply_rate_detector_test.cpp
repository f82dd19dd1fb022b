#include "detectors/flameup/reply_rate_detector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "detectors/flameup/spikes.h"

namespace mamori::detectors::flameup {
namespace {

constexpr std::int64_t kMonday = 1711897200;  // 2024-04-01 00:00 JST
constexpr std::int64_t kDay = 86400;

model::TimePoint at(std::int64_t seconds) {
  return model::TimePoint(std::chrono::milliseconds(seconds * 1000));
}

// Two weeks of a city account's history (~150 replies a day, office hours).
std::vector<HistoryBucket> history(int days) {
  std::mt19937_64 rng(7);
  std::vector<HistoryBucket> out;
  for (std::int64_t m = 0; m < days * 1440; ++m) {
    const int hour = static_cast<int>(m % 1440 / 60);
    std::poisson_distribution<int> d((hour >= 8 && hour < 22) ? 0.16 : 0.02);
    const int c = d(rng);
    if (c > 0) out.push_back({at(kMonday + m * 60), static_cast<double>(c), 0.0});
  }
  return out;
}

model::Post reply(int n, std::string text, std::int64_t created, std::string to_post,
                  bool fresh_account) {
  model::Post p;
  p.platform = model::Platform::x;
  p.post_id = "r" + std::to_string(n);
  p.author_id = "u" + std::to_string(n);
  p.author_handle =
      fresh_account ? "user" + std::to_string(10000000 + n) : "resident" + std::to_string(n % 50);
  p.author_display_name = fresh_account ? "" : "住民";
  p.text = std::move(text);
  p.created_at = at(created);
  p.in_reply_to_post_id = std::move(to_post);
  return p;
}

struct Stream {
  std::vector<model::Finding> findings;
  std::vector<std::string> phases;
};

// Streams `minutes` from `start`, `per_minute` replies of `text` to post p1, polling each minute.
Stream flood(ReplyRateDetector& d, std::int64_t start, int minutes, int per_minute,
             const std::vector<std::string>& texts, int tail_minutes) {
  Stream run;
  int n = 0;
  for (int m = 0; m < minutes + tail_minutes; ++m) {
    const std::int64_t minute = start + m * 60;
    if (m < minutes) {
      for (int k = 0; k < per_minute; ++k) {
        d.observe(reply(n, texts[static_cast<std::size_t>(n) % texts.size()], minute + k * 2, "p1",
                        n % 2 == 0),
                  at(minute + 50));
        ++n;
      }
    }
    for (auto& f : d.advance(at(minute + 60))) {
      run.phases.push_back(
          std::string(boost::json::parse(f.evidence_json).as_object().at("phase").as_string()));
      run.findings.push_back(std::move(f));
    }
  }
  return run;
}

TEST(ReplyRateDetector, HostileFloodIsDetectedWithinMinutesAsFlameup) {
  ReplyRateDetector d(model::Platform::x, "123");
  const auto h = history(14);
  d.warm_start(h, at(kMonday + 14 * kDay + 10 * 3600));
  const std::int64_t start = kMonday + 14 * kDay + 10 * 3600;
  const Stream run = flood(d, start, 40, 12,
                           {"税金の無駄遣いもいい加減にしろ", "担当者は謝罪しろ",
                            "最低な対応ですね", "説明になってない", "この投稿は何ですか？"},
                           120);
  ASSERT_FALSE(run.findings.empty());
  const model::Finding& first = run.findings.front();
  EXPECT_EQ(run.phases.front(), "open");
  EXPECT_EQ(first.type, model::IncidentType::flameup);
  EXPECT_EQ(first.subject, "x:account:123");
  EXPECT_LE(first.detected_at - at(start), std::chrono::minutes(5));
  bool flame = false;
  for (const auto& f : run.findings) flame |= f.severity_label == "炎上";
  EXPECT_TRUE(flame);
  EXPECT_EQ(run.phases.back(), "end");
  const auto end = boost::json::parse(run.findings.back().evidence_json).as_object();
  EXPECT_EQ(end.at("end_reason"), "back_to_baseline");
  // Where the episode ended: the start of the bucket whose close ended it, which is the last
  // bucket of the end finding's series (the console's band ends there). The flood's replies were
  // in its first 40 minutes; the episode lasts through the quiet time after them.
  const auto& series = end.at("series").as_object();
  const auto ended_at = parse_timestamp(end.at("ended_at").as_string(), std::chrono::seconds(0));
  ASSERT_TRUE(ended_at.has_value());
  const auto series_start =
      parse_timestamp(series.at("start").as_string(), std::chrono::seconds(0));
  ASSERT_TRUE(series_start.has_value());
  const auto buckets = static_cast<std::int64_t>(series.at("counts").as_array().size());
  EXPECT_EQ(*ended_at, *series_start + std::chrono::seconds(
                                           (buckets - 1) * series.at("bucket_seconds").as_int64()));
  EXPECT_GE(*ended_at, at(start + 40 * 60) + Settings{}.quiet_time);
  // Reported as soon as that bucket closed (its minute plus the lateness).
  EXPECT_LE(
      run.findings.back().detected_at - *ended_at,
      std::chrono::seconds(Settings{}.bucket) + Settings{}.lateness + std::chrono::minutes(1));
  int opens = 0;
  for (const auto& p : run.phases) opens += p == "open";
  EXPECT_EQ(opens, 1);  // one episode, one open finding

  const auto ev = boost::json::parse(run.findings.back().evidence_json).as_object();
  EXPECT_EQ(ev.at("top_posts").as_array().at(0).as_object().at("post_id").as_string(), "p1");
  EXPECT_EQ(ev.at("series").as_object().at("counts").as_array().size(), 60u);
  EXPECT_GT(ev.at("hostile_share").as_double(), 0.5);
  EXPECT_GT(ev.at("new_anonymous_share").as_double(), 0.3);
  bool criticism_reason = false;
  for (const auto& r : run.findings.front().reasons) {
    criticism_reason |= r.find("批判・攻撃的な返信") != std::string::npos;
  }
  EXPECT_TRUE(criticism_reason);
}

TEST(ReplyRateDetector, CountedSeriesOpensAnEpisodeAndTextsAreASubsetOfTheCount) {
  // The reply rate from a platform's counts (X tweets/counts/recent), read every 15 minutes:
  // the detector waits that long before judging a bucket.
  Settings settings;
  settings.lateness = std::chrono::seconds(15 * 60 + 90);
  settings.max_gap = std::chrono::minutes(60);
  ReplyRateDetector d(model::Platform::x, "123", settings);
  const auto h = history(14);
  const std::int64_t start = kMonday + 14 * kDay + 10 * 3600;
  d.warm_start(h, at(start - 1200));  // the history ends 20 minutes ago: those are still open
  // Calm counts are not a rise; a flood of 12 a minute for 15 minutes is.
  EXPECT_FALSE(d.above_baseline(at(start - 900), at(start), 3));
  EXPECT_TRUE(d.above_baseline(at(start), at(start + 900), 180));
  // The texts read are a subset of what was counted: the bucket holds the larger of the two.
  d.observe_count(at(start - 600), 5, at(start));
  d.observe(reply(1, "税金の無駄遣いもいい加減にしろ", start - 590, "p1", true), at(start));
  d.observe(reply(2, "ありがとうございます", start - 580, "p1", false), at(start));
  for (int k = 0; k < 3; ++k)
    d.observe(reply(3 + k, "質問です", start - 530, "p1", false), at(start));
  d.observe_count(at(start - 540), 1, at(start));
  // Counts older than the lateness bound are dropped, like late replies.
  d.observe_count(at(start - 3600), 4, at(start));
  EXPECT_EQ(d.late_dropped(), 4u);
  std::vector<std::string> phases;
  for (int m = 0; m < 15; ++m) d.observe_count(at(start + m * 60), 12, at(start + m * 60 + 30));
  for (int m = 0; m <= 60; ++m) {
    for (auto& f : d.advance(at(start + m * 60))) {
      phases.push_back(
          std::string(boost::json::parse(f.evidence_json).as_object().at("phase").as_string()));
    }
  }
  int found = 0;
  for (const auto& b : d.recent_buckets()) {
    if (b.start == start - 600) {
      EXPECT_EQ(b.count, 5.0);  // counted 5, 2 texts read
      ++found;
    } else if (b.start == start - 540) {
      EXPECT_EQ(b.count, 3.0);  // counted 1 (a late count), 3 texts read
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.front(), "open");
}

TEST(ReplyRateDetector, AnEpisodeThatNeverCalmsEndsAsANewLevelWithinMaxEpisode) {
  // Criticism that keeps coming for hours: the episode still ends, saying the level is now taken
  // as normal, and `end_reason` tells the daemon which end it was (the check and the console
  // follow it); the ordinary flood above ends as "back_to_baseline".
  ReplyRateDetector d(model::Platform::x, "123");
  d.warm_start(history(14), at(kMonday + 14 * kDay + 9 * 3600));
  const std::int64_t start = kMonday + 14 * kDay + 9 * 3600;
  const Stream run =
      flood(d, start, 6 * 60, 6, {"税金の無駄遣いもいい加減にしろ", "説明になってない"}, 0);
  ASSERT_FALSE(run.phases.empty());
  EXPECT_EQ(run.phases.front(), "open");
  std::size_t end = run.phases.size();
  for (std::size_t i = 0; i < run.phases.size(); ++i) {
    if (run.phases[i] == "end") {
      end = i;
      break;
    }
  }
  ASSERT_LT(end, run.phases.size()) << "the episode never ended";
  const auto& f = run.findings[end];
  const auto ev = boost::json::parse(f.evidence_json).as_object();
  EXPECT_EQ(ev.at("end_reason").as_string(), "new_level");
  EXPECT_LE(f.detected_at - run.findings.front().detected_at,
            d.settings().max_episode + d.settings().quiet_time + std::chrono::minutes(5));
  EXPECT_NE(f.reasons.front().find("新しい平常"), std::string::npos) << f.reasons.front();
}

TEST(ReplyRateDetector, ThankYouSurgeIsOnlyCaution) {
  ReplyRateDetector d(model::Platform::x, "123");
  d.warm_start(history(14), at(kMonday + 14 * kDay + 6 * 3600));
  const Stream run = flood(d, kMonday + 14 * kDay + 6 * 3600, 90, 25,
                           {"避難所の情報ありがとうございます", "給水所は何時まで開いていますか",
                            "職員の皆さん、お疲れ様です", "助かりました！"},
                           90);
  ASSERT_FALSE(run.findings.empty());  // a surge this large is still noticed ...
  for (const auto& f : run.findings) EXPECT_EQ(f.severity_label, "注意");  // ... but never more
  bool capped = false;
  for (const auto& r : run.findings.front().reasons) {
    capped |= r.find("感謝・質問が中心") != std::string::npos;
  }
  EXPECT_TRUE(capped);
}

TEST(ReplyRateDetector, LateRepliesBeyondTheBoundAreCountedAsDropped) {
  ReplyRateDetector d(model::Platform::x, "123");
  const std::int64_t now = kMonday + 3600;
  d.advance(at(now));
  d.advance(at(now + 600));
  d.observe(reply(1, "こんにちは", now + 60, "p1", false), at(now + 600));  // 9 minutes late
  EXPECT_EQ(d.late_dropped(), 1u);
  d.observe(reply(2, "こんにちは", now + 540, "p1", false), at(now + 600));  // within lateness
  EXPECT_EQ(d.late_dropped(), 1u);
}

TEST(ReplyRateDetector, FutureTimestampsCountNowAndOwnRepliesAndRepostsAreIgnored) {
  ReplyRateDetector d(model::Platform::x, "123");
  const std::int64_t now = kMonday + 3600;
  d.advance(at(now));
  d.observe(reply(1, "未来から", now + 7200, "p1", false), at(now));
  model::Post own = reply(2, "ご質問ありがとうございます", now, "p1", false);
  own.author_id = "123";
  d.observe(own, at(now));
  model::Post repost = reply(3, "", now, "", false);
  repost.reposted_post_id = "p1";
  d.observe(repost, at(now));
  d.advance(at(now + 600));
  std::vector<double> counts;
  std::vector<double> expected;
  d.all_replies().excerpt(60, counts, expected);
  double total = 0.0;
  for (double c : counts) total += c;
  EXPECT_EQ(total, 1.0);
  EXPECT_EQ(d.late_dropped(), 0u);
}

TEST(ReplyRateDetector, WarmStartRulesAndRestartGap) {
  ReplyRateDetector d(model::Platform::x, "123");
  std::vector<HistoryBucket> unordered = {{at(kMonday + 120), 1, {}}, {at(kMonday + 60), 1, {}}};
  EXPECT_THROW(d.warm_start(unordered), std::invalid_argument);

  ReplyRateDetector e(model::Platform::x, "123");
  const auto h = history(7);
  const std::int64_t until = kMonday + 7 * kDay;
  e.warm_start(h, at(until));
  const auto learned = e.all_replies().baseline().buckets_learned();
  // From the first stored bucket up to `until`, missing buckets counted as zero.
  const auto first = h.front().start.time_since_epoch().count() / 1000;
  EXPECT_EQ(learned, static_cast<std::uint64_t>((until - first) / 60));
  // The daemon was down for six hours: the gap is skipped, not learned as silence.
  EXPECT_TRUE(e.advance(at(until + 6 * 3600)).empty());
  EXPECT_LE(e.all_replies().baseline().buckets_learned() - learned, 31u);
  EXPECT_THROW(e.warm_start(h), std::logic_error);
}

TEST(ReplyRateDetector, InvalidSettingsAreRejected) {
  Settings s;
  s.close_surprise = 20;  // above the open threshold
  EXPECT_THROW(ReplyRateDetector(model::Platform::x, "1", s), std::invalid_argument);
  s = Settings{};
  s.bucket = std::chrono::seconds(0);
  EXPECT_THROW(ReplyRateDetector(model::Platform::x, "1", s), std::invalid_argument);
  EXPECT_FALSE(validate(Settings{}).has_value());
}

TEST(ReplyRateDetector, MemoryPerAccountIsSmall) {
  ReplyRateDetector d(model::Platform::x, "123");
  EXPECT_LT(d.memory_bytes(), 8192u);
}

}  // namespace
}  // namespace mamori::detectors::flameup
