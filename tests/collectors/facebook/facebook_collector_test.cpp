#include "collectors/facebook/facebook_collector.h"

#include <gtest/gtest.h>

#include "tests/collectors/parse_test_support.h"
#include "tests/collectors/recorded_client.h"

namespace mamori::collectors::facebook {
namespace {

using mamori::testing::all_of;
using mamori::testing::RecordedClient;

FacebookCollectorOptions options() {
  FacebookCollectorOptions o;
  o.graph_base = "https://graph.facebook.com/v21.0";
  o.page_access_token = "EAAB-page-token";
  return o;
}

TEST(FacebookCollector, ThreadAsksForTheStreamNewestFirstWithTheTokenInTheHeaderOnly) {
  RecordedClient client(200, mamori::testing::parser_fixture("facebook", "comments.json"));
  FacebookCollector collector(client, options());
  std::optional<Page> got;
  collector.thread({"somacity", "2121008874780932"}, "2121008874780932_2498613793687103", {},
                   [&](Page p) { got = std::move(p); });
  ASSERT_TRUE(got.has_value());
  // The recording has a `paging.next`: the collector follows it, gets the same recording (same
  // cursor) back, and stops there rather than loop.
  ASSERT_EQ(client.requests.size(), 2u);
  EXPECT_NE(client.requests[1].url.find("&after="), std::string::npos);
  const auto& r = client.requests[0];
  EXPECT_TRUE(r.url.starts_with(
      "https://graph.facebook.com/v21.0/2121008874780932_2498613793687103/comments?fields="));
  EXPECT_NE(r.url.find("&filter=stream&order=reverse_chronological&limit=100"), std::string::npos);
  EXPECT_EQ(r.url.find("EAAB"), std::string::npos);
  EXPECT_EQ(r.headers.at(0),
            (std::pair<std::string, std::string>{"Authorization", "Bearer EAAB-page-token"}));
  EXPECT_EQ(r.platform, "facebook");
  EXPECT_EQ(r.endpoint, "/{post-id}/comments");
  EXPECT_EQ(r.quota_scope, "graph app");
  const auto posts = all_of<model::Post>(got->result);
  ASSERT_EQ(posts.size(), 5u);
  EXPECT_EQ(posts[0].conversation_root_id, "2121008874780932_2498613793687103");
}

TEST(FacebookCollector, PathsForLookupsAndCursors) {
  EXPECT_EQ(page_path({"somacity"}).substr(0, 17), "/somacity?fields=");
  EXPECT_TRUE(page_path({"a", "b"}).starts_with("/?ids=a%2Cb&fields="));
  // A Graph `after` cursor, and a time-paged `next` query used as it is.
  EXPECT_NE(feed_path("4", Cursor{std::nullopt, "QVFIUkExUk"}).find("&limit=25&after=QVFIUkExUk"),
            std::string::npos);
  EXPECT_EQ(feed_path("4", Cursor{std::nullopt, "fields=id&until=1624385168&__paging_token=x"}),
            "/4/feed?fields=id&until=1624385168&__paging_token=x");
  // Ids are path segments: nothing can slip into the path.
  EXPECT_EQ(comments_path("1/../me", {}).substr(0, 14), "/1%2F..%2Fme/c");
}

}  // namespace
}  // namespace mamori::collectors::facebook
