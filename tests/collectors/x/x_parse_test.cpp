#include "collectors/x/x_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::x {
namespace {

using mamori::testing::all_of;
using mamori::testing::at;
using mamori::testing::parse_context;
using model::AccountGone;
using model::ObservationError;
using model::Post;
using model::ProfileSnapshot;

std::string fixture(std::string_view name) {
  return mamori::testing::parser_fixture("x", name);
}

ParseResult parse_fixture(XEndpoint endpoint, std::string_view name,
                          const ParseContext& context = parse_context()) {
  return parse(endpoint, fixture(name), context);
}

TEST(XParse, UserByUsernameReadsEveryProfileField) {
  const auto result = parse_fixture(XEndpoint::user_by_username, "users_by_username.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto p = std::get<ProfileSnapshot>(result.observations[0]);
  EXPECT_EQ(p.platform, model::Platform::x);
  EXPECT_EQ(p.account_id, "1234567890123456789");
  EXPECT_EQ(p.handle, "soma_city");
  EXPECT_EQ(p.display_name, "相馬市【公式】");
  EXPECT_EQ(p.description, "福島県相馬市の公式アカウントです。運用方針 https://t.co/AbCd1234Ef");
  // The website field is a t.co link; the expanded target is what matters.
  EXPECT_EQ(p.url, "https://www.city.soma.example.jp/");
  EXPECT_EQ(p.avatar_url,
            "https://pbs.twimg.com/profile_images/1600000000000000000/SomaLogo_normal.jpg");
  EXPECT_EQ(p.created_at, at("2013-04-01T00:00:00Z"));
  EXPECT_EQ(p.followers_count, 15230);
  EXPECT_EQ(p.following_count, 120);
  EXPECT_EQ(p.posts_count, 4321);
  EXPECT_TRUE(p.verified);
  EXPECT_FALSE(p.is_protected);
  EXPECT_EQ(p.observed_at, at("2024-05-20T12:00:00Z"));
  EXPECT_FALSE(result.next_cursor.has_value());
  EXPECT_FALSE(result.newest_id.has_value());
}

TEST(XParse, UnknownUsernameInsideA200IsGoneNotFound) {
  const auto result =
      parse_fixture(XEndpoint::user_by_username, "users_by_username_not_found.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto g = std::get<AccountGone>(result.observations[0]);
  EXPECT_EQ(g.account_ref, "soma_city_x");
  EXPECT_EQ(g.reason, "not_found");
  EXPECT_EQ(g.observed_at, at("2024-05-20T12:00:00Z"));
}

TEST(XParse, SuspendedUserIsGoneSuspended) {
  const auto result =
      parse_fixture(XEndpoint::user_by_username, "users_by_username_suspended.json");
  ASSERT_EQ(result.observations.size(), 1u);
  const auto g = std::get<AccountGone>(result.observations[0]);
  EXPECT_EQ(g.account_ref, "soma_clty");
  EXPECT_EQ(g.reason, "suspended");
}

TEST(XParse, BatchLookupMixesProfilesAndPartialErrors) {
  const auto result = parse_fixture(XEndpoint::users_by, "users_by.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].handle, "soma_city");
  EXPECT_EQ(profiles[0].url, "");  // "url": "" and no entities
  EXPECT_EQ(profiles[1].handle, "soma_bousai");
  EXPECT_EQ(profiles[1].display_name, "相馬市 防災");
  EXPECT_EQ(profiles[1].avatar_url, "");  // profile_image_url not in this record
  const auto gone = all_of<AccountGone>(result);
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].account_ref, "soma_kanko_old");
  EXPECT_EQ(gone[0].reason, "not_found");
  EXPECT_EQ(gone[1].account_ref, "s0ma_city");
  EXPECT_EQ(gone[1].reason, "suspended");
  EXPECT_TRUE(all_of<ObservationError>(result).empty());
}

TEST(XParse, UserSearchToleratesMissingAndUnknownFieldsAndPages) {
  const auto result = parse_fixture(XEndpoint::users_search, "users_search.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 3u);
  EXPECT_EQ(profiles[1].handle, "soma__city");
  EXPECT_EQ(profiles[1].url, "https://bit.ly/soma-kyufu");
  EXPECT_EQ(profiles[1].created_at, at("2024-05-01T09:15:42Z"));
  EXPECT_EQ(profiles[1].followers_count, 12);
  // Only id, name and username: everything else is simply absent.
  EXPECT_EQ(profiles[2].handle, "somashi_fan");
  EXPECT_EQ(profiles[2].display_name, "そうまし");
  EXPECT_FALSE(profiles[2].created_at.has_value());
  EXPECT_FALSE(profiles[2].followers_count.has_value());
  EXPECT_FALSE(profiles[2].verified);
  EXPECT_EQ(result.next_cursor, "b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy");
}

TEST(XParse, UserTimelineJoinsAuthorsAndReadsReferences) {
  const auto result = parse_fixture(XEndpoint::user_tweets, "users_tweets.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  // The five listed and the reposted one X included (includes.tweets); included users are
  // context only (they fill the posts' author fields).
  ASSERT_EQ(posts.size(), 6u);
  EXPECT_EQ(result.observations.size(), 6u);

  const Post& notice = posts[0];
  EXPECT_EQ(notice.post_id, "1795000000000000005");
  EXPECT_EQ(notice.author_id, "1234567890123456789");
  EXPECT_EQ(notice.author_handle, "soma_city");
  EXPECT_EQ(notice.author_display_name, "相馬市【公式】");
  EXPECT_EQ(notice.author_created_at, at("2013-04-01T00:00:00Z"));
  EXPECT_EQ(notice.author_followers_count, 15230);
  EXPECT_EQ(notice.created_at, at("2024-05-20T01:30:00Z"));
  EXPECT_EQ(notice.conversation_root_id, "1795000000000000005");
  EXPECT_FALSE(notice.in_reply_to_post_id.has_value());
  // The photo link carries a media_key and is an attachment, not a link.
  ASSERT_EQ(notice.urls.size(), 1u);
  EXPECT_EQ(notice.urls[0], "https://www.city.soma.example.jp/bousai/hinanjo.html");
  EXPECT_EQ(notice.client, "Twitter Web App");
  EXPECT_EQ(notice.lang, "ja");
  EXPECT_EQ(notice.repost_count, 42);
  EXPECT_EQ(notice.reply_count, 7);
  EXPECT_EQ(notice.like_count, 120);
  EXPECT_EQ(notice.quote_count, 3);

  const Post& reply = posts[1];
  EXPECT_EQ(reply.in_reply_to_post_id, "1795000000000000003");
  EXPECT_EQ(reply.in_reply_to_account_id, "1234567890123456789");
  EXPECT_EQ(reply.conversation_root_id, "1795000000000000003");

  EXPECT_EQ(posts[2].quoted_post_id, "1794999999999999999");
  EXPECT_EQ(posts[2].client, "Twitter for iPhone");
  EXPECT_EQ(posts[3].reposted_post_id, "1794990000000000000");
  EXPECT_EQ(posts[3].client, "");  // no source field

  // A long post: note_tweet carries the whole text and its own links.
  const Post& long_post = posts[4];
  EXPECT_NE(long_post.text.find("申込締切：6月10日（月）\n問い合わせ"), std::string::npos);
  EXPECT_EQ(long_post.text.find("いたします…"), std::string::npos);
  ASSERT_EQ(long_post.urls.size(), 1u);
  EXPECT_EQ(long_post.urls[0], "https://www.city.soma.example.jp/bousai/kunren2024.html");

  // The included post comes after the listed ones and does not move the cursor.
  EXPECT_EQ(posts[5].post_id, "1794990000000000000");
  EXPECT_EQ(posts[5].author_id, "3000000001");
  EXPECT_NE(posts[5].text.find("大雨警報"), std::string::npos);
  EXPECT_EQ(result.newest_id, "1795000000000000005");
  EXPECT_EQ(result.next_cursor, "7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix");
}

TEST(XParse, MentionsIgnoreDeletedReferencedTweets) {
  const auto result = parse_fixture(XEndpoint::user_mentions, "users_mentions.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 4u);  // and the city's post they answer (includes.tweets)
  EXPECT_TRUE(all_of<ObservationError>(result).empty());
  EXPECT_TRUE(all_of<AccountGone>(result).empty());
  EXPECT_EQ(posts[0].text,
            "@soma_city 避難所の場所が間違っていませんか？中村第二小学校は閉鎖中と聞きました。");
  EXPECT_EQ(posts[0].author_handle, "soma_jumin");
  EXPECT_EQ(posts[0].in_reply_to_post_id, "1795000000000000005");
  EXPECT_EQ(posts[0].client, "Twitter for Android");
  EXPECT_EQ(posts[1].author_handle, "soma__city");
  EXPECT_EQ(posts[1].author_display_name, "相馬市（公式）");
  EXPECT_EQ(posts[1].author_created_at, at("2024-05-01T09:15:42Z"));
  ASSERT_EQ(posts[1].urls.size(), 1u);
  EXPECT_EQ(posts[1].urls[0], "https://bit.ly/soma-kyufu");
  EXPECT_EQ(posts[2].quoted_post_id, "1795000000000000005");
  EXPECT_EQ(posts[3].post_id, "1795000000000000005");
  EXPECT_EQ(posts[3].author_id, "1234567890123456789");  // its author was not expanded
  EXPECT_EQ(result.newest_id, "1795100000000000003");
}

TEST(XParse, RecentSearchConvertsOffsetsAndKeepsPostsWithoutExpandedAuthor) {
  const auto result = parse_fixture(XEndpoint::tweets_search_recent, "tweets_search_recent.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 5u);  // and the two they answer (includes.tweets)
  EXPECT_EQ(posts[3].post_id, "1795100000000000003");
  EXPECT_EQ(posts[4].post_id, "1795000000000000005");
  EXPECT_EQ(posts[0].in_reply_to_post_id, "1795100000000000003");
  EXPECT_EQ(posts[0].in_reply_to_account_id, "4000000003");
  EXPECT_EQ(posts[0].conversation_root_id, "1795000000000000005");
  EXPECT_EQ(posts[0].author_handle, "kinjo_no_hito");
  EXPECT_EQ(posts[1].created_at, at("2024-05-19T17:18:00Z"));  // "+09:00"
  EXPECT_EQ(posts[1].text, "@soma_city ありがとうございます！🙏 助かります。");
  EXPECT_EQ(posts[1].author_handle, "soma_resident");
  EXPECT_FALSE(posts[1].author_followers_count.has_value());
  // The author of the third post is suspended: the post stays, its author fields are empty,
  // and an error about a user other than the request's subject is not a `gone`.
  EXPECT_EQ(posts[2].author_id, "4000000009");
  EXPECT_EQ(posts[2].author_handle, "");
  EXPECT_TRUE(all_of<AccountGone>(result).empty());
  EXPECT_TRUE(all_of<ObservationError>(result).empty());
  EXPECT_EQ(result.newest_id, "1795100000000000006");
  EXPECT_EQ(result.next_cursor, "b26v89c19zqg8o3fosbscxixk8w7ae1enpmc3bg8v1ulp");
}

TEST(XParse, EmptyPageIsOkAndEmpty) {
  const auto result =
      parse_fixture(XEndpoint::tweets_search_recent, "tweets_search_recent_empty.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  EXPECT_TRUE(result.observations.empty());
  EXPECT_FALSE(result.next_cursor.has_value());
  EXPECT_FALSE(result.newest_id.has_value());
}

TEST(XParse, ProblemDocumentIsAPlatformErrorWithItsStatus) {
  const auto result = parse_fixture(XEndpoint::user_mentions, "problem_429.json");
  EXPECT_EQ(result.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto e = std::get<ObservationError>(result.observations[0]);
  EXPECT_EQ(e.message, "Too Many Requests: Too Many Requests");
  EXPECT_EQ(e.http_status, 429);  // from the body when the caller did not pass one
  EXPECT_EQ(e.endpoint, "users/:id/mentions");

  auto context = parse_context();
  context.http_status = 401;
  const auto unauthorized = parse(XEndpoint::users_by, fixture("problem_401.json"), context);
  EXPECT_EQ(unauthorized.outcome, ParseOutcome::platform_error);
  EXPECT_EQ(std::get<ObservationError>(unauthorized.observations.at(0)).http_status, 401);
}

TEST(XParse, InvalidRequestCarriesTheParameterMessage) {
  const auto result = parse_fixture(XEndpoint::tweets_search_recent, "invalid_request.json");
  EXPECT_EQ(result.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto e = std::get<ObservationError>(result.observations[0]);
  EXPECT_NE(e.message.find("Invalid Request"), std::string::npos);
  EXPECT_NE(e.message.find("`max_results` query parameter value [5]"), std::string::npos);
}

TEST(XParse, WrongTypesReadAsAbsentAndBadRecordsAreSkippedWithAReason) {
  const auto result = parse_fixture(XEndpoint::user_mentions, "wrong_types.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  const Post& odd = posts[0];
  EXPECT_EQ(odd.post_id, "1795200000000000002");
  EXPECT_EQ(odd.text, "");
  EXPECT_EQ(odd.author_id, "");
  EXPECT_EQ(odd.created_at, at("2024-05-20T12:00:00Z"));  // not a string: first seen
  EXPECT_FALSE(odd.conversation_root_id.has_value());
  EXPECT_FALSE(odd.in_reply_to_account_id.has_value());
  EXPECT_FALSE(odd.in_reply_to_post_id.has_value());
  EXPECT_TRUE(odd.urls.empty());
  EXPECT_EQ(odd.repost_count, 0);  // "12" is a string
  EXPECT_EQ(odd.reply_count, 0);   // 1.5 is not an integer
  EXPECT_EQ(odd.like_count, -3);
  EXPECT_EQ(odd.quote_count, 0);
  EXPECT_EQ(odd.lang, "");
  EXPECT_EQ(posts[1].in_reply_to_post_id, "1795200000000000002");
  EXPECT_EQ(posts[1].author_handle, "");  // the included user had a numeric id

  const auto errors = all_of<ObservationError>(result);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message, "data[0]: post without an id; skipped");
  EXPECT_EQ(errors[1].message, "data[2]: not a post object; skipped");
  // meta.newest_id was a number; the newest id is then taken from the posts themselves.
  EXPECT_EQ(result.newest_id, "1795200000000000004");
}

TEST(XParse, EveryTruncationOfAPageIsRejectedWhole) {
  const std::string body = fixture("users_mentions.json");
  mamori::testing::expect_every_truncation_rejected(
      body, [](std::string_view b) { return parse(XEndpoint::user_mentions, b, parse_context()); });
}

TEST(XParse, MalformedBodyNamesWhereItBroke) {
  const std::string body =
      "{\n  \"data\": [\n    {\"id\": \"1\", \"text\": \"a\"},\n    {\"id\": \"2\" \"text\": "
      "\"b\"}\n  ]\n}";
  const auto result = parse(XEndpoint::user_tweets, body, parse_context());
  EXPECT_EQ(result.outcome, ParseOutcome::malformed);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto e = std::get<ObservationError>(result.observations[0]);
  EXPECT_NE(e.message.find("malformed JSON at line 4"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("data[1]"), std::string::npos) << e.message;
  EXPECT_TRUE(all_of<Post>(result).empty());  // post "1" read fine, but is not handed out
}

TEST(XParse, NonJsonBodiesAreMalformedWithASnippet) {
  const auto html = parse(XEndpoint::user_tweets,
                          "<html><body><h1>502 Bad Gateway</h1></body></html>", parse_context());
  EXPECT_EQ(html.outcome, ParseOutcome::malformed);
  const auto e = std::get<ObservationError>(html.observations.at(0));
  EXPECT_NE(e.message.find("<html><body><h1>502 Bad Gateway"), std::string::npos) << e.message;

  const auto empty = parse(XEndpoint::user_tweets, "", parse_context());
  EXPECT_EQ(empty.outcome, ParseOutcome::malformed);
  EXPECT_NE(std::get<ObservationError>(empty.observations.at(0)).message.find("empty body"),
            std::string::npos);

  for (const std::string body :
       {"{}", "[]", "null", "\"data\"", "{\"meta\":{}} {\"data\":[]}", "{\"meta\":{}}}",
        "{\"data\":{\"id\":\"1\"}}", "{\"data\":[{\"id\":\"1\",\"text\":tru}]}",
        "{\"data\":[{\"id\":\"1\",\"public_metrics\":{\"like_count\":1x}}]}"}) {
    const auto result = parse(XEndpoint::user_tweets, body, parse_context());
    EXPECT_EQ(result.outcome, ParseOutcome::malformed) << body;
    EXPECT_EQ(result.observations.size(), 1u) << body;
  }
}

TEST(XParse, UntrustedTextIsCleanedAndLoneSurrogatesReplaced) {
  const std::string body =
      R"({"data":[{"id":"1","text":"a\u0000b\u001bc\ud83d d\uD83D\uDE4F","created_at":"2024-05-20T00:00:00Z"}]})";
  const auto result = parse(XEndpoint::user_tweets, body, parse_context());
  ASSERT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].text,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD d🙏");
}

TEST(XParse, DeepNestingInUnknownFieldsIsSkippedAndUnbalancedNestingRejected) {
  // On-Demand skips a value it is not asked for by counting brackets, without recursion.
  std::string body = R"({"data":[{"id":"1","future":)";
  for (int i = 0; i < 5000; ++i) body += "[";
  for (int i = 0; i < 5000; ++i) body += "]";
  body += "}]}";
  const auto result = parse(XEndpoint::user_tweets, body, parse_context());
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  EXPECT_EQ(all_of<Post>(result).size(), 1u);

  std::string unbalanced = R"({"data":[{"id":"1","future":)";
  for (int i = 0; i < 5000; ++i) unbalanced += "[";
  unbalanced += "}]}";
  const auto broken = parse(XEndpoint::user_tweets, unbalanced, parse_context());
  EXPECT_EQ(broken.outcome, ParseOutcome::malformed);
  EXPECT_EQ(broken.observations.size(), 1u);
}

TEST(XParse, EndpointNamesRoundTrip) {
  for (const auto name : endpoint_names(model::Platform::x)) {
    const auto e = x_endpoint_from_name(name);
    ASSERT_TRUE(e.has_value()) << name;
    EXPECT_EQ(endpoint_name(*e), name);
  }
  EXPECT_EQ(endpoint_name(XEndpoint::user_tweets), "users/:id/tweets");
  EXPECT_FALSE(x_endpoint_from_name("2/users/:id/tweets").has_value());
}

TEST(XParse, CountsRecentReadsTheSeriesOldestFirst) {
  const auto result = parse_fixture(XEndpoint::tweets_counts_recent, "tweets_counts_recent.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  EXPECT_TRUE(result.observations.empty());
  ASSERT_EQ(result.counts.size(), 3u);
  EXPECT_EQ(result.counts[0].start, at("2026-12-06T04:00:00Z"));
  EXPECT_EQ(result.counts[0].end, at("2026-12-06T04:01:00Z"));
  EXPECT_EQ(result.counts[0].count, 0);
  EXPECT_EQ(result.counts[1].count, 3);
  EXPECT_EQ(result.counts[2].start, at("2026-12-06T04:02:00Z"));
  EXPECT_EQ(result.counts[2].count, 41);
}

TEST(XParse, CountsRecentSkipsBrokenBucketsWithAClearError) {
  const auto result =
      parse_fixture(XEndpoint::tweets_counts_recent, "tweets_counts_recent_bad_bucket.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.counts.size(), 1u);  // only the well-formed bucket
  EXPECT_EQ(result.counts[0].count, 2);
  std::vector<std::string> errors;
  for (const auto& o : result.observations) errors.push_back(std::get<ObservationError>(o).message);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find("data[1]: count bucket ends before it starts"), std::string::npos);
  EXPECT_NE(errors[1].find("data[2]: count bucket without a non-negative tweet_count"),
            std::string::npos);
  EXPECT_NE(errors[2].find("data[3]: count bucket without a valid start and end"),
            std::string::npos);
}

TEST(XParse, CountsRecentTotalThatDisagreesIsReported) {
  const auto result = parse(XEndpoint::tweets_counts_recent,
                            R"({"data":[{"start":"2026-12-06T04:00:00.000Z",)"
                            R"("end":"2026-12-06T04:01:00.000Z","tweet_count":2}],)"
                            R"("meta":{"total_tweet_count":9}})",
                            parse_context());
  ASSERT_EQ(result.counts.size(), 1u);
  ASSERT_EQ(result.observations.size(), 1u);
  EXPECT_NE(std::get<ObservationError>(result.observations[0]).message.find("differs"),
            std::string::npos);
  // An empty series (no data, meta only) is a normal answer; a problem document is not.
  const auto empty = parse(XEndpoint::tweets_counts_recent, R"({"meta":{"total_tweet_count":0}})",
                           parse_context());
  EXPECT_EQ(empty.outcome, ParseOutcome::ok);
  EXPECT_TRUE(empty.counts.empty());
  const auto problem = parse_fixture(XEndpoint::tweets_counts_recent, "problem_429.json");
  EXPECT_EQ(problem.outcome, ParseOutcome::platform_error);
  const auto broken =
      parse(XEndpoint::tweets_counts_recent, R"({"data":{"start":1}})", parse_context());
  EXPECT_EQ(broken.outcome, ParseOutcome::malformed);
  EXPECT_TRUE(broken.counts.empty());
}

TEST(XParse, QuoteTweetsArePostsQuotingTheCityPost) {
  const auto result = parse_fixture(XEndpoint::quote_tweets, "quote_tweets.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  // The quote, then the city's post it quotes (includes.tweets).
  ASSERT_EQ(result.observations.size(), 2u);
  EXPECT_EQ(std::get<Post>(result.observations[1]).post_id, "1795100000000000000");
  const auto post = std::get<Post>(result.observations[0]);
  EXPECT_EQ(post.post_id, "1795200000000000001");
  EXPECT_EQ(post.quoted_post_id, "1795100000000000000");
  EXPECT_EQ(post.author_handle, "passerby_01");
  EXPECT_EQ(result.next_cursor, "7140dibdnow9c7btw3z3");
  EXPECT_EQ(endpoint_name(XEndpoint::quote_tweets), "tweets/:id/quote_tweets");
  EXPECT_EQ(x_endpoint_from_name("tweets/counts/recent"), XEndpoint::tweets_counts_recent);
}

TEST(XParse, IncludedPostsArePostsOnceAndABrokenOneIsSkippedWithAnError) {
  const auto result =
      parse(XEndpoint::user_mentions,
            R"({"data":[{"id":"20","text":"@soma_city 引用","author_id":"7",)"
            R"("referenced_tweets":[{"type":"quoted","id":"10"}]}],)"
            R"("includes":{"tweets":[{"id":"10","text":"元の投稿","author_id":"8"},)"
            R"({"text":"no id"},3,{"id":"20","text":"listed twice"}],)"
            R"("users":[{"id":"8","username":"moto","name":"元"}]},)"
            R"("meta":{"newest_id":"20","result_count":1}})",
            parse_context());
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].text, "@soma_city 引用");  // the listed one, not its included copy
  EXPECT_EQ(posts[1].post_id, "10");
  EXPECT_EQ(posts[1].author_handle, "moto");
  const auto errors = all_of<ObservationError>(result);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].message.find("includes.tweets[1]"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[1].message.find("includes.tweets[2]"), std::string::npos) << errors[1].message;
  EXPECT_EQ(result.newest_id, "20");
}

}  // namespace
}  // namespace mamori::collectors::x
