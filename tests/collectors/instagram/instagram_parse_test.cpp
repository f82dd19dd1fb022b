#include "collectors/instagram/instagram_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::instagram {
namespace {

using mamori::testing::all_of;
using mamori::testing::at;
using mamori::testing::parse_context;
using model::AccountGone;
using model::ObservationError;
using model::Post;
using model::ProfileSnapshot;

std::string fixture(std::string_view name) {
  return mamori::testing::parser_fixture("instagram", name);
}

ParseResult parse_fixture(InstagramEndpoint endpoint, std::string_view name,
                          const ParseContext& context = parse_context()) {
  return parse(endpoint, fixture(name), context);
}

TEST(InstagramParse, AccountProfile) {
  const auto result = parse_fixture(InstagramEndpoint::user, "user.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto p = std::get<ProfileSnapshot>(result.observations[0]);
  EXPECT_EQ(p.platform, model::Platform::instagram);
  EXPECT_EQ(p.account_id, "17841407673135339");
  EXPECT_EQ(p.handle, "facebookfordevelopers");
  EXPECT_EQ(p.display_name, "Facebook for Developers");
  EXPECT_EQ(p.description,
            "Follow us for updates on Facebook’s business tools, AI, AR, VR, and more.");
  EXPECT_TRUE(p.avatar_url.starts_with("https://scontent-gmp1-1.xx.fbcdn.net/"));
  EXPECT_EQ(p.followers_count, 64363);
  EXPECT_EQ(p.posts_count, 427);
  EXPECT_FALSE(p.following_count.has_value());
}

TEST(InstagramParse, BusinessDiscoveryYieldsTheLookedUpAccountNotTheCaller) {
  const auto result = parse_fixture(InstagramEndpoint::business_discovery,
                                    "business_discovery.json", parse_context({"facebook"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto p = std::get<ProfileSnapshot>(result.observations[0]);
  EXPECT_EQ(p.account_id, "17841400455970028");
  EXPECT_EQ(p.handle, "facebook");
  EXPECT_EQ(p.description, "Let's find more that brings us together.");
  EXPECT_EQ(p.url, "http://www.facebook.com/");
  EXPECT_EQ(p.followers_count, 3502538);
  EXPECT_EQ(p.following_count, 9);
  EXPECT_EQ(p.posts_count, 360);

  const auto few =
      parse_fixture(InstagramEndpoint::business_discovery, "business_discovery_fields.json");
  ASSERT_EQ(all_of<ProfileSnapshot>(few).size(), 1u);
  EXPECT_TRUE(all_of<ProfileSnapshot>(few)[0].avatar_url.empty());
}

TEST(InstagramParse, BusinessDiscoveryOfAnUnknownUsernameIsGone) {
  // The recorded error shape with the code business discovery answers for a username that
  // is not a professional account (110, subcode 2207013).
  std::string body = mamori::testing::parser_fixture("facebook", "error_app_secret_proof.json");
  body.replace(body.find("\"code\": 100,"), 12, "\"code\": 110, \"error_subcode\": 2207013,");
  const auto result =
      parse(InstagramEndpoint::business_discovery, body, parse_context({"s0ma_city"}));
  EXPECT_EQ(result.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(result.observations.size(), 1u);
  EXPECT_EQ(std::get<AccountGone>(result.observations[0]).account_ref, "s0ma_city");
  // Any other endpoint reports it as an error.
  const auto media = parse(InstagramEndpoint::user_media, body, parse_context({"1784"}));
  EXPECT_TRUE(std::holds_alternative<ObservationError>(media.observations.at(0)));
}

TEST(InstagramParse, OwnMediaAreAuthoredByTheRequestedAccount) {
  const auto result =
      parse_fixture(InstagramEndpoint::user_media, "media.json", parse_context({"1784140"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].post_id, "17895731045244887");
  EXPECT_EQ(posts[0].author_id, "1784140");
  EXPECT_TRUE(posts[0].text.empty());
  EXPECT_EQ(posts[0].created_at, at("2021-08-13T08:25:28Z"));
  EXPECT_EQ(posts[1].reply_count, 6);
  EXPECT_EQ(posts[1].like_count, 2);
  EXPECT_EQ(result.next_cursor, "after");
}

TEST(InstagramParse, TaggedMediaKeepTheirCaptions) {
  const auto result = parse_fixture(InstagramEndpoint::user_tags, "tags.json");
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 5u);
  EXPECT_EQ(posts[2].text, "Cute.. #cute #loveyou  @ikroskun");
  EXPECT_TRUE(posts[2].author_id.empty());  // tags may be anyone's media
  EXPECT_FALSE(result.next_cursor.has_value());
}

TEST(InstagramParse, CommentsWithNestedRepliesFormOneConversation) {
  const auto result = parse_fixture(InstagramEndpoint::media_comments, "comments_with_replies.json",
                                    parse_context({"17955956875141196"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 6u);
  EXPECT_EQ(posts[0].post_id, "17862949873623188");
  EXPECT_EQ(posts[0].text, "nine");
  EXPECT_EQ(posts[0].author_handle, "ikroskun");
  EXPECT_EQ(posts[0].author_id, "17841406338772941");
  EXPECT_EQ(posts[0].in_reply_to_post_id, "17955956875141196");
  EXPECT_EQ(posts[0].conversation_root_id, "17955956875141196");
  // The reply nested in the first comment answers that comment.
  EXPECT_EQ(posts[1].post_id, "17850033184810160");
  EXPECT_EQ(posts[1].text, "@ikroskun You nine");
  EXPECT_EQ(posts[1].in_reply_to_post_id, "17862949873623188");
  EXPECT_EQ(posts[1].conversation_root_id, "17955956875141196");
  EXPECT_EQ(posts[5].text, "Five");
  EXPECT_EQ(posts[5].created_at, at("2019-10-23T08:05:40Z"));
  ASSERT_TRUE(result.next_cursor.has_value());
  EXPECT_TRUE(result.next_cursor->starts_with("UVZAGQlNqVkJURFpw"));
}

TEST(InstagramParse, DefaultFieldCommentsAndReplies) {
  const auto comments = parse_fixture(InstagramEndpoint::media_comments, "comments.json",
                                      parse_context({"17846368219941692"}));
  const auto c = all_of<Post>(comments);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].text, "Beautiful!");
  EXPECT_TRUE(c[0].author_handle.empty());
  EXPECT_EQ(c[0].in_reply_to_post_id, "17846368219941692");

  const auto replies = parse_fixture(InstagramEndpoint::comment_replies, "replies.json",
                                     parse_context({"17984127178281340", "17846368219941692"}));
  const auto r = all_of<Post>(replies);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].text, "@ikroskun 我看见你吃的，全吃了一点没剩");
  EXPECT_EQ(r[1].in_reply_to_post_id, "17984127178281340");
  EXPECT_EQ(r[1].conversation_root_id, "17846368219941692");
}

TEST(InstagramParse, WrongShapesAreOneError) {
  for (const std::string body :
       {"[]", "{\"id\": 5}", "{\"data\": 1}", "{\"business_discovery\": []}"}) {
    for (const auto endpoint : {InstagramEndpoint::user, InstagramEndpoint::user_media,
                                InstagramEndpoint::business_discovery}) {
      const auto result = parse(endpoint, body, parse_context());
      EXPECT_EQ(result.outcome, ParseOutcome::malformed) << body;
      EXPECT_EQ(result.observations.size(), 1u) << body;
    }
  }
}

TEST(InstagramParse, EveryTruncationOfARecordingIsRejected) {
  mamori::testing::expect_every_truncation_rejected(
      fixture("comments_with_replies.json"), [](std::string_view b) {
        return parse(InstagramEndpoint::media_comments, b, parse_context());
      });
}

}  // namespace
}  // namespace mamori::collectors::instagram
