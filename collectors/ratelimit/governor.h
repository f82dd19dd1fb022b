// RequestGovernor: the decisions that keep mamori inside the platforms' limits, per
// (platform, endpoint), as pure logic over an injected time — no I/O, no timers. The
// GovernedHttpClient asks it before every request and tells it every result.
//
//  * Quota scope: where a platform counts several endpoints together (Bluesky's 3000 requests
//    per 5 minutes per IP across all routes, Mastodon's 300 per 5 minutes per access token or,
//    without one, per IP), requests name the same `quota_scope`: the quota, 429 holds and
//    spacing below are then shared by every endpoint in the scope, while backoff and the
//    circuit breaker stay per endpoint (one failing route says nothing of the others). An
//    empty scope is the endpoint's own window (X counts every endpoint separately).
//
//  * Quota: the remaining count from the last response, minus requests started since, is never
//    overspent; at zero, requests wait for the reset. When less than `spread_below` of the
//    window's quota is left, requests are spaced evenly until the reset.
//  * 429: no request on that endpoint before the reset the platform named (or Retry-After).
//  * 5xx, timeouts, connection errors: exponential backoff with jitter on the endpoint.
//  * Circuit breaker: `breaker_failures` consecutive failures open it; requests then fail fast
//    until `breaker_open_for` has passed; one probe (half-open) closes or re-opens it.
//  * A spent daily quota (YouTube 403 quotaExceeded, platform_quota.h) holds the scope until the
//    quota renews (midnight Pacific time); that answer itself is handed back, not retried.
//  * A missing rate-limit header is "unknown", never "exhausted".
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/http/client_metrics.h"
#include "collectors/http/http_client.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/ratelimit/rate_limit_headers.h"
#include "model/platform.h"

namespace mamori::collectors {

struct GovernorPolicy {
  // Spacing starts when fewer than this fraction of the window's limit remains.
  double spread_below = 0.5;
  // Added after a reset time: resets are whole seconds (Bluesky rounds down) and clocks differ.
  std::chrono::milliseconds reset_margin{1000};
  // Remaining 0 or 429 without any reset or Retry-After: wait this long (doubling per repeat).
  std::chrono::milliseconds unknown_reset_wait{60000};
  // A reset further away than this is not believed (clamped).
  std::chrono::milliseconds max_reset_wait{std::chrono::hours(24)};
  // Backoff and breaker waits double up to a minute at most: a platform that is healthy again
  // is tried (and used) again within 60 s, while a failing one sees one probe a minute.
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(1)};
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_open_for{std::chrono::seconds(30)};
  std::chrono::milliseconds breaker_open_max{std::chrono::minutes(1)};
  // GovernedHttpClient: attempts per request (first try included) on 429/5xx/timeout/connect.
  int max_attempts = 3;
  // GovernedHttpClient: a request that would have to wait longer fails (rate_limited).
  std::chrono::milliseconds max_hold{std::chrono::minutes(16)};
  std::size_t max_queued_per_endpoint = 1000;
};

enum class AdmitKind { go, wait, circuit_open };

struct Admission {
  AdmitKind kind = AdmitKind::go;
  model::TimePoint until{};  // wait: not before; circuit_open: when a probe may go
  std::string_view reason;   // wait: "rate_limit", "quota", "spacing" or "backoff"
};

// What a finished attempt means for its request.
enum class AttemptVerdict {
  done,       // a usable answer (2xx-4xx other than 429), or a failure retrying cannot fix
  retryable,  // 429, 5xx, timeout, connection error: the same request may succeed later
};

struct EndpointStatus {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;  // as the platform said, before our own in-flight use
  std::optional<model::TimePoint> reset;
  std::optional<std::chrono::seconds> window;  // the window's length, where the platform says
  std::int64_t started_since_quota = 0;
  int in_flight = 0;
  model::TimePoint hold_until{};
  model::TimePoint backoff_until{};
  int consecutive_failures = 0;
  BreakerState breaker = BreakerState::closed;
  model::TimePoint breaker_until{};
  bool probe_in_flight = false;
  int rate_limited_in_a_row = 0;
  int breaker_trips = 0;
  std::optional<model::TimePoint> last_start;
  std::string quota_scope;  // the scope the endpoint's requests last drew on ("" for its own)
};

class RequestGovernor {
 public:
  explicit RequestGovernor(GovernorPolicy policy = {},
                           RandomSource random = default_random_source());

  // May a request on this endpoint start at `now`? May move an open breaker to half-open.
  Admission admit(std::string_view platform, std::string_view endpoint, model::TimePoint now,
                  std::string_view quota_scope = {});
  // A request was sent (after admit said go).
  void started(std::string_view platform, std::string_view endpoint, model::TimePoint now,
               std::string_view quota_scope = {});
  // Its attempt finished. Reads the rate-limit headers and updates holds, backoff, breaker.
  AttemptVerdict finished(std::string_view platform, std::string_view endpoint,
                          const HttpResponse& response, model::TimePoint now,
                          std::string_view quota_scope = {});

  // Current state (a default one for an endpoint never seen). With a quota scope — given, or the
  // one the endpoint's requests last used — the quota fields (limit, remaining, reset,
  // hold_until...) are the scope's, the rest the endpoint's.
  EndpointStatus status(std::string_view platform, std::string_view endpoint,
                        std::string_view quota_scope = {}) const;
  const GovernorPolicy& policy() const { return policy_; }

 private:
  EndpointStatus& state(std::string_view platform, std::string_view endpoint);
  // Where the quota of a request lives: the endpoint's own state, or its scope's.
  EndpointStatus& quota_state(EndpointStatus& endpoint_state, std::string_view platform,
                              std::string_view quota_scope);
  void renew_window(EndpointStatus& s, model::TimePoint now) const;
  std::chrono::milliseconds backoff_delay(int failures);
  void record_failure(EndpointStatus& s, model::TimePoint now,
                      std::optional<std::chrono::milliseconds> floor);
  model::TimePoint reset_time(const RateLimitInfo& info, model::TimePoint now) const;

  GovernorPolicy policy_;
  RandomSource random_;
  std::map<std::string, EndpointStatus, std::less<>> endpoints_;
};

}  // namespace mamori::collectors
