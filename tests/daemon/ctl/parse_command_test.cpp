// `mamorictl parse` (docs/design.md "mamorictl") and the JSON form of observations it prints.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "model/observation_json.h"
#include "tests/support/test_support.h"

namespace mamori {
namespace {

using mamori::testing::bin_dir;
using mamori::testing::data_dir;
using mamori::testing::run_command;

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string fixture_path(const std::string& platform, const std::string& name) {
  return (data_dir() / "collectors" / platform / name).string();
}

// Runs mamorictl with `args`; stdout only, unless `stderr_only`.
testing::CommandResult mamorictl(const std::string& args, bool stderr_only = false) {
  const std::string command = quote((bin_dir() / "mamorictl").string()) + " " + args +
                              (stderr_only ? " 2>&1 >/dev/null" : " 2>/dev/null");
  return run_command(command);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(ParseCommand, PrintsAProfileLineExactly) {
  const auto r = mamorictl(
      "parse --platform x --endpoint users/by/username/:username "
      "--observed-at 2024-05-20T21:00:00+09:00 " +
      quote(fixture_path("x", "users_by_username.json")));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      r.out,
      R"({"kind":"profile","platform":"x","account_id":"1234567890123456789",)"
      R"("handle":"soma_city","display_name":"相馬市【公式】",)"
      R"("description":"福島県相馬市の公式アカウントです。運用方針 https://t.co/AbCd1234Ef",)"
      R"("url":"https://www.city.soma.example.jp/",)"
      R"("avatar_url":"https://pbs.twimg.com/profile_images/1600000000000000000/SomaLogo_normal.jpg",)"
      R"("created_at":"2013-04-01T00:00:00.000Z","followers_count":15230,)"
      R"("following_count":120,"posts_count":4321,"verified":true,"protected":false,)"
      R"("observed_at":"2024-05-20T12:00:00.000Z"})"
      "\n");
}

TEST(ParseCommand, PrintsOnePostLinePerStatus) {
  const auto r = mamorictl(
      "parse --platform mastodon --endpoint accounts/:id/statuses "
      "--observed-at 2024-05-20T12:00:00Z " +
      quote(fixture_path("mastodon", "accounts_statuses.json")));
  EXPECT_EQ(r.exit_code, 0);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 5u);
  for (const auto& line : out) {
    const auto v = boost::json::parse(line);
    EXPECT_EQ(v.at("kind"), "post");
    EXPECT_EQ(v.at("platform"), "mastodon");
  }
  const auto first = boost::json::parse(out[0]).as_object();
  EXPECT_EQ(first.at("id"), "112500000000000005");
  EXPECT_EQ(first.at("author_handle"), "soma_city");
  EXPECT_EQ(first.at("created_at"), "2024-05-20T01:30:00.000Z");
  EXPECT_EQ(first.at("client"), "Web");
  EXPECT_EQ(first.at("urls").as_array().size(), 1u);
  EXPECT_FALSE(first.contains("in_reply_to"));  // absent optionals are left out
  const auto reply = boost::json::parse(out[1]).as_object();
  EXPECT_EQ(reply.at("in_reply_to"), "112500000000000003");  // the misinfo input's key
}

TEST(ParseCommand, ErrorBodyBecomesGoneWithTheGivenRef) {
  const auto r = mamorictl(
      "parse --platform bluesky --endpoint app.bsky.actor.getProfile "
      "--ref soma-city.bsky.social --status 400 " +
      quote(fixture_path("bluesky", "getProfile_takedown.json")));
  EXPECT_EQ(r.exit_code, 0);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 1u);
  const auto v = boost::json::parse(out[0]).as_object();
  EXPECT_EQ(v.at("kind"), "gone");
  EXPECT_EQ(v.at("account_ref"), "soma-city.bsky.social");
  EXPECT_EQ(v.at("reason"), "suspended");
}

TEST(ParseCommand, MalformedBodyPrintsOneErrorAndExitsOne) {
  testing::TempDir dir;
  const auto path = dir.path() / "truncated.json";
  const std::string body = testing::read_file(fixture_path("x", "users_mentions.json"));
  testing::write_file(path, body.substr(0, body.size() / 2));
  const auto r =
      mamorictl("parse --platform x --endpoint users/:id/mentions " + quote(path.string()));
  EXPECT_EQ(r.exit_code, 1);
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 1u);
  const auto v = boost::json::parse(out[0]).as_object();
  EXPECT_EQ(v.at("kind"), "error");
  EXPECT_EQ(v.at("endpoint"), "users/:id/mentions");
  EXPECT_NE(std::string(v.at("message").as_string()).find("malformed JSON"), std::string::npos);
}

TEST(ParseCommand, PageInfoGoesToStderr) {
  const auto r = mamorictl("parse --platform x --endpoint users/:id/mentions --page-info " +
                               quote(fixture_path("x", "users_mentions.json")),
                           true);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "outcome=ok next_cursor=7140dibdnow9c7btw3z2vwipahpnsa7rk0lq1uyn2hjhs "
            "newest_id=1795100000000000003\n");
}

// Every recorded Facebook, Instagram and YouTube response (tests/data/collectors/*/README.md)
// through the command: the endpoint's data or the platform's error, never a malformed body.
TEST(ParseCommand, MetaAndYoutubeRecordingsParse) {
  struct Case {
    std::string platform;
    std::string endpoint;
    std::string file;
    std::string first_kind;
  };
  const std::vector<Case> cases = {
      {"facebook", "/{page-id}", "page.json", "profile"},
      {"facebook", "/{page-id}", "pages_batch.json", "profile"},
      {"facebook", "/pages/search", "pages_search.json", "profile"},
      {"facebook", "/{page-id}/feed", "feed.json", "post"},
      {"facebook", "/{page-id}/tagged", "tagged.json", "post"},
      {"facebook", "/{post-id}/comments", "comments.json", "post"},
      {"facebook", "/{comment-id}/comments", "comments_without_ids.json", "error"},
      {"facebook", "/{page-id}/feed", "error_missing_permission.json", "error"},
      {"instagram", "/{ig-user-id}", "user.json", "profile"},
      {"instagram", "business_discovery", "business_discovery.json", "profile"},
      {"instagram", "/{ig-user-id}/media", "media.json", "post"},
      {"instagram", "/{ig-user-id}/tags", "tags.json", "post"},
      {"instagram", "/{ig-media-id}/comments", "comments_with_replies.json", "post"},
      {"instagram", "/{ig-comment-id}/replies", "replies.json", "post"},
      {"instagram", "mentioned_media", "mentioned_media.json", "post"},
      {"instagram", "mentioned_comment", "mentioned_comment.json", "post"},
      {"instagram", "mentioned_comment", "mentioned_comment_media.json", "post"},
      {"youtube", "channels.list", "channels_list_statistics.json", "profile"},
      {"youtube", "search.list", "search_list_channels.json", "profile"},
      {"youtube", "playlistItems.list", "playlist_items_list.json", "post"},
      {"youtube", "commentThreads.list", "comment_threads_list.json", "post"},
      {"youtube", "comments.list", "comments_list.json", "post"},
      {"youtube", "commentThreads.list", "error_not_activated.json", "error"},
  };
  for (const auto& c : cases) {
    const auto r = mamorictl("parse --platform " + c.platform + " --endpoint " + quote(c.endpoint) +
                             " " + quote(fixture_path(c.platform, c.file)));
    EXPECT_EQ(r.exit_code, 0) << c.file;
    const auto out = lines(r.out);
    ASSERT_FALSE(out.empty()) << c.file;
    const auto v = boost::json::parse(out[0]).as_object();
    EXPECT_EQ(v.at("kind"), c.first_kind.c_str()) << c.file;
    EXPECT_EQ(v.at("platform"), c.platform.c_str()) << c.file;
  }
  // An endpoint mamori does not parse is named in a one-line error, exit 2.
  const auto r = mamorictl("parse --platform facebook --endpoint '/{page-id}/ratings' " +
                               quote(fixture_path("facebook", "feed.json")),
                           true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("unknown facebook endpoint '/{page-id}/ratings', expected one of: "
                       "/{page-id}, /{page-id}/feed"),
            std::string::npos)
      << r.out;
}

// A Meta webhook delivery as POST /webhooks/meta receives it: one line per mention, the other
// fields' changes named on stderr; a broken delivery is one error line and exit 1.
TEST(ParseCommand, InstagramWebhookDeliveryListsItsMentions) {
  const auto r = mamorictl("parse --platform instagram --endpoint webhook-mentions " +
                           quote(fixture_path("instagram", "webhook_mentions.json")));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  const auto caption = boost::json::parse(out[0]).as_object();
  EXPECT_EQ(caption.at("kind"), "mention");
  EXPECT_EQ(caption.at("ig_user_id"), "17841405726653026");
  EXPECT_EQ(caption.at("media_id"), "17918195224117851");
  EXPECT_FALSE(caption.contains("comment_id"));
  EXPECT_EQ(boost::json::parse(out[1]).as_object().at("comment_id"), "17895695668004550");

  testing::TempDir dir;
  testing::write_file(dir.path() / "broken.json", R"({"object":"instagram","entry":[)");
  const auto broken = mamorictl("parse --platform instagram --endpoint webhook-mentions " +
                                quote((dir.path() / "broken.json").string()));
  EXPECT_EQ(broken.exit_code, 1);
  const auto error = lines(broken.out);
  ASSERT_FALSE(error.empty());
  EXPECT_EQ(boost::json::parse(error[0]).as_object().at("kind"), "error") << broken.out;
  // Only Instagram has it.
  EXPECT_EQ(mamorictl("parse --platform facebook --endpoint webhook-mentions " +
                          quote(fixture_path("instagram", "webhook_mentions.json")),
                      true)
                .exit_code,
            2);
}

TEST(ParseCommand, BadUsageIsOneLineAndExitTwo) {
  const std::string file = quote(fixture_path("x", "users_by.json"));
  struct Case {
    std::string args;
    std::string expected;  // part of the one-line error
  };
  const std::vector<Case> cases = {
      {"parse --platform myspace --endpoint users/by " + file, "unknown platform 'myspace'"},
      {"parse --platform x --endpoint 2/users/by " + file,
       "unknown x endpoint '2/users/by', expected one of: users/by/username/:username"},
      {"parse --platform x --endpoint users/by /nonexistent/body.json",
       "/nonexistent/body.json: cannot open file"},
      {"parse --platform x --endpoint users/by --observed-at yesterday " + file,
       "--observed-at: expected an ISO-8601 time"},
      {"parse --platform x --endpoint users/by --status 99 " + file,
       "--status: expected an HTTP status code"},
      {"parse --platform x --endpoint", "--endpoint needs a value"},
  };
  for (const auto& c : cases) {
    const auto r = mamorictl(c.args, true);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    const auto out = lines(r.out);
    ASSERT_EQ(out.size(), 1u) << c.args << "\n" << r.out;
    EXPECT_NE(out[0].find(c.expected), std::string::npos) << out[0];
    EXPECT_EQ(out[0].rfind("mamorictl parse: ", 0), 0u) << out[0];
  }
  EXPECT_EQ(mamorictl("parse " + file).exit_code, 2);
}

TEST(ObservationJson, EveryKindHasItsFields) {
  model::Post post;
  post.platform = model::Platform::bluesky;
  post.post_id = "at://did:plc:a/app.bsky.feed.post/1";
  post.text = "改行\nと\"引用\"";
  post.created_at = model::TimePoint{std::chrono::milliseconds{1716168600123}};
  post.observed_at = model::TimePoint{std::chrono::milliseconds{-1}};
  post.quoted_post_id = "at://did:plc:b/app.bsky.feed.post/2";
  post.urls = {"https://example.jp/"};
  const auto p = model::to_json(post);
  EXPECT_EQ(p.at("kind"), "post");
  EXPECT_EQ(p.at("id"), "at://did:plc:a/app.bsky.feed.post/1");
  EXPECT_EQ(p.at("created_at"), "2024-05-20T01:30:00.123Z");
  EXPECT_EQ(p.at("observed_at"), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(p.at("quoted_post_id"), "at://did:plc:b/app.bsky.feed.post/2");
  EXPECT_FALSE(p.contains("reposted_post_id"));
  EXPECT_EQ(boost::json::parse(model::to_json_line(post)).at("text"), "改行\nと\"引用\"");

  model::AccountGone gone;
  gone.platform = model::Platform::mastodon;
  gone.account_ref = "soma@example.jp";
  gone.reason = "not_found";
  EXPECT_EQ(model::to_json_line(gone),
            R"({"kind":"gone","platform":"mastodon","account_ref":"soma@example.jp",)"
            R"("reason":"not_found","observed_at":"1970-01-01T00:00:00.000Z"})");

  model::ObservationError error;
  error.endpoint = "users/by";
  error.message = "m";
  EXPECT_FALSE(model::to_json(error).contains("http_status"));
  error.http_status = 503;
  EXPECT_EQ(model::to_json(error).at("http_status"), 503);

  model::ProfileSnapshot profile;
  profile.account_id = "1";
  const auto j = model::to_json(profile);
  EXPECT_FALSE(j.contains("followers_count"));
  EXPECT_FALSE(j.contains("created_at"));
  EXPECT_EQ(j.at("verified"), false);
}

}  // namespace
}  // namespace mamori
