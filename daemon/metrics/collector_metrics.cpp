#include "daemon/metrics/collector_metrics.h"

#include "daemon/log/log.h"

namespace mamori::metrics {
namespace {

std::string key_of(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string key;
  key.reserve(a.size() + b.size() + c.size() + 2);
  key.append(a).push_back('\x1f');
  key.append(b).push_back('\x1f');
  key.append(c);
  return key;
}

// Platform API latencies: tens of milliseconds to the request timeout.
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace

CollectorMetrics::CollectorMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("mamori_platform_requests_total")
                    .Help("Platform API requests by platform, endpoint and outcome (ok, http_429, "
                          "http_4xx, http_5xx, timeout, connect_error, circuit_open, ...)")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("mamori_platform_request_seconds")
                   .Help("Duration of platform API request attempts")
                   .Register(registry)),
      held_(prometheus::BuildCounter()
                .Name("mamori_platform_requests_held_total")
                .Help("Times requests were held back to respect rate limits or back off, by reason")
                .Register(registry)),
      quota_(prometheus::BuildGauge()
                 .Name("mamori_platform_quota_remaining")
                 .Help("Requests left in the current rate-limit window, as the platform reported")
                 .Register(registry)),
      breaker_(prometheus::BuildGauge()
                   .Name("mamori_platform_breaker_state")
                   .Help("Circuit breaker per endpoint: 0 closed, 1 half-open, 2 open")
                   .Register(registry)) {}

prometheus::Counter& CollectorMetrics::requests(std::string_view platform,
                                                std::string_view endpoint,
                                                std::string_view outcome) {
  const std::string key = key_of(platform, endpoint, outcome);
  auto it = request_counters_.find(key);
  if (it == request_counters_.end()) {
    auto& c = requests_.Add({{"platform", std::string(platform)},
                             {"endpoint", std::string(endpoint)},
                             {"outcome", std::string(outcome)}});
    it = request_counters_.emplace(key, &c).first;
  }
  return *it->second;
}

void CollectorMetrics::request_finished(std::string_view platform, std::string_view endpoint,
                                        std::string_view outcome,
                                        std::chrono::duration<double> latency) {
  std::lock_guard lock(mutex_);
  requests(platform, endpoint, outcome).Increment();
  const std::string key = key_of(platform, endpoint);
  auto it = histograms_.find(key);
  if (it == histograms_.end()) {
    auto& h =
        latency_.Add({{"platform", std::string(platform)}, {"endpoint", std::string(endpoint)}},
                     latency_buckets());
    it = histograms_.emplace(key, &h).first;
  }
  it->second->Observe(latency.count());
  // An attempt that got no answer (stalled until the timeout, or no connection) is logged, not
  // only counted: the poll's own error names only the request's last attempt.
  if (outcome == "timeout" || outcome == "connect_error" || outcome == "tls_error") {
    log::warn("platform.request_failed", {{"platform", platform},
                                          {"endpoint", endpoint},
                                          {"outcome", outcome},
                                          {"seconds", latency.count()}});
  }
}

void CollectorMetrics::request_refused(std::string_view platform, std::string_view endpoint,
                                       std::string_view outcome) {
  std::lock_guard lock(mutex_);
  requests(platform, endpoint, outcome).Increment();
}

void CollectorMetrics::request_held(std::string_view platform, std::string_view endpoint,
                                    std::string_view reason) {
  std::lock_guard lock(mutex_);
  const std::string key = key_of(platform, endpoint, reason);
  auto it = held_counters_.find(key);
  if (it == held_counters_.end()) {
    auto& c = held_.Add({{"platform", std::string(platform)},
                         {"endpoint", std::string(endpoint)},
                         {"reason", std::string(reason)}});
    it = held_counters_.emplace(key, &c).first;
  }
  it->second->Increment();
}

void CollectorMetrics::quota_remaining(std::string_view platform, std::string_view endpoint,
                                       std::int64_t remaining) {
  std::lock_guard lock(mutex_);
  const std::string key = key_of(platform, endpoint);
  auto it = quota_gauges_.find(key);
  if (it == quota_gauges_.end()) {
    auto& g =
        quota_.Add({{"platform", std::string(platform)}, {"endpoint", std::string(endpoint)}});
    it = quota_gauges_.emplace(key, &g).first;
  }
  it->second->Set(static_cast<double>(remaining));
  auto& report = reports_[key];
  report.platform = platform;
  report.endpoint = endpoint;
  report.quota_remaining = remaining;
}

void CollectorMetrics::breaker_state(std::string_view platform, std::string_view endpoint,
                                     collectors::BreakerState state) {
  std::lock_guard lock(mutex_);
  const std::string key = key_of(platform, endpoint);
  auto it = breaker_gauges_.find(key);
  if (it == breaker_gauges_.end()) {
    auto& g =
        breaker_.Add({{"platform", std::string(platform)}, {"endpoint", std::string(endpoint)}});
    it = breaker_gauges_.emplace(key, &g).first;
  }
  it->second->Set(static_cast<double>(static_cast<int>(state)));
  // One line when the breaker opens and one when it closes; the probes between (half-open,
  // re-opened) move only the gauge. Requests refused while it is open are not logged one by one.
  using collectors::BreakerState;
  auto& report = reports_[key];
  const BreakerState before = report.breaker;
  report.platform = platform;
  report.endpoint = endpoint;
  report.breaker = state;
  if (state == BreakerState::open && before == BreakerState::closed) {
    log::warn(
        "platform.circuit_open",
        {{"platform", platform},
         {"endpoint", endpoint},
         {"action", "requests to this endpoint fail fast; one probe at most a minute apart"}});
  } else if (state == BreakerState::closed && before != BreakerState::closed) {
    log::info("platform.circuit_closed", {{"platform", platform}, {"endpoint", endpoint}});
  }
}

std::vector<EndpointReport> CollectorMetrics::endpoints() const {
  std::lock_guard lock(mutex_);
  std::vector<EndpointReport> out;
  out.reserve(reports_.size());
  for (const auto& [key, report] : reports_) out.push_back(report);
  return out;
}

}  // namespace mamori::metrics
