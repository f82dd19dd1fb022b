// Issue 5 "Done when": the flame-up evaluation on tests/data/flameup/scenarios.tsv.
// Settings are the daemon's defaults (tuned on the "tune" split only); the issue's thresholds are
// asserted on the "held" split. Each series: 7 days of history given to warm_start(), then 28 days
// streamed through ReplyRateDetector as the daemon would (polled every minute, replies visible
// 10 s after creation). Count-only figures from spikes() (`mamorictl spikes`) are printed too.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "detectors/flameup/reply_rate_detector.h"
#include "detectors/flameup/spikes.h"
#include "tests/detectors/flameup/scenario.h"
#include "tests/support/test_support.h"

namespace mamori::detectors::flameup::eval {
namespace {

constexpr std::int64_t kDetectWindow = 180 * 60;  // a flame-up must be flagged within 3 hours
constexpr std::int64_t kEvalStart = kStart + kHistoryDays * 86400LL;
constexpr double kEvalDays = kDays - kHistoryDays;

struct Emitted {
  std::int64_t at = 0;
  std::string phase;
  std::string label;
  std::string trigger;
};

struct FlameResult {
  std::string series;
  Size size = Size::town;
  Event event;
  bool detected = false;
  double delay_min = 0.0;
  std::string max_label = "-";
  bool spikes_detected = false;
  double spikes_delay_min = 0.0;
};

struct SplitResult {
  std::vector<FlameResult> flames;
  int surges = 0;
  int surges_noticed = 0;
  int surges_flamed = 0;
  int series = 0;
  int false_alarms = 0;
  int false_alarms_paging = 0;  // 警戒 or 炎上
  int spikes_false_alarms = 0;
  std::vector<std::string> false_alarm_details;
  int benign_series = 0;  // series without a flame-up (quiet or supportive surge only)
  int benign_false_alarms = 0;
  int worst_account_false_alarms = 0;
  std::string worst_account;
};

model::TimePoint at_ms(std::int64_t ms) {
  return model::TimePoint(std::chrono::milliseconds(ms));
}
model::TimePoint at_s(std::int64_t s) {
  return at_ms(s * 1000);
}

std::string local(std::int64_t t) {
  const std::int64_t m = (t - kStart) / 60;
  char buf[32];
  std::snprintf(buf, sizeof buf, "day %lld %02lld:%02lld", static_cast<long long>(m / 1440),
                static_cast<long long>(m % 1440 / 60), static_cast<long long>(m % 60));
  return buf;
}

int rank(const std::string& label) {
  if (label == "炎上") return 3;
  if (label == "警戒") return 2;
  if (label == "注意") return 1;
  return 0;
}

std::vector<Emitted> run_detector(const Series& s) {
  ReplyRateDetector detector(model::Platform::x, s.spec.id, Settings{});
  // History as a store would keep it: non-empty buckets only, covered until the restart.
  std::vector<HistoryBucket> history;
  std::size_t i = 0;
  for (; i < s.replies.size() && s.replies[i].created_ms < kEvalStart * 1000; ++i) {
    const std::int64_t bucket = s.replies[i].created_ms / 60000 * 60;
    if (history.empty() || history.back().start != at_s(bucket)) {
      history.push_back({at_s(bucket), 0.0, 0.0});
    }
    history.back().count += 1;
    if (s.replies[i].tone == Tone::hostile) *history.back().hostile += 1;
  }
  detector.warm_start(history, at_s(kEvalStart));

  std::vector<Emitted> out;
  const std::int64_t end = kStart + kDays * 86400LL;
  for (std::int64_t now = kEvalStart + 30; now < end + 600; now += 60) {
    const model::TimePoint t = at_s(now);
    for (; i < s.replies.size() && s.replies[i].created_ms <= (now - 10) * 1000; ++i) {
      const Reply& r = s.replies[i];
      const std::string_view key =
          r.post >= 0 ? std::string_view(s.post_keys[static_cast<std::size_t>(r.post)]) : "";
      detector.observe(at_ms(r.created_ms), {r.tone, r.new_or_anonymous}, key, t);
    }
    for (const model::Finding& f : detector.advance(t)) {
      const auto ev = boost::json::parse(f.evidence_json).as_object();
      out.push_back({now, std::string(ev.at("phase").as_string()), f.severity_label,
                     std::string(ev.at("triggered_by").as_string())});
    }
  }
  EXPECT_EQ(detector.late_dropped(), 0u) << s.spec.id;
  return out;
}

// Rising edges of spikes()' alert column, at the time the row's interval closes.
std::vector<std::int64_t> run_spikes(const Series& s) {
  std::vector<Sample> samples(kDays * 1440);
  for (std::size_t m = 0; m < samples.size(); ++m) {
    samples[m].time = at_s(kStart + static_cast<std::int64_t>(m) * 60);
  }
  for (const Reply& r : s.replies)
    samples[static_cast<std::size_t>(r.created_ms / 60000 - kStart / 60)].value += 1;
  const auto scored = spikes(samples, Settings{});
  std::vector<std::int64_t> edges;
  bool previous = false;
  for (const auto& row : scored) {
    const std::int64_t t = row.time.time_since_epoch().count() / 1000 + 60;
    if (row.alert && !previous && t >= kEvalStart) edges.push_back(t);
    previous = row.alert;
  }
  return edges;
}

bool in_any_span(const Series& s, std::int64_t t) {
  return std::any_of(s.spec.events.begin(), s.spec.events.end(),
                     [&](const Event& e) { return t >= e.onset && t <= e.span_end; });
}

SplitResult run_split(const std::string& split) {
  const auto specs = load_scenarios(testing::data_dir() / "flameup" / "scenarios.tsv");
  const auto corpus = load_corpus(testing::data_dir() / "flameup" / "replies.tsv");
  SplitResult result;
  for (const auto& spec : specs) {
    if (spec.split != split) continue;
    const Series s = generate(spec, corpus);
    const auto emitted = run_detector(s);
    const auto edges = run_spikes(s);
    ++result.series;
    for (const Event& e : s.spec.events) {
      if (e.kind == Event::Kind::surge) {
        ++result.surges;
        bool noticed = false;
        for (const auto& f : emitted) {
          if (f.at < e.onset || f.at > e.span_end) continue;
          noticed = true;
          if (f.label == "炎上") ++result.surges_flamed;
        }
        if (noticed) ++result.surges_noticed;
        continue;
      }
      FlameResult r{s.spec.id, s.spec.size, e};
      for (const auto& f : emitted) {
        if (f.at < e.onset || f.at > e.span_end) continue;
        if (!r.detected && f.phase != "end" && f.at <= e.onset + kDetectWindow) {
          r.detected = true;
          r.delay_min = static_cast<double>(f.at - e.onset) / 60.0;
        }
        if (rank(f.label) > rank(r.max_label)) r.max_label = f.label;
      }
      for (std::int64_t t : edges) {
        if (t >= e.onset && t <= e.onset + kDetectWindow) {
          r.spikes_detected = true;
          r.spikes_delay_min = static_cast<double>(t - e.onset) / 60.0;
          break;
        }
      }
      result.flames.push_back(r);
    }
    const bool benign = std::none_of(s.spec.events.begin(), s.spec.events.end(),
                                     [](const Event& e) { return e.kind == Event::Kind::flame; });
    result.benign_series += benign;
    int account_false_alarms = 0;
    for (const auto& f : emitted) {
      if (f.phase != "open" || in_any_span(s, f.at)) continue;
      ++result.false_alarms;
      ++account_false_alarms;
      result.benign_false_alarms += benign;
      if (rank(f.label) >= 2) ++result.false_alarms_paging;
      result.false_alarm_details.push_back(s.spec.id + " (" + to_string(s.spec.size) + ") " +
                                           local(f.at) + " " + f.label + " by " + f.trigger);
    }
    if (account_false_alarms > result.worst_account_false_alarms) {
      result.worst_account_false_alarms = account_false_alarms;
      result.worst_account = s.spec.id + " (" + to_string(s.spec.size) + ")";
    }
    for (std::int64_t t : edges) {
      if (!in_any_span(s, t)) ++result.spikes_false_alarms;
    }
  }
  return result;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Summary {
  double detection = 0.0;
  double median_delay = 0.0;
  double false_alarms_per_account_month = 0.0;
  double benign_false_alarms_per_account_month = 0.0;
};

Summary report(const SplitResult& r, const std::string& split) {
  std::printf("\n=== flame-up evaluation, %s split: %d series, %zu flame-ups, %d surges ===\n",
              split.c_str(), r.series, r.flames.size(), r.surges);
  std::printf("%-4s %-5s %-7s %6s %5s %-9s %9s %-5s %-12s\n", "id", "size", "shape", "mult", "host",
              "detected", "delay_min", "max", "spikes_delay");
  std::vector<double> delays;
  std::vector<double> spike_delays;
  int detected = 0;
  int spikes_detected = 0;
  int flamed = 0;
  for (const auto& f : r.flames) {
    std::printf("%-4s %-5s %-7s %6.1f %5.2f %-9s %9.0f %-5s %s\n", f.series.c_str(),
                to_string(f.size), f.event.shape.c_str(), f.event.mult, f.event.hostile,
                f.detected ? "yes" : "MISSED", f.delay_min, f.max_label.c_str(),
                f.spikes_detected ? std::to_string(static_cast<int>(f.spikes_delay_min)).c_str()
                                  : "missed");
    if (f.detected) {
      ++detected;
      delays.push_back(f.delay_min);
    }
    if (f.spikes_detected) {
      ++spikes_detected;
      spike_delays.push_back(f.spikes_delay_min);
    }
    if (f.max_label == "炎上") ++flamed;
  }
  Summary s;
  const double n = static_cast<double>(std::max<std::size_t>(1, r.flames.size()));
  s.detection = detected / n;
  s.median_delay = median(delays);
  const double account_months = r.series * kEvalDays / 30.0;
  s.false_alarms_per_account_month = r.false_alarms / account_months;
  std::printf("detector: detected %d/%zu (%.1f%%), median delay %.1f min, reached 炎上 %d/%zu\n",
              detected, r.flames.size(), 100.0 * s.detection, s.median_delay, flamed,
              r.flames.size());
  std::printf(
      "detector: false alarms %d (%d at 警戒/炎上) over %.1f account-months = %.2f per "
      "account per 30 days\n",
      r.false_alarms, r.false_alarms_paging, account_months, s.false_alarms_per_account_month);
  s.benign_false_alarms_per_account_month =
      r.benign_false_alarms / std::max(1e-9, r.benign_series * kEvalDays / 30.0);
  std::printf(
      "detector: on the %d benign series (no flame-up): %d false alarms = %.2f per account "
      "per 30 days; worst account %s with %d in %.0f days\n",
      r.benign_series, r.benign_false_alarms, s.benign_false_alarms_per_account_month,
      r.worst_account.empty() ? "-" : r.worst_account.c_str(), r.worst_account_false_alarms,
      kEvalDays);
  for (const auto& d : r.false_alarm_details) std::printf("  false alarm: %s\n", d.c_str());
  std::printf("detector: supportive surges noticed %d/%d, rated 炎上 %d\n", r.surges_noticed,
              r.surges, r.surges_flamed);
  std::printf(
      "spikes (count only): detected %d/%zu, median delay %.1f min, false alarms %d "
      "(%.2f per account per 30 days; supportive surges excluded)\n",
      spikes_detected, r.flames.size(), median(spike_delays), r.spikes_false_alarms,
      r.spikes_false_alarms / account_months);
  return s;
}

TEST(FlameupEvaluation, SpecHasTheRequiredShape) {
  const auto specs = load_scenarios(testing::data_dir() / "flameup" / "scenarios.tsv");
  EXPECT_GE(specs.size(), 60u);
  int held_flames = 0;
  int held_surges = 0;
  for (const auto& s : specs) {
    ASSERT_TRUE(s.split == "tune" || s.split == "held") << s.id;
    for (const auto& e : s.events) {
      EXPECT_GE(e.day, kHistoryDays + 1) << s.id;
      if (s.split == "held") (e.kind == Event::Kind::flame ? held_flames : held_surges)++;
    }
  }
  EXPECT_GE(held_flames, 30);
  EXPECT_GE(held_surges, 8);
}

TEST(FlameupEvaluation, GeneratorIsDeterministic) {
  const auto specs = load_scenarios(testing::data_dir() / "flameup" / "scenarios.tsv");
  const auto corpus = load_corpus(testing::data_dir() / "flameup" / "replies.tsv");
  const Series a = generate(specs.at(12), corpus);
  const Series b = generate(specs.at(12), corpus);
  ASSERT_EQ(a.replies.size(), b.replies.size());
  ASSERT_GT(a.replies.size(), 100u);
  for (std::size_t i = 0; i < a.replies.size(); i += 97) {
    EXPECT_EQ(a.replies[i].created_ms, b.replies[i].created_ms);
    EXPECT_EQ(a.replies[i].tone, b.replies[i].tone);
  }
}

TEST(FlameupEvaluation, TunePartFigures) {
  const Summary s = report(run_split("tune"), "tune");
  // The part the defaults were tuned on; the held part below is the real test.
  EXPECT_GE(s.detection, 0.9);
}

TEST(FlameupEvaluation, HeldPartMeetsIssueThresholds) {
  const SplitResult r = run_split("held");
  const Summary s = report(r, "held");
  EXPECT_GE(s.detection, 0.95);
  EXPECT_LE(s.median_delay, 10.0);
  EXPECT_LE(s.false_alarms_per_account_month, 1.0);
  EXPECT_LE(s.benign_false_alarms_per_account_month, 1.0);
  EXPECT_EQ(r.false_alarms_paging, 0) << "a false alarm at 警戒 or 炎上 would page staff";
  EXPECT_EQ(r.surges_flamed, 0) << "a supportive disaster surge was rated 炎上";
}

}  // namespace
}  // namespace mamori::detectors::flameup::eval
