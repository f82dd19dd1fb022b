#include "collectors/facebook/facebook_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::facebook {
namespace {

using mamori::testing::all_of;
using mamori::testing::at;
using mamori::testing::parse_context;
using model::AccountGone;
using model::ObservationError;
using model::Post;
using model::ProfileSnapshot;

std::string fixture(std::string_view name) {
  return mamori::testing::parser_fixture("facebook", name);
}

ParseResult parse_fixture(FacebookEndpoint endpoint, std::string_view name,
                          const ParseContext& context = parse_context()) {
  return parse(endpoint, fixture(name), context);
}

TEST(FacebookParse, EndpointNamesAreTheGraphPaths) {
  EXPECT_EQ(endpoint_name(FacebookEndpoint::page_feed), "/{page-id}/feed");
  EXPECT_EQ(endpoint_name(FacebookEndpoint::post_comments), "/{post-id}/comments");
  EXPECT_EQ(facebook_endpoint_from_name("/{comment-id}/comments"),
            FacebookEndpoint::comment_replies);
  EXPECT_FALSE(facebook_endpoint_from_name("/{page-id}/ratings").has_value());
}

TEST(FacebookParse, PageProfileReadsAboutWebsitePictureAndVerification) {
  const auto result = parse_fixture(FacebookEndpoint::page, "page.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto p = std::get<ProfileSnapshot>(result.observations[0]);
  EXPECT_EQ(p.platform, model::Platform::facebook);
  EXPECT_EQ(p.account_id, "20531316728");
  EXPECT_EQ(p.handle, "facebookapp");
  EXPECT_EQ(p.display_name, "Facebook");
  EXPECT_EQ(p.description,
            "The Facebook Page celebrates how our friends inspire us, support us, and help us "
            "discover the world when we connect.");
  EXPECT_EQ(p.url, "http://www.facebook.com");
  EXPECT_TRUE(p.avatar_url.starts_with("https://scontent.xx.fbcdn.net/v/t1.0-1/p50x50/"));
  EXPECT_TRUE(p.verified);
  // No followers_count requested: the fan count stands in.
  EXPECT_EQ(p.followers_count, 214507731);
  EXPECT_EQ(p.observed_at, at("2024-05-20T12:00:00Z"));
}

TEST(FacebookParse, BatchLookupYieldsOneProfilePerPage) {
  const auto result = parse_fixture(FacebookEndpoint::page, "pages_batch.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].handle, "FacebookforDevelopers");
  EXPECT_EQ(profiles[0].followers_count, 7966989);
  EXPECT_EQ(profiles[1].account_id, "20531316728");
  EXPECT_EQ(result.observations.size(), 2u);
}

TEST(FacebookParse, FeedPostsTakeTheirAuthorFromTheIdAndPageByTime) {
  const auto result = parse_fixture(FacebookEndpoint::page_feed, "feed.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 5u);
  EXPECT_EQ(result.observations.size(), 5u);
  EXPECT_EQ(posts[0].post_id, "4_10113477241177441");
  EXPECT_EQ(posts[0].author_id, "4");
  EXPECT_EQ(posts[0].text, "Happy July 4th! 🇺🇸");
  EXPECT_EQ(posts[0].created_at, at("2021-07-04T19:50:58Z"));
  EXPECT_EQ(posts[0].conversation_root_id, "4_10113477241177441");
  EXPECT_FALSE(posts[0].in_reply_to_post_id.has_value());
  // A time-paged edge: the cursor is the `next` query without the access token.
  ASSERT_TRUE(result.next_cursor.has_value());
  EXPECT_EQ(result.next_cursor->find("access_token"), std::string::npos);
  EXPECT_NE(result.next_cursor->find("until=1624385168"), std::string::npos);
  EXPECT_NE(result.next_cursor->find("__paging_token=__paging_token"), std::string::npos);
}

TEST(FacebookParse, PageSearchAndTaggedPosts) {
  const auto search = parse_fixture(FacebookEndpoint::pages_search, "pages_search.json");
  EXPECT_EQ(search.outcome, ParseOutcome::ok);
  const auto pages = all_of<ProfileSnapshot>(search);
  ASSERT_EQ(pages.size(), 5u);
  EXPECT_EQ(search.observations.size(), 5u);
  EXPECT_EQ(pages[3].display_name, "T.Rextasy (Marc Bolan Tribute) Official Facebook Page");
  EXPECT_EQ(pages[3].account_id, "126320487382225");
  EXPECT_TRUE(pages[3].handle.empty());
  EXPECT_EQ(search.next_cursor, "after");

  const auto tagged = parse_fixture(FacebookEndpoint::page_tagged, "tagged.json");
  const auto posts = all_of<Post>(tagged);
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[1].author_id, "175154750010052");
  EXPECT_EQ(posts[1].text, "我测试一下 MyLife");
  // Cursors without `next`: the last page.
  EXPECT_FALSE(tagged.next_cursor.has_value());
}

TEST(FacebookParse, CommentsAnswerTheRequestedPost) {
  const auto result = parse_fixture(FacebookEndpoint::post_comments, "comments.json",
                                    parse_context({"2121008874780932_2498613793687103"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 5u);
  const Post& first = posts[0];
  EXPECT_EQ(first.post_id, "2498598377021978_2498617433686739");
  EXPECT_EQ(first.author_id, "2711636948859886");
  EXPECT_EQ(first.author_display_name, "Kun Liu");
  EXPECT_TRUE(first.author_handle.empty());  // Graph gives people no usernames
  EXPECT_EQ(first.text, "Good job!😏");
  EXPECT_EQ(first.like_count, 2);
  EXPECT_EQ(first.in_reply_to_post_id, "2121008874780932_2498613793687103");
  EXPECT_EQ(first.conversation_root_id, "2121008874780932_2498613793687103");
  // The photo attachment points back into Facebook: not an outside link.
  EXPECT_TRUE(first.urls.empty());
  EXPECT_EQ(posts[1].author_display_name, "杨佳名");
  EXPECT_EQ(posts[1].created_at, at("2019-12-17T03:43:50Z"));
  EXPECT_EQ(result.next_cursor,
            "WTI5dGJXVnVkRjlqZAFhKemIzSTZANalV3T1RJMU56WXlNall5TWpjeU1Eb3hOVGMzTkRReU9EazIZD");
}

TEST(FacebookParse, RepliesToACommentKeepTheConversationRootWhenGiven) {
  const auto result =
      parse_fixture(FacebookEndpoint::comment_replies, "comments.json",
                    parse_context({"2498598377021978_2498617433686739", "2121008874780932_1"}));
  const auto posts = all_of<Post>(result);
  ASSERT_FALSE(posts.empty());
  EXPECT_EQ(posts[0].in_reply_to_post_id, "2498598377021978_2498617433686739");
  EXPECT_EQ(posts[0].conversation_root_id, "2121008874780932_1");
}

TEST(FacebookParse, CommentsWithoutIdsAreSkippedWithAReasonAndLinksAreKept) {
  const auto result = parse_fixture(FacebookEndpoint::post_comments, "comments_without_ids.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  EXPECT_TRUE(all_of<Post>(result).empty());
  const auto errors = all_of<ObservationError>(result);
  ASSERT_EQ(errors.size(), 10u);
  EXPECT_EQ(errors[0].message, "data[0]: comment without an id; skipped");
  EXPECT_EQ(errors[0].endpoint, "/{post-id}/comments");
  EXPECT_EQ(result.next_cursor, "after");
}

TEST(FacebookParse, GraphErrorsBecomeErrorObservationsNamingCodeAndMessage) {
  auto context = parse_context({"20531316728"});
  context.http_status = 400;
  const auto result =
      parse_fixture(FacebookEndpoint::page_feed, "error_missing_permission.json", context);
  EXPECT_EQ(result.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto e = std::get<ObservationError>(result.observations[0]);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_TRUE(
      e.message.starts_with("Graph API error 100 (OAuthException): (#100) Object does "
                            "not exist, cannot be loaded due to missing permission"))
      << e.message;

  const auto proof = parse_fixture(FacebookEndpoint::page, "error_app_secret_proof.json", context);
  EXPECT_EQ(proof.outcome, ParseOutcome::platform_error);
  EXPECT_NE(std::get<ObservationError>(proof.observations.at(0)).message.find("app secret proof"),
            std::string::npos);
}

TEST(FacebookParse, UnsupportedGetOnThePageIsGoneAndUnpublishedPagesAreGone) {
  // The recorded error with the subcode Graph adds when the object does not exist (code 100,
  // subcode 33), as a deleted or unpublished page answers its own token.
  std::string body = fixture("error_app_secret_proof.json");
  body.replace(body.find("\"code\": 100,"), 12, "\"code\": 100, \"error_subcode\": 33,");
  const auto gone = parse(FacebookEndpoint::page, body, parse_context({"somacity"}));
  EXPECT_EQ(gone.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(gone.observations.size(), 1u);
  EXPECT_EQ(std::get<AccountGone>(gone.observations[0]).account_ref, "somacity");
  EXPECT_EQ(std::get<AccountGone>(gone.observations[0]).reason, "not_found");
  // The same error about a comment edge is not about the account.
  const auto comment = parse(FacebookEndpoint::post_comments, body, parse_context({"1_2"}));
  EXPECT_TRUE(std::holds_alternative<ObservationError>(comment.observations.at(0)));

  std::string page = fixture("page.json");
  page.replace(page.find("\"can_checkin\": true"), 19, "\"is_published\": false");
  const auto unpublished = parse(FacebookEndpoint::page, page, parse_context());
  EXPECT_EQ(unpublished.outcome, ParseOutcome::ok);
  ASSERT_EQ(unpublished.observations.size(), 1u);
  EXPECT_EQ(std::get<AccountGone>(unpublished.observations[0]).account_ref, "facebookapp");
  EXPECT_EQ(std::get<AccountGone>(unpublished.observations[0]).reason, "unpublished");
}

TEST(FacebookParse, WrongShapesAndBrokenBodiesAreOneError) {
  for (const std::string body : {"[]", "{}", "{\"data\": {}}", "nope", "{\"data\": [1, \"x\"]}"}) {
    const auto result = parse(FacebookEndpoint::page_feed, body, parse_context());
    if (body == "{\"data\": [1, \"x\"]}") {
      // Items of the wrong type are skipped one by one; the page itself is fine.
      EXPECT_EQ(result.outcome, ParseOutcome::ok) << body;
      EXPECT_EQ(all_of<ObservationError>(result).size(), 2u) << body;
      continue;
    }
    EXPECT_EQ(result.outcome, ParseOutcome::malformed) << body;
    EXPECT_EQ(result.observations.size(), 1u) << body;
  }
}

TEST(FacebookParse, EveryTruncationOfARecordingIsRejected) {
  const std::string body = fixture("comments.json");
  mamori::testing::expect_every_truncation_rejected(body, [](std::string_view b) {
    return parse(FacebookEndpoint::post_comments, b, parse_context());
  });
}

}  // namespace
}  // namespace mamori::collectors::facebook
