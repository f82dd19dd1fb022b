#include "collectors/bluesky/bluesky_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::bluesky {
namespace {

using mamori::testing::all_of;
using mamori::testing::at;
using mamori::testing::parse_context;
using model::AccountGone;
using model::ObservationError;
using model::Post;
using model::ProfileSnapshot;

constexpr std::string_view kSoma = "did:plc:somacity7xq4kd2mz3lfa5n";
constexpr std::string_view kRoot =
    "at://did:plc:somacity7xq4kd2mz3lfa5n/app.bsky.feed.post/3ksoma0000005";

std::string fixture(std::string_view name) {
  return mamori::testing::parser_fixture("bluesky", name);
}

ParseResult parse_fixture(BlueskyEndpoint endpoint, std::string_view name,
                          const ParseContext& context = parse_context()) {
  return parse(endpoint, fixture(name), context);
}

TEST(BlueskyParse, GetProfileReadsTheDetailedView) {
  const auto result = parse_fixture(BlueskyEndpoint::get_profile, "getProfile.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto p = std::get<ProfileSnapshot>(result.observations[0]);
  EXPECT_EQ(p.platform, model::Platform::bluesky);
  EXPECT_EQ(p.account_id, kSoma);
  EXPECT_EQ(p.handle, "city.soma.example.jp");
  EXPECT_EQ(p.display_name, "相馬市【公式】");
  EXPECT_EQ(p.description,
            "福島県相馬市の公式アカウントです。\n運用方針: "
            "https://www.city.soma.example.jp/sns/policy.html");
  EXPECT_EQ(p.url, "https://www.city.soma.example.jp/sns/policy.html");
  EXPECT_EQ(p.avatar_url,
            "https://cdn.bsky.app/img/avatar/plain/did:plc:somacity7xq4kd2mz3lfa5n/"
            "bafkreiaaaa@jpeg");
  EXPECT_EQ(p.created_at, at("2023-07-21T01:02:03.456Z"));
  EXPECT_EQ(p.followers_count, 3120);
  EXPECT_EQ(p.following_count, 45);
  EXPECT_EQ(p.posts_count, 512);
  EXPECT_TRUE(p.verified);
  EXPECT_FALSE(p.is_protected);
}

TEST(BlueskyParse, ErrorBodiesAboutTheAccountAreGone) {
  struct Case {
    const char* file;
    const char* reason;
  };
  for (const Case c : {Case{"getProfile_not_found.json", "not_found"},
                       Case{"getProfile_takedown.json", "suspended"},
                       Case{"getProfile_deactivated.json", "deactivated"}}) {
    auto context = parse_context({"soma-city.bsky.social"});
    context.http_status = 400;
    const auto result = parse_fixture(BlueskyEndpoint::get_profile, c.file, context);
    EXPECT_EQ(result.outcome, ParseOutcome::platform_error) << c.file;
    ASSERT_EQ(result.observations.size(), 1u) << c.file;
    const auto g = std::get<AccountGone>(result.observations[0]);
    EXPECT_EQ(g.account_ref, "soma-city.bsky.social");
    EXPECT_EQ(g.reason, c.reason) << c.file;
  }
  // The author feed of a taken-down account says the same.
  const auto feed = parse_fixture(BlueskyEndpoint::get_author_feed, "getProfile_takedown.json",
                                  parse_context({"did:plc:x"}));
  EXPECT_EQ(std::get<AccountGone>(feed.observations.at(0)).reason, "suspended");
}

TEST(BlueskyParse, GetProfilesReportsRequestedActorsItLeftOut) {
  const auto result =
      parse_fixture(BlueskyEndpoint::get_profiles, "getProfiles.json",
                    parse_context({"City.Soma.Example.JP", "did:plc:somabousai3bq5zk6ya2xw",
                                   "@gone.example.jp"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[1].handle, "bousai.city.soma.example.jp");
  EXPECT_EQ(profiles[1].created_at, at("2023-09-01T00:00:00Z"));
  EXPECT_EQ(profiles[1].description, "");
  EXPECT_FALSE(profiles[1].verified);
  const auto gone = all_of<AccountGone>(result);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].account_ref, "@gone.example.jp");
  EXPECT_EQ(gone[0].reason, "not_found");
}

TEST(BlueskyParse, SearchActorsPagesAndKeepsSparseProfiles) {
  const auto result = parse_fixture(BlueskyEndpoint::search_actors, "searchActors.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 3u);
  EXPECT_EQ(profiles[1].handle, "soma-city-official.bsky.social");
  EXPECT_EQ(profiles[1].display_name, "相馬市（公式）");
  EXPECT_EQ(profiles[1].url, "https://bit.ly/soma-kyufu");
  EXPECT_FALSE(profiles[1].followers_count.has_value());  // profileView has no counts
  EXPECT_EQ(profiles[2].handle, "handle.invalid");
  EXPECT_EQ(result.next_cursor, "25");
  EXPECT_FALSE(result.newest_id.has_value());
}

TEST(BlueskyParse, AuthorFeedReadsRepliesQuotesLinksAndReposts) {
  const auto result = parse_fixture(BlueskyEndpoint::get_author_feed, "getAuthorFeed.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 6u);

  const Post& pinned = posts[0];
  EXPECT_EQ(pinned.conversation_root_id, pinned.post_id);  // a top-level post is its own root

  const Post& notice = posts[1];
  EXPECT_EQ(notice.post_id, kRoot);
  EXPECT_EQ(notice.author_id, kSoma);
  EXPECT_EQ(notice.author_handle, "city.soma.example.jp");
  EXPECT_EQ(notice.author_created_at, at("2023-07-21T01:02:03.456Z"));
  EXPECT_EQ(notice.text,
            "【お知らせ】本日の避難所開設状況を更新しました。city.soma.example.jp/bousai/ #相馬市");
  EXPECT_EQ(notice.created_at, at("2024-05-20T01:30:01.234Z"));  // indexedAt
  EXPECT_EQ(notice.lang, "ja");
  // The external embed and link facets, in record order; mention and tag facets are not links.
  ASSERT_EQ(notice.urls.size(), 2u);
  EXPECT_EQ(notice.urls[0], "https://www.city.soma.example.jp/bousai/hinanjo.html");
  EXPECT_EQ(notice.urls[1], "https://www.city.soma.example.jp/bousai/");
  EXPECT_EQ(notice.reply_count, 7);
  EXPECT_EQ(notice.repost_count, 42);
  EXPECT_EQ(notice.like_count, 120);
  EXPECT_EQ(notice.quote_count, 3);

  const Post& reply = posts[2];
  const std::string parent =
      "at://did:plc:somacity7xq4kd2mz3lfa5n/app.bsky.feed.post/3ksoma0000003";
  EXPECT_EQ(reply.in_reply_to_post_id, parent);
  EXPECT_EQ(reply.in_reply_to_account_id, kSoma);
  EXPECT_EQ(reply.conversation_root_id, parent);
  // No indexedAt: the record's createdAt, "+09:00" converted to UTC.
  EXPECT_EQ(reply.created_at, at("2024-05-20T01:00:05Z"));

  EXPECT_EQ(posts[3].quoted_post_id,
            "at://did:plc:somasuido00000000000/app.bsky.feed.post/3ksuido000001");

  const Post& pref = posts[4];
  EXPECT_EQ(pref.author_handle, "pref.fukushima.example.jp");
  const Post& repost = posts[5];
  EXPECT_EQ(repost.post_id,
            "at://did:plc:somacity7xq4kd2mz3lfa5n/app.bsky.feed.repost/3ksomarepost1");
  EXPECT_EQ(repost.author_id, kSoma);
  EXPECT_EQ(repost.reposted_post_id, pref.post_id);
  EXPECT_EQ(repost.created_at, at("2024-05-19T23:10:00Z"));

  EXPECT_EQ(result.next_cursor, "2024-05-19T23:10:00.000Z");
  EXPECT_TRUE(all_of<ObservationError>(result).empty());
}

TEST(BlueskyParse, PostThreadWalksNestedRepliesAndSkipsMissingPosts) {
  const auto result = parse_fixture(BlueskyEndpoint::get_post_thread, "getPostThread.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 3u);  // notFoundPost and blockedPost add nothing
  EXPECT_EQ(posts[0].post_id, kRoot);
  EXPECT_EQ(posts[0].conversation_root_id, kRoot);
  EXPECT_EQ(posts[1].author_handle, "soma-jumin.bsky.social");
  EXPECT_EQ(posts[1].in_reply_to_post_id, kRoot);
  EXPECT_EQ(posts[1].in_reply_to_account_id, kSoma);
  EXPECT_EQ(posts[1].conversation_root_id, kRoot);
  EXPECT_EQ(posts[2].in_reply_to_post_id,
            "at://did:plc:jumin00000000000000001/app.bsky.feed.post/3kreply000001");
  EXPECT_EQ(posts[2].in_reply_to_account_id, "did:plc:jumin00000000000000001");
  EXPECT_EQ(posts[2].conversation_root_id, kRoot);
  EXPECT_EQ(posts[2].lang, "");  // no langs in that record
  EXPECT_TRUE(all_of<ObservationError>(result).empty());
}

TEST(BlueskyParse, VeryDeepThreadsStopAtTheDepthLimit) {
  const std::string post =
      R"({"uri":"at://did:plc:a/app.bsky.feed.post/N","author":{"did":"did:plc:a"},)"
      R"("record":{"text":"t","createdAt":"2024-05-20T00:00:00Z"}})";
  std::string body = R"({"thread":)";
  const int levels = kMaxThreadDepth + 50;
  for (int i = 0; i < levels; ++i) body += R"({"post":)" + post + R"(,"replies":[)";
  body += "{}";
  for (int i = 0; i < levels; ++i) body += "]}";
  body += "}";
  const auto result = parse(BlueskyEndpoint::get_post_thread, body, parse_context());
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  EXPECT_EQ(all_of<Post>(result).size(), static_cast<std::size_t>(kMaxThreadDepth + 1));
  const auto errors = all_of<ObservationError>(result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("deeper posts not read"), std::string::npos);
}

TEST(BlueskyParse, MissingPostIsAPlatformError) {
  const auto result =
      parse_fixture(BlueskyEndpoint::get_post_thread, "getPostThread_not_found.json");
  EXPECT_EQ(result.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto e = std::get<ObservationError>(result.observations[0]);
  EXPECT_EQ(e.message.rfind("NotFound: Post not found: at://", 0), 0u) << e.message;
  EXPECT_EQ(e.endpoint, "app.bsky.feed.getPostThread");
}

TEST(BlueskyParse, SearchPostsReadsLinksAndQuotes) {
  const auto result = parse_fixture(BlueskyEndpoint::search_posts, "searchPosts.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  ASSERT_EQ(posts[0].urls.size(), 1u);
  EXPECT_EQ(posts[0].urls[0], "https://bit.ly/soma-kyufu");
  EXPECT_EQ(posts[0].author_display_name, "相馬市（公式）");
  EXPECT_EQ(posts[1].quoted_post_id, kRoot);
  EXPECT_EQ(result.next_cursor, "25");
}

TEST(BlueskyParse, NotificationsKeepRepliesMentionsAndQuotesOnly) {
  const auto result = parse_fixture(BlueskyEndpoint::list_notifications, "listNotifications.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 3u);  // like, repost and follow are not posts to the account
  EXPECT_EQ(posts[0].in_reply_to_post_id, kRoot);
  EXPECT_EQ(posts[0].author_handle, "soma-jumin.bsky.social");
  EXPECT_EQ(posts[0].created_at, at("2024-05-20T02:15:31Z"));
  EXPECT_EQ(posts[1].author_id, "did:plc:fakesoma9kd0v2ow8ka3ac");
  ASSERT_EQ(posts[1].urls.size(), 1u);
  EXPECT_EQ(posts[1].urls[0], "https://bit.ly/soma-kyufu");
  EXPECT_EQ(posts[2].quoted_post_id, kRoot);
  EXPECT_EQ(result.next_cursor, "2024-05-20T02:15:31.000Z");
  EXPECT_TRUE(all_of<ObservationError>(result).empty());
}

TEST(BlueskyParse, WrongShapesAreMalformedAndBadItemsSkipped) {
  for (const std::string body : {"{}", R"({"feed":{}})", R"({"feed":"x"})", "[]",
                                 R"({"feed":[{"post":{"uri":"at://x"}},)"}) {
    const auto result = parse(BlueskyEndpoint::get_author_feed, body, parse_context());
    EXPECT_EQ(result.outcome, ParseOutcome::malformed) << body;
    EXPECT_EQ(result.observations.size(), 1u) << body;
  }
  const auto result = parse(
      BlueskyEndpoint::get_author_feed,
      R"({"feed":[1,{"post":5},{"post":{"uri":"at://did:plc:a/app.bsky.feed.like/1",)"
      R"("record":{"$type":"app.bsky.feed.like"}}},{"post":{"uri":"at://did:plc:a/app.bsky.feed.post/2",)"
      R"("record":{"text":["not","text"],"createdAt":"yesterday","langs":"ja","reply":7}}}]})",
      parse_context());
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].text, "");
  EXPECT_EQ(posts[0].created_at, at("2024-05-20T12:00:00Z"));
  EXPECT_EQ(posts[0].lang, "");
  const auto errors = all_of<ObservationError>(result);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].message, "feed[0]: not a feed item; skipped");
  EXPECT_EQ(errors[1].message, "feed[1]: not a post object; skipped");
  EXPECT_EQ(errors[2].message, "feed[2]: record of type app.bsky.feed.like is not a post; skipped");
}

TEST(BlueskyParse, EveryTruncationOfAFeedIsRejectedWhole) {
  mamori::testing::expect_every_truncation_rejected(
      fixture("getAuthorFeed.json"), [](std::string_view b) {
        return parse(BlueskyEndpoint::get_author_feed, b, parse_context());
      });
}

TEST(BlueskyParse, AtUriAuthority) {
  EXPECT_EQ(at_uri_authority(kRoot), kSoma);
  EXPECT_EQ(at_uri_authority("at://did:plc:abc"), "did:plc:abc");
  EXPECT_EQ(at_uri_authority("https://bsky.app/profile/x"), "");
  EXPECT_EQ(at_uri_authority(""), "");
}

TEST(BlueskyParse, GetQuotesYieldsQuotePosts) {
  const auto result = parse_fixture(BlueskyEndpoint::get_quotes, "getQuotes.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto post = std::get<Post>(result.observations[0]);
  EXPECT_EQ(post.post_id, "at://did:plc:passerby000000000000000/app.bsky.feed.post/3kqz2bbbbbb2b");
  EXPECT_EQ(post.quoted_post_id,
            "at://did:plc:somacity7xq4kd2mz3lfa5n/app.bsky.feed.post/3kqz1aaaaaa2a");
  EXPECT_EQ(post.author_handle, "passerby.bsky.social");
  EXPECT_EQ(result.next_cursor, "1733457600000::bafyreinext");
  EXPECT_EQ(bluesky_endpoint_from_name("app.bsky.feed.getQuotes"), BlueskyEndpoint::get_quotes);
}

}  // namespace
}  // namespace mamori::collectors::bluesky
