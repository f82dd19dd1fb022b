#include "detectors/flameup/spikes.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "detectors/flameup/rate_scorer.h"

namespace mamori::detectors::flameup {
namespace {

constexpr std::int64_t kMaxFilledGap = 10080;  // one week of 1-minute buckets

std::int64_t epoch_seconds(model::TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

}  // namespace

std::chrono::seconds infer_interval(const std::vector<Sample>& samples,
                                    std::chrono::seconds fallback) {
  if (samples.size() < 2) return fallback;
  std::vector<std::int64_t> gaps;
  gaps.reserve(samples.size() - 1);
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const std::int64_t g = epoch_seconds(samples[i].time) - epoch_seconds(samples[i - 1].time);
    if (g > 0) gaps.push_back(g);
  }
  if (gaps.empty()) return fallback;
  const auto mid = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
  std::nth_element(gaps.begin(), mid, gaps.end());
  return std::chrono::seconds(std::clamp<std::int64_t>(*mid, 1, 7 * 86400));
}

std::vector<ScoredSample> spikes(const std::vector<Sample>& samples, const Settings& settings) {
  if (const auto problem = validate(settings)) {
    throw std::invalid_argument("flame-up settings: " + *problem);
  }
  Settings s = settings;
  s.bucket = infer_interval(samples, settings.bucket);
  const std::int64_t width = s.bucket.count();
  RateScorer scorer(s);

  std::vector<ScoredSample> out;
  out.reserve(samples.size());
  std::int64_t previous = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const Sample& sample = samples[i];
    const std::int64_t t = epoch_seconds(sample.time);
    if (i > 0) {
      if (t <= previous) throw std::invalid_argument("spikes: times must strictly increase");
      // Rows missing between two samples are intervals with no replies.
      const std::int64_t missing = (t - previous + width / 2) / width - 1;
      if (missing > kMaxFilledGap) {
        scorer.reset_windows();
      } else {
        for (std::int64_t k = 1; k <= missing; ++k) scorer.push(previous + k * width, 0.0);
      }
    }
    const double value = std::isfinite(sample.value) ? std::max(0.0, sample.value) : 0.0;
    const BucketScore b = scorer.push(t, value);
    out.push_back({sample.time, sample.value, std::clamp(b.score, 0.0, 1.0),
                   b.event == EpisodeEvent::opened, b.open});
    previous = t;
  }
  return out;
}

}  // namespace mamori::detectors::flameup
