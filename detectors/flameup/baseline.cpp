#include "detectors/flameup/baseline.h"

#include <algorithm>
#include <cmath>

namespace mamori::detectors::flameup {
namespace {

// Typical hourly reply weights of a Japanese municipal account (local time): near silence at
// night, a morning peak when offices open and announcements go out, lunch and evening peaks.
constexpr std::array<float, 24> kMunicipalHours = {
    0.35f, 0.20f, 0.12f, 0.08f, 0.07f, 0.10f, 0.30f, 0.70f, 1.20f, 1.50f, 1.40f, 1.30f,
    1.50f, 1.30f, 1.20f, 1.20f, 1.30f, 1.50f, 1.50f, 1.40f, 1.40f, 1.30f, 1.00f, 0.60f};
// Monday .. Sunday: weekends are calmer.
constexpr std::array<float, 7> kMunicipalWeek = {1.08f, 1.08f, 1.08f, 1.08f, 1.08f, 0.82f, 0.78f};

constexpr float kMinFactor = 0.02f;
constexpr float kMaxFactor = 50.0f;
constexpr double kMinLevel = 1e-5;
constexpr std::int64_t kDay = 86400;
// The prior shape counts as this many replies in each slot: a busy account learns its own shape
// within days, a quiet one (or its few hostile replies) keeps the typical municipal shape rather
// than chasing single replies.
constexpr double kPriorCounts = 30.0;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

float rate(std::chrono::seconds bucket, double time_constant_seconds, double updates_share) {
  // Each daily slot sees 1/48 of the buckets, each weekday 1/7: scale so the time constant is
  // in wall-clock time for every component.
  const double a = static_cast<double>(bucket.count()) / (time_constant_seconds * updates_share);
  return static_cast<float>(std::clamp(a, 1e-7, 0.5));
}

}  // namespace

SeasonalBaseline::SeasonalBaseline(const Settings& settings)
    : utc_offset_(settings.utc_offset.count()) {
  for (std::size_t s = 0; s < kDailySlots; ++s) {
    daily_[s].factor = kMunicipalHours[s / 2];
    daily_[s].prior = kMunicipalHours[s / 2];
  }
  for (std::size_t d = 0; d < 7; ++d) {
    weekly_[d].factor = kMunicipalWeek[d];
    weekly_[d].prior = kMunicipalWeek[d];
  }
  renormalize();
  const auto seconds = [](auto d) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  };
  alpha_level_ = rate(settings.bucket, seconds(settings.level_time_constant), 1.0);
  alpha_daily_ = rate(settings.bucket, seconds(settings.daily_time_constant), 1.0 / kDailySlots);
  alpha_weekly_ = rate(settings.bucket, seconds(settings.weekly_time_constant), 1.0 / 7.0);
  const auto bucket = std::max<std::int64_t>(1, settings.bucket.count());
  shape_after_ = static_cast<std::uint32_t>(std::max<std::int64_t>(1, kDay / bucket));
}

SeasonalBaseline::Slot SeasonalBaseline::slot_of(std::int64_t bucket_start) const {
  const std::int64_t local = bucket_start + utc_offset_;
  const std::int64_t day = floor_div(local, kDay);
  const std::int64_t second_of_day = local - day * kDay;
  Slot slot;
  slot.day = day;
  slot.daily = static_cast<int>(second_of_day / (kDay / kDailySlots));
  // 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
  slot.weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);
  return slot;
}

bool SeasonalBaseline::unlearned() const {
  return !(level_den_ > 0.0) || !(level_num_ / level_den_ > kMinLevel);
}

double SeasonalBaseline::level() const {
  return level_den_ > 0.0 ? std::max(level_num_ / level_den_, kMinLevel) : kMinLevel;
}

double SeasonalBaseline::expected(std::int64_t bucket_start) const {
  const Slot s = slot_of(bucket_start);
  const double e = level() * daily_[static_cast<std::size_t>(s.daily)].factor *
                   weekly_[static_cast<std::size_t>(s.weekday)].factor;
  return std::max(e, kMinLevel);
}

void SeasonalBaseline::Component::update(float alpha, double count, double reference) {
  // Ratio of exponentially weighted sums (count / what the other components predict): stable on
  // sparse counts, where averaging per-bucket ratios would swing with every reply at night.
  // Single precision throughout: the factors are stored as floats anyway, and a float division
  // is the cheapest step of the per-bucket path.
  num += alpha * (static_cast<float>(count) - num);
  den += alpha * (static_cast<float>(reference) - den);
  // num/alpha and den/alpha are the remembered replies and expected replies of this slot.
  const float pseudo = alpha * static_cast<float>(kPriorCounts);
  factor = std::clamp((num + pseudo * prior) / (den + pseudo), kMinFactor, kMaxFactor);
}

void SeasonalBaseline::learn(std::int64_t bucket_start, double count) {
  if (!(count >= 0.0) || !std::isfinite(count)) count = 0.0;
  const Slot s = slot_of(bucket_start);
  if (seen_day_ && s.day != last_day_) renormalize();
  seen_day_ = true;
  last_day_ = s.day;

  Component& d = daily_[static_cast<std::size_t>(s.daily)];
  Component& w = weekly_[static_cast<std::size_t>(s.weekday)];
  // Running mean at first, then an exponential moving average.
  const double a = static_cast<double>(learned_ + 1) * alpha_level_ <= 1.0
                       ? 1.0 / static_cast<double>(learned_ + 1)
                       : static_cast<double>(alpha_level_);
  level_num_ += a * (count - level_num_);
  level_den_ += a * (static_cast<double>(d.factor) * w.factor - level_den_);

  if (learned_ >= shape_after_) {
    const double level_now = level();
    d.update(alpha_daily_, count, level_now * w.factor);
    w.update(alpha_weekly_, count, level_now * d.factor);
  }
  ++learned_;
}

void SeasonalBaseline::rescale(double factor) {
  if (!(factor > 0.0) || !std::isfinite(factor)) return;
  // From the level as used (floored): a series that never saw a reply has level_num_ = 0.
  const double target = level() * factor;
  if (!(level_den_ > 0.0)) level_den_ = 1.0;
  level_num_ = target * level_den_;
}

void SeasonalBaseline::renormalize() {
  // Keep both shapes at mean 1 and move their scale into the level, so expected() is unchanged.
  double sum = 0.0;
  for (const Component& c : daily_) sum += c.factor;
  const double md = sum / kDailySlots;
  sum = 0.0;
  for (const Component& c : weekly_) sum += c.factor;
  const double mw = sum / 7.0;
  if (!(md > 0.0) || !(mw > 0.0)) return;
  for (Component& c : daily_) {
    c.factor = static_cast<float>(c.factor / md);
    c.num = static_cast<float>(c.num / md);
    c.prior = static_cast<float>(c.prior / md);
  }
  for (Component& c : weekly_) {
    c.factor = static_cast<float>(c.factor / mw);
    c.num = static_cast<float>(c.num / mw);
    c.prior = static_cast<float>(c.prior / mw);
  }
  level_den_ /= md * mw;
}

}  // namespace mamori::detectors::flameup
