#include "daemon/app/poll_health.h"

namespace mamori::app {

namespace {

double unix_seconds(model::TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

signin::PollHealth poll_health(const polling::Poller* poller,
                               const metrics::CollectorMetrics* endpoints,
                               const collectors::RequestGovernor* governor,
                               const config::PollingConfig& intervals) {
  signin::PollHealth h;
  h.intervals = intervals;
  if (poller != nullptr) {
    for (const auto& [account, at] : poller->last_successes())
      h.last_success[account] = unix_seconds(at);
    // The first failing job per account, in the poller's order.
    for (const auto& [key, f] : poller->failures()) {
      const auto& [platform, handle, job] = key;
      h.failures.try_emplace({platform, handle},
                             signin::PollHealth::Failure{job, unix_seconds(f.at), f.detail});
    }
  }
  if (endpoints != nullptr) {
    for (const auto& e : endpoints->endpoints()) {
      if (e.breaker == collectors::BreakerState::open) h.open_breakers[e.platform] = e.endpoint;
      if (!e.quota_remaining) continue;
      const auto remaining = static_cast<double>(*e.quota_remaining);
      auto it = h.lowest_quota.find(e.platform);
      if (it != h.lowest_quota.end() && it->second.remaining <= remaining) continue;
      signin::EndpointQuota q{e.endpoint, remaining, std::nullopt};
      if (governor != nullptr) {
        if (const auto reset = governor->status(e.platform, e.endpoint).reset)
          q.reset_at = unix_seconds(*reset);
      }
      h.lowest_quota[e.platform] = q;
    }
  }
  return h;
}

}  // namespace mamori::app
