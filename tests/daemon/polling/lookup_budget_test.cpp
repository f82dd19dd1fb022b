// Look-alike rounds sized to the platforms' rate limits (daemon/polling/lookup_budget.h): the
// arithmetic alone, with the platforms' published limits.
#include "daemon/polling/lookup_budget.h"

#include <gtest/gtest.h>

namespace mamori::polling {
namespace {

using namespace std::chrono_literals;

TEST(LookupBudgetTest, PublishedDefaultsPerPlatform) {
  const auto x = default_lookup_window(model::Platform::x);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->limit, 300);  // GET /2/users/by, per app (bearer token)
  EXPECT_EQ(x->window, 900s);
  const auto bsky = default_lookup_window(model::Platform::bluesky);
  ASSERT_TRUE(bsky);
  EXPECT_EQ(bsky->limit, 3000);
  EXPECT_EQ(bsky->window, 300s);
  const auto masto = default_lookup_window(model::Platform::mastodon);
  ASSERT_TRUE(masto);
  EXPECT_EQ(masto->limit, 300);
  EXPECT_EQ(masto->window, 300s);
  // Graph usage percentages and YouTube's daily units are not sized here.
  EXPECT_FALSE(default_lookup_window(model::Platform::facebook));
  EXPECT_FALSE(default_lookup_window(model::Platform::youtube));
  EXPECT_TRUE(polls_share_lookup_scope(model::Platform::mastodon));
  EXPECT_TRUE(polls_share_lookup_scope(model::Platform::bluesky));
  EXPECT_FALSE(polls_share_lookup_scope(model::Platform::x));
}

TEST(LookupBudgetTest, ScheduledOwnRequestsCountEveryJobAndTheProfileBatches) {
  ScheduledLoad load;
  load.accounts = 10;
  load.monitored = 8;
  load.quoted = 2;
  load.profile_batch_size = 25;
  config::PollingIntervals every;  // profiles 300 s, posts 120 s, replies 60 s
  every.quotes = 600s;
  // Over 600 s: posts 10 × 5, replies 8 × 10, quotes 2 × 1, profiles 1 batch × 2.
  EXPECT_DOUBLE_EQ(scheduled_own_requests(load, every, 600s, true), 50 + 80 + 2 + 2);
  // X: only the profile look-ups share the look-up endpoint's window.
  EXPECT_DOUBLE_EQ(scheduled_own_requests(load, every, 600s, false), 2);
  load.accounts = 26;  // two batches
  EXPECT_DOUBLE_EQ(scheduled_own_requests(load, every, 600s, false), 4);
}

TEST(LookupBudgetTest, MastodonRoundIsAShareOfWhatTheAccountsPollsLeave) {
  LookupQuota q;
  q.window = default_lookup_window(model::Platform::mastodon);  // 300 per 5 min
  q.search_interval = 600s;                                     // capacity 600 requests a round
  q.share = 1.0 / 3.0;
  q.own_requests = 150;
  q.queries_in_scope = 10;
  const auto b = size_lookup_round(q, 0);
  EXPECT_TRUE(b.sized);
  EXPECT_DOUBLE_EQ(b.capacity, 600);
  EXPECT_DOUBLE_EQ(b.per_round, (600 - 150) / 3.0 - 10);  // 140
  EXPECT_EQ(b.requests, 140u);
  EXPECT_EQ(b.handles, 140u);  // one handle per accounts/lookup
}

TEST(LookupBudgetTest, BatchedLookupsMultiplyIntoHandles) {
  LookupQuota q;
  q.window = default_lookup_window(model::Platform::x);  // 300 per 15 min
  q.search_interval = 600s;                              // capacity 200 requests
  q.own_requests = 2;                                    // profile batches
  q.batch_size = 100;                                    // GET /2/users/by
  const auto b = size_lookup_round(q, 0);
  EXPECT_EQ(b.requests, 66u);  // (200 - 2) / 3
  EXPECT_EQ(b.handles, 6600u);
}

TEST(LookupBudgetTest, AFullScopeLooksNothingUpAndCarriesNoDebt) {
  LookupQuota q;
  q.window = default_lookup_window(model::Platform::mastodon);
  q.search_interval = 600s;
  q.own_requests = 900;  // the accounts' polls alone exceed the window
  const auto b = size_lookup_round(q, 5.0);
  EXPECT_EQ(b.requests, 0u);
  EXPECT_EQ(b.handles, 0u);
  EXPECT_DOUBLE_EQ(b.available, 0);
  // Account searches that exceed the share leave no look-ups either.
  q.own_requests = 0;
  q.queries_in_scope = 250;  // more than 600 / 3
  EXPECT_EQ(size_lookup_round(q, 0).requests, 0u);
}

TEST(LookupBudgetTest, AFractionOfARequestCarriesToTheNextRound) {
  LookupQuota q;
  q.window = LookupWindow{300, 300s};
  q.search_interval = 5s;  // capacity 5 requests
  q.own_requests = 3.8;    // 1.2 left, a third of it: 0.4 a round
  double credit = 0;
  std::size_t sent = 0;
  for (int round = 0; round < 6; ++round) {
    const auto b = size_lookup_round(q, credit);
    sent += b.requests;
    credit = b.available - static_cast<double>(b.requests);
  }
  EXPECT_EQ(sent, 2u);  // 0.4 × 6 = 2.4: two whole requests, never more than one at a time
  // The credit never exceeds one round's worth (or one request): no burst after a quiet spell.
  EXPECT_LE(size_lookup_round(q, 100).requests, 1u);
}

TEST(LookupBudgetTest, UnknownLimitsDoNotSize) {
  LookupQuota q;  // no window (Graph API, YouTube)
  const auto b = size_lookup_round(q, 0);
  EXPECT_FALSE(b.sized);
  EXPECT_EQ(b.handles, std::numeric_limits<std::size_t>::max());
}

TEST(LookupBudgetTest, RaisedLimitsAreCappedPerRound) {
  // The 2,000-account bench with limits ×1000: X users/by 300,000 per 15 min would allow every
  // one of ~40,000 handles at once; the cap spreads the pass over rounds.
  LookupQuota q;
  q.window = LookupWindow{300000, 900s};
  q.search_interval = 600s;
  q.batch_size = 100;
  const auto uncapped = size_lookup_round(q, 0);
  EXPECT_EQ(uncapped.handles, 6666600u);
  EXPECT_FALSE(uncapped.capped);
  q.max_handles = 2000;
  const auto b = size_lookup_round(q, 0);
  EXPECT_TRUE(b.capped);
  EXPECT_EQ(b.handles, 2000u);
  EXPECT_EQ(b.requests, 20u);
  // A cap that is not a whole number of batches: the last request carries the rest.
  q.max_handles = 250;
  const auto partial = size_lookup_round(q, 0);
  EXPECT_EQ(partial.handles, 250u);
  EXPECT_EQ(partial.requests, 3u);
  // A quota below the cap is the quota.
  q.window = default_lookup_window(model::Platform::mastodon);  // 300 per 5 min
  q.batch_size = 1;
  q.max_handles = 2000;
  const auto small = size_lookup_round(q, 0);
  EXPECT_FALSE(small.capped);
  EXPECT_EQ(small.handles, 200u);  // 600 / 3
}

TEST(LookupBudgetTest, TheCapHoldsWhereNoLimitIsKnown) {
  LookupQuota q;  // no window (Graph API, YouTube)
  q.max_handles = 2000;
  const auto b = size_lookup_round(q, 0);
  EXPECT_FALSE(b.sized);
  EXPECT_TRUE(b.capped);
  EXPECT_EQ(b.handles, 2000u);
}

TEST(LookupBudgetTest, RoundsMerge) {
  LookupRound a;
  a.handles = {"a"};
  a.tracked_handles = {"a"};
  a.wanted = 3;
  a.skipped = 2;
  a.full_pass = 30s;
  LookupRound b;
  b.handles = {"b", "c"};
  b.wanted = 2;
  b.pending = 4;
  b.full_pass = 90s;
  a.merge(b);
  EXPECT_EQ(a.handles, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(a.tracked(), 1u);
  EXPECT_EQ(a.wanted, 5u);
  EXPECT_EQ(a.skipped, 2u);
  EXPECT_EQ(a.pending, 4u);
  EXPECT_EQ(a.full_pass, 90s);
}

}  // namespace
}  // namespace mamori::polling
