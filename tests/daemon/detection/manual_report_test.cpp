// Incidents opened by hand (issue 19, point 1) through a real mamorid on PostgreSQL: the API
// (POST /api/v1/incidents) and `mamorictl incident open` record through the one finding path, so
// the playbook's checklist and the page to the on-call are there as for a detected incident;
// the upload is kept as evidence with its SHA-256; the reporter is on the timeline.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const char* kToken = "manual-report-token-0123456789abcdef";
const char* kViewerToken = "manual-report-viewer-0123456789abcd";

testing::HttpResult api(unsigned short port, const std::string& body,
                        const std::string& token = kToken) {
  return testing::http_request("POST", "127.0.0.1", port, "/api/v1/incidents",
                               {"Authorization: Bearer " + token, "Content-Type: application/json"},
                               body);
}

std::string error_of(const testing::HttpResult& r) {
  try {
    return std::string(boost::json::parse(r.body).at("error").as_string());
  } catch (const std::exception&) {
    return r.body;
  }
}

TEST(ManualReport, ApiAndMamorictlOpenAnyIncidentWithPlaybookPageAndEvidence) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  testing::set_fake_credentials_env();
  setenv("MAMORI_T_API", kToken, 1);
  setenv("MAMORI_T_VIEW", kViewerToken, 1);
  setenv("MAMORI_T_HOOK", "manual-report-hook-secret-0123456789abcdef", 1);
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"x", "soma_city"}};
  setup.polling = "profiles = \"60s\"\nposts = \"60s\"\nreplies = \"60s\"\nsearch = \"60s\"\n";
  // A webhook nobody listens on: the page is queued (and retried), which is what is checked.
  setup.extra =
      "[[api_tokens]]\nname = \"tester\"\nrole = \"responder\"\ntoken = \"env:MAMORI_T_API\"\n"
      "[[api_tokens]]\nname = \"watcher\"\nrole = \"viewer\"\ntoken = \"env:MAMORI_T_VIEW\"\n"
      "[alerts.channels.hook]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/mamori\"\n"
      "secret = \"env:MAMORI_T_HOOK\"\n"
      "[[alerts.people]]\nid = \"sato\"\nname = \"佐藤 花子\"\ncontacts = [{ channel = \"hook\" "
      "}]\n"
      "[[alerts.policies]]\nname = \"all\"\nseverities = [\"*\"]\n"
      "[[alerts.policies.levels]]\ntargets = [\"person:sato\"]\nescalate_after = \"15m\"\n";
  const auto config = dir.path() / "mamori.toml";
  testing::write_file(config, testing::mamorid_config(setup));
  testing::ChildProcess mamorid(
      {(testing::bin_dir() / "mamorid").string(), "--config", config.string()},
      dir.path() / "mamorid.log");
  const unsigned short port = setup.http_port;
  ASSERT_TRUE(testing::eventually(
      [&] {
        return mamorid.wait_for_exit(0ms) ||
               testing::http_get("127.0.0.1", port, "/readyz").status == 200;
      },
      60s, 200ms))
      << mamorid.log();
  ASSERT_FALSE(mamorid.wait_for_exit(0ms)) << mamorid.log();

  // Refusals: who may, and what is wrong, named in Japanese.
  EXPECT_EQ(api(port, R"({"type":"threat","subject":"a","summary":"b"})", kViewerToken).status,
            403);
  auto r = api(port, R"({"type":"burglary","subject":"a","summary":"b"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_of(r).find("type には"), std::string::npos) << r.body;
  r = api(port, R"({"type":"threat","subject":"  ","summary":"b"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_of(r).find("subject"), std::string::npos) << r.body;
  r = api(port, R"({"type":"threat","subject":"a","summary":"b","severity":"urgent"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_of(r).find("severity"), std::string::npos) << r.body;
  r = api(port,
          R"({"type":"threat","subject":"a","summary":"b","evidence":{"content_base64":"@@"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_of(r).find("base64"), std::string::npos) << r.body;
  r = api(port, R"({"type":"account_change","subject":"a","summary":"b"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incidents"), "0") << "a refusal records nothing";

  // 1. A threat seen elsewhere, with a screenshot: threat playbook, page queued, evidence hashed.
  const std::string subject = "https://x.com/someone/status/1888888888888888888";
  const std::string body =
      R"({"type":"threat","severity":"high","subject":")" + subject +
      R"(","summary":"市役所を爆破するという投稿を市民から電話で知らされました。",)"
      R"("evidence":{"filename":"screenshot.png","content_type":"image/png",)"
      R"("content_base64":"iVBORw0KGgotc2NyZWVuc2hvdC1ieXRlcw=="}})";
  r = api(port, body);
  ASSERT_EQ(r.status, 201) << r.body << mamorid.log();
  const std::string id = std::to_string(boost::json::parse(r.body).at("incident_id").as_int64());
  EXPECT_EQ(sql(db.dsn(),
                "SELECT type || '|' || severity || '|' || platform || '|' || status"
                " FROM incidents WHERE id = " +
                    id),
            "threat|high|x|open");
  EXPECT_NE(sql(db.dsn(), "SELECT title FROM incidents WHERE id = " + id).find("手動登録"),
            std::string::npos);
  // The checklist is the threat playbook's (the police step is there).
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_steps WHERE incident_id = " + id), "0");
  EXPECT_NE(
      sql(db.dsn(), "SELECT string_agg(title, '|') FROM incident_steps WHERE incident_id = " + id)
          .find("警察"),
      std::string::npos);
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM alert_outbox WHERE kind = 'trigger' AND channel = "
                "'hook' AND incident_id = " +
                    id),
            "1");
  EXPECT_EQ(sql(db.dsn(), "SELECT kind || '|' || content_type || '|' || (content = '\\x" +
                              std::string("89504e470d0a1a0a2d73637265656e73686f742d6279746573") +
                              "'::bytea) || '|' || (sha256 = sha256(content))"
                              " FROM evidence WHERE incident_id = " +
                              id),
            "upload|image/png|true|true");
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                              " AND actor = 'tester' AND message LIKE '手動でインシデントを登録%'"),
            "1");
  EXPECT_NE(sql(db.dsn(),
                "SELECT array_to_string(reasons, ' / ') FROM incident_findings WHERE "
                "incident_id = " +
                    id)
                .find("tester さんが手動で登録しました"),
            std::string::npos);
  // The same subject again joins the live incident (not paged twice).
  r = api(port, R"({"type":"threat","subject":")" + subject + R"(","summary":"別の市民からも"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(std::to_string(boost::json::parse(r.body).at("incident_id").as_int64()), id);
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM alert_outbox WHERE incident_id = " + id), "1");

  // 2. mamorictl with the same configuration: a platform's login warning, from the shell.
  testing::write_file(dir.path() / "warning.txt", "新しい端末からのログインがありました\n");
  const auto ctl = testing::run_command(
      (testing::bin_dir() / "mamorictl").string() +
      " incident open --type account_compromise --subject '@soma_city' --platform x"
      " --summary 'X から見覚えのないログインの通知' --severity critical --as hanako"
      " --evidence '" +
      (dir.path() / "warning.txt").string() + "' --config '" + config.string() + "' 2>&1");
  ASSERT_EQ(ctl.exit_code, 0) << ctl.out;
  EXPECT_NE(ctl.out.find("opened (account_compromise, critical) by mamorictl:hanako"),
            std::string::npos)
      << ctl.out;
  const std::string ctl_id = sql(db.dsn(),
                                 "SELECT id FROM incidents WHERE type = "
                                 "'account_compromise' AND subject = 'manual:@soma_city'");
  ASSERT_FALSE(ctl_id.empty());
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + ctl_id +
                              " AND actor = 'mamorictl:hanako'"),
            "1");
  EXPECT_EQ(sql(db.dsn(), "SELECT content_type FROM evidence WHERE incident_id = " + ctl_id),
            "text/plain; charset=utf-8");
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_steps WHERE incident_id = " + ctl_id +
                              " AND clauses::text LIKE '%ube-city.txt 6%'"),
            "0");
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM alert_outbox WHERE kind = 'trigger' AND "
                "incident_id = " +
                    ctl_id),
            "1");
  // The running daemon lists it like any other.
  const auto listed = testing::http_request("GET", "127.0.0.1", port, "/api/v1/incidents/" + ctl_id,
                                            {"Authorization: Bearer " + std::string(kToken)});
  EXPECT_EQ(listed.status, 200) << listed.body;

  // Bad input from the shell: exit 2, one line, nothing recorded.
  const auto bad = testing::run_command((testing::bin_dir() / "mamorictl").string() +
                                        " incident open --type threat --subject x --summary ''"
                                        " --config '" +
                                        config.string() + "' 2>&1");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("summary"), std::string::npos) << bad.out;
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incidents"), "2");

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
