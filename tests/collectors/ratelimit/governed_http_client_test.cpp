// GovernedHttpClient over the real CurlMultiClient against the fake platform server: 429s are
// honoured with no request before the reset, quotas are kept without a 429, 5xx bursts and
// stalls recover with backoff, and the breaker opens, half-opens and closes.
#include "collectors/ratelimit/governed_http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "tests/collectors/ratelimit/governed_rig.h"

namespace mamori::collectors {
namespace {

using namespace std::chrono_literals;
using mamori::testing::FakeRequest;
using testing::GovernedRig;
using testing::kAccounts;
using testing::with;

std::vector<FakeRequest> on_endpoint(const std::vector<FakeRequest>& log,
                                     const std::string& endpoint) {
  std::vector<FakeRequest> out;
  for (const auto& r : log) {
    if (r.endpoint == endpoint) out.push_back(r);
  }
  return out;
}

class Honours429 : public ::testing::TestWithParam<std::string> {};

TEST_P(Honours429, NoRequestBeforeTheReset) {
  const std::string platform = GetParam();
  GovernedRig rig(with(R"(
[[fault]]
platform = ")" + platform +
                       R"("
kind = "status"
status = 429
reset_after = 2
count = 1
)"));
  rig.fetch(rig.request(platform));
  // Once the 429 is in, more requests for the same endpoint arrive and must wait too.
  ASSERT_TRUE(rig.run_until([&] { return !rig.metrics.held.empty(); }));
  rig.fetch(rig.request(platform));
  rig.fetch(rig.request(platform));
  ASSERT_TRUE(rig.run_until_done(3));
  for (const auto& r : rig.done) {
    EXPECT_EQ(r.outcome, HttpOutcome::ok) << r.error;
    EXPECT_EQ(r.status, 200) << r.body;
  }
  const auto log = on_endpoint(rig.fake.requests(), rig.request(platform).endpoint);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].status, 429);
  ASSERT_TRUE(log[0].reset_unix_ms.has_value());
  for (std::size_t i = 1; i < log.size(); ++i) {
    EXPECT_EQ(log[i].status, 200);
    EXPECT_GE(log[i].unix_ms, *log[0].reset_unix_ms) << "request " << i << " came before the reset";
  }
  EXPECT_EQ(rig.metrics.held.front(), "rate_limit");
  EXPECT_EQ(rig.metrics.finished.front(), "http_429");
}

INSTANTIATE_TEST_SUITE_P(Platforms, Honours429, ::testing::Values("x", "bluesky", "mastodon"));

TEST(GovernedHttpClient, StaysInsideTheQuotaWithoutA429) {
  GovernedRig rig(with(R"(
[[limit]]
platform = "x"
endpoint = "users/by/username/:username"
limit = 3
window = 2
)"));
  rig.fetch(rig.request("x"));  // learns the quota: 2 left
  ASSERT_TRUE(rig.run_until_done(1));
  for (int i = 0; i < 5; ++i) rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(6));
  for (const auto& r : rig.done) EXPECT_EQ(r.status, 200) << r.body;
  const auto log = rig.fake.requests();
  ASSERT_EQ(log.size(), 6u);
  for (const auto& r : log)
    EXPECT_NE(r.status, 429) << "a request overspent the quota at t=" << r.unix_ms;
  EXPECT_FALSE(rig.metrics.held.empty());
  EXPECT_FALSE(rig.metrics.quota.empty());
}

TEST(GovernedHttpClient, RecoversFromA5xxBurstWithBackoff) {
  GovernedRig rig(with(R"(
[[fault]]
platform = "x"
kind = "status"
status = 503
count = 2
)"));
  rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(1));
  EXPECT_EQ(rig.done[0].status, 200);
  const auto log = rig.fake.requests();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].status, 503);
  EXPECT_EQ(log[1].status, 503);
  EXPECT_EQ(log[2].status, 200);
  // Equal jitter: at least half of 50 ms, then of 100 ms.
  EXPECT_GE(log[1].unix_ms - log[0].unix_ms, 25);
  EXPECT_GE(log[2].unix_ms - log[1].unix_ms, 50);
  EXPECT_EQ(rig.metrics.finished, (std::vector<std::string>{"http_5xx", "http_5xx", "ok"}));
}

TEST(GovernedHttpClient, GivesUpAfterMaxAttempts) {
  GovernedRig rig(with(R"(
[[fault]]
platform = "x"
kind = "status"
status = 500
count = 10
)"));
  rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(1));
  EXPECT_EQ(rig.done[0].outcome, HttpOutcome::ok);
  EXPECT_EQ(rig.done[0].status, 500);
  EXPECT_EQ(rig.fake.requests().size(), 3u);
}

TEST(GovernedHttpClient, BreakerOpensFailsFastAndHalfOpens) {
  GovernorPolicy p = GovernedRig::fast_policy();
  p.max_attempts = 1;
  p.breaker_failures = 3;
  p.backoff_base = 10ms;
  p.breaker_open_for = 500ms;
  GovernedRig rig(with(R"(
[[fault]]
platform = "x"
kind = "status"
status = 500
count = 3
)"),
                  p);
  for (std::size_t i = 1; i <= 3; ++i) {
    rig.fetch(rig.request("x"));
    ASSERT_TRUE(rig.run_until_done(i));
    EXPECT_EQ(rig.done.back().status, 500);
  }
  rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(4));
  EXPECT_EQ(rig.done.back().outcome, HttpOutcome::circuit_open);
  EXPECT_NE(rig.done.back().error.find("circuit breaker"), std::string::npos);
  EXPECT_EQ(rig.fake.requests().size(), 3u) << "an open breaker sends nothing";
  EXPECT_EQ(rig.governed.governor().status("x", "users/by/username/:username").breaker,
            BreakerState::open);

  // After the open period one probe goes; the fault is used up, so it succeeds and closes.
  const auto reopen = std::chrono::steady_clock::now() + 600ms;
  rig.run_until([&] { return std::chrono::steady_clock::now() >= reopen; });
  rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(5));
  EXPECT_EQ(rig.done.back().status, 200);
  EXPECT_EQ(rig.fake.requests().size(), 4u);
  EXPECT_EQ(rig.metrics.breaker,
            (std::vector<BreakerState>{BreakerState::closed, BreakerState::open,
                                       BreakerState::half_open, BreakerState::closed}));
  EXPECT_EQ(rig.metrics.refused, std::vector<std::string>{"circuit_open"});
}

TEST(GovernedHttpClient, RetriesAStalledResponse) {
  GovernedRig rig(with(R"(
[[fault]]
platform = "x"
kind = "stall"
count = 1
)"));
  HttpRequest r = rig.request("x");
  r.timeout = 300ms;
  rig.fetch(r);
  ASSERT_TRUE(rig.run_until_done(1));
  EXPECT_EQ(rig.done[0].status, 200) << rig.done[0].error;
  EXPECT_EQ(rig.fake.requests().size(), 2u);
  EXPECT_EQ(rig.metrics.finished.front(), "timeout");
}

TEST(GovernedHttpClient, MissingRateLimitHeadersHoldNothing) {
  GovernedRig rig(with(R"(
[[limit]]
platform = "x"
endpoint = "users/by/username/:username"
limit = 0
)"));
  for (int i = 0; i < 20; ++i) rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(20));
  for (const auto& r : rig.done) {
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.header("x-rate-limit-remaining").has_value());
  }
  EXPECT_TRUE(rig.metrics.held.empty());
  EXPECT_FALSE(
      rig.governed.governor().status("x", "users/by/username/:username").remaining.has_value());
}

TEST(GovernedHttpClient, RefusesToHoldPastMaxHold) {
  GovernorPolicy p = GovernedRig::fast_policy();
  p.max_hold = 1s;
  GovernedRig rig(with(R"(
[[fault]]
platform = "x"
kind = "status"
status = 429
reset_after = 30
count = 1
)"),
                  p);
  rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(1));
  EXPECT_EQ(rig.done[0].outcome, HttpOutcome::rate_limited);
  EXPECT_NE(rig.done[0].error.find("rate_limit"), std::string::npos) << rig.done[0].error;
  EXPECT_EQ(rig.fake.requests().size(), 1u);
}

TEST(GovernedHttpClient, ShutdownCancelsHeldRequests) {
  GovernedRig rig(with(R"(
[[fault]]
platform = "x"
kind = "status"
status = 429
reset_after = 60
count = 1
)"));
  rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until([&] { return rig.governed.held() == 1; }));
  rig.governed.shutdown();
  ASSERT_TRUE(rig.run_until_done(1));
  EXPECT_EQ(rig.done[0].outcome, HttpOutcome::cancelled);
  rig.fetch(rig.request("x"));
  ASSERT_TRUE(rig.run_until_done(2));
  EXPECT_EQ(rig.done[1].outcome, HttpOutcome::cancelled);
  EXPECT_EQ(rig.fake.requests().size(), 1u);
}

}  // namespace
}  // namespace mamori::collectors
