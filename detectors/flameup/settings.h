// Flame-up (炎上) detector settings. The defaults are the daemon's defaults for a new account and
// the defaults of `mamorictl spikes`; they were tuned on the "tune" half of the evaluation set
// (tests/data/flameup/) only.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace mamori::detectors::flameup {

// One test window: counts summed over `length` are compared with the baseline summed over the
// same buckets. Short windows catch sudden floods, the long one slow ramps.
struct WindowSettings {
  std::chrono::minutes length{5};
  // A window cannot raise an alert below this many replies ("4 replies at 3 a.m. are no alarm").
  double min_count = 8;
  // Replies above the tolerated level that are still ordinary (a lively conversation).
  double tolerated_excess = 3;
};

struct Settings {
  // --- series ---
  std::chrono::seconds bucket{60};
  // Replies arriving up to this late still land in their true bucket; a bucket is scored only
  // once this much time has passed after its end. Set it to at least the polling interval.
  std::chrono::seconds lateness{120};
  // Buckets further back than this when advance() is called are skipped, not learned from
  // (the daemon was not running, e.g. after a restart).
  std::chrono::minutes max_gap{30};

  // --- baseline ---
  // Local time for the daily and weekly pattern (municipal accounts follow office hours; JST).
  std::chrono::seconds utc_offset{9 * 3600};
  std::chrono::hours level_time_constant{48};
  std::chrono::hours daily_time_constant{24 * 14};
  std::chrono::hours weekly_time_constant{24 * 56};
  std::chrono::hours dispersion_time_constant{24 * 7};
  // Negative-binomial size of day-to-day level uncertainty: Var = phi*mu + mu^2 / nb_size.
  double nb_size = 10;
  // A new account scores with twice the open threshold until it has this much history.
  std::chrono::hours warmup{24};

  // --- test ---
  std::array<WindowSettings, 3> windows{{
      {std::chrono::minutes{5}, 8, 2},
      {std::chrono::minutes{15}, 12, 3},
      {std::chrono::minutes{60}, 25, 6},
  }};
  // Up to this multiple of the seasonal baseline is a busy day, not an anomaly.
  double tolerated_ratio = 1.5;
  // Surprise = -log10 of the tail probability (Bonferroni-corrected over windows).
  double open_surprise = 6.0;  // an episode opens (score 0.5)
  // The same for the series of critical/hostile replies, which is far less noisy than all replies.
  double hostile_open_surprise = 4.0;
  // A surge of all replies whose recent critical share is below `surge_hostile_gate` opens an
  // episode only at `calm_surge_factor` times the open threshold: announcement bursts stay quiet,
  // a disaster surge of thanks is still noticed (as 注意).
  double surge_hostile_gate = 0.12;
  double calm_surge_factor = 2.0;
  double close_surprise = 2.0;  // below this the rate counts as back near baseline
  // An episode ends after the rate stayed near baseline this long (the playbook uses the end).
  std::chrono::minutes quiet_time{60};
  // After an episode ends, a new one opens only at twice the open threshold for this long.
  std::chrono::minutes cooldown{60};
  // An episode open this long ends even if the rate stays high: the level it reached (the median
  // of the last hour) becomes the new normal. Real series shift level (a news story, a new
  // service); without a bound such a shift would hold one endless episode and hide the next one.
  std::chrono::minutes max_episode{120};
  // Heavy tails: an account whose replies surge often should not page on every surge. A new
  // episode opens only above `memory_share` x the largest surprise of recent episodes, that peak
  // fading with `memory_time_constant` (a self-exciting refractory bar, like a Hawkes process).
  double memory_share = 0.5;
  std::chrono::hours memory_time_constant{24};
  // Calibration against the series' own calm surprises (detectors/flameup/calibration.h): when
  // the surprise this series exceeds in (1 - calibration_quantile) of its calm buckets over about
  // `calibration_time_constant` is q, its open threshold is
  // (q / calibration_reference)^calibration_exponent times higher (at least 1x). A series with
  // heavy tails pages on what stands out among its own. 0 as reference turns calibration off.
  // Quantile, reference and exponent were chosen on the NAB development series
  // (tests/data/flameup-nab, bench/flameup_nab_bench.cpp --sweep); a series that follows the
  // count model has its calm 97% point between 0 and about 0.37.
  double calibration_quantile = 0.97;
  double calibration_reference = 0.10;
  double calibration_exponent = 0.5;
  std::chrono::hours calibration_time_constant{24 * 7};

  // --- reply character and severity (注意 / 警戒 / 炎上) ---
  double alarm_hostile_share = 0.2;   // 警戒 from this share of critical/hostile replies
  double flame_hostile_share = 0.35;  // 炎上 from this share ...
  double flame_min_hostile = 15;      // ... and at least this many hostile replies
  double flame_min_ratio = 4;         // ... and the surge at least this many times baseline
  std::chrono::minutes flame_persistence{30};  // or lasting this long at >= half that ratio
  double supportive_cap_share = 0.5;           // mostly thanks/questions: never above 注意
  std::size_t max_tracked_posts = 64;          // per account, for "top driving posts"
  std::size_t top_posts = 5;
  std::size_t excerpt_buckets = 60;  // series excerpt in the evidence
};

// Checks ranges (positive durations, thresholds ordered, ...). Returns a message naming the
// first bad field, or nullopt when the settings are usable.
std::optional<std::string> validate(const Settings& settings);

}  // namespace mamori::detectors::flameup
