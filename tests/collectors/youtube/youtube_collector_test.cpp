#include "collectors/youtube/youtube_collector.h"

#include <gtest/gtest.h>

#include "tests/collectors/parse_test_support.h"
#include "tests/collectors/recorded_client.h"

namespace mamori::collectors::youtube {
namespace {

using mamori::testing::all_of;
using mamori::testing::RecordedClient;

YoutubeCollectorOptions options() {
  YoutubeCollectorOptions o;
  o.api_key = "AIza-key";
  return o;
}

TEST(YoutubeCollector, ChannelsByHandleOrIdWithTheKeyInTheHeader) {
  RecordedClient client(200, mamori::testing::parser_fixture("youtube", "channels_list.json"));
  YoutubeCollector collector(client, options());
  std::optional<Page> got;
  collector.lookup_profiles({"googledevelopers"}, [&](Page p) { got = std::move(p); });
  collector.lookup_profiles({"UC_x5XG1OV2P6uZZ5FSM9Ttw"}, [](Page) {});
  ASSERT_EQ(client.requests.size(), 2u);
  EXPECT_EQ(client.requests[0].url,
            "https://www.googleapis.com/youtube/v3/channels?part=snippet%2Cstatistics%2C"
            "contentDetails&forHandle=%40googledevelopers");
  EXPECT_TRUE(client.requests[1].url.ends_with("&id=UC_x5XG1OV2P6uZZ5FSM9Ttw"));
  for (const auto& r : client.requests) {
    EXPECT_EQ(r.url.find("AIza"), std::string::npos);
    EXPECT_EQ(r.headers.at(0), (std::pair<std::string, std::string>{"X-goog-api-key", "AIza-key"}));
    EXPECT_EQ(r.quota_scope, "youtube project");
  }
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(all_of<model::ProfileSnapshot>(got->result).size(), 1u);
  EXPECT_TRUE(all_of<model::AccountGone>(got->result).empty());
}

TEST(YoutubeCollector, UploadsAndChannelWideCommentThreads) {
  RecordedClient client(200,
                        mamori::testing::parser_fixture("youtube", "comment_threads_list.json"));
  YoutubeCollector collector(client, options());
  const AccountRef channel{"googledevelopers", "UC_x5XG1OV2P6uZZ5FSM9Ttw"};
  EXPECT_TRUE(collector.has_mentions(channel));
  collector.recent_posts(channel, Cursor{std::nullopt, "CAoQAA"}, [](Page) {});
  std::optional<Page> got;
  collector.replies_and_mentions(channel, {}, [&](Page p) { got = std::move(p); });
  EXPECT_NE(client.requests[0].url.find("playlistId=UU_x5XG1OV2P6uZZ5FSM9Ttw&pageToken=CAoQAA"),
            std::string::npos);
  EXPECT_NE(client.requests[1].url.find("allThreadsRelatedToChannelId=UC_x5XG1OV2P6uZZ5FSM9Ttw"),
            std::string::npos);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(all_of<model::Post>(got->result).size(), 2u);
  EXPECT_TRUE(is_channel_id("UC_x5XG1OV2P6uZZ5FSM9Ttw"));
  EXPECT_FALSE(is_channel_id("googledevelopers"));
}

}  // namespace
}  // namespace mamori::collectors::youtube
