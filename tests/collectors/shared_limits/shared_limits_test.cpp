// The platforms that count every route together (Bluesky per client IP, Mastodon per access
// token) through the real collectors, the governed client and the fake platform server.
#include <gtest/gtest.h>

#include <algorithm>

#include "collectors/bluesky/bluesky_collector.h"
#include "collectors/mastodon/mastodon_collector.h"
#include "tests/collectors/ratelimit/governed_rig.h"

namespace mamori::collectors {
namespace {

using namespace std::chrono_literals;
using testing::GovernedRig;
using testing::kAccounts;

// A scenario whose Bluesky and Mastodon limits are tiny and shared by every route, as the
// platforms count them (Bluesky per IP, Mastodon per token).
std::string with_shared_limits(int limit, int window_s) {
  std::string s = kAccounts;
  const std::string rl = "\nrate_limit = { limit = " + std::to_string(limit) +
                         ", window = " + std::to_string(window_s) + " }";
  s.insert(s.find("password = \"pw\"") + std::string("password = \"pw\"").size(), rl);
  s.insert(s.find("account = \"soma_city\"") + std::string("account = \"soma_city\"").size(), rl);
  return s;
}

// The collectors name the platforms' shared windows, so endpoints polled in turn stay inside
// one per-IP (Bluesky) or per-token (Mastodon) limit without a single 429.
TEST(GovernedHttpClient, CollectorsKeepEveryRouteInsideTheSharedLimit) {
  GovernedRig rig(with_shared_limits(4, 3));
  bluesky::BlueskyCollectorOptions bo;
  bo.api_base = bo.pds_base = rig.fake.base_url();
  bluesky::BlueskyCollector bsky(rig.governed, bo);
  mastodon::MastodonCollectorOptions mo;
  mo.instance = rig.fake.base_url();
  mo.access_token = "mtok";
  mo.token_account = "soma_city";
  mastodon::MastodonCollector masto(rig.governed, mo);

  std::vector<Page> pages;
  auto keep = [&](Page p) { pages.push_back(std::move(p)); };
  const AccountRef city{"city.bsky.social", {}};
  const AccountRef soma{"soma_city", {}};
  // A first answer from each tells the limit (until then it is unknown, and unknown is not
  // exhausted); from then on every route of the platform draws on what that answer said.
  bsky.lookup_profiles({"city.bsky.social"}, keep);
  masto.replies_and_mentions(soma, {}, keep);  // notifications, with the token
  ASSERT_TRUE(rig.run_until([&] { return pages.size() >= 2; }, 10s));
  for (int round = 0; round < 3; ++round) {
    bsky.recent_posts(city, {}, keep);
    bsky.search_accounts("soma", keep);
    bsky.lookup_profiles({"city.bsky.social"}, keep);
    masto.replies_and_mentions(soma, {}, keep);
  }
  ASSERT_TRUE(rig.run_until([&] { return pages.size() >= 14; }, 40s));
  for (const Page& p : pages) {
    EXPECT_EQ(p.response.outcome, HttpOutcome::ok) << p.endpoint << ": " << p.response.error;
    EXPECT_NE(p.response.status, 429) << p.endpoint;
  }
  const auto log = rig.fake.requests();
  for (const auto& r : log) {
    EXPECT_NE(r.status, 429) << r.platform << " " << r.endpoint << " overspent the shared limit";
  }
  // Ten Bluesky requests at four per 3-second window: the governor had to hold some.
  std::size_t bluesky_requests = 0;
  for (const auto& r : log) bluesky_requests += r.platform == "bluesky";
  EXPECT_EQ(bluesky_requests, 10u);
  EXPECT_NE(std::find(rig.metrics.held.begin(), rig.metrics.held.end(), "quota"),
            rig.metrics.held.end());
}

}  // namespace
}  // namespace mamori::collectors
