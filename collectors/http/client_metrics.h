// What the collectors' HTTP layer reports for monitoring, as a small interface: the collectors do
// not depend on prometheus; the daemon implements this (daemon/metrics/collector_metrics.h).
// All calls come from the event loop's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "collectors/http/http_client.h"

namespace mamori::collectors {

// Per (platform, endpoint) circuit breaker. The numeric values are the gauge's values.
enum class BreakerState { closed = 0, half_open = 1, open = 2 };

std::string_view to_string(BreakerState state);

class ClientMetrics {
 public:
  virtual ~ClientMetrics() = default;

  // One attempt that went out (a retried request reports each attempt). `outcome` is
  // outcome_label(response); `latency` the attempt's duration.
  virtual void request_finished(std::string_view platform, std::string_view endpoint,
                                std::string_view outcome,
                                std::chrono::duration<double> latency) = 0;
  // A request completed without being sent: to_string() of circuit_open, rate_limited...
  virtual void request_refused(std::string_view platform, std::string_view endpoint,
                               std::string_view outcome) = 0;
  // A request held back before sending; reason: "rate_limit" (429), "quota" (remaining 0),
  // "spacing" (spreading the remaining quota), "backoff" (after failures).
  virtual void request_held(std::string_view platform, std::string_view endpoint,
                            std::string_view reason) = 0;
  // The platform's remaining quota for the endpoint, as its last response said.
  virtual void quota_remaining(std::string_view platform, std::string_view endpoint,
                               std::int64_t remaining) = 0;
  virtual void breaker_state(std::string_view platform, std::string_view endpoint,
                             BreakerState state) = 0;
};

// A low-cardinality label for a finished attempt: "ok" (2xx/3xx), "http_429", "http_4xx",
// "http_5xx", or to_string(outcome) when no response arrived.
std::string_view outcome_label(const HttpResponse& response);

}  // namespace mamori::collectors
