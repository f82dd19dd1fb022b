// The poller in-process: real collectors (curl multi on the test's loop, the rate-limit
// governor) against the fake platform, a real PostgreSQL store, and a listener that records the
// batches the poller hands on. The poller's own state — each account's last success and failing
// job, what the accounts page shows — is read from the poller, and a reload's account changes
// take effect without a daemon around it. The whole-daemon paths stay in
// reload_accounts_test.cpp; the 50-account restart test is in poller_restart_test.cpp.
#include "daemon/polling/poller.h"

#include <gtest/gtest.h>

#include "collectors/bluesky/bluesky_collector.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "collectors/x/x_collector.h"
#include "tests/support/fake_platform.h"
#include "tests/support/in_process.h"

namespace mamori::polling {
namespace {

using namespace std::chrono_literals;

struct Recorder : ObservationListener {
  void on_stored(model::Platform platform, const std::string& account,
                 const store::StoredBatch& batch) override {
    for (const auto& p : batch.new_posts) {
      ++posts[std::string(model::to_string(platform))];
      if (p.in_reply_to_post_id) ++replies_to[account];
    }
  }
  std::map<std::string, int> posts;       // per platform
  std::map<std::string, int> replies_to;  // per official account whose job fetched them
};

config::Account account(model::Platform platform, const std::string& handle) {
  config::Account a;
  a.platform = platform;
  a.handle = handle;
  return a;
}

TEST(PollerInProcess, PollsTheAccountsKeepsTheirStateAndFollowsAReload) {
  testing::InProcess env;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  collectors::CurlClientOptions o;
  o.allowed_hosts.add("127.0.0.1");
  collectors::CurlMultiClient curl(env.io, o);
  collectors::SystemClock wall;  // the governor paces real requests in real time
  collectors::GovernedHttpClient governed(env.io, curl, nullptr, wall);
  collectors::x::XCollectorOptions xo;
  xo.api_base = fake.base_url();
  xo.bearer_token = "x-test-bearer";
  collectors::x::XCollector x(governed, xo);
  collectors::bluesky::BlueskyCollectorOptions bo;
  bo.api_base = fake.base_url();
  bo.pds_base = fake.base_url();
  collectors::bluesky::BlueskyCollector bluesky(governed, bo);

  PollerOptions po;
  po.intervals.profiles = 5s;
  po.intervals.posts = 1s;
  po.intervals.replies = 1s;
  po.intervals.search = 1h;
  Recorder recorder;
  auto poller = std::make_unique<Poller>(env.io, *env.database, env.clock,
                                         std::vector<collectors::PlatformCollector*>{&x, &bluesky},
                                         po, &env.registry, &recorder);
  poller->start({account(model::Platform::x, "soma_city")});

  // Replies to the city's X notice (the scenario posts one 2 s in) reach the listener, stored.
  ASSERT_TRUE(env.run_until([&] { return recorder.replies_to["soma_city"] > 0; }, 30s));
  EXPECT_NE(env.sql("SELECT count(*) FROM observed_posts WHERE platform = 'x' AND "
                    "in_reply_to_post_id IS NOT NULL"),
            "0");
  // The success is stamped with the poller's clock; nothing failed.
  const auto& successes = poller->last_successes();
  ASSERT_EQ(successes.count({"x", "soma_city"}), 1u);
  EXPECT_EQ(successes.at({"x", "soma_city"}), env.clock.now());
  EXPECT_TRUE(poller->failures().empty());
  EXPECT_EQ(recorder.posts["bluesky"], 0);

  // A reload: the X account leaves, the Bluesky one joins and is polled at once.
  poller->update_accounts({account(model::Platform::bluesky, "soma-city.bsky.social")});
  EXPECT_EQ(poller->last_successes().count({"x", "soma_city"}), 0u);
  ASSERT_TRUE(env.run_until([&] { return recorder.posts["bluesky"] > 0; }, 30s));
  ASSERT_TRUE(env.run_until(
      [&] {
        return poller->last_successes().count({"bluesky", "soma-city.bsky.social"}) > 0;
      },
      30s));
  EXPECT_EQ(poller->last_successes().count({"x", "soma_city"}), 0u);

  poller->stop();
  governed.shutdown();
  curl.shutdown();
  env.settle();
  poller.reset();
}

}  // namespace
}  // namespace mamori::polling
