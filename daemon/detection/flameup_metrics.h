// The flame-up gauges the PR office's dashboard and the alert rules read (docs/metrics.md):
//   mamori_reply_rate{platform,account}           replies per minute now (last 5 closed buckets)
//   mamori_reply_rate_baseline{platform,account}  the learned rate for the same minutes
//   mamori_flameup_episode_open{platform,account} 1 while an episode is open
// `account` is the official account's handle as configured. Updated on the hub's loop thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "detectors/flameup/reply_rate_detector.h"
#include "model/platform.h"

namespace prometheus {
class Registry;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace mamori::detection {

class FlameupMetrics {
 public:
  explicit FlameupMetrics(prometheus::Registry& registry);

  // An official account without replies yet: its series exist, at 0.
  void declare(model::Platform platform, const std::string& handle);
  void update(model::Platform platform, const std::string& handle,
              const detectors::flameup::ReplyRateDetector& detector);
  // Accounts removed from the configuration: their series disappear.
  void keep_only(const std::set<std::pair<model::Platform, std::string>>& accounts);

 private:
  struct Series {
    prometheus::Gauge* rate = nullptr;
    prometheus::Gauge* baseline = nullptr;
    prometheus::Gauge* open = nullptr;
  };
  Series& series(model::Platform platform, const std::string& handle);

  prometheus::Family<prometheus::Gauge>& rate_;
  prometheus::Family<prometheus::Gauge>& baseline_;
  prometheus::Family<prometheus::Gauge>& open_;
  std::map<std::pair<model::Platform, std::string>, Series> series_;
};

}  // namespace mamori::detection
