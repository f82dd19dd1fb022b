// RequestGovernor with an injected clock and random source: pure decisions, no waiting.
#include "collectors/ratelimit/governor.h"

#include <gtest/gtest.h>

namespace mamori::collectors {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

const model::TimePoint kStart = model::TimePoint(std::chrono::seconds(1718000000));

HttpResponse response(int status, Headers headers = {}) {
  HttpResponse r;
  r.outcome = HttpOutcome::ok;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

HttpResponse failure(HttpOutcome outcome) {
  HttpResponse r;
  r.outcome = outcome;
  return r;
}

Headers x_quota(int limit, int remaining, std::int64_t reset_unix) {
  return {{"x-rate-limit-limit", std::to_string(limit)},
          {"x-rate-limit-remaining", std::to_string(remaining)},
          {"x-rate-limit-reset", std::to_string(reset_unix)}};
}

class GovernorTest : public ::testing::Test {
 protected:
  GovernorPolicy policy() {
    GovernorPolicy p;
    p.reset_margin = 1000ms;
    p.backoff_base = 1000ms;
    p.backoff_max = 60000ms;
    p.breaker_failures = 3;
    p.breaker_open_for = 30000ms;
    return p;
  }
  double random_value = 0.0;
  ManualClock clock{kStart};
  RequestGovernor governor{policy(), [this] { return random_value; }};

  Admission admit() { return governor.admit("x", "users/:id/tweets", clock.now()); }
  void start() { governor.started("x", "users/:id/tweets", clock.now()); }
  AttemptVerdict finish(const HttpResponse& r) {
    return governor.finished("x", "users/:id/tweets", r, clock.now());
  }
  // One request through, answered with `r`.
  AttemptVerdict round(const HttpResponse& r) {
    EXPECT_EQ(admit().kind, AdmitKind::go);
    start();
    return finish(r);
  }
};

TEST_F(GovernorTest, MissingHeadersNeverHoldRequests) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(round(response(200)), AttemptVerdict::done);
  }
  EXPECT_EQ(admit().kind, AdmitKind::go);
  EXPECT_FALSE(governor.status("x", "users/:id/tweets").remaining.has_value());
}

TEST_F(GovernorTest, WaitsForTheResetWhenTheQuotaIsSpent) {
  const std::int64_t reset = 1718000000 + 60;
  round(response(200, x_quota(900, 0, reset)));
  const Admission a = admit();
  EXPECT_EQ(a.kind, AdmitKind::wait);
  EXPECT_EQ(a.reason, "quota");
  EXPECT_EQ(a.until, model::TimePoint(std::chrono::seconds(reset)) + 1000ms);
  clock.set(a.until - 1ms);
  EXPECT_EQ(admit().kind, AdmitKind::wait);
  clock.set(a.until);
  EXPECT_EQ(admit().kind, AdmitKind::go);
}

// A request sent just before the window's reset can reach the platform just after it, and be
// counted in the new window: the new window starts with it counted.
TEST_F(GovernorTest, ARequestInFlightAcrossTheResetCountsInTheNewWindow) {
  const std::int64_t reset = 1718000000 + 3;
  round(response(200, x_quota(4, 3, reset)));
  ASSERT_EQ(admit().kind, AdmitKind::go);
  start();  // still in flight at the reset
  clock.set(model::TimePoint(std::chrono::seconds(reset)) + 1000ms);
  int admitted = 0;
  while (admitted < 10 && admit().kind == AdmitKind::go) {
    start();
    ++admitted;
  }
  EXPECT_EQ(admitted, 3) << "4 per window, one of them possibly the request still in flight";
}

TEST_F(GovernorTest, HonoursA429UntilItsReset) {
  const std::int64_t reset = 1718000000 + 120;
  EXPECT_EQ(round(response(429, x_quota(900, 0, reset))), AttemptVerdict::retryable);
  const model::TimePoint reset_tp = model::TimePoint(std::chrono::seconds(reset));
  for (auto t : {kStart, kStart + 60s, reset_tp, reset_tp + 999ms}) {
    clock.set(t);
    const Admission a = admit();
    EXPECT_EQ(a.kind, AdmitKind::wait);
    EXPECT_EQ(a.reason, "rate_limit");
    EXPECT_GT(a.until, reset_tp);
  }
  clock.set(reset_tp + 1000ms);
  EXPECT_EQ(admit().kind, AdmitKind::go);
  // A 429 is about quota, not health: the breaker stays closed.
  EXPECT_EQ(governor.status("x", "users/:id/tweets").breaker, BreakerState::closed);
}

TEST_F(GovernorTest, A429WithoutHeadersWaitsLongerEachTime) {
  round(response(429));
  Admission a = admit();
  ASSERT_EQ(a.kind, AdmitKind::wait);
  EXPECT_EQ(a.until - clock.now(), policy().unknown_reset_wait);
  clock.set(a.until);
  round(response(429));
  a = admit();
  EXPECT_EQ(a.until - clock.now(), 2 * policy().unknown_reset_wait);
  clock.set(a.until);
  round(response(200));
  EXPECT_EQ(admit().kind, AdmitKind::go);
}

TEST_F(GovernorTest, RetryAfterIsHonouredOn429) {
  round(response(429, {{"retry-after", "30"}}));
  const Admission a = admit();
  ASSERT_EQ(a.kind, AdmitKind::wait);
  EXPECT_EQ(a.until, kStart + 30s);
}

TEST_F(GovernorTest, BacksOffExponentiallyWithJitterOnServerErrors) {
  // random 0: half the delay; random 1: the full delay.
  random_value = 0.0;
  EXPECT_EQ(round(response(503)), AttemptVerdict::retryable);
  EXPECT_EQ(admit().until - clock.now(), 500ms);
  EXPECT_EQ(admit().reason, "backoff");
  clock.advance(500ms);
  random_value = 1.0;
  EXPECT_EQ(round(failure(HttpOutcome::timeout)), AttemptVerdict::retryable);
  EXPECT_EQ(admit().until - clock.now(), 2000ms);
  clock.advance(2000ms);
  random_value = 0.5;
  EXPECT_EQ(round(failure(HttpOutcome::connect_error)), AttemptVerdict::retryable);
  // 4 s full: 2 + 0.5 * 2. (The third failure also opens the breaker, checked elsewhere.)
  EXPECT_EQ(governor.status("x", "users/:id/tweets").backoff_until - clock.now(), 3000ms);
  EXPECT_EQ(governor.status("x", "users/:id/tweets").consecutive_failures, 3);
}

TEST_F(GovernorTest, BackoffIsCapped) {
  GovernorPolicy p = policy();
  p.breaker_failures = 1000;
  RequestGovernor g(p, [] { return 1.0; });
  for (int i = 0; i < 40; ++i) {
    const Admission a = g.admit("x", "e", clock.now());
    clock.set(std::max(clock.now(), a.until));
    g.started("x", "e", clock.now());
    g.finished("x", "e", response(500), clock.now());
  }
  EXPECT_EQ(g.admit("x", "e", clock.now()).until - clock.now(), p.backoff_max);
}

TEST_F(GovernorTest, SuccessClearsTheBackoff) {
  round(response(500));
  clock.advance(5s);
  round(response(200));
  EXPECT_EQ(admit().kind, AdmitKind::go);
  EXPECT_EQ(governor.status("x", "users/:id/tweets").consecutive_failures, 0);
}

TEST_F(GovernorTest, ClientErrorsAreNotFailures) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(round(response(404)), AttemptVerdict::done);
  EXPECT_EQ(governor.status("x", "users/:id/tweets").breaker, BreakerState::closed);
  EXPECT_EQ(round(failure(HttpOutcome::too_large)), AttemptVerdict::done);
  EXPECT_EQ(admit().kind, AdmitKind::go);
}

TEST_F(GovernorTest, BreakerOpensHalfOpensAndCloses) {
  for (int i = 0; i < 3; ++i) {
    clock.set(std::max(clock.now(), admit().until));
    round(response(500));
  }
  Admission a = admit();
  EXPECT_EQ(a.kind, AdmitKind::circuit_open);
  EXPECT_EQ(governor.status("x", "users/:id/tweets").breaker, BreakerState::open);
  EXPECT_EQ(a.until, clock.now() + 30s);

  clock.set(a.until);
  EXPECT_EQ(admit().kind, AdmitKind::go);  // the probe
  EXPECT_EQ(governor.status("x", "users/:id/tweets").breaker, BreakerState::half_open);
  start();
  EXPECT_EQ(admit().kind, AdmitKind::circuit_open) << "only one probe at a time";
  finish(response(200));
  EXPECT_EQ(governor.status("x", "users/:id/tweets").breaker, BreakerState::closed);
  EXPECT_EQ(admit().kind, AdmitKind::go);
}

// With the shipped policy, however long an outage lasts, the endpoint is tried again at least
// once a minute: a platform that is healthy again is used again within 60 s (it used to wait for
// a breaker and a backoff doubling to 10 and 5 minutes).
TEST(GovernorDefaults, AfterALongOutageTheNextTryIsAtMostAMinuteAway) {
  ManualClock clock{kStart};
  RequestGovernor governor{GovernorPolicy{}, [] { return 1.0; }};  // the longest jitter
  model::TimePoint last_try = clock.now();
  std::chrono::milliseconds longest_gap{0};
  int tries = 0;
  while (clock.now() < kStart + 2h) {
    const Admission a = governor.admit("x", "users/:id/tweets", clock.now());
    if (a.kind != AdmitKind::go) {
      ASSERT_GT(a.until, clock.now());
      clock.set(a.until);
      continue;
    }
    longest_gap = std::max(
        longest_gap, std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - last_try));
    last_try = clock.now();
    ++tries;
    governor.started("x", "users/:id/tweets", clock.now());
    governor.finished("x", "users/:id/tweets", failure(HttpOutcome::timeout), clock.now());
  }
  EXPECT_EQ(governor.status("x", "users/:id/tweets").breaker, BreakerState::open);
  EXPECT_LE(longest_gap, 60s);
  EXPECT_GE(tries, 120);  // two hours, once a minute
}

TEST_F(GovernorTest, AFailedProbeReopensForLonger) {
  for (int i = 0; i < 3; ++i) {
    clock.set(std::max(clock.now(), admit().until));
    round(response(502));
  }
  clock.set(admit().until);
  round(failure(HttpOutcome::timeout));  // the probe fails
  const Admission a = admit();
  EXPECT_EQ(a.kind, AdmitKind::circuit_open);
  EXPECT_EQ(a.until - clock.now(), 60s);
}

TEST_F(GovernorTest, SpreadsTheLastHalfOfTheQuota) {
  // 10 of 100 left, reset in 99 s (+1 s margin): one request every 10 s.
  round(response(200, x_quota(100, 10, 1718000000 + 99)));
  const Admission a = admit();
  ASSERT_EQ(a.kind, AdmitKind::wait);
  EXPECT_EQ(a.reason, "spacing");
  EXPECT_EQ(a.until, kStart + 10s);
  // Plenty left: no spacing.
  ManualClock c2{kStart};
  RequestGovernor g(policy(), [] { return 0.0; });
  g.admit("x", "e", c2.now());
  g.started("x", "e", c2.now());
  g.finished("x", "e", response(200, x_quota(100, 90, 1718000000 + 99)), c2.now());
  EXPECT_EQ(g.admit("x", "e", c2.now()).kind, AdmitKind::go);
}

TEST_F(GovernorTest, CountsRequestsInFlightAgainstTheQuota) {
  GovernorPolicy p = policy();
  p.spread_below = 0;  // no spacing: only the count matters here
  RequestGovernor g(p, [] { return 0.0; });
  g.admit("x", "e", clock.now());
  g.started("x", "e", clock.now());
  g.finished("x", "e", response(200, x_quota(900, 2, 1718000000 + 900)), clock.now());
  // Two more may start before any answer comes back; the third may not.
  ASSERT_EQ(g.admit("x", "e", clock.now()).kind, AdmitKind::go);
  g.started("x", "e", clock.now());
  ASSERT_EQ(g.admit("x", "e", clock.now()).kind, AdmitKind::go);
  g.started("x", "e", clock.now());
  const Admission a = g.admit("x", "e", clock.now());
  EXPECT_EQ(a.kind, AdmitKind::wait);
  EXPECT_EQ(a.reason, "quota");
  // An answer saying 5 are left (the two in flight not yet counted by the platform).
  g.finished("x", "e", response(200, x_quota(900, 5, 1718000000 + 900)), clock.now());
  EXPECT_EQ(g.status("x", "e").started_since_quota, 1);
  EXPECT_EQ(g.admit("x", "e", clock.now()).kind, AdmitKind::go);
}

TEST_F(GovernorTest, UsesTheServerDateForTheReset) {
  // The platform's clock is 10 s behind ours: its reset comes 10 s later on our clock.
  Headers h = x_quota(900, 0, 1718000000 + 60);
  h.emplace_back("date", "Mon, 10 Jun 2024 06:13:10 GMT");  // kStart - 10 s
  round(response(200, h));
  EXPECT_EQ(admit().until, kStart + 70s + 1s);
}

TEST_F(GovernorTest, ABogusFarResetIsClamped) {
  round(response(200, x_quota(900, 0, 1718000000 + 10 * 86400)));
  EXPECT_EQ(admit().until, kStart + policy().max_reset_wait + policy().reset_margin);
}

TEST_F(GovernorTest, EndpointsAreIndependent) {
  round(response(429, x_quota(900, 0, 1718000000 + 900)));
  EXPECT_EQ(admit().kind, AdmitKind::wait);
  EXPECT_EQ(governor.admit("x", "users/by", clock.now()).kind, AdmitKind::go);
  EXPECT_EQ(governor.admit("bluesky", "users/:id/tweets", clock.now()).kind, AdmitKind::go);
}

TEST_F(GovernorTest, AnOlderAnswerArrivingLateDoesNotRaiseTheQuota) {
  GovernorPolicy p = policy();
  p.spread_below = 0;
  RequestGovernor g(p, [] { return 0.0; });
  const std::int64_t reset = 1718000000 + 300;
  g.admit("x", "e", clock.now());
  g.started("x", "e", clock.now());
  g.finished("x", "e", response(200, x_quota(900, 3, reset)), clock.now());
  // Two requests in flight; the platform counts both (3 -> 2 -> 1), but the answer to the
  // second arrives first.
  ASSERT_EQ(g.admit("x", "e", clock.now()).kind, AdmitKind::go);
  g.started("x", "e", clock.now());
  ASSERT_EQ(g.admit("x", "e", clock.now()).kind, AdmitKind::go);
  g.started("x", "e", clock.now());
  g.finished("x", "e", response(200, x_quota(900, 1, reset)), clock.now());
  g.finished("x", "e", response(200, x_quota(900, 2, reset)), clock.now());
  EXPECT_EQ(g.status("x", "e").remaining, 1);
  ASSERT_EQ(g.admit("x", "e", clock.now()).kind, AdmitKind::go);
  g.started("x", "e", clock.now());
  const Admission a = g.admit("x", "e", clock.now());
  EXPECT_EQ(a.kind, AdmitKind::wait) << "the late answer's count of 2 would overspend";
  EXPECT_EQ(a.reason, "quota");
  // A new window (a later reset) is taken as it comes.
  g.finished("x", "e", response(200, x_quota(900, 899, reset + 900)), clock.now());
  EXPECT_EQ(g.status("x", "e").remaining, 899);
}

Headers bsky_quota(int limit, int remaining, std::int64_t reset_unix) {
  return {{"ratelimit-limit", std::to_string(limit)},
          {"ratelimit-remaining", std::to_string(remaining)},
          {"ratelimit-reset", std::to_string(reset_unix)}};
}

TEST_F(GovernorTest, AScopeSharesOneQuotaAcrossEndpoints) {
  // Bluesky counts every route per IP: what getAuthorFeed spent, searchActors cannot spend.
  GovernorPolicy p = policy();
  p.spread_below = 0;
  RequestGovernor g(p, [] { return 0.0; });
  const std::string_view scope = "https://public.api.bsky.app";
  ASSERT_EQ(g.admit("bluesky", "getAuthorFeed", clock.now(), scope).kind, AdmitKind::go);
  g.started("bluesky", "getAuthorFeed", clock.now(), scope);
  g.finished("bluesky", "getAuthorFeed", response(200, bsky_quota(3000, 1, 1718000000 + 300)),
             clock.now(), scope);
  ASSERT_EQ(g.admit("bluesky", "searchActors", clock.now(), scope).kind, AdmitKind::go);
  g.started("bluesky", "searchActors", clock.now(), scope);
  // The one request left is taken: every endpoint of the scope waits for the reset...
  for (std::string_view e : {"getAuthorFeed", "searchActors", "getPostThread"}) {
    const Admission a = g.admit("bluesky", e, clock.now(), scope);
    EXPECT_EQ(a.kind, AdmitKind::wait) << e;
    EXPECT_EQ(a.reason, "quota") << e;
    EXPECT_EQ(a.until, model::TimePoint(std::chrono::seconds(1718000000 + 300)) + 1000ms) << e;
  }
  EXPECT_EQ(g.status("bluesky", "getPostThread", scope).remaining, 1);
  // Asked without the scope (the accounts page reads the metrics' endpoint labels), an endpoint
  // that drew on it reports the scope's window.
  EXPECT_EQ(g.status("bluesky", "searchActors").remaining, 1);
  EXPECT_EQ(g.status("bluesky", "searchActors").reset,
            model::TimePoint(std::chrono::seconds(1718000000 + 300)));
  // ...but not a request outside it (another service, or the session's own limit).
  EXPECT_EQ(g.admit("bluesky", "getAuthorFeed", clock.now(), "https://bsky.social").kind,
            AdmitKind::go);
  EXPECT_EQ(g.admit("bluesky", "com.atproto.server.refreshSession", clock.now()).kind,
            AdmitKind::go);
}

TEST_F(GovernorTest, A429OnOneEndpointHoldsItsWholeScope) {
  const std::string_view scope = "https://mastodon.example token";
  ASSERT_EQ(governor.admit("mastodon", "notifications", clock.now(), scope).kind, AdmitKind::go);
  governor.started("mastodon", "notifications", clock.now(), scope);
  Headers h = {{"x-ratelimit-limit", "300"},
               {"x-ratelimit-remaining", "0"},
               {"x-ratelimit-reset", "2024-06-10T06:15:00Z"}};  // kStart + 100 s
  EXPECT_EQ(governor.finished("mastodon", "notifications", response(429, h), clock.now(), scope),
            AttemptVerdict::retryable);
  const Admission a = governor.admit("mastodon", "account_statuses", clock.now(), scope);
  EXPECT_EQ(a.kind, AdmitKind::wait);
  EXPECT_EQ(a.reason, "rate_limit");
  EXPECT_EQ(a.until, kStart + 100s + 1s);
  // Unauthenticated calls are counted per IP, not per token.
  EXPECT_EQ(
      governor
          .admit("mastodon", "account_statuses", clock.now(), "https://mastodon.example anonymous")
          .kind,
      AdmitKind::go);
  clock.set(a.until);
  EXPECT_EQ(governor.admit("mastodon", "account_statuses", clock.now(), scope).kind, AdmitKind::go);
}

TEST_F(GovernorTest, BackoffAndBreakerStayPerEndpointInsideAScope) {
  // One failing route says nothing of the others that share its quota.
  const std::string_view scope = "https://public.api.bsky.app";
  for (int i = 0; i < policy().breaker_failures; ++i) {
    clock.advance(120s);
    ASSERT_EQ(governor.admit("bluesky", "getPostThread", clock.now(), scope).kind, AdmitKind::go);
    governor.started("bluesky", "getPostThread", clock.now(), scope);
    governor.finished("bluesky", "getPostThread", response(503), clock.now(), scope);
  }
  EXPECT_EQ(governor.admit("bluesky", "getPostThread", clock.now(), scope).kind,
            AdmitKind::circuit_open);
  EXPECT_EQ(governor.admit("bluesky", "getAuthorFeed", clock.now(), scope).kind, AdmitKind::go);
  EXPECT_EQ(governor.status("bluesky", "getAuthorFeed", scope).breaker, BreakerState::closed);
}

}  // namespace
}  // namespace mamori::collectors
