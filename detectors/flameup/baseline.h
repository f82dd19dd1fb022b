// Seasonal baseline of a reply-count series: expected replies per bucket = level x daily shape
// (48 half-hour slots of local time) x weekday factor, learned online like multiplicative
// Holt-Winters. Municipal accounts are quiet at night, busy at 9:00 and at lunch, calmer at
// weekends; a new account starts from that typical shape and learns its own.
#pragma once

#include <array>
#include <cstdint>

#include "detectors/flameup/settings.h"

namespace mamori::detectors::flameup {

class SeasonalBaseline {
 public:
  static constexpr int kDailySlots = 48;

  explicit SeasonalBaseline(const Settings& settings);

  // Expected count of the bucket that starts at `bucket_start` (seconds since the epoch, UTC).
  double expected(std::int64_t bucket_start) const;

  // Learns from one bucket's count. The caller passes a robustly clipped count so a flood does not
  // become the new normal. Buckets must be learned in increasing time order.
  void learn(std::int64_t bucket_start, double count);

  // Multiplies the expected counts by `factor` (a level shift taken as the new normal).
  void rescale(double factor);

  // True while the level is at its floor: the series has not seen a count yet.
  bool unlearned() const;

  std::uint64_t buckets_learned() const { return learned_; }
  // Expected count per bucket before the daily and weekly factors.
  double level() const;
  double daily_factor(int slot) const { return daily_[static_cast<std::size_t>(slot)].factor; }
  double weekday_factor(int weekday) const {
    return weekly_[static_cast<std::size_t>(weekday)].factor;
  }

  struct Slot {
    int daily = 0;    // 0..47, half-hours of local time
    int weekday = 0;  // 0 = Monday .. 6 = Sunday
    std::int64_t day = 0;
  };
  Slot slot_of(std::int64_t bucket_start) const;

 private:
  void renormalize();

  // A multiplicative component: factor = num / den, both exponentially weighted sums.
  struct Component {
    float factor = 1.0f;
    float num = 0.0f;
    float den = 0.0f;
    float prior = 1.0f;
    void update(float alpha, double count, double reference);
  };

  std::array<Component, kDailySlots> daily_{};
  std::array<Component, 7> weekly_{};
  double level_num_ = 0.0;  // weighted sum of counts
  double level_den_ = 0.0;  // weighted sum of daily x weekly factors
  std::uint64_t learned_ = 0;
  std::int64_t last_day_ = 0;
  bool seen_day_ = false;
  std::int64_t utc_offset_ = 0;
  float alpha_level_ = 0.0f;
  float alpha_daily_ = 0.0f;
  float alpha_weekly_ = 0.0f;
  std::uint32_t shape_after_ = 0;  // buckets of level learning before the shape adapts
};

}  // namespace mamori::detectors::flameup
