// Incidents opened by hand (issue 19, point 1) through a real mamorid on PostgreSQL: the API
// (POST /api/v1/incidents) and `mamorictl incident open` record through the one finding path, so
// the playbook's checklist and the page to the on-call are there as for a detected incident;
// the upload is kept as evidence with its SHA-256; the reporter is on the timeline.
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
  ASSERT_TRUE(testing::mamorid_ready(mamorid, port)) << mamorid.log();

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

// What mamori checks itself for an incident opened by hand (issue 19): an impersonator named by
// URL or @handle is looked up and its subject_gone step completes when the platform answers
// suspended (X) or moved away (Mastodon); an own post named by URL is the erroneous-post
// incident whose deletion is followed; a subject that names no account and a misinformation
// report are left to staff, and the answer and the timeline say so.
TEST(ManualReport, AutomaticChecksFollowTheSubjectWhenItNamesAnAccountOrAPost) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  testing::set_fake_credentials_env();
  setenv("MAMORI_T_API", kToken, 1);
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"x", "soma_city"}, {"mastodon", "soma_city"}};
  setup.extra =
      "[[api_tokens]]\nname = \"tester\"\nrole = \"responder\"\ntoken = \"env:MAMORI_T_API\"\n"
      "[playbooks]\ncheck_interval = \"1s\"\nhomepage_check_interval = \"1s\"\n";
  const auto config = dir.path() / "mamori.toml";
  testing::write_file(config, testing::mamorid_config(setup));
  testing::ChildProcess mamorid(
      {(testing::bin_dir() / "mamorid").string(), "--config", config.string()},
      dir.path() / "mamorid.log");
  const unsigned short port = setup.http_port;
  ASSERT_TRUE(testing::mamorid_ready(mamorid, port)) << mamorid.log();

  // `joins`: the subject is an account the detector has already opened an incident about; the
  // report is then added to it (200) instead of opening another (201).
  auto open = [&](const std::string& body, bool expect_automatic, bool joins = false) {
    const auto r = api(port, body);
    EXPECT_EQ(r.status, joins ? 200 : 201) << r.body;
    const auto answer = boost::json::parse(r.body).as_object();
    bool gone_step = false;
    for (const auto& c : answer.at("automatic_checks").as_array()) {
      const auto& o = c.as_object();
      if (o.at("kind").as_string() != "subject_gone" &&
          o.at("kind").as_string() != "rate_back_to_baseline")
        continue;
      gone_step = true;
      EXPECT_EQ(o.at("automatic").as_bool(), expect_automatic) << r.body;
      EXPECT_FALSE(o.at("explanation").as_string().empty());
    }
    EXPECT_TRUE(gone_step) << "the playbook has a subject-dependent step: " << r.body;
    return std::to_string(answer.at("incident_id").as_int64());
  };
  auto gone_step = [&](const std::string& id) {
    return sql(db.dsn(),
               "SELECT status || '|' || coalesce(completed_by, '') FROM incident_steps WHERE "
               "incident_id = " +
                   id + " AND auto_check->>'kind' = 'subject_gone'");
  };

  // The fake's impersonator appears 5 s after the start; the report is made once the detector
  // has opened its incident, so it joins that one.
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(),
                   "SELECT count(*) FROM incidents WHERE type = 'impersonation' AND status ="
                   " 'open' AND subject IN (SELECT 'x:' || account_id FROM observed_profiles"
                   " WHERE handle = 'soma__city')") == "1";
      },
      40s))
      << sql(db.dsn(), "SELECT string_agg(type || ' ' || subject, ', ') FROM incidents")
      << mamorid.log();
  // An impersonator a resident phoned about, by URL (X) and by @handle (Mastodon).
  // The fake's impersonator is also found by the detector: one incident.
  const std::string x = open(
      R"({"type":"impersonation","subject":"https://x.com/soma__city","summary":"市民から通報"})",
      true, true);
  const std::string m = open(
      R"({"type":"impersonation","platform":"mastodon","subject":"@jiro","summary":"通報"})", true);
  // A subject that names no account: staff tick the step; the timeline says so.
  const std::string call = open(
      R"({"type":"impersonation","subject":"市民から電話: 市長を名乗る LINE","summary":"通報"})",
      false);
  EXPECT_EQ(
      sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + call +
                        " AND actor = 'system:check' AND message LIKE '%自動では確認しません%'"),
      "1");
  // A handle that does not exist (a typo): not taken for deleted; staff are told once.
  const std::string typo = open(
      R"({"type":"impersonation","subject":"https://x.com/soma___clty","summary":"通報"})", true);
  // A misinformation report: no detector cluster behind it, never completed on its own.
  const std::string rumour =
      open(R"({"type":"misinformation","subject":"給水車が来ないという噂","summary":"電話で複数"})",
           false);

  // Both accounts still answer: looked up (every second here), nothing completed.
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(gone_step(x), "pending|");
  EXPECT_EQ(gone_step(m), "pending|");

  ASSERT_EQ(fake.control("remove_account",
                         R"({"platform":"x","handle":"soma__city","kind":"suspended"})"),
            200);
  ASSERT_EQ(
      fake.control("remove_account", R"({"platform":"mastodon","handle":"jiro","kind":"moved"})"),
      200);
  ASSERT_TRUE(testing::eventually(
      [&] { return gone_step(x) == "done|system:check" && gone_step(m) == "done|system:check"; },
      60s, 250ms))
      << gone_step(x) << " " << gone_step(m) << mamorid.log();
  EXPECT_NE(sql(db.dsn(), "SELECT note FROM incident_steps WHERE incident_id = " + m +
                              " AND auto_check->>'kind' = 'subject_gone'")
                .find("移行"),
            std::string::npos);
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM incidents WHERE type = 'impersonation' AND"
                " (subject LIKE 'manual:%soma__city' OR subject IN (SELECT 'x:' ||"
                " account_id FROM observed_profiles WHERE handle = 'soma__city'))"),
            "1");
  EXPECT_EQ(gone_step(call), "pending|");
  EXPECT_EQ(gone_step(typo), "pending|");
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + typo +
                              " AND message LIKE '%見つかりません%'"),
            "1");
  EXPECT_EQ(sql(db.dsn(), "SELECT status FROM incident_steps WHERE incident_id = " + rumour +
                              " AND auto_check->>'kind' = 'rate_back_to_baseline'"),
            "pending");

  // An own post named by its URL: the same incident as 「誤った投稿を登録する」, tracked until
  // it is deleted on the platform.
  std::string post_id;
  ASSERT_TRUE(testing::eventually(
      [&] {
        post_id = sql(db.dsn(),
                      "SELECT post_id FROM observed_posts WHERE platform = 'x' AND "
                      "author_handle = 'soma_city' ORDER BY created_at DESC LIMIT 1");
        return !post_id.empty();
      },
      60s, 250ms));
  const std::string own_body =
      R"({"type":"erroneous_post","subject":"https://x.com/soma_city/status/)" + post_id +
      R"(","summary":"日付の誤り"})";
  const std::string own = open(own_body, true);
  EXPECT_EQ(sql(db.dsn(), "SELECT subject FROM incidents WHERE id = " + own), "x:post:" + post_id);
  EXPECT_EQ(sql(db.dsn(), "SELECT tracking FROM erroneous_posts WHERE incident_id = " + own), "t");
  ASSERT_EQ(fake.control("remove_post", R"({"platform":"x","id":")" + post_id + R"("})"), 200);
  // Reported again (joins the incident) asks for an immediate spread check, as flagging does
  // (the periodic one runs every 5 minutes).
  const auto again = api(port, own_body);
  ASSERT_EQ(again.status, 200) << again.body;
  ASSERT_TRUE(
      testing::eventually([&] { return gone_step(own) == "done|system:check"; }, 90s, 500ms))
      << gone_step(own) << mamorid.log();

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
