// Look-alike searches on a platform metered in daily quota units (YouTube: search.list costs 100
// units): the poller spaces its search runs so that a day of them spends at most the budget,
// whatever the configured search interval; a budget of 0 sends no account search at all and
// keeps only the direct look-ups of generated look-alike handles. The real YouTube collector on
// the governed curl client against the fake platform's Data API; search runs every second
// without a budget.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "collectors/youtube/youtube_collector.h"
#include "daemon/polling/poller.h"
#include "tests/support/fake_platform.h"
#include "tests/support/in_process.h"

namespace mamori::polling {
namespace {

using namespace std::chrono_literals;

struct Discovery : ObservationListener {
  void on_stored(model::Platform, const std::string&, const store::StoredBatch&) override {}
  std::vector<std::string> search_queries(model::Platform) override {
    return {"相馬市", "soma city"};
  }
  LookupRound handles_to_check(model::Platform, std::size_t) override {
    LookupRound r;
    r.handles = {"soma_clty"};
    return r;
  }
};

// Requests the fake platform answered on one YouTube endpoint.
int count_requests(const testing::FakePlatform& fake, const std::string& endpoint) {
  const auto r = testing::http_get("127.0.0.1", fake.port(), "/_control/log");
  const boost::json::value log = boost::json::parse(r.body);
  int n = 0;
  for (const auto& e : log.at("requests").as_array()) {
    if (e.at("endpoint").as_string() == endpoint) ++n;
  }
  return n;
}

struct Rig {
  testing::InProcess env;
  testing::TempDir dir;
  testing::FakePlatform fake{
      testing::source_dir() / "tests/fakeplatform/scenarios/graph_youtube.toml", dir};
  collectors::SystemClock wall;
  std::unique_ptr<collectors::CurlMultiClient> curl;
  std::unique_ptr<collectors::GovernedHttpClient> governed;
  std::unique_ptr<collectors::youtube::YoutubeCollector> youtube;
  Discovery discovery;
  std::unique_ptr<Poller> poller;

  explicit Rig(std::optional<SearchBudget> budget) {
    collectors::CurlClientOptions o;
    o.allowed_hosts.add("127.0.0.1");
    curl = std::make_unique<collectors::CurlMultiClient>(env.io, o);
    governed = std::make_unique<collectors::GovernedHttpClient>(env.io, *curl, nullptr, wall);
    collectors::youtube::YoutubeCollectorOptions yo;
    yo.api_base = fake.base_url() + "/youtube/v3";
    yo.api_key = "AIza-test-key";
    youtube = std::make_unique<collectors::youtube::YoutubeCollector>(*governed, yo);
    PollerOptions po;
    po.intervals.profiles = 1h;
    po.intervals.posts = 1h;
    po.intervals.replies = 1h;
    po.intervals.search = 1s;
    if (budget) po.search_budgets[model::Platform::youtube] = *budget;
    poller = std::make_unique<Poller>(env.io, *env.database, env.clock,
                                      std::vector<collectors::PlatformCollector*>{youtube.get()},
                                      po, nullptr, &discovery);
    config::Account a;
    a.platform = model::Platform::youtube;
    a.handle = "soma_city";
    poller->start({a});
  }
  ~Rig() {
    poller->stop();
    governed->shutdown();
    curl->shutdown();
    env.settle();
    poller.reset();
  }
  void run_for(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    env.run_until([&] { return std::chrono::steady_clock::now() >= until; }, d + 1s);
  }
};

TEST(SearchBudget, QuotaMeteredSearchesAreSpacedToTheDailyBudget) {
  // 2 queries x 100 units + 1 look-up x 1 unit = 201 units a run; 201 units of a 5,788,800-unit
  // day are 3 s, so the 1 s search interval stretches to 3 s.
  Rig rig(SearchBudget{5'788'800, 100, 1});
  ASSERT_TRUE(rig.env.run_until([&] { return count_requests(rig.fake, "search.list") >= 2; }, 20s));
  rig.run_for(1800ms);  // a second run would have come after 1 s without the budget
  EXPECT_EQ(count_requests(rig.fake, "search.list"), 2);
  ASSERT_TRUE(rig.env.run_until([&] { return count_requests(rig.fake, "search.list") >= 4; }, 5s));
}

TEST(SearchBudget, WithoutABudgetSearchesFollowTheIntervalAndAZeroBudgetOnlyLooksUp) {
  {
    Rig rig(std::nullopt);
    ASSERT_TRUE(
        rig.env.run_until([&] { return count_requests(rig.fake, "search.list") >= 6; }, 20s));
  }
  Rig rig(SearchBudget{0, 100, 1});
  // The generated look-alike is looked up every run (channels.list forHandle), never searched.
  ASSERT_TRUE(rig.env.run_until(
      [&] {
        return count_requests(rig.fake, "channels.list") >= 3;  // the profile run and two searches
      },
      20s));
  EXPECT_EQ(count_requests(rig.fake, "search.list"), 0);
}

}  // namespace
}  // namespace mamori::polling
