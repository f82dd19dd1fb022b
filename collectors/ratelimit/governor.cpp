#include "collectors/ratelimit/governor.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "collectors/ratelimit/platform_quota.h"

namespace mamori::collectors {
namespace {

using std::chrono::milliseconds;

std::string key_of(std::string_view platform, std::string_view endpoint) {
  std::string key;
  key.reserve(platform.size() + endpoint.size() + 1);
  key.append(platform);
  key.push_back('\x1f');
  key.append(endpoint);
  return key;
}

// Scopes share the endpoints' map under a name no endpoint has.
std::string scope_key(std::string_view platform, std::string_view quota_scope) {
  return key_of(platform, std::string("\x1equota:").append(quota_scope));
}

milliseconds doubled(milliseconds base, int times, milliseconds cap) {
  // 2^times without overflow: stop doubling once past the cap.
  milliseconds d = base;
  for (int i = 0; i < times && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

}  // namespace

RandomSource default_random_source() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine]() { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

RequestGovernor::RequestGovernor(GovernorPolicy policy, RandomSource random)
    : policy_(policy), random_(random ? std::move(random) : default_random_source()) {}

EndpointStatus& RequestGovernor::state(std::string_view platform, std::string_view endpoint) {
  const std::string key = key_of(platform, endpoint);
  auto it = endpoints_.find(key);
  if (it == endpoints_.end()) it = endpoints_.emplace(key, EndpointStatus{}).first;
  return it->second;
}

EndpointStatus& RequestGovernor::quota_state(EndpointStatus& endpoint_state,
                                             std::string_view platform,
                                             std::string_view quota_scope) {
  if (quota_scope.empty()) return endpoint_state;
  // std::map never moves its elements, so endpoint_state stays valid across this insertion.
  auto [it, inserted] = endpoints_.try_emplace(scope_key(platform, quota_scope));
  return it->second;
}

EndpointStatus RequestGovernor::status(std::string_view platform, std::string_view endpoint,
                                       std::string_view quota_scope) const {
  auto it = endpoints_.find(key_of(platform, endpoint));
  EndpointStatus s = it == endpoints_.end() ? EndpointStatus{} : it->second;
  if (quota_scope.empty()) quota_scope = s.quota_scope;
  if (quota_scope.empty()) return s;
  auto q = endpoints_.find(scope_key(platform, quota_scope));
  const EndpointStatus scope = q == endpoints_.end() ? EndpointStatus{} : q->second;
  s.limit = scope.limit;
  s.remaining = scope.remaining;
  s.reset = scope.reset;
  s.window = scope.window;
  s.started_since_quota = scope.started_since_quota;
  s.hold_until = scope.hold_until;
  s.rate_limited_in_a_row = scope.rate_limited_in_a_row;
  return s;
}

void RequestGovernor::renew_window(EndpointStatus& s, model::TimePoint now) const {
  if (s.reset && now >= *s.reset + policy_.reset_margin) {
    // A new window: the full limit if we know it, else unknown until the next response says.
    // Requests still in flight were sent before our reset (which has a margin added), but may
    // reach the platform after its own: they may count in the new window, so assume they do.
    s.remaining = s.limit;
    s.reset.reset();
    s.started_since_quota = s.in_flight;
  }
}

Admission RequestGovernor::admit(std::string_view platform, std::string_view endpoint,
                                 model::TimePoint now, std::string_view quota_scope) {
  EndpointStatus& s = state(platform, endpoint);
  EndpointStatus& q = quota_state(s, platform, quota_scope);
  if (s.breaker == BreakerState::open) {
    if (now < s.breaker_until) return {AdmitKind::circuit_open, s.breaker_until, "breaker"};
    s.breaker = BreakerState::half_open;
    s.probe_in_flight = false;
  }
  if (s.breaker == BreakerState::half_open && s.probe_in_flight) {
    // One probe at a time; the others fail fast like with an open breaker.
    return {AdmitKind::circuit_open, now, "breaker"};
  }
  if (now < q.hold_until) return {AdmitKind::wait, q.hold_until, "rate_limit"};
  if (now < s.backoff_until) return {AdmitKind::wait, s.backoff_until, "backoff"};
  renew_window(q, now);
  if (q.remaining) {
    const std::int64_t left = *q.remaining - q.started_since_quota;
    // finished() always pairs a known remaining with a reset (a synthetic one if need be).
    const model::TimePoint renewal = q.reset ? *q.reset + policy_.reset_margin : now;
    if (left <= 0) return {AdmitKind::wait, renewal, "quota"};
    if (q.limit && *q.limit > 0 && q.last_start &&
        static_cast<double>(left) < static_cast<double>(*q.limit) * policy_.spread_below) {
      // Spread what is left evenly over the rest of the window.
      const auto interval = (renewal - now) / left;
      const model::TimePoint next = *q.last_start + interval;
      if (now < next) return {AdmitKind::wait, next, "spacing"};
    }
  }
  return {AdmitKind::go, now, {}};
}

void RequestGovernor::started(std::string_view platform, std::string_view endpoint,
                              model::TimePoint now, std::string_view quota_scope) {
  EndpointStatus& s = state(platform, endpoint);
  EndpointStatus& q = quota_state(s, platform, quota_scope);
  ++s.in_flight;
  if (&q != &s) ++q.in_flight;
  if (s.quota_scope != quota_scope) s.quota_scope = std::string(quota_scope);
  ++q.started_since_quota;
  s.last_start = now;
  q.last_start = now;
  if (s.breaker == BreakerState::half_open) s.probe_in_flight = true;
}

model::TimePoint RequestGovernor::reset_time(const RateLimitInfo& info,
                                             model::TimePoint now) const {
  model::TimePoint r = *info.reset;
  if (info.server_date) {
    // The reset is on the platform's clock. Its Date header tells how far ours differs; of the
    // two readings take the later, so a skewed clock never sends a request early.
    const auto skew = now - *info.server_date;
    r = std::max(r, r + skew);
  }
  return std::min(r, now + policy_.max_reset_wait);
}

milliseconds RequestGovernor::backoff_delay(int failures) {
  const milliseconds full =
      doubled(policy_.backoff_base, std::max(0, failures - 1), policy_.backoff_max);
  // "Equal jitter": at least half the delay, so retries never bunch up at zero.
  const double r = std::clamp(random_(), 0.0, 1.0);
  return full / 2 + milliseconds(static_cast<std::int64_t>(
                        std::floor(static_cast<double>(full.count()) / 2.0 * r)));
}

void RequestGovernor::record_failure(EndpointStatus& s, model::TimePoint now,
                                     std::optional<milliseconds> floor) {
  ++s.consecutive_failures;
  milliseconds delay = backoff_delay(s.consecutive_failures);
  if (floor) delay = std::max(delay, std::min(*floor, policy_.backoff_max));
  s.backoff_until = std::max(s.backoff_until, now + delay);
  const bool reopen = s.breaker == BreakerState::half_open;
  const bool trip =
      s.breaker == BreakerState::closed && s.consecutive_failures >= policy_.breaker_failures;
  if (reopen || trip) {
    ++s.breaker_trips;
    s.breaker = BreakerState::open;
    s.breaker_until =
        now + doubled(policy_.breaker_open_for, s.breaker_trips - 1, policy_.breaker_open_max);
  }
  s.probe_in_flight = false;
}

AttemptVerdict RequestGovernor::finished(std::string_view platform, std::string_view endpoint,
                                         const HttpResponse& response, model::TimePoint now,
                                         std::string_view quota_scope) {
  EndpointStatus& s = state(platform, endpoint);
  EndpointStatus& q = quota_state(s, platform, quota_scope);
  s.in_flight = std::max(0, s.in_flight - 1);
  if (&q != &s) q.in_flight = std::max(0, q.in_flight - 1);
  if (response.outcome != HttpOutcome::ok) {
    switch (response.outcome) {
      case HttpOutcome::timeout:
      case HttpOutcome::connect_error:
        record_failure(s, now, std::nullopt);
        return AttemptVerdict::retryable;
      case HttpOutcome::tls_error:
        // The endpoint is unhealthy for us, but retrying at once will not fix a certificate.
        record_failure(s, now, std::nullopt);
        return AttemptVerdict::done;
      default:
        // Says nothing about the endpoint's health (oversized body, cancelled, refused).
        if (s.breaker == BreakerState::half_open) s.probe_in_flight = false;
        return AttemptVerdict::done;
    }
  }

  const RateLimitInfo info =
      parse_rate_limit_headers(model::platform_from_string(platform), response.headers, now);
  if (info.remaining) {
    const model::TimePoint reset =
        info.reset ? reset_time(info, now) : now + policy_.unknown_reset_wait;
    // Answers can arrive out of order (several requests in flight). Within one window the
    // platform's count only goes down, so an older, higher count must not raise what is left.
    const bool same_window = q.remaining && q.reset &&
                             reset <= *q.reset + std::chrono::seconds(1) &&
                             reset + std::chrono::seconds(1) >= *q.reset;
    if (info.limit) q.limit = info.limit;
    if (info.window) q.window = info.window;
    q.remaining = same_window ? std::min(*q.remaining, *info.remaining) : *info.remaining;
    // Requests still running may or may not be in the platform's count: assume they are not.
    q.started_since_quota = q.in_flight;
    q.reset = same_window ? std::max(*q.reset, reset) : reset;
  }

  // A spent daily quota (YouTube 403 quotaExceeded): nothing more in the scope until it renews.
  if (const auto renewal =
          daily_quota_renewal(model::platform_from_string(platform), response, now)) {
    q.hold_until = std::max(q.hold_until, std::min(*renewal, now + policy_.max_reset_wait));
    q.remaining = 0;
    q.started_since_quota = 0;
    q.reset = q.hold_until;
    if (s.breaker == BreakerState::half_open) s.probe_in_flight = false;
    return AttemptVerdict::done;  // the answer (an error observation) goes to the collector
  }

  if (response.status == 429) {
    ++q.rate_limited_in_a_row;
    model::TimePoint until = now + policy_.backoff_base;
    bool told = false;
    if (info.reset) {
      until = std::max(until, reset_time(info, now) + policy_.reset_margin);
      told = true;
    }
    if (info.retry_after) {
      until = std::max(until, now + std::min(*info.retry_after, policy_.max_reset_wait));
      told = true;
    }
    if (!told) {
      until = std::max(until, now + doubled(policy_.unknown_reset_wait, q.rate_limited_in_a_row - 1,
                                            policy_.max_reset_wait));
    }
    q.hold_until = std::max(q.hold_until, until);
    // Whatever the remaining header said, the quota is spent until then.
    q.remaining = 0;
    q.started_since_quota = 0;
    q.reset = q.hold_until - policy_.reset_margin;
    if (s.breaker == BreakerState::half_open) s.probe_in_flight = false;
    return AttemptVerdict::retryable;
  }
  q.rate_limited_in_a_row = 0;

  if (response.status >= 500) {
    record_failure(s, now, info.retry_after);
    return AttemptVerdict::retryable;
  }

  // The endpoint answered (2xx, 3xx, or a 4xx about this request): it is healthy.
  s.consecutive_failures = 0;
  s.backoff_until = {};
  if (s.breaker != BreakerState::closed) {
    s.breaker = BreakerState::closed;
    s.breaker_trips = 0;
  }
  s.probe_in_flight = false;
  return AttemptVerdict::done;
}

}  // namespace mamori::collectors
