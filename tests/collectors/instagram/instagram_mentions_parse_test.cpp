// Instagram @mentions: Meta's webhook delivery (instagram_webhook_parse.h) and what the app reads
// for each mention (mentioned_media / mentioned_comment), on recordings from
// sns-sdks/python-facebook and Meta's documented delivery (tests/data/collectors/instagram/).
#include <gtest/gtest.h>

#include <string>

#include "collectors/instagram/instagram_collector.h"
#include "collectors/instagram/instagram_parse.h"
#include "collectors/instagram/instagram_webhook_parse.h"
#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::instagram {
namespace {

using mamori::testing::all_of;
using mamori::testing::at;
using mamori::testing::parse_context;
using model::Post;

std::string fixture(std::string_view name) {
  return mamori::testing::parser_fixture("instagram", name);
}

TEST(InstagramMentionsParse, WebhookDeliveryYieldsEachMentionOnceAndIgnoresOtherFields) {
  const auto w = parse_mention_webhook(fixture("webhook_mentions.json"));
  ASSERT_TRUE(w.ok()) << w.error;
  ASSERT_EQ(w.mentions.size(), 2u);
  EXPECT_EQ(w.mentions[0].ig_user_id, "17841405726653026");
  EXPECT_EQ(w.mentions[0].media_id, "17918195224117851");
  EXPECT_FALSE(w.mentions[0].comment_id.has_value());
  EXPECT_EQ(w.mentions[1].media_id, "17918195224117851");
  EXPECT_EQ(w.mentions[1].comment_id, "17895695668004550");
  EXPECT_EQ(w.ignored, 1u);  // the `comments` change
  EXPECT_TRUE(w.skipped.empty());
}

TEST(InstagramMentionsParse, WebhookRepeatsInOneDeliveryCountOnce) {
  const std::string change = R"({"field":"mentions","value":{"media_id":"18","comment_id":"19"}})";
  const auto w = parse_mention_webhook(R"({"object":"instagram","entry":[{"id":"17","changes":[)" +
                                       change + "," + change + "]}]}");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.mentions.size(), 1u);
}

TEST(InstagramMentionsParse, WebhookAccountIdMayFollowTheChangesAndTheDeliveryMayBeAnArray) {
  const auto w = parse_mention_webhook(
      R"([{"entry":[{"changes":[{"field":"mentions","value":{"media_id":"5","comment_id":null}}],)"
      R"("id":"4","time":1}],"object":"instagram"}])");
  ASSERT_TRUE(w.ok()) << w.error;
  ASSERT_EQ(w.mentions.size(), 1u);
  EXPECT_EQ(w.mentions[0].ig_user_id, "4");
  EXPECT_FALSE(w.mentions[0].comment_id.has_value());
}

TEST(InstagramMentionsParse, IdsThatAreNotNumbersAreSkippedNotQueued) {
  // They are put into Graph request paths: "1)&fields=..." must never get there.
  const auto w = parse_mention_webhook(
      R"({"object":"instagram","entry":[)"
      R"({"id":"1","changes":[{"field":"mentions","value":{"media_id":"2)&x"}},)"
      R"({"field":"mentions","value":{"media_id":"3","comment_id":7}},)"
      R"({"field":"mentions","value":{"media_id":"3","comment_id":"4"}}]},)"
      R"({"id":"me","changes":[{"field":"mentions","value":{"media_id":"3"}}]}]})");
  ASSERT_TRUE(w.ok()) << w.error;
  ASSERT_EQ(w.mentions.size(), 1u);
  EXPECT_EQ(w.mentions[0].comment_id, "4");
  ASSERT_EQ(w.skipped.size(), 3u);
  EXPECT_EQ(w.skipped[0], "entry[0].changes[0]: media_id is not a numeric id");
  EXPECT_EQ(w.skipped[1], "entry[0].changes[1]: comment_id is not a numeric id");
  EXPECT_EQ(w.skipped[2], "entry[1].changes[0]: entry without a numeric account id");
}

TEST(InstagramMentionsParse, OtherObjectsAreIgnoredAndBrokenBodiesAreErrors) {
  const auto page = parse_mention_webhook(
      R"({"object":"page","entry":[{"id":"1","changes":[{"field":"mentions","value":{"media_id":"2"}}]}]})");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page.mentions.empty());
  for (const std::string body : {"", "{", "[1]", "{\"object\":\"instagram\"}", "\"x\"",
                                 "{\"object\":\"instagram\",\"entry\":{}}"}) {
    const auto w = parse_mention_webhook(body);
    EXPECT_FALSE(w.ok()) << body;
    EXPECT_TRUE(w.mentions.empty()) << body;
  }
  mamori::testing::expect_every_truncation_rejected(fixture("webhook_mentions.json"),
                                                    [](std::string_view b) {
                                                      // The sweep expects a ParseResult: a failed
                                                      // delivery is one error, as the parsers give.
                                                      ParseResult r;
                                                      const auto w = parse_mention_webhook(b);
                                                      if (!w.ok()) {
                                                        r.outcome = ParseOutcome::malformed;
                                                        model::ObservationError e;
                                                        e.message = w.error;
                                                        r.observations.emplace_back(e);
                                                      }
                                                      return r;
                                                    });
}

TEST(InstagramMentionsParse, MentionedMediaIsAPostAddressedToTheMentionedAccount) {
  const auto result = parse(InstagramEndpoint::mentioned_media, fixture("mentioned_media.json"),
                            parse_context({"17841406338772941", "17889114512354744"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].post_id, "17889114512354744");
  EXPECT_EQ(posts[0].text, "@ikroskun hey");
  EXPECT_EQ(posts[0].created_at, at("2021-08-19T09:00:22Z"));
  EXPECT_EQ(posts[0].in_reply_to_account_id, "17841406338772941");
  EXPECT_EQ(posts[0].conversation_root_id, "17889114512354744");
}

TEST(InstagramMentionsParse, MentionedCommentAnswersItsMedia) {
  const auto result =
      parse(InstagramEndpoint::mentioned_comment, fixture("mentioned_comment_media.json"),
            parse_context({"17841406338772941", "17892250648466172"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 1u);  // the comment only: the media is not the mention
  EXPECT_EQ(posts[0].post_id, "17892250648466172");
  EXPECT_EQ(posts[0].text, "@ikroskun  Hey, guys");
  EXPECT_EQ(posts[0].like_count, 1);
  EXPECT_EQ(posts[0].in_reply_to_post_id, "17846368219941692");
  EXPECT_EQ(posts[0].conversation_root_id, "17846368219941692");
  EXPECT_EQ(posts[0].in_reply_to_account_id, "17841406338772941");

  const auto bare = parse(InstagramEndpoint::mentioned_comment, fixture("mentioned_comment.json"),
                          parse_context({"17841406338772941"}));
  const auto b = all_of<Post>(bare);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].author_handle, "ikroskun");
  EXPECT_EQ(b[0].created_at, at("2021-08-19T09:14:16Z"));
  EXPECT_FALSE(b[0].in_reply_to_post_id.has_value());
}

TEST(InstagramMentionsParse, AGraphErrorIsAnErrorNotAGoneAccount) {
  const auto result = parse(
      InstagramEndpoint::mentioned_comment,
      R"({"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33}})",
      parse_context({"17841406338772941", "1789"}));
  EXPECT_EQ(result.outcome, ParseOutcome::platform_error);
  EXPECT_TRUE(all_of<model::AccountGone>(result).empty());
  EXPECT_EQ(all_of<model::ObservationError>(result).size(), 1u);
}

TEST(InstagramMentionsParse, RequestPathsKeepTheIdInsideTheFieldExpansion) {
  EXPECT_EQ(mentioned_comment_path("178414", "179"),
            "/178414?fields=mentioned_comment.comment_id%28179%29%7Bid%2Ctext%2Ctimestamp%2C"
            "like_count%2Cusername%2Cmedia%7Bid%7D%7D");
  EXPECT_TRUE(mentioned_media_path("178414", "1)}&x=")
                  .starts_with("/178414?fields=mentioned_media.media_id%281%29%7D%26x%3D%29"));
}

}  // namespace
}  // namespace mamori::collectors::instagram
