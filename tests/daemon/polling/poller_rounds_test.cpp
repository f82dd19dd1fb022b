// The poller's rounds with many accounts (issue 20), in-process against the fake platform and a
// real PostgreSQL: an account whose platform id is not known yet is polled as soon as the
// profile lookup learns it (not an interval later), a platform-wide profiles round that takes
// longer than its interval is not overlapped by the next one, and an account that is not being
// polled shows a rising mamori_poll_staleness_seconds.
#include <gtest/gtest.h>
#include <prometheus/collectable.h>

#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "collectors/x/x_collector.h"
#include "daemon/polling/poller.h"
#include "tests/support/fake_platform.h"
#include "tests/support/in_process.h"

namespace mamori::polling {
namespace {

using namespace std::chrono_literals;

// The value of mamori_poll_runs_total for this job and result (0 when no such series).
double runs(prometheus::Registry& registry, const std::string& job, const std::string& result) {
  double total = 0;
  for (const auto& family : registry.Collect()) {
    if (family.name != "mamori_poll_runs_total") continue;
    for (const auto& m : family.metric) {
      bool match = true;
      for (const auto& l : m.label) {
        if (l.name == "poll_job" && l.value != job) match = false;
        if (l.name == "result" && l.value != result) match = false;
      }
      if (match) total += m.counter.value;
    }
  }
  return total;
}

struct Rig {
  testing::InProcess env;
  testing::TempDir dir;
  testing::FakePlatform fake{testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir};
  collectors::CurlMultiClient curl{env.io, [] {
                                     collectors::CurlClientOptions o;
                                     o.allowed_hosts.add("127.0.0.1");
                                     return o;
                                   }()};
  collectors::SystemClock wall;
  collectors::GovernedHttpClient governed{env.io, curl, nullptr, wall};
  collectors::x::XCollector x{governed, [this] {
                                collectors::x::XCollectorOptions xo;
                                xo.api_base = fake.base_url();
                                xo.bearer_token = "x-test-bearer";
                                return xo;
                              }()};
  std::unique_ptr<Poller> poller;

  void start(PollerOptions po, const std::vector<std::string>& handles = {"soma_city"}) {
    poller = std::make_unique<Poller>(env.io, *env.database, env.clock,
                                      std::vector<collectors::PlatformCollector*>{&x}, po,
                                      &env.registry, nullptr);
    std::vector<config::Account> accounts;
    for (const auto& h : handles) {
      config::Account a;
      a.platform = model::Platform::x;
      a.handle = h;
      accounts.push_back(a);
    }
    poller->start(accounts);
  }
  ~Rig() {
    if (poller) poller->stop();
    governed.shutdown();
    curl.shutdown();
    env.settle();
    poller.reset();
  }
};

TEST(PollerRounds, AccountWithUnknownIdIsPolledAsSoonAsItsIdIsLearned) {
  Rig rig;
  // The profile lookup that learns the id answers only after the first posts tick has passed.
  ASSERT_EQ(
      rig.fake.control("faults", R"({"platform":"x","endpoint":"users/by/username/:username",)"
                                 R"("kind":"slow",)"
                                 R"("delay_ms":1500,"count":1})"),
      200);
  PollerOptions po;
  po.intervals.profiles = 1h;
  po.intervals.posts = 1h;  // a skipped first tick would mean an hour without this account
  po.intervals.replies = 1h;
  po.intervals.search = 1h;
  rig.start(po);
  ASSERT_TRUE(rig.env.run_until(
      [&] {
        return rig.poller->last_successes().count({"x", "soma_city"}) > 0;
      },
      15s));
  EXPECT_GE(runs(rig.env.registry, "posts", "ok"), 1);
}

TEST(PollerRounds, ProfilesRoundLongerThanItsIntervalIsNotOverlapped) {
  Rig rig;
  ASSERT_EQ(
      rig.fake.control("faults", R"({"platform":"x","endpoint":"users/by/username/:username",)"
                                 R"("kind":"slow",)"
                                 R"("delay_ms":3500,"count":1})"),
      200);
  PollerOptions po;
  po.intervals.profiles = 1s;
  po.intervals.posts = 1h;
  po.intervals.replies = 1h;
  po.intervals.search = 1h;
  rig.start(po);
  // The slow round is the first to finish: the ticks during it were skipped, not started.
  ASSERT_TRUE(
      rig.env.run_until([&] { return runs(rig.env.registry, "profiles", "ok") >= 1; }, 15s));
  EXPECT_EQ(runs(rig.env.registry, "profiles", "ok"), 1);
  EXPECT_GE(runs(rig.env.registry, "profiles", "skipped"), 2);
  // Later rounds run again at the interval.
  ASSERT_TRUE(
      rig.env.run_until([&] { return runs(rig.env.registry, "profiles", "ok") >= 2; }, 15s));
}

// mamori_poll_staleness_seconds for one account (-1 when there is no such series).
double staleness(prometheus::Registry& registry, const std::string& account) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "mamori_poll_staleness_seconds") continue;
    for (const auto& m : family.metric) {
      for (const auto& l : m.label)
        if (l.name == "account" && l.value == account) return m.gauge.value;
    }
  }
  return -1;
}

TEST(PollerRounds, StalenessIsZeroOnSuccessAndRisesWhileNoRunSucceedsEvenForANeverPolledAccount) {
  Rig rig;
  PollerOptions po;
  po.intervals.profiles = 1h;
  po.intervals.posts = 1h;
  po.intervals.replies = 1h;
  po.intervals.search = 1h;
  po.staleness_every = 100ms;
  // ghost_town is not on the platform: its id is never learned and it is never polled.
  rig.start(po, {"soma_city", "ghost_town"});
  ASSERT_TRUE(rig.env.run_until(
      [&] {
        return rig.poller->last_successes().count({"x", "soma_city"}) > 0;
      },
      15s));
  EXPECT_EQ(staleness(rig.env.registry, "soma_city"), 0);
  rig.env.clock.advance(10min);
  // Both values rise with the clock while no run succeeds; the account never polled counts from
  // when polling it began.
  ASSERT_TRUE(rig.env.run_until(
      [&] {
        return staleness(rig.env.registry, "ghost_town") >= 600 &&
               staleness(rig.env.registry, "soma_city") >= 600;
      },
      5s))
      << staleness(rig.env.registry, "ghost_town") << " "
      << staleness(rig.env.registry, "soma_city");
  EXPECT_TRUE(rig.poller->last_successes().count({"x", "ghost_town"}) == 0);
}

}  // namespace
}  // namespace mamori::polling
