// GovernedHttpClient over the real CurlMultiClient against the fake platform server: 429s are
// honoured with no request before the reset, quotas are kept without a 429, 5xx bursts and
// stalls recover with backoff, and the breaker opens, half-opens and closes.
#include "collectors/ratelimit/governed_http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "collectors/http/curl_multi_client.h"
#include "tests/fakeplatform/fake_platform_process.h"

namespace mamori::collectors {
namespace {

using namespace std::chrono_literals;
using testing::FakePlatform;
using testing::FakeRequest;

constexpr const char* kAccounts = R"(
[x]
bearer_token = "tok"
[bluesky]
identifier = "city.bsky.social"
password = "pw"
[mastodon]
access_token = "mtok"
account = "soma_city"

[[account]]
platform = "x"
handle = "soma_city"
[[account]]
platform = "bluesky"
handle = "city.bsky.social"
[[account]]
platform = "mastodon"
handle = "soma_city"
)";

struct RecordingMetrics final : ClientMetrics {
  void request_finished(std::string_view, std::string_view, std::string_view outcome,
                        std::chrono::duration<double>) override {
    finished.emplace_back(outcome);
  }
  void request_refused(std::string_view, std::string_view, std::string_view outcome) override {
    refused.emplace_back(outcome);
  }
  void request_held(std::string_view, std::string_view, std::string_view reason) override {
    held.emplace_back(reason);
  }
  void quota_remaining(std::string_view, std::string_view, std::int64_t remaining) override {
    quota.push_back(remaining);
  }
  void breaker_state(std::string_view, std::string_view, BreakerState state) override {
    breaker.push_back(state);
  }
  std::vector<std::string> finished, refused, held;
  std::vector<std::int64_t> quota;
  std::vector<BreakerState> breaker;
};

struct Rig {
  explicit Rig(const std::string& scenario, GovernorPolicy policy = fast_policy())
      : fake(scenario), client(io, options()), governed(io, client, &metrics, clock, policy) {}

  static GovernorPolicy fast_policy() {
    GovernorPolicy p;
    p.backoff_base = 50ms;
    p.backoff_max = 1000ms;
    p.reset_margin = 1000ms;
    return p;
  }
  static CurlClientOptions options() {
    CurlClientOptions o;
    o.allowed_hosts.add("127.0.0.1");
    return o;
  }

  HttpRequest request(const std::string& platform) const {
    HttpRequest r;
    r.platform = platform;
    if (platform == "x") {
      r.url = fake.base_url() + "/2/users/by/username/soma_city";
      r.headers.emplace_back("Authorization", "Bearer tok");
      r.endpoint = "users/by/username/:username";
    } else if (platform == "bluesky") {
      r.url = fake.base_url() + "/xrpc/app.bsky.actor.getProfile?actor=city.bsky.social";
      r.endpoint = "app.bsky.actor.getProfile";
    } else {
      r.url = fake.base_url() + "/api/v1/accounts/lookup?acct=soma_city";
      r.endpoint = "accounts/lookup";
    }
    return r;
  }

  void fetch(HttpRequest r) {
    governed.fetch(std::move(r), [this](HttpResponse resp) { done.push_back(std::move(resp)); });
  }

  template <typename Predicate>
  bool run_until(Predicate p, std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!p() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(10ms);
      if (io.stopped()) io.restart();
    }
    return p();
  }
  bool run_until_done(std::size_t n) {
    return run_until([&] { return done.size() >= n; });
  }

  boost::asio::io_context io;
  FakePlatform fake;
  SystemClock clock;
  RecordingMetrics metrics;
  CurlMultiClient client;
  GovernedHttpClient governed;
  std::vector<HttpResponse> done;
};

std::string with(const std::string& extra) {
  return std::string(kAccounts) + extra;
}

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
  Rig rig(with(R"(
[[fault]]
platform = ")" +
               platform + R"("
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
  Rig rig(with(R"(
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
  Rig rig(with(R"(
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
  Rig rig(with(R"(
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
  GovernorPolicy p = Rig::fast_policy();
  p.max_attempts = 1;
  p.breaker_failures = 3;
  p.backoff_base = 10ms;
  p.breaker_open_for = 500ms;
  Rig rig(with(R"(
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
  Rig rig(with(R"(
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
  Rig rig(with(R"(
[[limit]]
platform = "mastodon"
endpoint = "accounts/lookup"
limit = 0
)"));
  for (int i = 0; i < 20; ++i) rig.fetch(rig.request("mastodon"));
  ASSERT_TRUE(rig.run_until_done(20));
  for (const auto& r : rig.done) {
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.header("x-ratelimit-remaining").has_value());
  }
  EXPECT_TRUE(rig.metrics.held.empty());
  EXPECT_FALSE(rig.governed.governor().status("mastodon", "accounts/lookup").remaining.has_value());
}

TEST(GovernedHttpClient, RefusesToHoldPastMaxHold) {
  GovernorPolicy p = Rig::fast_policy();
  p.max_hold = 1s;
  Rig rig(with(R"(
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
  Rig rig(with(R"(
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
