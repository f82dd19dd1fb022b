// YouTube's daily quota end to end below the poller: the collector, the governed client over the
// real curl client, and the fake platform serving the Data API. A 403 quotaExceeded pauses every
// YouTube endpoint until midnight Pacific time without a request reaching the platform, and the
// comments are all there when the quota renews.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "collectors/common/iso_time.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "collectors/youtube/youtube_collector.h"
#include "tests/collectors/parse_test_support.h"
#include "tests/fakeplatform/fake_platform_process.h"

namespace mamori::collectors::youtube {
namespace {

using namespace std::chrono_literals;
using mamori::testing::all_of;
using mamori::testing::at;

constexpr const char* kScenario = R"(
[youtube]
api_key = "AIza-test"

[[account]]
platform = "youtube"
handle = "soma_city"
id = "UCsomacity0000000000000A"
display_name = "相馬市公式チャンネル"

[[account]]
platform = "youtube"
handle = "jumin1"
id = "UCjumin10000000000000000"

[[account]]
platform = "youtube"
handle = "soma_city_jp"
id = "UCfake0000000000000000XX"
display_name = "相馬市公式チャンネル【防災】"

[[post]]
platform = "youtube"
key = "video"
id = "dQw4w9WgXcQ"
author = "soma_city"
text = "【台風10号】避難所の開設状況\n開設中の避難所は https://www.city.soma.example.jp/hinanjo/ をご覧ください。"

[[post]]
platform = "youtube"
key = "c1"
id = "Ugc1"
author = "jumin1"
in_reply_to = "video"
text = "給水所はどこですか"

[[post]]
platform = "youtube"
key = "c2"
id = "Ugc2"
author = "jumin1"
in_reply_to = "video"
text = "ダムが決壊したって本当？"

[[post]]
platform = "youtube"
key = "r1"
id = "Ugc1.r1"
author = "soma_city"
in_reply_to = "c1"
text = "市役所駐車場です"

[[fault]]
platform = "youtube"
endpoint = "commentThreads.list"
kind = "status"
status = 403
count = 1
)";

TEST(YoutubeQuota, ASpentQuotaPausesEveryEndpointUntilMidnightPacificAndLosesNothing) {
  boost::asio::io_context io;
  mamori::testing::FakePlatform fake{std::string(kScenario)};
  CurlClientOptions curl_options;
  curl_options.allowed_hosts.add("127.0.0.1");
  CurlMultiClient curl(io, curl_options);
  ManualClock clock(at("2024-05-20T12:00:00Z"));  // 05:00 in California (PDT)
  GovernedHttpClient governed(io, curl, nullptr, clock);
  YoutubeCollectorOptions options;
  options.api_base = fake.base_url() + "/youtube/v3";
  options.api_key = "AIza-test";
  YoutubeCollector collector(governed, options);
  const AccountRef channel{"soma_city", "UCsomacity0000000000000A"};

  std::vector<Page> pages;
  const auto keep = [&](Page p) { pages.push_back(std::move(p)); };
  const auto run_until = [&](std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (pages.size() < n && std::chrono::steady_clock::now() < deadline) {
      io.run_for(10ms);
      if (io.stopped()) io.restart();
    }
    return pages.size() >= n;
  };

  collector.replies_and_mentions(channel, {}, keep);
  ASSERT_TRUE(run_until(1));
  EXPECT_EQ(pages[0].response.status, 403);
  EXPECT_EQ(pages[0].result.outcome, ParseOutcome::platform_error);
  const auto errors = all_of<model::ObservationError>(pages[0].result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("quotaExceeded"), std::string::npos) << errors[0].message;

  // Every YouTube endpoint shares the project's quota: refused at once, nothing sent.
  const std::size_t sent = fake.requests().size();
  clock.advance(std::chrono::minutes(30));
  collector.lookup_profiles({"soma_city"}, keep);
  ASSERT_TRUE(run_until(2));
  EXPECT_EQ(pages[1].response.outcome, HttpOutcome::rate_limited);
  EXPECT_NE(pages[1].response.error.find("until 2024-05-21T07:00:00Z"), std::string::npos)
      << pages[1].response.error;
  EXPECT_EQ(fake.requests().size(), sent);

  // Past midnight Pacific the quota is back: the comments and the city's reply are all read.
  clock.set(at("2024-05-21T07:00:02Z"));
  collector.replies_and_mentions(channel, {}, keep);
  ASSERT_TRUE(run_until(3));
  EXPECT_EQ(pages[2].result.outcome, ParseOutcome::ok);
  const auto posts = all_of<model::Post>(pages[2].result);
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].text, "ダムが決壊したって本当？");  // newest thread first
  EXPECT_EQ(posts[0].in_reply_to_post_id, "dQw4w9WgXcQ");
  EXPECT_EQ(posts[0].author_handle, "jumin1");
  EXPECT_EQ(posts[2].text, "市役所駐車場です");
  EXPECT_EQ(posts[2].in_reply_to_post_id, "Ugc1");
  EXPECT_EQ(posts[2].conversation_root_id, "dQw4w9WgXcQ");

  // channels.list by handle answers the channel.
  collector.lookup_profiles({"soma_city"}, keep);
  ASSERT_TRUE(run_until(4));
  const auto profiles = all_of<model::ProfileSnapshot>(pages[3].result);
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles[0].account_id, "UCsomacity0000000000000A");
  EXPECT_EQ(profiles[0].handle, "soma_city");
}

TEST(YoutubeFakePlatform, UploadsAndALookalikeChannelSearch) {
  boost::asio::io_context io;
  mamori::testing::FakePlatform fake{std::string(kScenario)};
  CurlClientOptions curl_options;
  curl_options.allowed_hosts.add("127.0.0.1");
  CurlMultiClient curl(io, curl_options);
  SystemClock clock;
  GovernedHttpClient governed(io, curl, nullptr, clock);
  YoutubeCollectorOptions options;
  options.api_base = fake.base_url() + "/youtube/v3";
  options.api_key = "AIza-test";
  YoutubeCollector collector(governed, options);
  std::vector<Page> pages;
  const auto keep = [&](Page p) { pages.push_back(std::move(p)); };
  const auto run_until = [&](std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (pages.size() < n && std::chrono::steady_clock::now() < deadline) {
      io.run_for(10ms);
      if (io.stopped()) io.restart();
    }
    return pages.size() >= n;
  };

  collector.recent_posts({"soma_city", "UCsomacity0000000000000A"}, {}, keep);
  ASSERT_TRUE(run_until(1));
  const auto videos = all_of<model::Post>(pages[0].result);
  ASSERT_EQ(videos.size(), 1u);
  EXPECT_EQ(videos[0].post_id, "dQw4w9WgXcQ");
  EXPECT_EQ(videos[0].author_id, "UCsomacity0000000000000A");
  EXPECT_EQ(videos[0].urls,
            (std::vector<std::string>{"https://www.city.soma.example.jp/hinanjo/"}));

  collector.search_accounts("相馬市", keep);
  ASSERT_TRUE(run_until(2));
  const auto channels = all_of<model::ProfileSnapshot>(pages[1].result);
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[1].account_id, "UCfake0000000000000000XX");
  EXPECT_EQ(channels[1].display_name, "相馬市公式チャンネル【防災】");
  EXPECT_NE(pages[1].url.find("type=channel"), std::string::npos);
}

}  // namespace
}  // namespace mamori::collectors::youtube
