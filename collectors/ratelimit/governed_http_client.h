// GovernedHttpClient: an HttpClient in front of another one that applies the RequestGovernor,
// so collectors just call fetch(). Per (request.platform, request.endpoint) it
//  * holds requests while the governor says wait (429 until the reset, quota spent, spacing,
//    backoff) — in FIFO order, on an Asio timer;
//  * fails fast with HttpOutcome::circuit_open while that endpoint's breaker is open, and with
//    HttpOutcome::rate_limited when a request would be held longer than policy.max_hold or the
//    endpoint's queue is full;
//  * retries 429, 5xx, timeouts and connection errors up to policy.max_attempts (POST only on
//    429 and 503, where the platform did not act on it), each retry again through the governor;
//  * reports attempts, holds, quota and breaker state to ClientMetrics;
//  * with a SpendMeter (set_spend_meter): refuses (HttpOutcome::rate_limited) a request that
//    could take the platform's month past its budget, and prices every answer.
// Everything runs on the io_context's thread; completions too (never inside fetch()).
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string_view>

#include "collectors/http/client_metrics.h"
#include "collectors/http/http_client.h"
#include "collectors/ratelimit/api_spend.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/ratelimit/governor.h"

namespace mamori::collectors {

class GovernedHttpClient final : public HttpClient {
 public:
  // `inner`, `clock` and `metrics` (nullable) must outlive this object.
  GovernedHttpClient(boost::asio::io_context& io, HttpClient& inner, ClientMetrics* metrics,
                     const Clock& clock, GovernorPolicy policy = {},
                     RandomSource random = default_random_source());
  ~GovernedHttpClient() override;
  GovernedHttpClient(const GovernedHttpClient&) = delete;
  GovernedHttpClient& operator=(const GovernedHttpClient&) = delete;

  void fetch(HttpRequest request, Completion done) override;

  // Held requests complete with HttpOutcome::cancelled now; requests already sent finish
  // through the inner client (shut it down next); later fetch() calls are cancelled.
  void shutdown();

  // Prices answers and enforces the monthly budgets (api_spend.h); `meter` (nullable) must
  // outlive this object.
  void set_spend_meter(SpendMeter* meter);

  const RequestGovernor& governor() const;
  std::size_t held() const;  // requests waiting in this client, all endpoints

 private:
  struct Core;
  std::shared_ptr<Core> core_;  // shared: timers and inner completions hold weak references
};

}  // namespace mamori::collectors
