// Prometheus metrics of the platform collectors' HTTP traffic (the collectors report through
// the ClientMetrics interface and know nothing of prometheus):
//   mamori_platform_requests_total{platform,endpoint,outcome}   attempts and refusals
//   mamori_platform_request_seconds{platform,endpoint}          attempt latency (histogram)
//   mamori_platform_requests_held_total{platform,endpoint,reason}
//   mamori_platform_quota_remaining{platform,endpoint}          as the platform last said
//   mamori_platform_breaker_state{platform,endpoint}            0 closed, 1 half-open, 2 open
// The series' Counter&/Gauge&/Histogram& are looked up once per label set and kept.
// Degraded states are also logged: an attempt without an answer (timeout, connection or TLS
// error) one line each, a circuit breaker one line when it opens and one when it closes.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/http/client_metrics.h"

namespace mamori::metrics {

// What the collectors last reported about one endpoint (the accounts page shows it).
struct EndpointReport {
  std::string platform;
  std::string endpoint;
  std::optional<std::int64_t> quota_remaining;  // none until the platform said
  collectors::BreakerState breaker = collectors::BreakerState::closed;
};

class CollectorMetrics final : public collectors::ClientMetrics {
 public:
  explicit CollectorMetrics(prometheus::Registry& registry);

  // Every endpoint with a quota or breaker report so far, in no particular order.
  std::vector<EndpointReport> endpoints() const;

  void request_finished(std::string_view platform, std::string_view endpoint,
                        std::string_view outcome, std::chrono::duration<double> latency) override;
  void request_refused(std::string_view platform, std::string_view endpoint,
                       std::string_view outcome) override;
  void request_held(std::string_view platform, std::string_view endpoint,
                    std::string_view reason) override;
  void quota_remaining(std::string_view platform, std::string_view endpoint,
                       std::int64_t remaining) override;
  void breaker_state(std::string_view platform, std::string_view endpoint,
                     collectors::BreakerState state) override;

 private:
  prometheus::Counter& requests(std::string_view platform, std::string_view endpoint,
                                std::string_view outcome);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& held_;
  prometheus::Family<prometheus::Gauge>& quota_;
  prometheus::Family<prometheus::Gauge>& breaker_;

  mutable std::mutex mutex_;  // the caches; prometheus-cpp's own objects are thread-safe
  std::unordered_map<std::string, prometheus::Counter*> request_counters_;
  std::unordered_map<std::string, prometheus::Histogram*> histograms_;
  std::unordered_map<std::string, prometheus::Counter*> held_counters_;
  std::unordered_map<std::string, prometheus::Gauge*> quota_gauges_;
  std::unordered_map<std::string, prometheus::Gauge*> breaker_gauges_;
  std::unordered_map<std::string, EndpointReport> reports_;
};

}  // namespace mamori::metrics
