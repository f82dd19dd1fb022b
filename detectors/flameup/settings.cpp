#include "detectors/flameup/settings.h"

#include <cmath>

namespace mamori::detectors::flameup {

std::optional<std::string> validate(const Settings& s) {
  using std::chrono::seconds;
  if (s.bucket.count() <= 0) return "bucket: must be positive";
  if (s.bucket > std::chrono::hours(24 * 7)) return "bucket: must be at most 7 days";
  if (s.lateness.count() < 0) return "lateness: must not be negative";
  if (s.max_gap.count() <= 0) return "max_gap: must be positive";
  if (s.utc_offset < -std::chrono::hours(14) || s.utc_offset > std::chrono::hours(14)) {
    return "utc_offset: must be within -14:00..+14:00";
  }
  if (s.level_time_constant.count() <= 0 || s.daily_time_constant.count() <= 0 ||
      s.weekly_time_constant.count() <= 0 || s.dispersion_time_constant.count() <= 0) {
    return "time constants: must be positive";
  }
  if (!(s.nb_size > 0.0) || !std::isfinite(s.nb_size)) return "nb_size: must be positive";
  for (const auto& w : s.windows) {
    if (w.length.count() <= 0) return "windows: length must be positive";
    if (!(w.min_count >= 0.0) || !(w.tolerated_excess >= 0.0)) {
      return "windows: min_count and tolerated_excess must not be negative";
    }
  }
  if (!(s.tolerated_ratio >= 1.0) || !std::isfinite(s.tolerated_ratio)) {
    return "tolerated_ratio: must be at least 1";
  }
  if (!(s.open_surprise > 0.0) || !std::isfinite(s.open_surprise)) {
    return "open threshold: must be positive";
  }
  if (!(s.hostile_open_surprise > 0.0) || !std::isfinite(s.hostile_open_surprise)) {
    return "hostile open threshold: must be positive";
  }
  if (!(s.close_surprise > 0.0) || !(s.close_surprise <= s.open_surprise) ||
      !(s.close_surprise <= s.hostile_open_surprise)) {
    return "close threshold: must be positive and at most both open thresholds (all replies, "
           "hostile "
           "replies)";
  }
  if (s.quiet_time.count() <= 0) return "quiet_time: must be positive";
  if (s.cooldown.count() < 0) return "cooldown: must not be negative";
  if (s.max_episode < std::chrono::minutes(60)) return "max_episode: must be at least 60 minutes";
  if (!(s.memory_share >= 0.0 && s.memory_share <= 1.0)) return "memory_share: must be in [0, 1]";
  if (s.memory_time_constant.count() <= 0) return "memory_time_constant: must be positive";
  if (!(s.calibration_quantile >= 0.5 && s.calibration_quantile < 1.0)) {
    return "calibration_quantile: must be in [0.5, 1)";
  }
  if (!(s.calibration_reference >= 0.0) || !std::isfinite(s.calibration_reference)) {
    return "calibration_reference: must not be negative (0: no calibration)";
  }
  if (!(s.calibration_exponent > 0.0 && s.calibration_exponent <= 1.0)) {
    return "calibration_exponent: must be in (0, 1]";
  }
  if (s.calibration_time_constant.count() <= 0) {
    return "calibration_time_constant: must be positive";
  }
  if (!(s.alarm_hostile_share >= 0.0 && s.alarm_hostile_share <= s.flame_hostile_share &&
        s.flame_hostile_share <= 1.0)) {
    return "hostile shares: need 0 <= alarm_hostile_share <= flame_hostile_share <= 1";
  }
  if (!(s.supportive_cap_share > 0.0 && s.supportive_cap_share <= 1.0)) {
    return "supportive_cap_share: must be in (0, 1]";
  }
  if (!(s.surge_hostile_gate >= 0.0 && s.surge_hostile_gate <= 1.0)) {
    return "surge_hostile_gate: must be in [0, 1]";
  }
  if (!(s.calm_surge_factor >= 1.0) || !std::isfinite(s.calm_surge_factor)) {
    return "calm_surge_factor: must be at least 1";
  }
  if (s.max_tracked_posts == 0) return "max_tracked_posts: must be positive";
  return std::nullopt;
}

}  // namespace mamori::detectors::flameup
