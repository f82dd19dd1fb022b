// post_gone_from_page: a tracked own post counts as deleted only when the page of the account's
// posts reaches back past it and it is not there.
#include <gtest/gtest.h>

#include "daemon/integrity/integrity_store.h"

namespace mamori::integrity {
namespace {

using namespace std::chrono_literals;

const model::TimePoint kT0{std::chrono::hours(480000)};

model::Post own(const std::string& id, model::TimePoint at) {
  model::Post p;
  p.platform = model::Platform::x;
  p.post_id = id;
  p.author_id = "100";
  p.author_handle = "soma_city";
  p.created_at = at;
  return p;
}

TrackedPost tracked() {
  TrackedPost t;
  t.post_id = "50";
  t.handle = "Soma_City";
  t.account_id = "100";
  t.created_at = kT0;
  return t;
}

collectors::ParseResult page(std::vector<model::Post> posts, bool more) {
  collectors::ParseResult r;
  for (auto& p : posts) r.observations.emplace_back(std::move(p));
  if (more) r.next_cursor = "next";
  return r;
}

TEST(PostGone, OnlyWhenThePageReachesBackPastThePostAndItIsMissing) {
  // Newer posts only, more pages behind: the post may simply be older than this page.
  EXPECT_FALSE(
      post_gone_from_page(page({own("60", kT0 + 1h), own("55", kT0 + 10min)}, true), tracked()));
  // An older own post is on the page and the post is not: deleted.
  EXPECT_TRUE(
      post_gone_from_page(page({own("60", kT0 + 1h), own("40", kT0 - 1h)}, true), tracked()));
  // The page is the whole timeline (no next page): deleted.
  EXPECT_TRUE(post_gone_from_page(page({own("60", kT0 + 1h)}, false), tracked()));
  // Still there.
  EXPECT_FALSE(post_gone_from_page(page({own("50", kT0), own("40", kT0 - 1h)}, true), tracked()));
  // An older post by someone else proves nothing about this account's timeline.
  model::Post other = own("41", kT0 - 1h);
  other.author_id = "999";
  other.author_handle = "someone";
  EXPECT_FALSE(post_gone_from_page(page({own("60", kT0 + 1h), other}, true), tracked()));
  // A page that failed, or a post whose creation time mamori never stored: not judged.
  auto failed = page({}, false);
  failed.outcome = collectors::ParseOutcome::platform_error;
  EXPECT_FALSE(post_gone_from_page(failed, tracked()));
  TrackedPost unknown = tracked();
  unknown.created_at.reset();
  EXPECT_FALSE(post_gone_from_page(page({own("40", kT0 - 1h)}, true), unknown));
}

}  // namespace
}  // namespace mamori::integrity
