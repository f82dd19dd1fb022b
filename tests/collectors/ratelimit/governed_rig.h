// A GovernedHttpClient over the real CurlMultiClient, talking to a fake platform server started
// for the test, with metrics recorded: the rig of the rate-limit tests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "tests/fakeplatform/fake_platform_process.h"

namespace mamori::collectors::testing {

using namespace std::chrono_literals;
using mamori::testing::FakePlatform;

// A city's accounts on the three platforms, with credentials the fake accepts.
inline constexpr const char* kAccounts = R"(
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

struct GovernedRig {
  explicit GovernedRig(const std::string& scenario, GovernorPolicy policy = fast_policy())
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

inline std::string with(const std::string& extra) {
  return std::string(kAccounts) + extra;
}

}  // namespace mamori::collectors::testing
