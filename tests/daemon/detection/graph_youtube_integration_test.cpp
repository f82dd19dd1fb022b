// Facebook, Instagram and YouTube end to end (issue 22): the fake platform serves the Graph API
// and the YouTube Data API from tests/fakeplatform/scenarios/graph_youtube.toml, a real mamorid
// polls them into PostgreSQL and its detectors judge what it read, exactly as for X: a comment
// flood on the city's Facebook post is a 炎上 incident, a rumour under its YouTube video a デマ
// incident, a look-alike Instagram professional account found through business discovery an
// impersonation incident; a spent YouTube quota pauses every YouTube request without losing a
// comment. Polling runs at accelerated intervals (2-3 s).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const std::string kToken = "graph-youtube-integration-token-0123456789";

struct Running {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake{
      testing::source_dir() / "tests/fakeplatform/scenarios/graph_youtube.toml", dir};
  testing::MamoridSetup setup;
  std::unique_ptr<testing::ChildProcess> mamorid;

  explicit Running(std::vector<std::pair<std::string, std::string>> accounts) {
    testing::set_fake_credentials_env();
    ::setenv("MAMORI_T_FB", "fb-test-page-token", 1);
    ::setenv("MAMORI_T_IG", "ig-test-token", 1);
    ::setenv("MAMORI_T_YT", "AIza-test-key", 1);
    setup.dsn = db.dsn();
    setup.http_port = testing::free_tcp_port();
    setup.fake_base_url = fake.base_url();
    setup.accounts = std::move(accounts);
    setup.polling =
        "profiles = \"3s\"\nposts = \"2s\"\nreplies = \"2s\"\nsearch = \"3s\"\ntagged = \"2s\"\n";
    const std::string base = fake.base_url();
    ::setenv("MAMORI_T_GRAPH_API", kToken.c_str(), 1);
    setup.extra =
        "[[api_tokens]]\nname = \"pr-office\"\nrole = \"responder\"\ntoken = "
        "\"env:MAMORI_T_GRAPH_API\"\n"
        "[platforms.facebook]\nenabled = true\ngraph_base = \"" +
        base +
        "/v21.0\"\npage_access_token = \"env:MAMORI_T_FB\"\n"
        "[platforms.instagram]\nenabled = true\ngraph_base = \"" +
        base +
        "/v21.0\"\naccess_token = \"env:MAMORI_T_IG\"\n"
        "ig_user_id = \"17841400000000001\"\n"
        "[platforms.youtube]\nenabled = true\napi_base = \"" +
        base + "/youtube/v3\"\napi_key = \"env:MAMORI_T_YT\"\n";
    testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
    start("mamorid.log");
  }
  void start(const std::string& log) {
    mamorid = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
        dir.path() / log);
  }
  void stop() {
    mamorid->signal(SIGTERM);
    EXPECT_EQ(mamorid->wait_for_exit(30s), std::optional<int>(0)) << mamorid->log();
  }
  std::string q(const std::string& query) const { return sql(db.dsn(), query); }
  testing::HttpResult api(const std::string& method, const std::string& target,
                          const std::string& body = "") const {
    return testing::http_request(
        method, "127.0.0.1", setup.http_port, target,
        {"Authorization: Bearer " + kToken, "Content-Type: application/json"}, body);
  }
  void add_account(const std::string& platform, const std::string& handle) {
    ASSERT_EQ(fake.control("accounts", R"({"platform":")" + platform + R"(","handle":")" + handle +
                                           R"(","display_name":")" + handle + "\"}"),
              200);
  }
  void post(const std::string& platform, const std::string& author, const std::string& text) {
    ASSERT_EQ(fake.control("posts", R"({"platform":")" + platform + R"(","author":")" + author +
                                        R"(","text":")" + text + "\"}"),
              200);
  }
  void comment(const std::string& platform, const std::string& author, const std::string& to,
               const std::string& text) {
    ASSERT_EQ(
        fake.control("posts", R"({"platform":")" + platform + R"(","author":")" + author +
                                  R"(","in_reply_to":")" + to + R"(","text":")" + text + "\"}"),
        200);
  }
  // The fake's request log since `seq` (its own sequence numbers), on one platform.
  std::vector<boost::json::object> requests(const std::string& platform,
                                            std::uint64_t since = 0) const {
    const auto r =
        testing::http_get("127.0.0.1", fake.port(), "/_control/log?since=" + std::to_string(since));
    std::vector<boost::json::object> out;
    boost::system::error_code ec;
    const auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("requests")) return out;
    for (const auto& e : v.as_object().at("requests").as_array()) {
      if (e.is_object() && e.as_object().contains("platform") &&
          e.as_object().at("platform").as_string() == platform)
        out.push_back(e.as_object());
    }
    return out;
  }
};

const std::vector<std::string> kHostile = {
    "ふざけるな、税金の無駄遣いだ。市長は謝罪しろ",
    "対応ひどすぎ。説明と謝罪を求めます",
    "無能な職員しかいないのか。最低の対応",
    "これはひどい。市は恥を知れ",
    "ありえない。ちゃんと謝れ",
};

TEST(GraphYoutubeDetection, FacebookCommentFloodYoutubeRumourAndInstagramLookalikeAreIncidents) {
  Running r({{"facebook", "soma.city"}, {"instagram", "soma_city"}, {"youtube", "soma_city"}});
  // The three accounts' ids are learned and their own posts stored.
  ASSERT_TRUE(testing::eventually(
      [&] {
        return r.q("SELECT count(*) FROM official_accounts WHERE account_id IS NOT NULL") == "3" &&
               r.q("SELECT count(DISTINCT platform) FROM observed_posts WHERE text LIKE "
                   "'%ごみ収集%' OR text LIKE '%野馬追%' OR text LIKE '%避難所の開設状況%'") == "3";
      },
      60s))
      << r.mamorid->log()
      << "\naccounts: " << r.q("SELECT platform, handle, account_id FROM official_accounts")
      << "\nposts: " << r.q("SELECT platform, post_id, left(text, 20) FROM observed_posts");
  // Comments are read like replies: the existing ones on each platform are stored.
  ASSERT_TRUE(testing::eventually(
      [&] {
        return r.q("SELECT count(*) FROM observed_posts WHERE text LIKE '%カレンダー%' OR text "
                   "LIKE '%給水所%'") == "2";
      },
      30s))
      << r.mamorid->log();

  // A look-alike Instagram professional account, found by business discovery of a generated
  // look-alike handle (Instagram has no account search).
  const std::string ig_sql =
      "SELECT id FROM incidents WHERE type = 'impersonation' AND subject LIKE 'instagram:%' AND "
      "title LIKE '%soma\\_city\\_official%'";
  ASSERT_TRUE(testing::eventually([&] { return !r.q(ig_sql).empty(); }, 60s))
      << r.mamorid->log() << "\nincidents: " << r.q("SELECT type, subject, title FROM incidents")
      << "\ndiscoveries: " << r.requests("instagram").size();
  const std::string ig_id = r.q(ig_sql);
  EXPECT_NE(r.q("SELECT count(*) FROM incident_steps WHERE incident_id = " + ig_id), "0");
  // The checklist names Instagram's own report route; the takedown is a form there, and Meta
  // owes an answer within the act's 7 days.
  EXPECT_NE(r.q("SELECT count(*) FROM incident_steps WHERE incident_id = " + ig_id +
                " AND step_id = 'request_takedown' AND instructions LIKE "
                "'%help.instagram.com/446663175382270%'"),
            "0");
  auto takedowns = r.api("GET", "/api/v1/incidents/" + ig_id + "/takedowns");
  ASSERT_EQ(takedowns.status, 200) << takedowns.body;
  const auto listing = boost::json::parse(takedowns.body).as_object();
  EXPECT_EQ(listing.at("form_urls").at("instagram").as_string(),
            "https://help.instagram.com/446663175382270");
  EXPECT_EQ(listing.at("default_target").at("platform").as_string(), "instagram");
  EXPECT_NE(listing.at("filing_unavailable").at("instagram").as_string(), "");
  const auto filed =
      r.api("POST", "/api/v1/incidents/" + ig_id + "/takedowns",
            R"({"text":"相馬市公式アカウントの成りすましです。削除をお願いします。"})");
  ASSERT_EQ(filed.status, 201) << filed.body;
  const auto request = boost::json::parse(filed.body).as_object();
  EXPECT_EQ(request.at("method").as_string(), "form");
  EXPECT_EQ(request.at("legal_period_days").as_int64(), 7);
  // The city's own accounts are never flagged.
  EXPECT_EQ(r.q("SELECT count(*) FROM incidents WHERE type = 'impersonation' AND title LIKE "
                "'%(soma.city)%'"),
            "0");

  // A comment flood on the city's Facebook post.
  for (int i = 0; i < 8; ++i) r.add_account("facebook", "angry." + std::to_string(i));
  for (int i = 0; i < 40; ++i) {
    r.comment(
        "facebook", "angry." + std::to_string(i % 8), "fb-notice",
        kHostile[static_cast<std::size_t>(i) % kHostile.size()] + "（" + std::to_string(i) + "）");
  }
  const std::string flame_sql =
      "SELECT i.id FROM incidents i JOIN incident_findings f ON f.incident_id = i.id"
      " WHERE i.type = 'flameup' AND i.subject LIKE 'facebook:account:%' LIMIT 1";
  ASSERT_TRUE(testing::eventually([&] { return !r.q(flame_sql).empty(); }, 30s, 200ms))
      << r.mamorid->log()
      << "\nfindings: " << r.q("SELECT severity_label, reasons FROM incident_findings")
      << "\nstored comments: "
      << r.q("SELECT count(*) FROM observed_posts WHERE platform = 'facebook' AND text LIKE "
             "'%（%）'");
  // The fake serves 10 comments a page: every one of the 40 is read, page after page.
  const std::string stored_flood =
      "SELECT count(*) FROM observed_posts WHERE platform = 'facebook' AND text LIKE '%（%）'";
  EXPECT_TRUE(testing::eventually([&] { return r.q(stored_flood) == "40"; }, 20s, 200ms))
      << r.q(stored_flood);
  const std::string flame_id = r.q(flame_sql);
  EXPECT_NE(r.q("SELECT count(*) FROM incident_findings WHERE incident_id = " + flame_id +
                " AND evidence->'top_posts'->0->>'text' LIKE '%ごみ収集%'"),
            "0")
      << r.q("SELECT evidence->'top_posts' FROM incident_findings WHERE incident_id = " + flame_id);

  // A rumour under the city's YouTube video (the shipped starter set knows it).
  r.add_account("youtube", "uwasa1");
  r.comment("youtube", "uwasa1", "yt-video", "上流のダムが決壊したらしい！すぐ逃げて");
  const std::string rumour_sql =
      "SELECT i.id FROM incidents i JOIN incident_findings f ON f.incident_id = i.id"
      " JOIN observed_posts p ON p.platform = 'youtube' AND"
      " p.post_id = f.evidence->'samples'->0->>'id'"
      " WHERE i.type = 'misinformation' AND p.text LIKE '%ダムが決壊%' LIMIT 1";
  ASSERT_TRUE(testing::eventually([&] { return !r.q(rumour_sql).empty(); }, 30s, 200ms))
      << "\nfindings: "
      << r.q("SELECT i.type, i.subject, f.evidence FROM incident_findings f JOIN incidents i ON "
             "i.id = f.incident_id WHERE i.type = 'misinformation'");
  EXPECT_NE(r.q("SELECT array_to_string(reasons, ' ') FROM incident_findings WHERE incident_id = " +
                r.q(rumour_sql))
                .find("ダム"),
            std::string::npos);
  // Partial profiles (YouTube search results carry no handle) are not taken for a takeover.
  EXPECT_EQ(r.q("SELECT count(*) FROM incidents WHERE type = 'account_compromise'"), "0")
      << r.q("SELECT subject, title FROM incidents WHERE type = 'account_compromise'");
  r.stop();
}

TEST(GraphYoutubeDetection, SpentYoutubeQuotaPausesEveryYoutubeRequestAndLosesNoComment) {
  Running r(std::vector<std::pair<std::string, std::string>>{{"youtube", "soma_city"}});
  ASSERT_TRUE(testing::eventually(
      [&] { return r.q("SELECT count(*) FROM observed_posts WHERE text LIKE '%給水所%'") == "1"; },
      40s))
      << r.mamorid->log();

  // Polling every 2 s spends far more than the default 10,000 units a day: said at start.
  EXPECT_NE(r.mamorid->log().find("event=youtube.quota_overcommitted polling_units_per_day=115200"),
            std::string::npos)
      << r.mamorid->log();

  // The day's quota is spent: the next comment read answers 403 quotaExceeded.
  ASSERT_EQ(r.fake.control("trigger", R"({"name":"quota"})"), 200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        for (const auto& e : r.requests("youtube"))
          if (e.at("status").to_number<int>() == 403) return true;
        return false;
      },
      20s))
      << r.mamorid->log();
  std::uint64_t after_403 = 0;
  for (const auto& e : r.requests("youtube")) after_403 = e.at("seq").to_number<std::uint64_t>();

  // Comments keep coming while the quota is spent.
  r.add_account("youtube", "jumin2");
  for (int i = 0; i < 5; ++i)
    r.comment("youtube", "jumin2", "yt-video",
              "停電はいつ復旧しますか（" + std::to_string(i) + "）");

  // Several polling cycles (2 s) later no YouTube request has reached the platform: every
  // endpoint (profiles, uploads, comments, search) waits for the quota's reset.
  std::this_thread::sleep_for(8s);
  EXPECT_TRUE(r.requests("youtube", after_403).empty())
      << r.requests("youtube", after_403).size() << " requests after the 403";
  EXPECT_EQ(r.q("SELECT count(*) FROM observed_posts WHERE text LIKE '%停電はいつ復旧%'"), "0");
  // Staff see why on the metrics (the failed comment runs).
  const auto metrics = testing::http_get("127.0.0.1", r.setup.http_port, "/metrics").body;
  EXPECT_NE(metrics.find(
                R"(mamori_poll_runs_total{platform="youtube",poll_job="replies",result="failed"})"),
            std::string::npos);

  // The operator raises the quota and restarts mamorid: the comment cursor never moved past
  // what was stored, so every comment made during the pause is read.
  r.stop();
  r.start("mamorid-2.log");
  EXPECT_TRUE(testing::eventually(
      [&] {
        return r.q("SELECT count(*) FROM observed_posts WHERE text LIKE '%停電はいつ復旧%'") == "5";
      },
      30s))
      << r.mamorid->log();
  EXPECT_EQ(r.q("SELECT count(*) FROM observed_posts WHERE text LIKE '%給水所%'"), "1");
  r.stop();
}

}  // namespace
}  // namespace mamori

namespace mamori {
namespace {

// Others' posts that tag the city (Facebook /{page-id}/tagged, Instagram /{ig-user-id}/tags) are
// not comments under the city's posts: their own poll job reads them, they are stored and judged
// like mentions (a rumour in one is a デマ incident), and the meter counts the Graph calls.
TEST(GraphYoutubeDetection, PostsTaggingTheCityAreReadAndJudgedLikeMentions) {
  Running r({{"facebook", "soma.city"}, {"instagram", "soma_city"}});
  ASSERT_TRUE(testing::eventually(
      [&] {
        return r.q("SELECT count(*) FROM official_accounts WHERE account_id IS NOT NULL") == "2";
      },
      60s))
      << r.mamorid->log();
  r.add_account("facebook", "uwasa.fb");
  r.add_account("instagram", "uwasa_ig");
  r.post("facebook", "uwasa.fb", "@soma.city 上流のダムが決壊したらしい！すぐ逃げて");
  r.post("instagram", "uwasa_ig", "@soma_city 上流のダムが決壊したらしい！みんな逃げて");
  // Both rumours are one claim: each post is evidence of a デマ finding.
  const auto rumour_on = [&](const std::string& platform) {
    return "SELECT count(*) FROM incidents i JOIN incident_findings f ON f.incident_id = i.id"
           " JOIN observed_posts p ON p.platform = '" +
           platform +
           "' AND p.text LIKE '%ダムが決壊%'"
           " WHERE i.type = 'misinformation' AND f.evidence::text LIKE '%' || p.post_id || '%'";
  };
  for (const std::string platform : {"facebook", "instagram"}) {
    ASSERT_TRUE(testing::eventually([&] { return r.q(rumour_on(platform)) != "0"; }, 40s, 200ms))
        << platform << "\n"
        << r.mamorid->log() << "\nposts: "
        << r.q("SELECT platform, post_id, author_handle, left(text, 30) FROM observed_posts")
        << "\nincidents: " << r.q("SELECT type, subject, title FROM incidents");
  }
  // Read through the tagged endpoints (not the per-post comment walks: the posts answer nothing).
  std::size_t tagged = 0;
  std::size_t tags = 0;
  for (const auto& e : r.requests("facebook"))
    if (e.at("endpoint").as_string() == "/{page-id}/tagged" &&
        e.at("status").to_number<int>() == 200)
      ++tagged;
  for (const auto& e : r.requests("instagram"))
    if (e.at("endpoint").as_string() == "/{ig-user-id}/tags" &&
        e.at("status").to_number<int>() == 200)
      ++tags;
  EXPECT_GT(tagged, 0U);
  EXPECT_GT(tags, 0U);
  r.stop();
  // Priced by the meter (Graph calls cost nothing; they are counted), kept across restarts.
  EXPECT_NE(r.q("SELECT requests FROM api_spend WHERE platform = 'facebook' AND job = "
                "'/{page-id}/tagged' AND requests > 0 AND usd = 0"),
            "");
  EXPECT_NE(r.q("SELECT requests FROM api_spend WHERE platform = 'instagram' AND job = "
                "'/{ig-user-id}/tags' AND requests > 0 AND usd = 0"),
            "");
}

}  // namespace
}  // namespace mamori
