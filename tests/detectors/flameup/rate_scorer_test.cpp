#include "detectors/flameup/rate_scorer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>

namespace mamori::detectors::flameup {
namespace {

constexpr std::int64_t kMonday = 1711897200;  // 2024-04-01 00:00 JST
constexpr std::int64_t kMinute = 60;

// Deterministic Poisson-ish minute counts with an office-hours shape.
class Feed {
 public:
  explicit Feed(double per_day) : per_day_(per_day) {}
  double next(std::int64_t t) {
    const int hour = static_cast<int>(((t + 9 * 3600) % 86400) / 3600);
    const double shape = (hour >= 8 && hour < 22) ? 1.6 : 0.15;
    std::poisson_distribution<int> d(per_day_ / 1440.0 * shape);
    return d(rng_);
  }

 private:
  double per_day_;
  std::mt19937_64 rng_{42};
};

// Learns `days` of ordinary traffic, returns the next bucket start.
std::int64_t learn_days(RateScorer& s, Feed& feed, int days, std::int64_t t = kMonday) {
  for (int i = 0; i < days * 1440; ++i, t += kMinute) s.push(t, feed.next(t));
  return t;
}

TEST(RateScorer, OrdinaryTrafficRaisesNoEpisode) {
  RateScorer s(Settings{});
  Feed feed(300);
  int opened = 0;
  std::int64_t t = kMonday;
  for (int i = 0; i < 21 * 1440; ++i, t += kMinute) {
    if (s.push(t, feed.next(t)).event == EpisodeEvent::opened) ++opened;
  }
  EXPECT_EQ(opened, 0);
}

TEST(RateScorer, FourRepliesAtThreeInTheMorningOnAQuietAccountAreNoAlarm) {
  RateScorer s(Settings{});
  Feed feed(20);
  std::int64_t t = learn_days(s, feed, 14);
  // learn_days ends at local midnight; advance to 03:00.
  for (int i = 0; i < 180; ++i, t += kMinute) s.push(t, 0);
  BucketScore b = s.push(t, 4);
  EXPECT_FALSE(b.open);
  EXPECT_LT(b.score, 0.5);
}

TEST(RateScorer, AFloodOpensOneEpisodeThatEndsAfterTheQuietTime) {
  Settings settings;
  RateScorer s(settings);
  Feed feed(300);
  std::int64_t t = learn_days(s, feed, 14) + 10 * 3600;  // 10:00 on day 14
  int opened = 0;
  int ended = 0;
  std::int64_t opened_at = 0;
  std::int64_t ended_at = 0;
  // 45 minutes of 15-25 replies a minute (the baseline is ~0.3), with dips (hysteresis).
  for (int i = 0; i < 45; ++i, t += kMinute) {
    const double c = (i % 10 == 5) ? 2 : 15 + i % 11;
    const BucketScore b = s.push(t, c);
    if (b.event == EpisodeEvent::opened) {
      ++opened;
      opened_at = t;
    }
  }
  EXPECT_EQ(opened, 1);
  EXPECT_TRUE(s.episode_open());
  EXPECT_GT(s.episode().peak_ratio, 10.0);
  for (int i = 0; i < 240; ++i, t += kMinute) {
    const BucketScore b = s.push(t, feed.next(t));
    if (b.event == EpisodeEvent::ended) {
      ++ended;
      ended_at = t;
    }
  }
  EXPECT_EQ(ended, 1);
  EXPECT_FALSE(s.episode().absorbed);
  EXPECT_LE(opened_at - (t - 285 * kMinute), 5 * kMinute);  // opened within 5 minutes
  EXPECT_GE(ended_at - (t - 240 * kMinute), 59 * kMinute);  // only after the quiet time
}

TEST(RateScorer, ALastingLevelShiftBecomesTheNewNormalWithinMaxEpisode) {
  // A news story multiplies a busy account's replies by five for days: one episode, ended after
  // max_episode with its level absorbed, and no new episode at that level.
  Settings settings;
  RateScorer s(settings);
  Feed feed(3000);
  Feed tripled(15000);
  std::int64_t t = learn_days(s, feed, 14) + 10 * 3600;
  int opened = 0;
  int ended = 0;
  std::int64_t opened_at = 0;
  std::int64_t ended_at = 0;
  for (int i = 0; i < 3 * 1440; ++i, t += kMinute) {
    const BucketScore b = s.push(t, tripled.next(t));
    if (b.event == EpisodeEvent::opened) {
      ++opened;
      opened_at = t;
    }
    if (b.event == EpisodeEvent::ended) {
      ++ended;
      ended_at = t;
      EXPECT_TRUE(s.episode().absorbed);
    }
  }
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(ended, 1);
  EXPECT_FALSE(s.episode_open());
  EXPECT_LE(ended_at - opened_at,
            std::chrono::duration_cast<std::chrono::seconds>(settings.max_episode).count());
}

TEST(RateScorer, AFloodEndingAsItIsAbsorbedLeavesTheOldLevel) {
  // A flood that lasts just max_episode is absorbed as it ends; once the rate is back, the old
  // level returns and the next day's flood is still caught.
  RateScorer s(Settings{});
  Feed feed(300);
  std::int64_t t = learn_days(s, feed, 14) + 10 * 3600;
  const double before = s.baseline().level();
  bool absorbed = false;
  for (int i = 0; i < 125; ++i, t += kMinute) {
    const BucketScore b = s.push(t, 20);
    absorbed = absorbed || (b.event == EpisodeEvent::ended && s.episode().absorbed);
  }
  EXPECT_TRUE(absorbed);
  EXPECT_GT(s.baseline().level(), 5.0 * before);
  for (int i = 0; i < 1440; ++i, t += kMinute) s.push(t, feed.next(t));
  EXPECT_LT(s.baseline().level(), 2.0 * before);
  bool reopened = false;
  for (int i = 0; i < 30; ++i, t += kMinute) {
    reopened = reopened || s.push(t, 20).event == EpisodeEvent::opened;
  }
  EXPECT_TRUE(reopened);
}

TEST(RateScorer, ANewAccountLearnsItsLevelWithinHoursAndCatchesAFirstDayFlood) {
  // No history: a busy account (about 50 replies a minute) must not sit in alarm, and a flood
  // on its first afternoon is still caught.
  RateScorer s(Settings{});
  std::mt19937_64 rng(7);
  std::poisson_distribution<int> ordinary(50);
  std::int64_t t = kMonday + 9 * 3600;
  int opened_first_hours = 0;
  for (int i = 0; i < 6 * 60; ++i, t += kMinute) {
    opened_first_hours += s.push(t, ordinary(rng)).event == EpisodeEvent::opened;
  }
  EXPECT_EQ(opened_first_hours, 0);
  EXPECT_FALSE(s.episode_open());
  EXPECT_NEAR(s.baseline().expected(t), 50.0, 25.0);
  bool caught = false;
  for (int i = 0; i < 30; ++i, t += kMinute) {
    caught = caught || s.push(t, 1000).event == EpisodeEvent::opened;
  }
  EXPECT_TRUE(caught);
}

TEST(RateScorer, RecentSurgesRaiseTheBarForTheNextOne) {
  // Heavy tails: after a huge surge, a modest one within hours opens nothing; the same modest
  // surge a week later does.
  const auto surge_opens = [](std::int64_t gap_minutes) {
    RateScorer s(Settings{});
    Feed feed(3000);
    std::int64_t t = learn_days(s, feed, 14) + 10 * 3600;
    for (int i = 0; i < 10; ++i, t += kMinute) s.push(t, 400);  // a huge surge
    for (std::int64_t i = 0; i < gap_minutes; ++i, t += kMinute) s.push(t, feed.next(t));
    bool opened = false;
    for (int i = 0; i < 5; ++i, t += kMinute) {
      opened = opened || s.push(t, 50).event == EpisodeEvent::opened;
    }
    return opened;
  };
  EXPECT_FALSE(surge_opens(6 * 60));
  EXPECT_TRUE(surge_opens(7 * 1440 + 6 * 60));
}

TEST(RateScorer, ABigAccountIsJudgedOnItsOwnScale) {
  // 400 replies in an hour: ordinary for a prefecture account, a flood for a town.
  RateScorer big(Settings{});
  RateScorer town(Settings{});
  Feed big_feed(12000);
  Feed town_feed(20);
  std::int64_t t = learn_days(big, big_feed, 14);
  learn_days(town, town_feed, 14);
  t += 11 * 3600;
  bool big_open = false;
  bool town_open = false;
  for (int i = 0; i < 60; ++i, t += kMinute) {
    const double c = 400.0 / 60.0;
    big_open |= big.push(t, std::round(c + (i % 3) - 1)).open;
    town_open |= town.push(t, std::round(c + (i % 3) - 1)).open;
  }
  EXPECT_FALSE(big_open);
  EXPECT_TRUE(town_open);
}

TEST(RateScorer, LearnsTheDailyShape) {
  RateScorer s(Settings{});
  Feed feed(2000);
  const std::int64_t t = learn_days(s, feed, 21);
  const double night = s.baseline().expected(t + 3 * 3600);
  const double day = s.baseline().expected(t + 12 * 3600);
  EXPECT_NEAR(day / night, 1.6 / 0.15, 3.0);
  EXPECT_NEAR(day, 2000.0 / 1440.0 * 1.6, 0.4);
}

TEST(RateScorer, PeekIsALowerBoundAndChangesNothing) {
  RateScorer s(Settings{});
  Feed feed(300);
  const std::int64_t t = learn_days(s, feed, 14) + 10 * 3600;
  const std::vector<double> partial = {30, 12};
  const auto before = s.peek(partial, t);
  const auto again = s.peek(partial, t);
  EXPECT_EQ(before.surprise, again.surprise);
  s.push(t, 30);
  const BucketScore full = s.push(t + kMinute, 25);  // more replies arrived later
  EXPECT_GE(full.surprise, before.surprise);
  EXPECT_TRUE(before.would_open);
}

TEST(RateScorer, ExcerptAndMemory) {
  RateScorer s(Settings{});
  for (int i = 0; i < 100; ++i) s.push(kMonday + i * kMinute, i);
  std::vector<double> counts;
  std::vector<double> expected;
  s.excerpt(60, counts, expected);
  ASSERT_EQ(counts.size(), 60u);
  EXPECT_EQ(counts.front(), 40.0);
  EXPECT_EQ(counts.back(), 99.0);
  EXPECT_LT(s.memory_bytes(), 2304u);
}

}  // namespace
}  // namespace mamori::detectors::flameup

namespace mamori::detectors::flameup {
namespace {

// A busy series (about 200 replies per 5 minutes) whose bursts come far more often than the count
// model expects: 3% of the buckets start a burst of 1.5-6x lasting up to 20 minutes (news, a
// popular post), several a day.
struct HeavyTailRun {
  int opened = 0;
  double factor = 0.0;
  bool flood_opened = false;
};

HeavyTailRun run_heavy_tailed(double calibration_reference) {
  Settings settings;
  settings.bucket = std::chrono::minutes(5);
  settings.calibration_reference = calibration_reference;
  RateScorer s(settings);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  HeavyTailRun out;
  std::int64_t t = kMonday;
  int burst_left = 0;
  double burst = 1.0;
  for (int i = 0; i < 28 * 288; ++i, t += 300) {
    if (burst_left == 0 && u(rng) < 0.03) {
      burst_left = 1 + static_cast<int>(u(rng) * 4);
      burst = 1.5 + 4.5 * u(rng);
    }
    const double m = burst_left > 0 ? burst : 1.0;
    if (burst_left > 0) --burst_left;
    std::poisson_distribution<int> d(200.0 * m);
    if (s.push(t, d(rng)).event == EpisodeEvent::opened) ++out.opened;
  }
  out.factor = s.calibration_factor();
  for (int i = 0; i < 24; ++i, t += 300) s.push(t, 200.0);  // two quiet hours
  for (int i = 0; i < 12; ++i, t += 300) {
    if (s.push(t, 3000.0).open) out.flood_opened = true;  // 15 x for an hour
  }
  return out;
}

TEST(RateScorer, AHeavyTailedSeriesPagesOnWhatStandsOutAmongItsOwnSwings) {
  const HeavyTailRun uncalibrated = run_heavy_tailed(0.0);
  const HeavyTailRun calibrated = run_heavy_tailed(Settings{}.calibration_reference);
  EXPECT_EQ(uncalibrated.factor, 1.0);
  EXPECT_GT(calibrated.factor, 1.5);
  EXPECT_GE(uncalibrated.opened, 5);  // about one page every five days
  EXPECT_LE(2 * calibrated.opened, uncalibrated.opened);
  EXPECT_TRUE(calibrated.flood_opened);
}

TEST(RateScorer, ASeriesTheModelFitsKeepsItsThreshold) {
  RateScorer s(Settings{});
  Feed feed(300);
  learn_days(s, feed, 21);
  EXPECT_EQ(s.calibration_factor(), 1.0);
}

}  // namespace
}  // namespace mamori::detectors::flameup
