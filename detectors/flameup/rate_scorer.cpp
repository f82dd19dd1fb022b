#include "detectors/flameup/rate_scorer.h"

#include <algorithm>
#include <cmath>

#include "detectors/flameup/tail.h"

namespace mamori::detectors::flameup {
namespace {

constexpr std::size_t kMaxRing = 4096;
// The prior dispersion counts as this many expected replies: a busy series measures its own within
// hours, a sparse one (a quiet town, the few hostile replies) cannot and keeps the prior.
constexpr double kDispersionPriorCounts = 200.0;
// Buckets this surprising or more do not teach the dispersion (a surge building up).
constexpr double kCalmSurprise = 1.0;
constexpr double kMinRatioBase = 0.1;
// The calibration's prior counts as this much history of a well-modelled series.
constexpr double kCalibrationPriorSeconds = 3 * 86400.0;

std::int64_t seconds_of(std::chrono::seconds s) {
  return std::max<std::int64_t>(1, s.count());
}

}  // namespace

RateScorer::RateScorer(const Settings& settings, double min_count_factor, double prior_dispersion,
                       double open_surprise)
    : settings_{settings.tolerated_ratio, settings.nb_size, settings.close_surprise,
                settings.memory_share},
      baseline_(settings),
      calibration_(
          settings.calibration_quantile, settings.calibration_reference,
          settings.calibration_exponent,
          static_cast<double>(seconds_of(settings.bucket)) /
              static_cast<double>(std::max<std::int64_t>(
                  1, std::chrono::seconds(settings.calibration_time_constant).count())),
          static_cast<std::uint32_t>(std::max<std::int64_t>(1, 3600 / seconds_of(settings.bucket))),
          kCalibrationPriorSeconds / static_cast<double>(seconds_of(settings.bucket))),
      calibrate_(settings.calibration_reference > 0.0),
      bucket_seconds_(seconds_of(settings.bucket)),
      prior_dispersion_(std::max(1.0, prior_dispersion)),
      open_surprise_(open_surprise > 0.0 ? open_surprise : settings.open_surprise) {
  std::size_t capacity = std::max<std::size_t>(1, settings.excerpt_buckets);
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const auto& ws = settings.windows[i];
    const double len = static_cast<double>(std::chrono::seconds(ws.length).count());
    const double b = std::round(len / static_cast<double>(bucket_seconds_));
    Window& w = windows_[i];
    w.buckets = static_cast<int>(std::clamp(b, 1.0, static_cast<double>(kMaxRing)));
    w.min_count = ws.min_count * min_count_factor;
    w.tolerated_excess = ws.tolerated_excess * min_count_factor;
    w.phi = prior_dispersion_;
    capacity = std::max(capacity, static_cast<std::size_t>(w.buckets));
  }
  capacity = std::min(capacity, kMaxRing);
  ring_.assign(capacity, RingEntry{});
  alpha_dispersion_ = std::clamp(
      static_cast<double>(bucket_seconds_) /
          static_cast<double>(std::chrono::seconds(settings.dispersion_time_constant).count() + 1),
      1e-7, 0.5);
  warmup_buckets_ =
      static_cast<std::uint64_t>(std::chrono::seconds(settings.warmup).count() / bucket_seconds_);
  quiet_buckets_needed_ = std::max<std::int64_t>(
      1,
      (std::chrono::seconds(settings.quiet_time).count() + bucket_seconds_ - 1) / bucket_seconds_);
  cooldown_seconds_ = std::chrono::seconds(settings.cooldown).count();
  cold_buckets_ = static_cast<std::uint64_t>(std::max<std::int64_t>(1, 3600 / bucket_seconds_));
  max_episode_seconds_ = std::chrono::seconds(settings.max_episode).count();
  memory_seconds_ = static_cast<double>(
      std::max<std::int64_t>(1, std::chrono::seconds(settings.memory_time_constant).count()));
  bonferroni_ = std::log10(static_cast<double>(windows_.size()));
}

double RateScorer::dispersion(int window) const {
  return windows_[static_cast<std::size_t>(window)].phi;
}

void RateScorer::update_dispersion(Window& w) const {
  const double pseudo = alpha_dispersion_ * kDispersionPriorCounts;
  const double phi = (w.var_num + pseudo * prior_dispersion_) / (std::max(0.0, w.var_den) + pseudo);
  w.phi = std::clamp(phi, 1.0, 200.0);
}

void RateScorer::add_to_windows(double count, double expected) {
  const std::size_t cap = ring_.size();
  const float c = static_cast<float>(count);
  const float e = static_cast<float>(expected);
  for (Window& w : windows_) {
    const auto n = static_cast<std::size_t>(w.buckets);
    if (filled_ >= n) {
      std::size_t leaving = head_ + cap - n;  // n <= cap: one conditional subtraction, no division
      if (leaving >= cap) leaving -= cap;
      w.sum_count -= ring_[leaving].count;
      w.sum_expected -= ring_[leaving].expected;
    }
    w.sum_count += c;
    w.sum_expected += e;
  }
  ring_[head_] = RingEntry{c, e};
  if (++head_ == cap) head_ = 0;
  filled_ = std::min(filled_ + 1, cap);
  if (head_ == 0) {
    // Once per lap, recompute the sums from the ring so rounding cannot drift (O(1) amortized).
    for (Window& w : windows_) {
      const std::size_t n = std::min(static_cast<std::size_t>(w.buckets), filled_);
      double sc = 0.0;
      double se = 0.0;
      for (std::size_t k = 1; k <= n; ++k) {
        const std::size_t i = (head_ + cap - k) % cap;
        sc += ring_[i].count;
        se += ring_[i].expected;
      }
      w.sum_count = sc;
      w.sum_expected = se;
    }
  }
}

void RateScorer::reset_windows() {
  for (Window& w : windows_) {
    w.sum_count = 0.0;
    w.sum_expected = 0.0;
  }
  std::fill(ring_.begin(), ring_.end(), RingEntry{});
  head_ = 0;
  filled_ = 0;
}

double RateScorer::current_surprise() const {
  double best = 0.0;
  for (const Window& w : windows_) best = std::max(best, window_surprise(w));
  return std::max(0.0, best - bonferroni_);
}

double RateScorer::window_surprise(const Window& w) const {
  return surprise_of(w, w.sum_count, w.sum_expected);
}

double RateScorer::surprise_of(const Window& w, double sum_count, double sum_expected) const {
  const double s = std::max(0.0, sum_count);
  const double m = std::max(0.0, sum_expected);
  // Null: the tolerated level (a busy day plus a lively conversation), NB-distributed with the
  // learned dispersion and a level uncertainty of 1/nb_size.
  // The excess is judged on the baseline's own noise: the tolerated level is a shift.
  const double mt = std::max(settings_.tolerated_ratio * m, 1e-6);
  const double excess = s - w.tolerated_excess;
  if (excess <= mt) return 0.0;  // not above the tolerated level: nothing to test
  const double v = w.phi * mt + mt * mt / settings_.nb_size;
  const double z = (excess - mt) / std::sqrt(v);
  double surprise = 0.0;
  if (z >= 1.5) {
    surprise = nb_surprise(excess, mt, v);
  } else if (z > 0.0) {
    // Far from any threshold: a cheap normal approximation keeps the score continuous.
    surprise = -std::log10(0.5 * std::erfc(z / std::sqrt(2.0)));
  }
  if (s < w.min_count) surprise = std::min(surprise, settings_.close_surprise * 0.999);
  return surprise;
}

void RateScorer::learn_dispersion() {
  const double a_min = alpha_dispersion_;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    Window& w = windows_[i];
    if (filled_ < static_cast<std::size_t>(w.buckets)) continue;
    const double m = std::max(0.0, w.sum_expected);
    const double phi = w.phi;
    const double lim = 4.0 * std::sqrt(phi * m + m * m / settings_.nb_size) + 1.0;
    const double r = std::clamp(w.sum_count - m, -lim, lim);
    const double x = r * r - m * m / settings_.nb_size;
    const double a = a_min;
    w.var_num += a * (x - w.var_num);
    w.var_den += a * (m - w.var_den);
    ++w.var_updates;
    update_dispersion(w);
  }
}

double RateScorer::clip_for_learning(double count, double expected, bool holding) const {
  if (holding) return std::min(count, 1.5 * expected);  // allow slow growth, not the flood
  // Soft clip (Huber-like): bursts beyond the cap count one tenth, so conversation clusters
  // still raise the level a little while a flood barely moves it.
  const double phi = dispersion(0);
  const double cap =
      expected + 4.0 * std::sqrt(phi * expected + expected * expected / settings_.nb_size) + 1.5;
  if (count <= cap) return count;
  return cap + 0.1 * (count - cap);
}

BucketScore RateScorer::push(std::int64_t bucket_start, double count, bool hold_baseline) {
  BucketScore out = score(bucket_start, count);
  learn_last(hold_baseline);
  return out;
}

BucketScore RateScorer::score(std::int64_t bucket_start, double count) {
  if (last_pending_) learn_last(false);  // a caller that forgot learn_last(): learn normally
  if (!(count >= 0.0) || !std::isfinite(count)) count = 0.0;
  const double mu = baseline_.expected(bucket_start);
  add_to_windows(count, mu);

  BucketScore out;
  out.start = bucket_start;
  out.count = count;
  out.expected = mu;
  double best = -1.0;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const double s = window_surprise(windows_[i]);
    if (s > best) {
      best = s;
      out.window = static_cast<int>(i);
    }
  }
  const Window& w = windows_[static_cast<std::size_t>(out.window)];
  out.surprise = std::max(0.0, best - bonferroni_);
  out.score = out.surprise / (out.surprise + calibration_factor() * open_surprise_);
  out.window_count = w.sum_count;
  out.window_expected = w.sum_expected;
  const double ratio = w.sum_count / std::max(w.sum_expected, kMinRatioBase);

  if (!open_) {
    // open_threshold() >= open_surprise_: most buckets stop at the cheap comparison.
    if (out.surprise >= open_surprise_ * calibration_factor() && !cold() &&
        out.surprise >= open_threshold(bucket_start)) {
      open_ = true;
      out.event = EpisodeEvent::opened;
      episode_ = EpisodeStats{};
      episode_.opened_at = bucket_start;
      const std::int64_t span =
          std::min<std::int64_t>(w.buckets, static_cast<std::int64_t>(filled_));
      episode_.onset = bucket_start - (span - 1) * bucket_seconds_;
      episode_.count = w.sum_count;
      episode_.expected = w.sum_expected;
      episode_.peak_ratio = ratio;
      episode_.peak_surprise = out.surprise;
      episode_.peak_at = bucket_start;
      episode_.elevated_buckets = 1;
    }
  } else {
    episode_.count += count;
    episode_.expected += mu;
    if (out.surprise > episode_.peak_surprise) {
      episode_.peak_surprise = out.surprise;
      episode_.peak_at = bucket_start;
    }
    if (out.surprise >= settings_.close_surprise) {
      episode_.peak_ratio = std::max(episode_.peak_ratio, ratio);
      episode_.quiet_buckets = 0;
      ++episode_.elevated_buckets;
    } else if (++episode_.quiet_buckets >= quiet_buckets_needed_) {
      open_ = false;
      out.event = EpisodeEvent::ended;
      cooldown_until_ = bucket_start + bucket_seconds_ + cooldown_seconds_;
    }
    if (open_ && episode_.quiet_buckets == 0 &&
        bucket_start - episode_.opened_at >= max_episode_seconds_) {
      // Still high after max_episode: a level shift, not a surge. Its level becomes the normal.
      episode_.absorbed = absorb_level(bucket_start);
      open_ = false;
      out.event = EpisodeEvent::ended;
      cooldown_until_ = bucket_start + bucket_seconds_ + cooldown_seconds_;
    }
  }
  if (open_ && out.surprise > memory(bucket_start)) {
    peak_memory_ = out.surprise;
    peak_memory_at_ = bucket_start;
  }
  out.open = open_;
  last_start_ = bucket_start;
  last_count_ = count;
  last_expected_ = mu;
  last_surprise_ = out.surprise;
  last_ended_ = out.event == EpisodeEvent::ended;
  last_pending_ = true;
  return out;
}

void RateScorer::learn_last(bool hold_baseline, bool calm) {
  if (!last_pending_) return;
  last_pending_ = false;
  // Robustness: an elevated stretch (an episode, or a surge still building up) is not learned as
  // the new normal, and only calm stretches teach the dispersion.
  if (cold()) {
    // No history yet: there is no normal to protect, the first hour is the account's level.
    baseline_.learn(last_start_, last_count_);
    return;
  }
  // Calibration learns what this series' calm buckets look like (the null), not its episodes.
  if (calibrate_ && !open_ && !last_ended_ && last_surprise_ < settings_.close_surprise) {
    calibration_.add(last_surprise_);
  }
  const bool holding =
      open_ || hold_baseline || last_ended_ || last_surprise_ >= settings_.close_surprise;
  baseline_.learn(last_start_, clip_for_learning(last_count_, last_expected_, holding));
  if (!holding && calm && last_surprise_ < kCalmSurprise) learn_dispersion();
  revert_shift_if_gone(last_start_);
}

void RateScorer::learn(std::int64_t bucket_start, double count) {
  if (last_pending_) learn_last(false);
  if (!(count >= 0.0) || !std::isfinite(count)) count = 0.0;
  const double mu = baseline_.expected(bucket_start);
  add_to_windows(count, mu);
  if (calibrate_ && !cold()) {
    const double surprise = current_surprise();
    if (surprise < settings_.close_surprise) calibration_.add(surprise);
  }
  baseline_.learn(bucket_start, clip_for_learning(count, mu, false));
  learn_dispersion();
}

void RateScorer::excerpt(std::size_t n, std::vector<double>& counts,
                         std::vector<double>& expected) const {
  const std::size_t cap = ring_.size();
  n = std::min(n, filled_);
  counts.clear();
  expected.clear();
  counts.reserve(n);
  expected.reserve(n);
  for (std::size_t k = n; k >= 1; --k) {
    const std::size_t i = (head_ + cap - k) % cap;
    counts.push_back(ring_[i].count);
    expected.push_back(ring_[i].expected);
  }
}

std::size_t RateScorer::memory_bytes() const {
  return sizeof(*this) + ring_.capacity() * sizeof(RingEntry);
}

}  // namespace mamori::detectors::flameup

namespace mamori::detectors::flameup {

double RateScorer::open_threshold(std::int64_t bucket_start) const {
  double threshold = open_surprise_ * calibration_factor();
  if (baseline_.buckets_learned() < warmup_buckets_) threshold *= 2.0;  // a new account
  if (bucket_start < cooldown_until_) threshold *= 2.0;
  return std::max(threshold, settings_.memory_share * memory(bucket_start));
}

double RateScorer::memory(std::int64_t bucket_start) const {
  if (!(peak_memory_ > 0.0)) return 0.0;
  const double age = static_cast<double>(std::max<std::int64_t>(0, bucket_start - peak_memory_at_));
  return peak_memory_ * std::exp(-age / memory_seconds_);
}

bool RateScorer::absorb_level(std::int64_t bucket_start) {
  // The level the rate reached: the median of count / expected over the last hour (at most the
  // closed buckets in the ring; the episode is longer than that), with half a reply of smoothing
  // so a quiet series' single replies do not count as a tenfold level.
  const std::size_t cap = ring_.size();
  const auto hour = static_cast<std::size_t>(std::max<std::int64_t>(1, 3600 / bucket_seconds_));
  const std::size_t n = std::min({hour, filled_, cap});
  if (n == 0) return false;
  // A series that never saw a count (the hostile replies of a calm town) has no level to keep:
  // it takes the median count itself.
  const bool unlearned = baseline_.unlearned();
  std::vector<double> ratios;
  ratios.reserve(n);
  double expected = 0.0;
  for (std::size_t k = 1; k <= n; ++k) {
    const RingEntry& e = ring_[(head_ + cap - k) % cap];
    ratios.push_back(unlearned ? e.count : (e.count + 0.5) / (e.expected + 0.5));
    expected += e.expected;
  }
  const auto mid = ratios.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(ratios.begin(), mid, ratios.end());
  const double factor =
      unlearned ? *mid / std::max(expected / static_cast<double>(n), 1e-12) : *mid;
  // Most of the hour above the tolerated level: a shift. Otherwise the episode is a tail of
  // bursts and ends without moving the level.
  if (!(factor >= settings_.tolerated_ratio) || !std::isfinite(factor)) return false;
  baseline_.rescale(factor);
  shift_factor_ = factor;
  shift_at_ = bucket_start;
  return true;
}

void RateScorer::revert_shift_if_gone(std::int64_t bucket_start) {
  // A shift taken as the new normal that did not last (the flood ended just as it was absorbed):
  // once the last hour is back near the old level, the old level returns
  // instead of leaving the account blind for days while the raised level decays.
  if (!(shift_factor_ > 0.0) || open_) return;
  constexpr std::int64_t kRevertWithin = 86400;
  if (bucket_start - shift_at_ > kRevertWithin) {
    shift_factor_ = 0.0;
    return;
  }
  const Window& w = windows_.back();  // the longest window (an hour by default)
  if (bucket_start - shift_at_ < 3600 || filled_ < static_cast<std::size_t>(w.buckets)) return;
  // Back within the tolerated ratio of the old level.
  if (w.sum_count <= settings_.tolerated_ratio * w.sum_expected / shift_factor_) {
    baseline_.rescale(1.0 / shift_factor_);
    shift_factor_ = 0.0;
  }
}

RateScorer::Provisional RateScorer::peek(std::span<const double> counts,
                                         std::int64_t first_start) const {
  Provisional out;
  const std::size_t cap = ring_.size();
  const std::size_t p = counts.size();
  if (p == 0) return out;
  double best = 0.0;
  for (const Window& w : windows_) {
    const auto n = static_cast<std::size_t>(w.buckets);
    const std::size_t take = std::min(p, n);
    double s = 0.0;
    double m = 0.0;
    // The newest `take` provisional buckets ...
    for (std::size_t k = p - take; k < p; ++k) {
      s += std::max(0.0, counts[k]);
      m += baseline_.expected(first_start + static_cast<std::int64_t>(k) * bucket_seconds_);
    }
    // ... and the newest closed buckets that still fit in the window.
    const std::size_t closed = std::min(n - take, filled_);
    for (std::size_t k = 1; k <= closed; ++k) {
      const std::size_t i = (head_ + cap - k) % cap;
      s += ring_[i].count;
      m += ring_[i].expected;
    }
    const double surprise = surprise_of(w, s, m);
    if (surprise >= best) {
      best = surprise;
      out.window = static_cast<int>(&w - windows_.data());
      out.window_count = s;
      out.window_expected = m;
    }
  }
  out.surprise = std::max(0.0, best - bonferroni_);
  const std::int64_t last = first_start + static_cast<std::int64_t>(p - 1) * bucket_seconds_;
  out.would_open = out.surprise >= open_threshold(last);
  return out;
}

}  // namespace mamori::detectors::flameup
