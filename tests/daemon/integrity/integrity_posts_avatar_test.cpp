// Own-account integrity through a real mamorid and the fake platform, part 2: the official
// icon is judged by its picture (a new CDN URL for the same picture is not a change, a different
// picture is); a hijacker's giveaway/DM-solicitation posts with shortened links open an
// account_compromise incident while the city's normal posts do not; the spread of a post staff
// flagged as erroneous is recorded on its incident's timeline.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const char* kToken = "integrity-posts-token-0123456789abcdef";

testing::HttpResult api(const std::string& method, unsigned short port, const std::string& target,
                        const std::string& body = "") {
  return testing::http_request(
      method, "127.0.0.1", port, target,
      {"Authorization: Bearer " + std::string(kToken), "Content-Type: application/json"}, body);
}

struct Daemon {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake{testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir};
  unsigned short port = 0;
  std::unique_ptr<testing::ChildProcess> mamorid;

  Daemon() {
    testing::set_fake_credentials_env();
    setenv("MAMORI_T_API", kToken, 1);
    testing::MamoridSetup setup;
    setup.dsn = db.dsn();
    setup.http_port = testing::free_tcp_port();
    setup.fake_base_url = fake.base_url();
    setup.polling = "profiles = \"2s\"\nposts = \"2s\"\nreplies = \"5s\"\nsearch = \"60s\"\n";
    setup.extra =
        "[[accounts]]\nplatform = \"x\"\nhandle = \"soma_city\"\ndepartment = \"秘書広報課\"\n"
        "[[api_tokens]]\nname = \"tester\"\nrole = \"responder\"\ntoken = \"env:MAMORI_T_API\"\n";
    testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
    port = setup.http_port;
    mamorid = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
        dir.path() / "mamorid.log");
  }
  std::string q(const std::string& query) const { return sql(db.dsn(), query); }
  // The approved baseline exists and carries the icon's hash.
  bool baseline_hashed() const {
    return q("SELECT count(*) FROM integrity_baselines WHERE platform = 'x' AND avatar_phash IS "
             "NOT NULL") == "1";
  }
  void stop() {
    mamorid->signal(SIGTERM);
    EXPECT_EQ(mamorid->wait_for_exit(20s), std::optional<int>(0)) << mamorid->log();
  }
};

const std::string kCompromise =
    "SELECT count(*) FROM incidents WHERE type = 'account_compromise' AND subject = "
    "'x:official:soma_city'";

TEST(IntegrityAvatar, SamePictureAtANewUrlIsNoChangeADifferentPictureIs) {
  Daemon d;
  ASSERT_TRUE(testing::eventually(
      [&] { return d.mamorid->wait_for_exit(0ms) || d.baseline_hashed(); }, 40s, 200ms))
      << d.mamorid->log() << d.q("SELECT * FROM integrity_baselines");
  const std::string first_hash =
      d.q("SELECT avatar_phash FROM integrity_baselines WHERE platform = 'x'");
  // The official icon was fetched once, for both the integrity baseline and the impersonation
  // detector (one shared fetcher and cache).
  std::this_thread::sleep_for(3s);  // a few more profile polls
  const auto log = testing::http_get("127.0.0.1", d.fake.port(), "/_control/log").body;
  std::size_t icon_fetches = 0;
  for (auto at = log.find("/media/x/1402345678901234567.png"); at != std::string::npos;
       at = log.find("/media/x/1402345678901234567.png", at + 1)) {
    ++icon_fetches;
  }
  EXPECT_EQ(icon_fetches, 1u) << log;

  // The platform moves the same picture to a new URL (a CDN or re-upload): not a change; the
  // baseline follows the URL.
  ASSERT_EQ(d.fake.control("update_account",
                           R"({"platform":"x","handle":"soma_city","avatar_version":1})"),
            200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return d.q("SELECT avatar_url FROM integrity_baselines WHERE platform = 'x'")
                   .find("?v=1") != std::string::npos;
      },
      30s))
      << d.mamorid->log() << d.q("SELECT * FROM integrity_observed_changes");
  EXPECT_EQ(d.q("SELECT avatar_phash FROM integrity_baselines WHERE platform = 'x'"), first_hash);
  std::this_thread::sleep_for(3s);  // more polls: still nothing
  EXPECT_EQ(d.q("SELECT count(*) FROM integrity_observed_changes"), "0");
  EXPECT_EQ(d.q(kCompromise), "0");

  // A different picture at a new URL: an unexpected change of the icon.
  ASSERT_EQ(
      d.fake.control("update_account", R"({"platform":"x","handle":"soma_city","avatar_version":2,)"
                                       R"("avatar_pattern":"crypto-giveaway-logo"})"),
      200);
  ASSERT_TRUE(testing::eventually([&] { return d.q(kCompromise) == "1"; }, 30s))
      << d.mamorid->log() << d.q("SELECT * FROM integrity_observed_changes");
  EXPECT_EQ(d.q("SELECT field || ' ' || status FROM integrity_observed_changes"), "avatar open");
  EXPECT_NE(d.q("SELECT after_value FROM integrity_observed_changes").find("?v=2"),
            std::string::npos);
  d.stop();
}

TEST(IntegrityOwnPosts, HijackerPostsOpenACompromiseIncidentNormalPostsDoNotAndSpreadIsTracked) {
  Daemon d;
  ASSERT_TRUE(testing::eventually(
      [&] {
        return d.mamorid->wait_for_exit(0ms) ||
               d.q("SELECT count(*) FROM integrity_baselines") == "1";
      },
      40s, 200ms))
      << d.mamorid->log();

  // The city's ordinary posts: stored, no incident.
  ASSERT_EQ(d.fake.control("posts", R"({"platform":"x","author":"soma_city",)"
                                    R"("text":"本日10時から総合体育館で避難所開設訓練を行います。)"
                                    R"(詳しくは https://www.city.soma.fukushima.jp/ )"
                                    R"(をご覧ください"})"),
            200);
  ASSERT_EQ(d.fake.control("posts", R"({"platform":"x","author":"soma_city","text":"ごみ収集日程の)"
                                    R"(お知らせ: 年末年始は収集日が変わります"})"),
            200);
  const std::string normal_sql =
      "SELECT post_id FROM observed_posts WHERE platform = 'x' AND text LIKE "
      "'%避難所開設訓練%'";
  ASSERT_TRUE(testing::eventually([&] { return !d.q(normal_sql).empty(); }, 30s))
      << d.mamorid->log();
  const std::string normal_id = d.q(normal_sql);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(d.q(kCompromise), "0") << d.q("SELECT title FROM incidents");

  // A hijacker posts a giveaway with a DM push and a shortened link.
  ASSERT_EQ(
      d.fake.control("posts", R"({"platform":"x","author":"soma_city","text":"【フォロワー様限定)"
                              R"(プレゼント企画】フォロー＆リポストで抽選10名様に現金10万円！)"
                              R"(当選者にはDMでご連絡します。応募はこちら https://bit.ly/3gIfT"})"),
      200);
  ASSERT_TRUE(testing::eventually([&] { return d.q(kCompromise) == "1"; }, 30s))
      << d.mamorid->log();
  const std::string id =
      d.q("SELECT id FROM incidents WHERE type = 'account_compromise' AND subject = "
          "'x:official:soma_city'");
  const std::string reasons = d.q(
      "SELECT array_to_string(reasons, ' / ') FROM incident_findings WHERE incident_id = " + id);
  EXPECT_NE(reasons.find("bit.ly"), std::string::npos) << reasons;
  EXPECT_NE(d.q("SELECT count(*) FROM incident_steps WHERE incident_id = " + id), "0")
      << "the account_compromise playbook's checklist";
  EXPECT_NE(d.q("SELECT count(*) FROM incident_evidence WHERE incident_id = " + id +
                " AND content LIKE '%bit.ly%'"),
            "0");

  // Staff flag the normal post as erroneous; others then repost and quote it.
  auto r = api("POST", d.port, "/api/v1/posts/erroneous",
               R"({"platform":"x","post_id":")" + normal_id + R"(","note":"時刻の誤り"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string erroneous_id =
      std::to_string(boost::json::parse(r.body).at("incident_id").as_int64());
  EXPECT_EQ(d.fake.control("update_post", R"({"platform":"x","id":"no-such-post","reposts":1})"),
            400);
  ASSERT_EQ(d.fake.control("update_post", R"({"platform":"x","id":")" + normal_id +
                                              R"(","reposts":7,"quotes":2})"),
            200);
  // Flagging again asks for an immediate spread check (the periodic one runs every 5 minutes).
  ASSERT_EQ(api("POST", d.port, "/api/v1/posts/erroneous",
                R"({"platform":"x","post_id":")" + normal_id + "\"}")
                .status,
            200);
  const std::string spread_sql =
      "SELECT message FROM incident_timeline WHERE incident_id = " + erroneous_id +
      " AND message LIKE '拡散状況: %'";
  ASSERT_TRUE(testing::eventually([&] { return !d.q(spread_sql).empty(); }, 30s))
      << d.mamorid->log() << d.q("SELECT message FROM incident_timeline");
  EXPECT_EQ(d.q(spread_sql), "拡散状況: リポスト 7件（+7）、引用 2件（+2）、返信 0件");
  EXPECT_EQ(d.q("SELECT repost_count || ' ' || quote_count FROM erroneous_posts WHERE post_id = '" +
                normal_id + "'"),
            "7 2");

  // The office deletes the post on the platform: the next spread check sees it gone from the
  // account's timeline (which reaches back past it) and completes delete_post by itself.
  const std::string delete_step =
      "SELECT status || '/' || coalesce(completed_by, '') FROM "
      "incident_steps WHERE step_id = 'delete_post' AND incident_id = " +
      erroneous_id;
  EXPECT_EQ(d.q(delete_step), "pending/");
  EXPECT_EQ(d.fake.control("remove_post", R"({"platform":"x","id":"no-such-post"})"), 400);
  ASSERT_EQ(d.fake.control("remove_post", R"({"platform":"x","id":")" + normal_id + R"("})"), 200);
  ASSERT_EQ(api("POST", d.port, "/api/v1/posts/erroneous",
                R"({"platform":"x","post_id":")" + normal_id + "\"}")
                .status,
            200);
  ASSERT_TRUE(testing::eventually([&] { return d.q(delete_step) == "done/system:check"; }, 30s))
      << d.mamorid->log()
      << d.q("SELECT message FROM incident_timeline WHERE incident_id = " + erroneous_id);
  EXPECT_NE(d.q("SELECT note FROM incident_steps WHERE step_id = 'delete_post' AND incident_id = " +
                erroneous_id)
                .find("削除されたことを確認しました"),
            std::string::npos);
  d.stop();
}

}  // namespace
}  // namespace mamori
