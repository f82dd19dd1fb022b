#include "collectors/youtube/youtube_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::youtube {
namespace {

using mamori::testing::all_of;
using mamori::testing::at;
using mamori::testing::parse_context;
using model::AccountGone;
using model::ObservationError;
using model::Post;
using model::ProfileSnapshot;

std::string fixture(std::string_view name) {
  return mamori::testing::parser_fixture("youtube", name);
}

ParseResult parse_fixture(YoutubeEndpoint endpoint, std::string_view name,
                          const ParseContext& context = parse_context()) {
  return parse(endpoint, fixture(name), context);
}

// The recorded 403 error body with the reason YouTube documents for a spent daily quota.
std::string quota_exceeded_body() {
  std::string body = fixture("error_permission.json");
  const auto replace = [&](std::string_view from, std::string_view to) {
    body.replace(body.find(from), from.size(), to);
  };
  replace("youtube.CoreErrorDomain", "youtube.quota");
  replace("SERVICE_UNAVAILABLE", "quotaExceeded");
  return body;
}

TEST(YoutubeParse, ChannelByHandle) {
  const auto result = parse_fixture(YoutubeEndpoint::channels_list, "channels_list.json",
                                    parse_context({"@GoogleDevelopers"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);  // the handle matched: nothing is gone
  const auto p = std::get<ProfileSnapshot>(result.observations[0]);
  EXPECT_EQ(p.platform, model::Platform::youtube);
  EXPECT_EQ(p.account_id, "UC_x5XG1OV2P6uZZ5FSM9Ttw");
  EXPECT_EQ(p.handle, "googledevelopers");
  EXPECT_EQ(p.display_name, "Google Developers");
  EXPECT_TRUE(p.description.starts_with("The Google Developers channel features talks"));
  EXPECT_EQ(p.url, "https://goo.gle/developers");
  EXPECT_EQ(p.avatar_url,
            "https://yt3.ggpht.com/ytc/AMLnZu-oDvWEJ-WfN9bgxQB2YAlnjC2uqN_c7JQZvX9Ikfg="
            "s800-c-k-c0x00ffffff-no-rj");
  EXPECT_EQ(p.created_at, at("2007-08-23T00:34:43Z"));
  EXPECT_FALSE(p.followers_count.has_value());
}

TEST(YoutubeParse, ChannelStatisticsAreStringsAndMissingChannelsAreGone) {
  const auto result =
      parse_fixture(YoutubeEndpoint::channels_list, "channels_list_statistics.json",
                    parse_context({"UC_x5XG1OV2P6uZZ5FSM9Ttw", "UCdeletedchannel000000000"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles[0].followers_count, 2300000);
  EXPECT_EQ(profiles[0].posts_count, 5783);
  EXPECT_TRUE(profiles[0].url.empty());  // "developers.google.com" is not a link
  const auto gone = all_of<AccountGone>(result);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].account_ref, "UCdeletedchannel000000000");
  EXPECT_EQ(gone[0].reason, "not_found");

  // An empty answer for a handle: the channel is gone.
  const auto empty = parse(YoutubeEndpoint::channels_list,
                           R"({"kind":"youtube#channelListResponse","etag":"x",)"
                           R"("pageInfo":{"totalResults":0,"resultsPerPage":5}})",
                           parse_context({"@soma_city"}));
  EXPECT_EQ(empty.outcome, ParseOutcome::ok);
  ASSERT_EQ(empty.observations.size(), 1u);
  EXPECT_EQ(std::get<AccountGone>(empty.observations[0]).account_ref, "@soma_city");
}

TEST(YoutubeParse, ChannelSearchYieldsProfilesWithoutHandles) {
  const auto result = parse_fixture(YoutubeEndpoint::search_list, "search_list_channels.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 5u);
  EXPECT_EQ(result.observations.size(), 5u);
  EXPECT_EQ(profiles[0].account_id, "UCxRULEz6kS0PMxCzOY25GhQ");
  EXPECT_EQ(profiles[0].display_name, "NLaFourcadeVEVO");
  EXPECT_TRUE(profiles[0].handle.empty());
  EXPECT_TRUE(profiles[0].avatar_url.ends_with("/s800-c-k-no-mo-rj-c0xffffff/photo.jpg"));
  EXPECT_EQ(profiles[3].display_name, "Queen Official");
  EXPECT_EQ(result.next_cursor, "CAUQAA");
}

TEST(YoutubeParse, UploadsBecomePostsWithDescriptionLinks) {
  const auto result =
      parse_fixture(YoutubeEndpoint::playlist_items_list, "playlist_items_list.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 5u);
  EXPECT_EQ(posts[0].post_id, "UZ4n1n13crI");
  EXPECT_EQ(posts[0].author_id, "UC_x5XG1OV2P6uZZ5FSM9Ttw");
  EXPECT_EQ(posts[0].author_display_name, "Google for Developers");
  EXPECT_TRUE(posts[0].text.starts_with(
      "Unleash Your Web Development Potential with dval.dev\n\nWebsite → https://dval.dev\n"));
  EXPECT_EQ(posts[0].urls,
            (std::vector<std::string>{"https://dval.dev", "https://get.dev",
                                      "https://goo.gle/MyDomain", "https://goo.gle/developers"}));
  EXPECT_EQ(posts[0].created_at, at("2023-07-21T19:00:27Z"));
  EXPECT_EQ(posts[0].conversation_root_id, "UZ4n1n13crI");
  // "→https:/finale.app" is not a link; the ones after it are.
  EXPECT_EQ(posts[1].urls.front(), "https://get.app");
  EXPECT_FALSE(result.next_cursor.has_value());
}

TEST(YoutubeParse, CommentThreadsOnTheChannel) {
  const auto result =
      parse_fixture(YoutubeEndpoint::comment_threads_list, "comment_threads_list.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].post_id, "UgyUBI0HsgL9emxcZpR4AaABAg");
  EXPECT_EQ(posts[0].author_id, "UCTWlvHQQXUs-4IVfdnGOUbw");
  EXPECT_EQ(posts[0].author_display_name, "DevRagz");
  EXPECT_TRUE(posts[0].author_handle.empty());  // an old-style name, not "@handle"
  EXPECT_EQ(posts[0].text, "Hello");
  EXPECT_EQ(posts[0].created_at, at("2019-06-23T02:49:00Z"));
  // Threads on the channel itself (no videoId) are their own conversation.
  EXPECT_FALSE(posts[0].in_reply_to_post_id.has_value());
  EXPECT_EQ(posts[0].conversation_root_id, "UgyUBI0HsgL9emxcZpR4AaABAg");
}

TEST(YoutubeParse, ThreadRepliesAndHandlesFromCurrentDisplayNames) {
  // The recorded thread, placed on a video and given the reply and "@handle" display name that
  // current answers carry.
  std::string body = fixture("comment_threads_list.json");
  body.replace(body.find("\"authorDisplayName\": \"DevRagz\""), 30,
               "\"authorDisplayName\": \"@devragz\"");
  body.replace(body.find("\"canReply\": true"), 16,
               R"("videoId": "CvTApw9X8aA", "canReply": true)");
  const std::string list = fixture("comments_list.json");
  const std::size_t open = list.find("\"items\": [") + 10;
  const std::string replies = list.substr(open, list.rfind(']') - open);
  const std::string end_of_first = "\"isPublic\": true\n      }\n    },";
  body.replace(
      body.find(end_of_first), end_of_first.size(),
      "\"isPublic\": true\n      },\n      \"replies\": {\"comments\": [" + replies + "]}\n    },");
  const auto result = parse(YoutubeEndpoint::comment_threads_list, body, parse_context());
  ASSERT_EQ(result.outcome, ParseOutcome::ok) << body;
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 4u);  // the first thread, its two replies, the second thread
  EXPECT_EQ(posts[0].author_handle, "devragz");
  EXPECT_EQ(posts[0].in_reply_to_post_id, "CvTApw9X8aA");
  EXPECT_EQ(posts[0].conversation_root_id, "CvTApw9X8aA");
  EXPECT_EQ(posts[1].text, "this is the third reply!");
  EXPECT_EQ(posts[1].in_reply_to_post_id, "Ugw5zYU6n9pmIgAZWvN4AaABAg");
  EXPECT_EQ(posts[1].conversation_root_id, "CvTApw9X8aA");
}

TEST(YoutubeParse, RepliesAnswerTheirParent) {
  const auto result = parse_fixture(YoutubeEndpoint::comments_list, "comments_list.json",
                                    parse_context({"Ugw5zYU6n9pmIgAZWvN4AaABAg", "video1"}));
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].post_id, "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za6voUoRh");
  EXPECT_EQ(posts[0].in_reply_to_post_id, "Ugw5zYU6n9pmIgAZWvN4AaABAg");
  EXPECT_EQ(posts[0].conversation_root_id, "video1");
  EXPECT_EQ(posts[0].author_display_name, "kun liu");
  ASSERT_TRUE(result.next_cursor.has_value());
  EXPECT_TRUE(result.next_cursor->starts_with("R0FJeVZnbzBJTl9zNXRxNXlPWUNN"));
}

TEST(YoutubeParse, ErrorBodiesNameTheirReasons) {
  auto context = parse_context();
  context.http_status = 403;
  const auto denied =
      parse_fixture(YoutubeEndpoint::comment_threads_list, "error_permission.json", context);
  EXPECT_EQ(denied.outcome, ParseOutcome::platform_error);
  EXPECT_EQ(std::get<ObservationError>(denied.observations.at(0)).message,
            "YouTube API error 403 (SERVICE_UNAVAILABLE): The caller does not have permission");

  const auto key = parse_fixture(YoutubeEndpoint::search_list, "error_key_invalid.json");
  const auto e = std::get<ObservationError>(key.observations.at(0));
  EXPECT_EQ(e.message, "YouTube API error 400 (keyInvalid): Bad Request");
  EXPECT_EQ(e.http_status, 400);  // from the body when the caller did not say

  const auto off = parse_fixture(YoutubeEndpoint::channels_list, "error_not_activated.json");
  EXPECT_NE(std::get<ObservationError>(off.observations.at(0)).message.find("accessNotConfigured"),
            std::string::npos);

  const auto quota = parse(YoutubeEndpoint::comment_threads_list, quota_exceeded_body(), context);
  EXPECT_EQ(quota.outcome, ParseOutcome::platform_error);
  EXPECT_NE(std::get<ObservationError>(quota.observations.at(0)).message.find("quotaExceeded"),
            std::string::npos);
}

TEST(YoutubeParse, ClosedOrMissingChannelsAreGone) {
  std::string body = fixture("error_permission.json");
  body.replace(body.find("SERVICE_UNAVAILABLE"), 19, "channelNotFound");
  const auto missing = parse(YoutubeEndpoint::comment_threads_list, body, parse_context({"UCx"}));
  EXPECT_EQ(std::get<AccountGone>(missing.observations.at(0)).reason, "not_found");
  body.replace(body.find("channelNotFound"), 15, "channelSuspended");
  const auto suspended = parse(YoutubeEndpoint::channels_list, body, parse_context({"UCx"}));
  EXPECT_EQ(std::get<AccountGone>(suspended.observations.at(0)).reason, "suspended");
}

TEST(YoutubeParse, WrongShapesAreOneError) {
  for (const std::string body : {"[]", "{}", "{\"items\": {}}", "{\"error\": 1} x"}) {
    const auto result = parse(YoutubeEndpoint::channels_list, body, parse_context());
    EXPECT_EQ(result.outcome, ParseOutcome::malformed) << body;
    EXPECT_EQ(result.observations.size(), 1u) << body;
  }
}

TEST(YoutubeParse, EveryTruncationOfARecordingIsRejected) {
  mamori::testing::expect_every_truncation_rejected(
      fixture("comment_threads_list.json"), [](std::string_view b) {
        return parse(YoutubeEndpoint::comment_threads_list, b, parse_context());
      });
}

}  // namespace
}  // namespace mamori::collectors::youtube
