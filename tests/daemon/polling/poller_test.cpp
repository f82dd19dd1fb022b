// The poller in-process: real collectors (curl multi on the test's loop, the rate-limit
// governor) against the fake platform, a real PostgreSQL store, and a listener that records the
// batches the poller hands on. The poller's own state — each account's last success and failing
// job, what the accounts page shows — is read from the poller, and a reload's account changes
// take effect without a daemon around it. The whole-daemon paths stay in
// reload_accounts_test.cpp; the 50-account restart test is in poller_restart_test.cpp.
#include "daemon/polling/poller.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "collectors/bluesky/bluesky_collector.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "collectors/x/x_collector.h"
#include "daemon/polling/leases.h"
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

// The lines of the registry's text exposition that start with `prefix`.
std::vector<std::string> series(prometheus::Registry& registry, const std::string& prefix) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  }
  return lines;
}

// Another instance takes an account's lease while one of its runs is in flight: the series the
// poller dropped when it let the account go (staleness, last success) stay gone when the run
// finishes, instead of coming back with a staleness of 0 that nothing updates any more (the new
// holder publishes its own, so the account would show twice, once forever fresh).
TEST(PollerInProcess, ARunFinishingAfterTheLeaseWentLeavesNoSeriesBehind) {
  testing::InProcess env;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  collectors::CurlClientOptions o;
  o.allowed_hosts.add("127.0.0.1");
  collectors::CurlMultiClient curl(env.io, o);
  collectors::SystemClock wall;
  collectors::GovernedHttpClient governed(env.io, curl, nullptr, wall);
  collectors::x::XCollectorOptions xo;
  xo.api_base = fake.base_url();
  xo.bearer_token = "x-test-bearer";
  collectors::x::XCollector x(governed, xo);

  store::DatabaseOptions dbo;
  dbo.dsn = env.db.dsn();
  store::Database leases_db(dbo, nullptr);  // the leases' own worker, as in mamorid
  leases_db.start();
  ASSERT_TRUE(leases_db.wait_ready(std::chrono::seconds(10)));
  config::ClusterConfig cluster;
  cluster.instance = "a";
  cluster.lease_period = 3s;  // a round every second
  PollLeases leases(env.io, leases_db, cluster, nullptr);

  PollerOptions po;
  po.intervals.profiles = 5s;
  po.intervals.posts = 1s;
  po.intervals.replies = 1s;
  po.intervals.search = 1h;
  po.staleness_every = 500ms;
  po.leases = &leases;
  Recorder recorder;
  auto poller = std::make_unique<Poller>(env.io, *env.database, env.clock,
                                         std::vector<collectors::PlatformCollector*>{&x}, po,
                                         &env.registry, &recorder);
  leases.on_change([&](const LeaseChange& change) { poller->leases_changed(change); });
  const std::vector<config::Account> accounts{account(model::Platform::x, "soma_city")};
  leases.start(accounts);
  poller->start(accounts);
  const auto staleness = [&] {
    return series(env.registry, "mamori_poll_staleness_seconds{account=\"soma_city\"");
  };
  const auto last_success = [&] {
    return series(env.registry, "mamori_poll_last_success_timestamp_seconds{account=\"soma_city\"");
  };
  ASSERT_TRUE(env.run_until(
      [&] {
        return poller->last_successes().count({"x", "soma_city"}) > 0;
      },
      30s));
  ASSERT_EQ(staleness().size(), 1u);

  // Every X answer now takes four seconds; once one is on its way, another instance takes
  // the lease (as a busier cluster's round would).
  const auto requests = [&] {
    const auto stats = testing::http_get("127.0.0.1", fake.port(), "/_control/stats").body;
    const auto at = stats.find("\"requests\":");
    return std::stoll(stats.substr(at + 11));
  };
  const long long before = requests();
  ASSERT_EQ(fake.control("faults",
                         R"({"platform": "x", "kind": "slow", "delay_ms": 4000, "count": 1000})"),
            200);
  ASSERT_TRUE(
      env.run_until([&] { return poller->runs_in_flight() > 0 && requests() > before; }, 10s));
  env.sql(
      "UPDATE poll_leases SET holder = 'b', expires_at = now() + interval '1 hour'"
      " WHERE platform = 'x' AND handle = 'soma_city'");
  ASSERT_TRUE(env.run_until([&] { return !leases.holds(model::Platform::x, "soma_city"); }, 10s));
  EXPECT_TRUE(staleness().empty());
  ASSERT_GT(poller->runs_in_flight(), 0u);  // the slow run is still out

  // The slow runs come back and finish; the account's series stay gone.
  ASSERT_TRUE(env.run_until([&] { return poller->runs_in_flight() == 0; }, 15s));
  env.settle();
  EXPECT_TRUE(staleness().empty()) << staleness().front();
  EXPECT_TRUE(last_success().empty()) << last_success().front();
  EXPECT_EQ(poller->last_successes().count({"x", "soma_city"}), 0u);

  leases.stop();
  poller->stop();
  governed.shutdown();
  curl.shutdown();
  env.settle();
  poller.reset();
  leases_db.drain_and_stop(std::chrono::seconds(5));
}

}  // namespace
}  // namespace mamori::polling
