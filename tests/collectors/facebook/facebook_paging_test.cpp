// Graph API cursor paging through the fake platform over loopback: a post's comments spread over
// pages are read in one thread() call up to the page bound, the next call stops at the comments
// already read, a cursor the platform repeats or breaks ends the walk with an error and keeps
// what came before, and the feed's repeated cursor is dropped rather than followed. Also the
// tagged edge and /pages/search, refused without Meta's approval.
#include <gtest/gtest.h>

#include <string>

#include "collectors/facebook/facebook_collector.h"
#include "tests/collectors/fake_platform_rig.h"
#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::facebook {
namespace {

using mamori::testing::all_of;

std::string scenario(bool page_search) {
  std::string s = R"(
[facebook]
page_access_token = "EAAB-page"
page_size = 2
)";
  s += page_search ? "page_search = true\n" : "";
  s += R"(
[[account]]
platform = "facebook"
handle = "somacity"
id = "100000000000001"
display_name = "相馬市"

[[account]]
platform = "facebook"
handle = "somacity.fan"
id = "100000000000002"
display_name = "相馬市ファンページ"

[[account]]
platform = "facebook"
handle = "resident.a"
id = "200000000000001"
display_name = "相馬 花子"

[[post]]
platform = "facebook"
key = "notice"
id = "100000000000001_5001"
author = "somacity"
text = "【お知らせ】ごみ収集日の変更について"

[[post]]
platform = "facebook"
key = "older"
id = "100000000000001_5000"
author = "somacity"
text = "【お知らせ】図書館の休館日"

[[post]]
platform = "facebook"
key = "oldest"
id = "100000000000001_4999"
author = "somacity"
text = "【お知らせ】成人式のご案内"

[[post]]
platform = "facebook"
id = "200000000000001_7001"
author = "resident.a"
text = "@somacity 収集日の変更、町内会でも周知します"
)";
  for (int i = 1; i <= 7; ++i) {
    s += "\n[[post]]\nplatform = \"facebook\"\nid = \"5001_900" + std::to_string(i) +
         "\"\nauthor = \"resident.a\"\nin_reply_to = \"notice\"\ntext = \"コメント" +
         std::to_string(i) + "\"\n";
  }
  return s;
}

using Rig = mamori::testing::FakePlatformRig<FacebookCollector>;

Rig make_rig(bool page_search = false, int max_pages = 5) {
  return Rig(scenario(page_search), [max_pages](const std::string& base) {
    FacebookCollectorOptions o;
    o.graph_base = base + "/v21.0";
    o.page_access_token = "EAAB-page";
    o.max_comment_pages = max_pages;
    return o;
  });
}

const AccountRef kPage{"somacity", "100000000000001"};
const std::string kPost = "100000000000001_5001";

std::vector<std::string> ids(const std::vector<model::Post>& posts) {
  std::vector<std::string> out;
  for (const auto& p : posts) out.push_back(p.post_id);
  return out;
}

TEST(FacebookPaging, ACommentFloodSpreadOverPagesIsReadInOneCallAndNotReadTwice) {
  auto rig = make_rig();
  rig.collector->thread(kPage, kPost, {}, rig.keep());
  const Page first = rig.wait();
  EXPECT_EQ(first.result.outcome, ParseOutcome::ok);
  EXPECT_EQ(ids(all_of<model::Post>(first.result)),
            (std::vector<std::string>{"5001_9007", "5001_9006", "5001_9005", "5001_9004",
                                      "5001_9003", "5001_9002", "5001_9001"}));
  EXPECT_TRUE(all_of<model::ObservationError>(first.result).empty());
  const auto walked = rig.served("/{post-id}/comments");
  ASSERT_EQ(walked.size(), 4u);  // 2 + 2 + 2 + 1
  EXPECT_EQ(walked[0].target.find("after="), std::string::npos);
  EXPECT_NE(walked[1].target.find("after="), std::string::npos) << walked[1].target;

  // Three new comments: the next call reads until the newest comment of the last walk.
  for (int i = 1; i <= 3; ++i) {
    rig.control("posts", {{"platform", "facebook"},
                          {"author", "resident.a"},
                          {"in_reply_to", kPost},
                          {"id", "5001_990" + std::to_string(i)},
                          {"text", "追加" + std::to_string(i)}});
  }
  rig.collector->thread(kPage, kPost, {}, rig.keep());
  const auto again = all_of<model::Post>(rig.wait().result);
  ASSERT_GE(again.size(), 3u);
  EXPECT_EQ(again[0].post_id, "5001_9903");
  EXPECT_EQ(again[2].post_id, "5001_9901");
  EXPECT_EQ(rig.served("/{post-id}/comments").size(), 2u);  // the page with 9007 ends it
}

TEST(FacebookPaging, TheWalkStopsAtItsPageBoundAndKeepsTheCursor) {
  auto rig = make_rig(false, 2);
  rig.collector->thread(kPage, kPost, {}, rig.keep());
  const Page page = rig.wait();
  EXPECT_EQ(all_of<model::Post>(page.result).size(), 4u);
  EXPECT_TRUE(page.result.next_cursor.has_value());
  EXPECT_EQ(rig.served("/{post-id}/comments").size(), 2u);
}

TEST(FacebookPaging, ARepeatedCursorEndsTheWalkWithAnErrorAndKeepsTheComments) {
  auto rig = make_rig();
  rig.control("faults", {{"platform", "facebook"},
                         {"endpoint", "/{post-id}/comments"},
                         {"kind", "repeat_cursor"},
                         {"count", 100}});
  rig.collector->thread(kPage, kPost, {}, rig.keep());
  const Page page = rig.wait();
  EXPECT_EQ(page.result.outcome, ParseOutcome::ok);
  // The first page, then the same page again under the cursor it handed back (its comments
  // go out once), then the walk stops.
  EXPECT_EQ(ids(all_of<model::Post>(page.result)),
            (std::vector<std::string>{"5001_9007", "5001_9006"}));
  const auto errors = all_of<model::ObservationError>(page.result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("cursor already followed"), std::string::npos)
      << errors[0].message;
  EXPECT_FALSE(page.result.next_cursor.has_value());
  EXPECT_EQ(rig.served("/{post-id}/comments").size(), 2u);
}

TEST(FacebookPaging, ABrokenCursorIsRefusedAndTheCommentsBeforeItAreKept) {
  auto rig = make_rig();
  rig.control("faults", {{"platform", "facebook"},
                         {"endpoint", "/{post-id}/comments"},
                         {"kind", "bad_cursor"},
                         {"count", 1}});
  rig.collector->thread(kPage, kPost, {}, rig.keep());
  const Page page = rig.wait();
  EXPECT_EQ(page.result.outcome, ParseOutcome::ok);
  EXPECT_EQ(ids(all_of<model::Post>(page.result)),
            (std::vector<std::string>{"5001_9007", "5001_9006"}));
  const auto errors = all_of<model::ObservationError>(page.result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("Graph API error 100"), std::string::npos) << errors[0].message;
  // The walk failed: it is not remembered, so the next call reads every page again.
  rig.served("/{post-id}/comments");
  rig.collector->thread(kPage, kPost, {}, rig.keep());
  EXPECT_EQ(all_of<model::Post>(rig.wait().result).size(), 7u);
  EXPECT_EQ(rig.served("/{post-id}/comments").size(), 4u);
}

TEST(FacebookPaging, TheFeedIsCursorPagedAndARepeatedCursorIsNotFollowed) {
  auto rig = make_rig();
  rig.collector->recent_posts(kPage, {}, rig.keep());
  const Page first = rig.wait();
  EXPECT_EQ(ids(all_of<model::Post>(first.result)),
            (std::vector<std::string>{"100000000000001_4999", "100000000000001_5000"}));
  ASSERT_TRUE(first.result.next_cursor.has_value());
  rig.collector->recent_posts(kPage, {std::nullopt, first.result.next_cursor}, rig.keep());
  const Page second = rig.wait();
  EXPECT_EQ(ids(all_of<model::Post>(second.result)),
            (std::vector<std::string>{"100000000000001_5001"}));
  EXPECT_FALSE(second.result.next_cursor.has_value());

  rig.control("faults", {{"platform", "facebook"},
                         {"endpoint", "/{page-id}/feed"},
                         {"kind", "repeat_cursor"},
                         {"count", 1}});
  rig.collector->recent_posts(kPage, {std::nullopt, first.result.next_cursor}, rig.keep());
  const Page repeated = rig.wait();
  EXPECT_EQ(all_of<model::Post>(repeated.result).size(), 1u);
  EXPECT_FALSE(repeated.result.next_cursor.has_value());
  const auto errors = all_of<model::ObservationError>(repeated.result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("cursor of this very page"), std::string::npos);
}

TEST(FacebookPaging, TaggedPostsAndPageSearchWhereMetaAllowsIt) {
  auto rig = make_rig();
  rig.collector->replies_and_mentions(kPage, {}, rig.keep());
  const auto tagged = all_of<model::Post>(rig.wait().result);
  ASSERT_EQ(tagged.size(), 1u);
  EXPECT_EQ(tagged[0].post_id, "200000000000001_7001");
  EXPECT_EQ(tagged[0].author_id, "200000000000001");

  // Without Page Public Metadata Access, Graph refuses the search: an error, no profiles.
  rig.collector->search_accounts("相馬市", rig.keep());
  const Page refused = rig.wait();
  EXPECT_EQ(refused.result.outcome, ParseOutcome::platform_error);
  const auto errors = all_of<model::ObservationError>(refused.result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("Graph API error 10 "), std::string::npos) << errors[0].message;

  auto approved = make_rig(true);
  approved.collector->search_accounts("相馬市", approved.keep());
  const auto found = all_of<model::ProfileSnapshot>(approved.wait().result);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].account_id, "100000000000001");
  EXPECT_EQ(found[1].handle, "somacity.fan");
}

}  // namespace
}  // namespace mamori::collectors::facebook
