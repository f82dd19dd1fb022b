// The Facebook collector through the governed curl client against the fake platform's Graph API:
// a page, its feed, a comment flood on a post with the page's reply, an expired token, and a
// page that is gone.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "collectors/facebook/facebook_collector.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "tests/collectors/parse_test_support.h"
#include "tests/fakeplatform/fake_platform_process.h"

namespace mamori::collectors::facebook {
namespace {

using namespace std::chrono_literals;
using mamori::testing::all_of;

constexpr const char* kScenario = R"(
[facebook]
page_access_token = "EAAB-page"

[[account]]
platform = "facebook"
handle = "somacity"
id = "100000000000001"
display_name = "相馬市"
description = "福島県相馬市の公式ページです。"
url = "https://www.city.soma.example.jp/"

[[account]]
platform = "facebook"
handle = "resident.a"
id = "200000000000001"
display_name = "相馬 花子"

[[account]]
platform = "facebook"
handle = "resident.b"
id = "200000000000002"
display_name = "中村 一郎"

[[account]]
platform = "facebook"
handle = "soma.old"
id = "100000000000009"
gone_at = 0

[[post]]
platform = "facebook"
key = "notice"
id = "100000000000001_5001"
author = "somacity"
text = "【お知らせ】ごみ収集日の変更について"

[[post]]
platform = "facebook"
key = "c1"
id = "5001_9001"
author = "resident.a"
in_reply_to = "notice"
text = "急に変えるのはおかしい"

[[post]]
platform = "facebook"
key = "c2"
id = "5001_9002"
author = "resident.b"
in_reply_to = "notice"
text = "説明が足りない"

[[post]]
platform = "facebook"
key = "r1"
id = "5001_9003"
author = "somacity"
in_reply_to = "c1"
text = "ご意見ありがとうございます。詳細は https://www.city.soma.example.jp/gomi/ をご覧ください。"

[[fault]]
platform = "facebook"
endpoint = "/{page-id}/feed"
kind = "status"
status = 401
count = 1
)";

struct Rig {
  Rig() : fake(std::string(kScenario)), curl(io, options()), governed(io, curl, nullptr, clock) {
    FacebookCollectorOptions o;
    o.graph_base = fake.base_url() + "/v21.0";
    o.page_access_token = "EAAB-page";
    collector = std::make_unique<FacebookCollector>(governed, o);
  }
  static CurlClientOptions options() {
    CurlClientOptions o;
    o.allowed_hosts.add("127.0.0.1");
    return o;
  }
  Page wait() {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (pages.empty() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(10ms);
      if (io.stopped()) io.restart();
    }
    EXPECT_FALSE(pages.empty());
    Page p = pages.empty() ? Page{} : std::move(pages.front());
    if (!pages.empty()) pages.erase(pages.begin());
    return p;
  }
  PageHandler keep() {
    return [this](Page p) { pages.push_back(std::move(p)); };
  }

  boost::asio::io_context io;
  mamori::testing::FakePlatform fake;
  SystemClock clock;
  CurlMultiClient curl;
  GovernedHttpClient governed;
  std::unique_ptr<FacebookCollector> collector;
  std::vector<Page> pages;
};

TEST(FacebookFakePlatform, PageFeedAndACommentThreadWithTheCitysReply) {
  Rig rig;
  rig.collector->lookup_profiles({"somacity"}, rig.keep());
  const auto profiles = all_of<model::ProfileSnapshot>(rig.wait().result);
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles[0].account_id, "100000000000001");
  EXPECT_EQ(profiles[0].display_name, "相馬市");
  EXPECT_EQ(profiles[0].url, "https://www.city.soma.example.jp/");

  // The token has expired (an injected 401): Graph's 190/463 comes back as the page's error.
  const AccountRef page{"somacity", "100000000000001"};
  rig.collector->recent_posts(page, {}, rig.keep());
  const Page expired = rig.wait();
  EXPECT_EQ(expired.result.outcome, ParseOutcome::platform_error);
  const auto errors = all_of<model::ObservationError>(expired.result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("Graph API error 190/463 (OAuthException)"), std::string::npos)
      << errors[0].message;

  rig.collector->recent_posts(page, {}, rig.keep());
  const auto posts = all_of<model::Post>(rig.wait().result);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].post_id, "100000000000001_5001");
  EXPECT_EQ(posts[0].author_id, "100000000000001");

  rig.collector->thread(page, "100000000000001_5001", {}, rig.keep());
  const auto comments = all_of<model::Post>(rig.wait().result);
  ASSERT_EQ(comments.size(), 3u);
  // Newest first: the city's reply to the first comment, then the two comments.
  EXPECT_EQ(comments[0].author_id, "100000000000001");
  EXPECT_EQ(comments[0].in_reply_to_post_id, "5001_9001");
  EXPECT_EQ(comments[0].urls, (std::vector<std::string>{"https://www.city.soma.example.jp/gomi/"}));
  EXPECT_EQ(comments[1].text, "説明が足りない");
  EXPECT_EQ(comments[1].author_display_name, "中村 一郎");
  EXPECT_EQ(comments[1].in_reply_to_post_id, "100000000000001_5001");
  for (const auto& c : comments) EXPECT_EQ(c.conversation_root_id, "100000000000001_5001");
}

TEST(FacebookFakePlatform, APageThatIsGoneIsGone) {
  Rig rig;
  rig.collector->lookup_profiles({"soma.old"}, rig.keep());
  const auto gone = all_of<model::AccountGone>(rig.wait().result);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].account_ref, "soma.old");
  EXPECT_EQ(gone[0].reason, "not_found");
}

}  // namespace
}  // namespace mamori::collectors::facebook
