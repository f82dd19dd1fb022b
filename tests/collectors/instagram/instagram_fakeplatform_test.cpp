// The Instagram collector through the governed curl client against the fake platform's
// Instagram Graph API: business discovery finds a look-alike professional account by exact
// username (and says `gone` for a name nobody has), media and comments with replies.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "collectors/http/curl_multi_client.h"
#include "collectors/instagram/instagram_collector.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "tests/collectors/parse_test_support.h"
#include "tests/fakeplatform/fake_platform_process.h"

namespace mamori::collectors::instagram {
namespace {

using namespace std::chrono_literals;
using mamori::testing::all_of;

constexpr const char* kScenario = R"(
[instagram]
access_token = "IG-token"

[[account]]
platform = "instagram"
handle = "soma_city"
id = "17841400000000001"
display_name = "相馬市"

[[account]]
platform = "instagram"
handle = "soma_city_official"
id = "17841400000000666"
display_name = "相馬市【公式】"
description = "相馬市の公式アカウントです（給付金のご案内）"
url = "https://soma-kyufu.example.com/"
followers = 12

[[account]]
platform = "instagram"
handle = "resident_a"
id = "17841400000000101"

[[post]]
platform = "instagram"
key = "m1"
id = "18000000000000001"
author = "soma_city"
text = "相馬野馬追の日程が決まりました"

[[post]]
platform = "instagram"
key = "c1"
id = "18100000000000001"
author = "resident_a"
in_reply_to = "m1"
text = "中止って聞いたけど本当？"

[[post]]
platform = "instagram"
key = "r1"
id = "18100000000000002"
author = "soma_city"
in_reply_to = "c1"
text = "@resident_a 予定どおり開催します"
)";

struct Rig {
  Rig() : fake(std::string(kScenario)), curl(io, options()), governed(io, curl, nullptr, clock) {
    InstagramCollectorOptions o;
    o.graph_base = fake.base_url() + "/v21.0";
    o.access_token = "IG-token";
    o.ig_user_id = "17841400000000001";
    collector = std::make_unique<InstagramCollector>(governed, o);
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
  std::unique_ptr<InstagramCollector> collector;
  std::vector<Page> pages;
};

TEST(InstagramFakePlatform, BusinessDiscoveryFindsALookalikeAndNamesTheMissing) {
  Rig rig;
  rig.collector->search_accounts("soma_city_official", rig.keep());
  const auto found = all_of<model::ProfileSnapshot>(rig.wait().result);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].account_id, "17841400000000666");
  EXPECT_EQ(found[0].display_name, "相馬市【公式】");
  EXPECT_EQ(found[0].url, "https://soma-kyufu.example.com/");
  EXPECT_EQ(found[0].followers_count, 12);

  rig.collector->search_accounts("s0ma_city", rig.keep());
  const Page missing = rig.wait();
  EXPECT_EQ(missing.response.status, 400);
  const auto gone = all_of<model::AccountGone>(missing.result);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].account_ref, "s0ma_city");
}

TEST(InstagramFakePlatform, MediaAndACommentWithTheCitysReply) {
  Rig rig;
  const AccountRef own{"soma_city", "17841400000000001"};
  rig.collector->recent_posts(own, {}, rig.keep());
  const auto media = all_of<model::Post>(rig.wait().result);
  ASSERT_EQ(media.size(), 1u);
  EXPECT_EQ(media[0].post_id, "18000000000000001");
  EXPECT_EQ(media[0].author_id, "17841400000000001");

  rig.collector->thread(own, "18000000000000001", {}, rig.keep());
  const auto comments = all_of<model::Post>(rig.wait().result);
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[0].text, "中止って聞いたけど本当？");
  EXPECT_EQ(comments[0].author_handle, "resident_a");
  EXPECT_EQ(comments[0].in_reply_to_post_id, "18000000000000001");
  EXPECT_EQ(comments[1].in_reply_to_post_id, "18100000000000001");
  EXPECT_EQ(comments[1].author_id, "17841400000000001");
  for (const auto& c : comments) EXPECT_EQ(c.conversation_root_id, "18000000000000001");
}

}  // namespace
}  // namespace mamori::collectors::instagram
