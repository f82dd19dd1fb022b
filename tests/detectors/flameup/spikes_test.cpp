#include "detectors/flameup/spikes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>

namespace mamori::detectors::flameup {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

std::int64_t epoch(const std::optional<model::TimePoint>& t) {
  return t->time_since_epoch().count() / 1000;
}

TEST(SpikesCsv, TimestampForms) {
  // 2024-05-01 09:30:00 JST = 2024-05-01T00:30:00Z = 1714523400.
  EXPECT_EQ(epoch(parse_timestamp("2024-05-01 09:30:00", hours(9))), 1714523400);
  EXPECT_EQ(epoch(parse_timestamp("2024-05-01T00:30:00Z", hours(9))), 1714523400);
  EXPECT_EQ(epoch(parse_timestamp("2024-05-01T09:30:00+09:00", hours(0))), 1714523400);
  EXPECT_EQ(epoch(parse_timestamp("2024-05-01T09:30:00+0900", hours(0))), 1714523400);
  EXPECT_EQ(epoch(parse_timestamp("2024-05-01T09:30", hours(9))), 1714523400);
  EXPECT_EQ(epoch(parse_timestamp("1714523400", hours(9))), 1714523400);
  EXPECT_EQ(parse_timestamp("2024-05-01T00:30:00.250Z", hours(9))->time_since_epoch().count(),
            1714523400250);
  EXPECT_EQ(epoch(parse_timestamp("2024-05-01", hours(9))), 1714489200);
}

TEST(SpikesCsv, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2024-02-30 00:00:00", "2024-13-01 00:00:00", "2024-05-01 24:00:00",
                          "2024-05-01 09:30:00 JST", "yesterday", "2024/05/01 09:30:00",
                          "1714523400x", "99999999999999", "2024-05-01T09:30:00+25:00"}) {
    EXPECT_FALSE(parse_timestamp(bad, hours(9)).has_value()) << bad;
  }
}

TEST(SpikesCsv, ParsesAFileWithBomCrlfQuotesAndBlankLines) {
  const auto r = parse_spikes_csv(
      "\xEF\xBB\xBFtimestamp,value\r\n\"2024-05-01 09:00:00\",3\r\n\r\n2024-05-01 09:01:00, 0 \r\n",
      hours(9));
  ASSERT_TRUE(r.ok()) << r.error->message;
  ASSERT_EQ(r.data.samples.size(), 2u);
  EXPECT_EQ(r.data.samples[0].value, 3.0);
  EXPECT_EQ(r.data.timestamp_texts[0], "2024-05-01 09:00:00");
  EXPECT_EQ(r.data.value_texts[1], "0");
}

TEST(SpikesCsv, ErrorsNameLineAndField) {
  struct Case {
    const char* text;
    std::size_t line;
    const char* field;
  } cases[] = {
      {"", 1, "header"},
      {"2024-05-01 09:00:00,3\n", 1, "header"},
      {"timestamp,value\n2024-05-01 09:00:00,abc\n", 2, "value"},
      {"timestamp,value\n2024-05-01 09:00:00,-1\n", 2, "value"},
      {"timestamp,value\n2024-05-01 09:00:00,nan\n", 2, "value"},
      {"timestamp,value\n2024-05-01 09:01:00,1\n2024-05-01 09:00:00,1\n", 3, "timestamp"},
      {"timestamp,value\n2024-05-01T09:00:00.100Z,1\n2024-05-01T09:00:00.900Z,1\n", 3, "timestamp"},
      {"timestamp,value\n2024-05-01 09:00:00,1,2\n", 2, "row"},
      {"timestamp,value\n\"2024-05-01 09:00:00,1\n", 2, "row"},
      {"timestamp,value\nnot a time,1\n", 2, "timestamp"},
  };
  for (const auto& c : cases) {
    const auto r = parse_spikes_csv(c.text, hours(9));
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error->line, c.line) << c.text;
    EXPECT_EQ(r.error->field, c.field) << c.text;
    EXPECT_FALSE(r.error->message.empty());
  }
}

TEST(SpikesCsv, UtcOffsets) {
  EXPECT_EQ(parse_utc_offset("+09:00"), seconds(9 * 3600));
  EXPECT_EQ(parse_utc_offset("-05:30"), seconds(-(5 * 3600 + 1800)));
  EXPECT_EQ(parse_utc_offset("9"), seconds(9 * 3600));
  EXPECT_EQ(parse_utc_offset("UTC"), seconds(0));
  EXPECT_FALSE(parse_utc_offset("+9:0").has_value());
  EXPECT_FALSE(parse_utc_offset("JST").has_value());
}

std::vector<Sample> minutes(int days, double per_day, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> out;
  const std::int64_t start = 1711897200;
  for (int m = 0; m < days * 1440; ++m) {
    const int hour = m % 1440 / 60;
    std::poisson_distribution<int> d(per_day / 1440.0 * ((hour >= 8 && hour < 22) ? 1.6 : 0.15));
    out.push_back({model::TimePoint(std::chrono::milliseconds((start + m * 60) * 1000LL)),
                   static_cast<double>(d(rng))});
  }
  return out;
}

TEST(Spikes, FlagsAFloodAndScoresStayInRange) {
  auto samples = minutes(15, 300, 1);
  const std::size_t flood = 14 * 1440 + 10 * 60;
  for (std::size_t i = flood; i < flood + 60; ++i) samples[i].value += 25;
  const auto scored = spikes(samples, Settings{});
  ASSERT_EQ(scored.size(), samples.size());
  for (const auto& s : scored) {
    EXPECT_GE(s.score, 0.0);
    EXPECT_LE(s.score, 1.0);
  }
  int alerts_before = 0;
  for (std::size_t i = 2 * 1440; i < flood; ++i) alerts_before += scored[i].alert;
  EXPECT_EQ(alerts_before, 0);
  // `alert` marks the one row where the episode opens; `episode` holds while it is open.
  int alerts_in_flood = 0;
  std::size_t opened = 0;
  for (std::size_t i = flood; i < flood + 60; ++i) {
    if (scored[i].alert) {
      ++alerts_in_flood;
      opened = i;
      EXPECT_TRUE(scored[i].episode);
    }
  }
  EXPECT_EQ(alerts_in_flood, 1);
  EXPECT_LE(opened, flood + 5);
  EXPECT_TRUE(scored[flood + 30].episode);
  EXPECT_FALSE(scored[flood + 30].alert);
  EXPECT_GE(scored[flood + 5].score, 0.5);
  EXPECT_FALSE(scored.back().episode);  // ended after the quiet time
  EXPECT_FALSE(scored.back().alert);
}

TEST(Spikes, FiveMinuteSeriesOfABusyAccountAlertOnRareRows) {
  // A busy account's 5-minute export (about 100 replies per row) with heavy-tailed bursts and a
  // lasting level shift: alerts stay on a small share of rows and no episode is endless.
  std::mt19937_64 rng(11);
  std::vector<Sample> rows;
  const std::int64_t start = 1711897200;
  for (int i = 0; i < 30 * 288; ++i) {
    const int hour = (i % 288) / 12;
    const double mean =
        100.0 * ((hour >= 8 && hour < 23) ? 1.5 : 0.4) * (i >= 20 * 288 ? 5.0 : 1.0);
    std::gamma_distribution<double> level(8.0, mean / 8.0);
    std::poisson_distribution<int> d(level(rng));
    double v = d(rng);
    if (i % 997 == 500) v *= 12;  // a burst every few days
    rows.push_back({model::TimePoint(std::chrono::seconds(start + i * 300LL)), v});
  }
  const auto scored = spikes(rows, Settings{});
  std::size_t alerts = 0;
  std::size_t longest = 0;
  std::size_t run = 0;
  for (const auto& r : scored) {
    alerts += r.alert;
    run = r.episode ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  EXPECT_LE(alerts, scored.size() / 100);
  EXPECT_LE(longest, static_cast<std::size_t>(Settings{}.max_episode / std::chrono::minutes(5)));
  EXPECT_TRUE(std::any_of(scored.begin() + 20 * 288, scored.begin() + 20 * 288 + 24,
                          [](const ScoredSample& r) { return r.alert; }));
}

TEST(Spikes, IsCausal) {
  auto samples = minutes(4, 300, 2);
  for (std::size_t i = 3 * 1440; i < 3 * 1440 + 30; ++i) samples[i].value += 40;
  const auto full = spikes(samples, Settings{});
  const std::vector<Sample> prefix(samples.begin(), samples.begin() + 3 * 1440 + 10);
  const auto part = spikes(prefix, Settings{});
  for (std::size_t i = 0; i < part.size(); ++i) {
    ASSERT_EQ(part[i].score, full[i].score) << i;
    ASSERT_EQ(part[i].alert, full[i].alert) << i;
  }
}

TEST(Spikes, HourlyExportsUseTheirOwnInterval) {
  std::vector<Sample> hourly;
  const auto samples = minutes(21, 300, 3);
  for (std::size_t i = 0; i < samples.size(); i += 60) {
    double sum = 0;
    for (std::size_t k = i; k < i + 60; ++k) sum += samples[k].value;
    hourly.push_back({samples[i].time, sum});
  }
  EXPECT_EQ(infer_interval(hourly, seconds(60)), seconds(3600));
  hourly[20 * 24 + 11].value += 400;
  const auto scored = spikes(hourly, Settings{});
  EXPECT_TRUE(scored[20 * 24 + 11].alert);
  int alerts = 0;
  for (std::size_t i = 48; i < 20 * 24; ++i) alerts += scored[i].alert;
  EXPECT_EQ(alerts, 0);
}

TEST(Spikes, RejectsUnorderedInputAndBadSettings) {
  auto samples = minutes(1, 10, 4);
  std::swap(samples[3], samples[4]);
  EXPECT_THROW(spikes(samples, Settings{}), std::invalid_argument);
  Settings s;
  s.tolerated_ratio = 0.5;
  EXPECT_THROW(spikes(minutes(1, 10, 4), s), std::invalid_argument);
  EXPECT_TRUE(spikes({}, Settings{}).empty());
}

}  // namespace
}  // namespace mamori::detectors::flameup
