#include "daemon/detection/flameup_metrics.h"

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <vector>

namespace mamori::detection {
namespace {

// Minutes averaged for "now": short enough to show a flood within a polling cycle or two, long
// enough that one reply does not make a spike on the dashboard.
constexpr std::size_t kRecentBuckets = 5;

}  // namespace

FlameupMetrics::FlameupMetrics(prometheus::Registry& registry)
    : rate_(prometheus::BuildGauge()
                .Name("mamori_reply_rate")
                .Help("Replies, mentions and quotes per minute an official account receives (last "
                      "5 minutes)")
                .Register(registry)),
      baseline_(prometheus::BuildGauge()
                    .Name("mamori_reply_rate_baseline")
                    .Help("The learned usual reply rate for this time of day and week (per minute)")
                    .Register(registry)),
      open_(prometheus::BuildGauge()
                .Name("mamori_flameup_episode_open")
                .Help("1 while a flame-up episode is open for the official account, else 0")
                .Register(registry)) {}

FlameupMetrics::Series& FlameupMetrics::series(model::Platform platform,
                                               const std::string& handle) {
  auto [it, fresh] = series_.try_emplace({platform, handle});
  if (fresh) {
    const std::map<std::string, std::string> labels{
        {"platform", std::string(model::to_string(platform))}, {"account", handle}};
    it->second.rate = &rate_.Add(labels);
    it->second.baseline = &baseline_.Add(labels);
    it->second.open = &open_.Add(labels);
  }
  return it->second;
}

void FlameupMetrics::declare(model::Platform platform, const std::string& handle) {
  series(platform, handle);
}

void FlameupMetrics::update(model::Platform platform, const std::string& handle,
                            const detectors::flameup::ReplyRateDetector& detector) {
  Series& s = series(platform, handle);
  std::vector<double> counts;
  std::vector<double> expected;
  detector.all_replies().excerpt(kRecentBuckets, counts, expected);
  double sum_count = 0.0;
  double sum_expected = 0.0;
  for (const double c : counts) sum_count += c;
  for (const double e : expected) sum_expected += e;
  const double minutes = static_cast<double>(counts.size()) *
                         static_cast<double>(detector.all_replies().bucket_seconds()) / 60.0;
  s.rate->Set(minutes > 0.0 ? sum_count / minutes : 0.0);
  s.baseline->Set(minutes > 0.0 ? sum_expected / minutes : 0.0);
  s.open->Set(detector.episode_open() ? 1.0 : 0.0);
}

void FlameupMetrics::keep_only(const std::set<std::pair<model::Platform, std::string>>& accounts) {
  for (auto it = series_.begin(); it != series_.end();) {
    if (accounts.count(it->first) > 0) {
      ++it;
      continue;
    }
    rate_.Remove(it->second.rate);
    baseline_.Remove(it->second.baseline);
    open_.Remove(it->second.open);
    it = series_.erase(it);
  }
}

}  // namespace mamori::detection
