// The count core shared by the daemon's ReplyRateDetector and `mamorictl spikes`: one bucketed
// count series, its seasonal baseline, the count-aware multi-window test and the episode state
// (open with hysteresis, end after a quiet time, cool-down). O(1) time per bucket, fixed memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "detectors/flameup/baseline.h"
#include "detectors/flameup/calibration.h"
#include "detectors/flameup/settings.h"

namespace mamori::detectors::flameup {

enum class EpisodeEvent { none, opened, ended };

struct BucketScore {
  std::int64_t start = 0;  // bucket start, seconds since the epoch (UTC)
  double count = 0.0;
  double expected = 0.0;  // the baseline's expectation for this bucket
  double surprise = 0.0;  // -log10 tail probability, corrected for the number of windows
  // surprise / (surprise + open threshold), in [0, 1); the threshold is open_surprise times the
  // series' calibration factor (0.5 = the base open threshold of this series)
  double score = 0.0;
  int window = 0;  // index of the most surprising window
  double window_count = 0.0;
  double window_expected = 0.0;
  bool open = false;  // an episode is open after this bucket
  EpisodeEvent event = EpisodeEvent::none;
};

struct EpisodeStats {
  std::int64_t opened_at = 0;  // start of the bucket that opened it
  std::int64_t onset = 0;      // start of the window that triggered it
  double count = 0.0;          // replies from onset (the triggering window) on
  double expected = 0.0;
  double peak_ratio = 0.0;  // largest window count / window baseline
  double peak_surprise = 0.0;
  std::int64_t peak_at = 0;
  std::int64_t elevated_buckets = 0;
  std::int64_t quiet_buckets = 0;  // consecutive buckets near baseline (ends at quiet_time)
  // How it ended: true = it stayed high for max_episode and the level of its last hour became
  // the new normal; false = the rate came back near baseline for quiet_time, or it reached
  // max_episode as a tail of bursts (the level is left as it was).
  bool absorbed = false;
};

class RateScorer {
 public:
  // `settings.bucket` is this series' bucket width. `min_count_factor` scales the windows'
  // minimum counts (the hostile-reply series uses a lower floor than all replies).
  // `open_surprise` overrides settings.open_surprise when given (the hostile-reply series).
  explicit RateScorer(const Settings& settings, double min_count_factor = 1.0,
                      double prior_dispersion = 2.0, double open_surprise = 0.0);

  // Closes one bucket (start times must increase) and scores it causally: the bucket is judged
  // against the baseline learned from earlier buckets, then learned from. `hold_baseline` keeps
  // the baseline from absorbing the bucket beyond mild growth, for use while an episode that
  // another series opened is running.
  BucketScore push(std::int64_t bucket_start, double count, bool hold_baseline = false);

  // push() in two steps, for callers that decide about holding from several series: score()
  // closes and judges the bucket, learn_last() then learns from it (exactly once per score()).
  BucketScore score(std::int64_t bucket_start, double count);
  // `calm` = the caller judges every related series calm enough to teach the dispersion.
  void learn_last(bool hold_baseline, bool calm = true);

  // Learns from history (warm start): baseline, dispersion and windows, no episodes.
  void learn(std::int64_t bucket_start, double count);

  // What the surprise would be if these buckets (consecutive, right after the last closed one,
  // counts so far) were closed now; nothing is learned or changed. Counts of open buckets only
  // grow, so a provisional surprise is a lower bound of the final one. Also reports whether it
  // reaches the current open threshold (warm-up and cool-down included).
  struct Provisional {
    double surprise = 0.0;
    bool would_open = false;
    int window = 0;  // the most surprising window, with its sums
    double window_count = 0.0;
    double window_expected = 0.0;
  };
  Provisional peek(std::span<const double> counts, std::int64_t first_start) const;

  // Forgets the windows (not the baseline) after a gap in the series.
  void reset_windows();

  bool episode_open() const { return open_; }
  const EpisodeStats& episode() const { return episode_; }
  const SeasonalBaseline& baseline() const { return baseline_; }
  // The multiplier of this series' open threshold (1: its surprises are as the model says).
  double calibration_factor() const { return calibrate_ ? calibration_.factor() : 1.0; }
  double dispersion(int window) const;
  int window_buckets(int window) const {
    return windows_[static_cast<std::size_t>(window)].buckets;
  }
  std::int64_t bucket_seconds() const { return bucket_seconds_; }

  // The last `n` closed buckets (oldest first), at most the ring's capacity.
  void excerpt(std::size_t n, std::vector<double>& counts, std::vector<double>& expected) const;

  // Bytes held by one series (object plus ring), for the benchmark's memory figure.
  std::size_t memory_bytes() const;

 private:
  struct Window {
    int buckets = 1;
    double min_count = 0.0;
    double tolerated_excess = 0.0;
    double sum_count = 0.0;
    double sum_expected = 0.0;
    double var_num = 0.0;  // EWMA of (S - M)^2 - M^2/k
    double var_den = 0.0;  // EWMA of M (var_num/alpha, var_den/alpha: remembered sums)
    std::uint64_t var_updates = 0;
    double phi = 2.0;  // the dispersion, recomputed when var_num/var_den change
  };

  void add_to_windows(double count, double expected);
  double window_surprise(const Window& w) const;
  double current_surprise() const;  // of the current windows
  double surprise_of(const Window& w, double sum_count, double sum_expected) const;
  double open_threshold(std::int64_t bucket_start) const;
  void learn_dispersion();
  bool absorb_level(std::int64_t bucket_start);  // true: the level was raised
  void revert_shift_if_gone(std::int64_t bucket_start);
  double memory(std::int64_t bucket_start) const;
  void update_dispersion(Window& w) const;
  double clip_for_learning(double count, double expected, bool holding) const;

  // Only the settings used per bucket (a full Settings copy would double the memory per series).
  struct Params {
    double tolerated_ratio = 1.5;
    double nb_size = 10.0;
    double close_surprise = 2.0;
    double memory_share = 0.5;
  } settings_;
  SeasonalBaseline baseline_;
  SurpriseCalibration calibration_;
  bool calibrate_ = true;
  std::array<Window, 3> windows_{};
  // Count and expectation side by side: a bucket update touches one cache line per window edge.
  struct RingEntry {
    float count = 0.0f;
    float expected = 0.0f;
  };
  std::vector<RingEntry> ring_;
  std::size_t head_ = 0;    // next write position
  std::size_t filled_ = 0;  // valid entries in the ring
  std::int64_t bucket_seconds_ = 60;
  double alpha_dispersion_ = 0.0;
  double prior_dispersion_ = 2.0;
  double open_surprise_ = 6.0;
  std::uint64_t warmup_buckets_ = 0;
  // Cold start: a series without history opens nothing and learns its counts as they are for
  // its first hour (at least one bucket), then judges against what it learned.
  std::uint64_t cold_buckets_ = 1;
  bool cold() const { return baseline_.buckets_learned() < cold_buckets_; }
  std::int64_t quiet_buckets_needed_ = 1;
  std::int64_t cooldown_seconds_ = 0;
  std::int64_t max_episode_seconds_ = 7200;
  double memory_seconds_ = 86400.0;
  // The largest surprise of recent episodes and when it was seen (the refractory bar).
  double peak_memory_ = 0.0;
  std::int64_t peak_memory_at_ = 0;
  // The last absorbed level shift (factor 0: none), undone if the rate falls back within a day.
  double shift_factor_ = 0.0;
  std::int64_t shift_at_ = 0;
  double bonferroni_ = 0.0;
  // The bucket score() judged, for learn_last().
  std::int64_t last_start_ = 0;
  double last_count_ = 0.0;
  double last_expected_ = 0.0;
  double last_surprise_ = 0.0;
  bool last_ended_ = false;
  bool last_pending_ = false;
  bool open_ = false;
  std::int64_t cooldown_until_ = 0;
  EpisodeStats episode_{};
};

}  // namespace mamori::detectors::flameup
