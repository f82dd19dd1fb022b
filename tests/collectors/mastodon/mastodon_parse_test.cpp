#include "collectors/mastodon/mastodon_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/parse_test_support.h"

namespace mamori::collectors::mastodon {
namespace {

using mamori::testing::all_of;
using mamori::testing::at;
using mamori::testing::parse_context;
using model::AccountGone;
using model::ObservationError;
using model::Post;
using model::ProfileSnapshot;

std::string fixture(std::string_view name) {
  return mamori::testing::parser_fixture("mastodon", name);
}

ParseResult parse_fixture(MastodonEndpoint endpoint, std::string_view name,
                          const ParseContext& context = parse_context()) {
  return parse(endpoint, fixture(name), context);
}

TEST(MastodonParse, LookupConvertsTheNoteAndPrefersTheVerifiedLink) {
  const auto result = parse_fixture(MastodonEndpoint::accounts_lookup, "accounts_lookup.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(result.observations.size(), 1u);
  const auto p = std::get<ProfileSnapshot>(result.observations[0]);
  EXPECT_EQ(p.platform, model::Platform::mastodon);
  EXPECT_EQ(p.account_id, "109876543210987654");
  EXPECT_EQ(p.handle, "soma_city");
  EXPECT_EQ(p.display_name, "相馬市【公式】");
  EXPECT_EQ(p.description,
            "福島県相馬市の公式アカウントです。\n運用方針はこちら："
            "https://www.city.soma.example.jp/sns/policy.html\n\n"
            "※個別のご質問にはお答えしかねます & ご了承ください。 #相馬市");
  EXPECT_EQ(p.url, "https://www.city.soma.example.jp/");
  EXPECT_TRUE(p.verified);
  EXPECT_FALSE(p.is_protected);
  EXPECT_EQ(p.created_at, at("2022-11-08T00:00:00Z"));
  EXPECT_EQ(p.followers_count, 2048);
  EXPECT_EQ(p.following_count, 16);
  EXPECT_EQ(p.posts_count, 730);
}

TEST(MastodonParse, RecordNotFoundAndSuspendedAccountsAreGone) {
  auto context = parse_context({"soma_city_x"});
  context.http_status = 404;
  const auto missing =
      parse_fixture(MastodonEndpoint::accounts_lookup, "accounts_lookup_not_found.json", context);
  EXPECT_EQ(missing.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(missing.observations.size(), 1u);
  EXPECT_EQ(std::get<AccountGone>(missing.observations[0]).account_ref, "soma_city_x");
  EXPECT_EQ(std::get<AccountGone>(missing.observations[0]).reason, "not_found");

  const auto suspended =
      parse_fixture(MastodonEndpoint::accounts_lookup, "accounts_lookup_suspended.json");
  EXPECT_EQ(suspended.outcome, ParseOutcome::ok);
  ASSERT_EQ(suspended.observations.size(), 1u);
  EXPECT_EQ(std::get<AccountGone>(suspended.observations[0]).account_ref, "soma_clty");
  EXPECT_EQ(std::get<AccountGone>(suspended.observations[0]).reason, "suspended");

  // Moved to another account: the profile is inactive (Account entity `moved`), as gone as a
  // suspended one; only that account, not the new one named inside.
  const auto moved = parse_fixture(MastodonEndpoint::accounts_lookup, "accounts_lookup_moved.json");
  EXPECT_EQ(moved.outcome, ParseOutcome::ok);
  ASSERT_EQ(moved.observations.size(), 1u);
  EXPECT_EQ(std::get<AccountGone>(moved.observations[0]).account_ref, "soma_cityy");
  EXPECT_EQ(std::get<AccountGone>(moved.observations[0]).reason, "moved");
  // `moved: null` is an ordinary account.
  const auto not_moved =
      parse_fixture(MastodonEndpoint::accounts_lookup, "accounts_lookup_moved_null.json");
  EXPECT_EQ(not_moved.outcome, ParseOutcome::ok);
  ASSERT_EQ(not_moved.observations.size(), 1u);
  EXPECT_EQ(std::get<ProfileSnapshot>(not_moved.observations[0]).handle, "soma_cty");

  // A missing status is not a missing account.
  const auto context_missing =
      parse_fixture(MastodonEndpoint::status_context, "accounts_lookup_not_found.json", context);
  EXPECT_EQ(context_missing.outcome, ParseOutcome::platform_error);
  EXPECT_EQ(std::get<ObservationError>(context_missing.observations.at(0)).message,
            "Record not found");
  EXPECT_EQ(std::get<ObservationError>(context_missing.observations.at(0)).http_status, 404);
}

TEST(MastodonParse, AccountSearchKeepsRemoteAcct) {
  const auto result = parse_fixture(MastodonEndpoint::accounts_search, "accounts_search.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto profiles = all_of<ProfileSnapshot>(result);
  ASSERT_EQ(profiles.size(), 3u);
  EXPECT_EQ(profiles[0].handle, "soma_city");
  EXPECT_EQ(profiles[1].handle, "soma_city@fedi.example.net");
  EXPECT_TRUE(profiles[1].is_protected);  // locked
  EXPECT_FALSE(profiles[1].verified);     // its link is not verified
  EXPECT_EQ(profiles[1].url, "https://soma-city.example.com/");
  EXPECT_EQ(profiles[1].description,
            "相馬市の公式です。給付金のご案内 → https://bit.ly/soma-kyufu");
  EXPECT_EQ(profiles[2].handle, "somashi_fan@other.example.org");
  EXPECT_FALSE(profiles[2].created_at.has_value());
}

TEST(MastodonParse, SearchV2ReadsAccountsAndStatuses) {
  const auto result = parse_fixture(MastodonEndpoint::search, "search.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  ASSERT_EQ(all_of<ProfileSnapshot>(result).size(), 1u);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].author_handle, "soma_city@fedi.example.net");
  EXPECT_EQ(posts[0].text, "相馬市からのお知らせ：給付金の申請はこちら https://bit.ly/soma-kyufu");
  ASSERT_EQ(posts[0].urls.size(), 1u);
  EXPECT_EQ(posts[0].urls[0], "https://bit.ly/soma-kyufu");
}

TEST(MastodonParse, StatusesConvertHtmlAndReadReblogsQuotesAndClients) {
  auto context = parse_context();
  context.link_header =
      "<https://mastodon.example.jp/api/v1/accounts/109876543210987654/statuses?max_id="
      "112500000000000001>; rel=\"next\", "
      "<https://mastodon.example.jp/api/v1/accounts/109876543210987654/statuses?min_id="
      "112500000000000005>; rel=\"prev\"";
  const auto result =
      parse_fixture(MastodonEndpoint::account_statuses, "accounts_statuses.json", context);
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 5u);

  const Post& notice = posts[0];
  EXPECT_EQ(notice.post_id, "112500000000000005");
  EXPECT_EQ(notice.text,
            "【お知らせ】本日の避難所開設状況を更新しました。\n詳しくは "
            "https://www.city.soma.example.jp/bousai/hinanjo.html をご覧ください。\n\n"
            "@fukushima_pref #防災");
  // The link and the preview card (the same URL); mention and hashtag anchors are not links.
  ASSERT_EQ(notice.urls.size(), 1u);
  EXPECT_EQ(notice.urls[0], "https://www.city.soma.example.jp/bousai/hinanjo.html");
  EXPECT_EQ(notice.client, "Web");
  EXPECT_EQ(notice.author_handle, "soma_city");
  EXPECT_EQ(notice.author_followers_count, 2048);
  EXPECT_EQ(notice.conversation_root_id, "112500000000000005");
  EXPECT_EQ(notice.reply_count, 7);
  EXPECT_EQ(notice.repost_count, 42);
  EXPECT_EQ(notice.like_count, 120);
  EXPECT_EQ(notice.quote_count, 3);
  EXPECT_EQ(notice.lang, "ja");

  EXPECT_EQ(posts[1].in_reply_to_post_id, "112500000000000003");
  EXPECT_EQ(posts[1].in_reply_to_account_id, "109876543210987654");
  EXPECT_FALSE(posts[1].conversation_root_id.has_value());

  const Post& reblog = posts[2];
  EXPECT_EQ(reblog.post_id, "112500000000000002");
  EXPECT_EQ(reblog.reposted_post_id, "112499000000000001");
  EXPECT_EQ(reblog.text, "");
  EXPECT_EQ(reblog.client, "");  // "application": null
  EXPECT_EQ(reblog.lang, "");    // "language": null
  const Post& original = posts[3];
  EXPECT_EQ(original.post_id, "112499000000000001");
  EXPECT_EQ(original.author_handle, "fukushima_pref@pref.example.jp");
  EXPECT_EQ(original.text, "【県からのお知らせ】大雨警報が発表されました。");

  const Post& warned = posts[4];
  EXPECT_EQ(warned.text,
            "災害関連情報\n\n訓練のお知らせ <6月15日> 会場：市民会館\xC2\xA0大ホール\n\n"
            "問い合わせ：危機管理課 ☎ 0244-00-0000");  // the script's text is dropped
  EXPECT_EQ(warned.client, "相馬市広報システム");
  EXPECT_EQ(warned.quoted_post_id, "112400000000000009");

  EXPECT_EQ(result.newest_id, "112500000000000005");
  EXPECT_EQ(result.next_cursor, "112500000000000001");
}

TEST(MastodonParse, ContextGivesEveryPostTheThreadRoot) {
  const auto result = parse_fixture(MastodonEndpoint::status_context, "statuses_context.json",
                                    parse_context({"112500000000000104"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 3u);
  for (const auto& p : posts) EXPECT_EQ(p.conversation_root_id, "112500000000000005");
  EXPECT_EQ(posts[1].author_handle, "soma_jumin@fedi.example.net");
  EXPECT_EQ(posts[1].client, "Tusky");
  EXPECT_EQ(posts[1].text,
            "@soma_city 避難所の場所が間違っていませんか？中村第二小学校は閉鎖中と聞きました。");
  EXPECT_TRUE(posts[1].urls.empty());
  EXPECT_EQ(posts[2].in_reply_to_post_id, "112500000000000104");
  EXPECT_FALSE(result.newest_id.has_value());

  // With no ancestors the requested status is the top of the thread.
  const auto top = parse(MastodonEndpoint::status_context,
                         R"({"ancestors":[],"descendants":[{"id":"9","in_reply_to_id":"8",)"
                         R"("content":"<p>返信</p>","created_at":"2024-05-20T00:00:00Z"}]})",
                         parse_context({"8"}));
  ASSERT_EQ(all_of<Post>(top).size(), 1u);
  EXPECT_EQ(all_of<Post>(top)[0].conversation_root_id, "8");
}

TEST(MastodonParse, NotificationsKeepMentionsAndQuotesAndTrackEveryId) {
  const auto result = parse_fixture(MastodonEndpoint::notifications, "notifications.json");
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].post_id, "112500000000000103");
  EXPECT_EQ(posts[0].in_reply_to_post_id, "112500000000000005");
  EXPECT_EQ(posts[0].author_created_at, at("2023-11-11T00:00:00Z"));
  EXPECT_EQ(posts[1].quoted_post_id, "112500000000000005");
  EXPECT_TRUE(all_of<ObservationError>(result).empty());
  // since_id pages by notification id, so the newest id counts skipped types too.
  EXPECT_EQ(result.newest_id, "34975870");
}

// Mastodon 4.5 quote posts: GET /api/v1/statuses/:id/quotes lists the statuses quoting one, each
// with `quote` as a Quote (the quoted status inline) or a ShallowQuote (its id).
TEST(MastodonParse, StatusQuotesArePostsQuotingTheCityStatus) {
  const auto result = parse(
      MastodonEndpoint::status_quotes,
      R"([{"id":"9002","created_at":"2026-12-06T01:00:00.000Z","content":"<p>これはひどい</p>",)"
      R"("account":{"id":"77","username":"hito","acct":"hito","display_name":"ひと"},)"
      R"("quote":{"state":"accepted","quoted_status":{"id":"8000","content":"<p>お知らせ</p>"}}},)"
      R"({"id":"9001","created_at":"2026-12-06T00:59:00.000Z","content":"<p>説明を</p>",)"
      R"("quote":{"state":"pending","quoted_status_id":"8000"}},)"
      R"({"content":"no id"}])",
      parse_context({"8000"}));
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].post_id, "9002");
  EXPECT_EQ(posts[0].quoted_post_id, "8000");
  EXPECT_EQ(posts[0].author_handle, "hito");
  EXPECT_EQ(posts[0].text, "これはひどい");
  EXPECT_EQ(posts[1].quoted_post_id, "8000");
  ASSERT_EQ(all_of<ObservationError>(result).size(), 1u);
  EXPECT_EQ(endpoint_name(MastodonEndpoint::status_quotes), "statuses/:id/quotes");
  // A server without quote posts answers 404 Record not found: an error, not a gone account.
  const auto missing =
      parse(MastodonEndpoint::status_quotes, R"({"error":"Record not found"})", parse_context());
  EXPECT_EQ(missing.outcome, ParseOutcome::platform_error);
  EXPECT_TRUE(all_of<AccountGone>(missing).empty());
}

TEST(MastodonParse, ErrorBodiesAreErrors) {
  const auto unauthorized =
      parse_fixture(MastodonEndpoint::notifications, "error_unauthorized.json");
  EXPECT_EQ(unauthorized.outcome, ParseOutcome::platform_error);
  ASSERT_EQ(unauthorized.observations.size(), 1u);
  EXPECT_EQ(std::get<ObservationError>(unauthorized.observations[0]).message,
            "The access token is invalid");
  const auto oauth = parse_fixture(MastodonEndpoint::account_statuses, "error_oauth.json");
  EXPECT_EQ(oauth.outcome, ParseOutcome::platform_error);
  EXPECT_EQ(std::get<ObservationError>(oauth.observations.at(0))
                .message.rfind("invalid_grant: The provided authorization grant is invalid", 0),
            0u);
}

TEST(MastodonParse, WrongShapesAreMalformedAndBadItemsSkipped) {
  for (const std::string body : {"{}", R"({"statuses":[]})", "\"x\"", "[{\"id\":\"1\"}"}) {
    const auto result = parse(MastodonEndpoint::account_statuses, body, parse_context());
    EXPECT_EQ(result.outcome, ParseOutcome::malformed) << body;
    EXPECT_EQ(result.observations.size(), 1u) << body;
  }
  const auto lookup = parse(MastodonEndpoint::accounts_lookup, "[]", parse_context());
  EXPECT_EQ(lookup.outcome, ParseOutcome::malformed);

  const auto result = parse(MastodonEndpoint::account_statuses,
                            R"([null,{"id":7},{"id":"8","content":{"html":"x"},"account":[],)"
                            R"("reblog":"9","created_at":"2024-05-20T09:00:00.123456+09:00"}])",
                            parse_context());
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  const auto posts = all_of<Post>(result);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].text, "");
  EXPECT_EQ(posts[0].created_at, at("2024-05-20T00:00:00.123Z"));
  EXPECT_FALSE(posts[0].reposted_post_id.has_value());
  const auto errors = all_of<ObservationError>(result);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].message, "statuses[0]: not a status object; skipped");
  EXPECT_EQ(errors[1].message, "statuses[1]: status without an id; skipped");
  EXPECT_EQ(errors[2].message, "statuses[2].reblog: not a status object; skipped");
}

TEST(MastodonParse, EveryTruncationOfATimelineIsRejectedWhole) {
  mamori::testing::expect_every_truncation_rejected(
      fixture("accounts_statuses.json"), [](std::string_view b) {
        return parse(MastodonEndpoint::account_statuses, b, parse_context());
      });
}

TEST(MastodonLinkHeader, FindsTheNextPageMaxId) {
  EXPECT_EQ(next_max_id("<https://m.example/api/v1/timelines/home?max_id=109>; rel=\"next\", "
                        "<https://m.example/api/v1/timelines/home?min_id=200>; rel=\"prev\""),
            "109");
  EXPECT_EQ(next_max_id("<https://m.example/api/v1/x?min_id=2>; rel=\"prev\", "
                        "<https://m.example/api/v1/x?limit=40&max_id=1%32>; REL=next"),
            "12");
  EXPECT_FALSE(next_max_id("<https://m.example/api/v1/x?min_id=2>; rel=\"prev\"").has_value());
  EXPECT_FALSE(next_max_id("<https://m.example/api/v1/x?since=2>; rel=\"next\"").has_value());
  EXPECT_FALSE(next_max_id("").has_value());
  EXPECT_FALSE(next_max_id("<unterminated; rel=\"next\"").has_value());
}

}  // namespace
}  // namespace mamori::collectors::mastodon
