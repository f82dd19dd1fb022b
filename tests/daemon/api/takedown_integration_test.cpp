// Takedown requests end to end: PostgreSQL, the fake platform and a real mamorid. Impersonators
// on Mastodon and Bluesky are reported by mamori itself through the platforms' report APIs (the
// platform's answer is stored); on X staff record the form and its receipt number; a request past
// its deadline gets one reminder (with the legal response period on X); an account mamori sees
// disappear marks its request removed; a report the platform refuses to take is recorded as
// failed and changes nothing else.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const char* kToken = "takedown-test-token-0123456789abcdef";

testing::HttpResult api(const std::string& method, unsigned short port, const std::string& target,
                        const std::string& body = "") {
  return testing::http_request(
      method, "127.0.0.1", port, target,
      {"Authorization: Bearer " + std::string(kToken), "Content-Type: application/json"}, body);
}

std::string incident_of(const std::string& dsn, const std::string& platform) {
  return sql(dsn, "SELECT id FROM incidents WHERE type = 'impersonation' AND platform = '" +
                      platform + "' ORDER BY id LIMIT 1");
}

boost::json::array fake_reports(const testing::FakePlatform& fake) {
  const auto r = testing::http_get("127.0.0.1", fake.port(), "/_control/reports");
  return boost::json::parse(r.body).at("reports").as_array();
}

TEST(Takedowns, FiledThroughReportApisAndFormsTrackedRemindedAndRemoved) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  testing::set_fake_credentials_env();
  setenv("MAMORI_T_API", kToken, 1);
  // Impersonators of the official account on Mastodon and Bluesky (X has one in the scenario).
  ASSERT_EQ(
      fake.control(
          "accounts",
          R"({"platform":"mastodon","handle":"soma_clty","display_name":"相馬市",)"
          R"("description":"福島県相馬市の公式アカウントです。","avatar_pattern":"soma-official","avatar_tweak":12})"),
      200);
  ASSERT_EQ(
      fake.control(
          "accounts",
          R"({"platform":"bluesky","handle":"soma-clty.bsky.social","display_name":"相馬市",)"
          R"("description":"福島県相馬市の公式アカウント","avatar_pattern":"soma-official","avatar_tweak":12})"),
      200);
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {
      {"x", "soma_city"}, {"bluesky", "soma-city.bsky.social"}, {"mastodon", "soma_city"}};
  setup.polling = "profiles = \"2s\"\nposts = \"5s\"\nreplies = \"30s\"\nsearch = \"2s\"\n";
  setup.extra =
      "[playbooks]\ncheck_interval = \"1s\"\n"
      "[[api_tokens]]\nname = \"tester\"\nrole = \"responder\"\ntoken = \"env:MAMORI_T_API\"\n";
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  const unsigned short port = setup.http_port;
  ASSERT_TRUE(testing::eventually(
      [&] {
        return mamorid.wait_for_exit(0ms) ||
               (!incident_of(db.dsn(), "x").empty() && !incident_of(db.dsn(), "bluesky").empty() &&
                !incident_of(db.dsn(), "mastodon").empty());
      },
      90s, 250ms))
      << mamorid.log() << sql(db.dsn(), "SELECT id, type, platform, subject FROM incidents");

  // 1. Mastodon: mamori files the report itself; the platform's Report entity is stored.
  const std::string mastodon = incident_of(db.dsn(), "mastodon");
  auto r = api("GET", port, "/api/v1/incidents/" + mastodon + "/takedowns");
  ASSERT_EQ(r.status, 200) << r.body;
  auto listing = boost::json::parse(r.body).as_object();
  ASSERT_TRUE(listing.at("default_target").is_object()) << r.body;
  const std::string mastodon_target(listing.at("default_target").at("account_id").as_string());
  EXPECT_EQ(listing.at("filing_unavailable").at("mastodon").as_string(), "");
  EXPECT_NE(listing.at("filing_unavailable").at("x").as_string(), "");
  const std::string text =
      "相馬市の公式アカウント @soma_city を装うアカウントです。削除をお願いします。";
  r = api("POST", port, "/api/v1/incidents/" + mastodon + "/takedowns",
          R"({"text":")" + text + R"("})");
  ASSERT_EQ(r.status, 201) << r.body << mamorid.log();
  auto filed = boost::json::parse(r.body).as_object();
  EXPECT_EQ(filed.at("status").as_string(), "filed");
  EXPECT_EQ(filed.at("method").as_string(), "api");
  EXPECT_EQ(filed.at("target").as_string(), mastodon_target);
  const std::string mastodon_receipt(filed.at("receipt").as_string());
  EXPECT_FALSE(mastodon_receipt.empty());
  EXPECT_NE(std::string(filed.at("platform_answer").as_string()).find("\"target_account\""),
            std::string::npos);
  EXPECT_TRUE(filed.at("legal_period_days").is_null())
      << "Mastodon is not designated under the act";
  EXPECT_FALSE(filed.at("deadline").is_null());
  auto reports = fake_reports(fake);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].at("platform").as_string(), "mastodon");
  EXPECT_EQ(reports[0].at("request").at("account_id").as_string(), mastodon_target);
  EXPECT_EQ(reports[0].at("request").at("comment").as_string(), text);
  EXPECT_EQ(reports[0].at("answer").at("id").as_string(), mastodon_receipt);

  // 2. Bluesky: createReport through the official account's session, subject the DID.
  const std::string bluesky = incident_of(db.dsn(), "bluesky");
  r = api("POST", port, "/api/v1/incidents/" + bluesky + "/takedowns",
          R"({"text":")" + text + R"("})");
  ASSERT_EQ(r.status, 201) << r.body << mamorid.log();
  filed = boost::json::parse(r.body).as_object();
  EXPECT_EQ(filed.at("status").as_string(), "filed");
  const std::string did(filed.at("target").as_string());
  EXPECT_EQ(did.rfind("did:", 0), 0u) << did;
  reports = fake_reports(fake);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[1].at("request").at("subject").at("did").as_string(), did);
  EXPECT_EQ(reports[1].at("request").at("reasonType").as_string(),
            "com.atproto.moderation.defs#reasonMisleading");
  EXPECT_EQ(std::string(reports[1].at("answer").at("reportedBy").as_string()).substr(0, 4), "did:");
  EXPECT_EQ(std::to_string(reports[1].at("answer").at("id").as_int64()),
            filed.at("receipt").as_string());

  // 3. A report the platform does not take (an unknown account): recorded as failed, nothing filed.
  r = api("POST", port, "/api/v1/incidents/" + mastodon + "/takedowns",
          R"({"text":"テスト","platform":"mastodon","account_id":"999999999"})");
  ASSERT_EQ(r.status, 502) << r.body;
  const auto failed = boost::json::parse(r.body).as_object();
  EXPECT_EQ(failed.at("status").as_string(), "failed");
  EXPECT_NE(std::string(failed.at("error").as_string()).find("404"), std::string::npos) << r.body;
  EXPECT_EQ(fake_reports(fake).size(), 2u);
  EXPECT_EQ(api("POST", port, "/api/v1/takedowns/" + std::to_string(failed.at("id").as_int64()),
                R"({"status":"removed"})")
                .status,
            409);

  // 4. X: no report API. Staff send the form, then record the receipt number; X is designated
  // under 情報流通プラットフォーム対処法, so the deadline is its 7-day response period.
  const std::string x = incident_of(db.dsn(), "x");
  r = api("POST", port, "/api/v1/incidents/" + x + "/takedowns", R"({"text":")" + text + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  filed = boost::json::parse(r.body).as_object();
  const std::string x_request = std::to_string(filed.at("id").as_int64());
  EXPECT_EQ(filed.at("method").as_string(), "form");
  EXPECT_EQ(filed.at("status").as_string(), "filed");
  EXPECT_EQ(filed.at("legal_period_days").as_int64(), 7);
  EXPECT_EQ(sql(db.dsn(),
                "SELECT round(extract(epoch FROM deadline - filed_at) / 86400) FROM "
                "takedown_requests WHERE id = " +
                    x_request),
            "7");
  r = api("POST", port, "/api/v1/takedowns/" + x_request, R"({"receipt":"0123456789"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("receipt").as_string(), "0123456789");
  EXPECT_EQ(api("POST", port, "/api/v1/takedowns/" + x_request, R"({"status":"filing"})").status,
            400);
  EXPECT_EQ(api("POST", port, "/api/v1/takedowns/" + x_request, R"({})").status, 400);

  // 5. Past its deadline (moved back here rather than waiting 7 days): one reminder, overdue.
  sql(db.dsn(), "UPDATE takedown_requests SET deadline = now() - interval '1 minute' WHERE id = " +
                    x_request);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(), "SELECT reminded_at IS NOT NULL FROM takedown_requests WHERE id = " +
                                 x_request) == "t";
      },
      20s, 200ms))
      << mamorid.log();
  EXPECT_EQ(
      sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + x +
                        " AND kind = 'takedown' AND message LIKE '%対応期間（7日）を過ぎました%'"),
      "1");
  r = api("GET", port, "/api/v1/takedowns");
  ASSERT_EQ(r.status, 200);
  const auto open = boost::json::parse(r.body).at("takedowns").as_array();
  ASSERT_EQ(open.size(), 3u) << r.body;
  EXPECT_EQ(std::to_string(open[0].at("id").as_int64()), x_request) << "the overdue one first";
  EXPECT_TRUE(open[0].at("overdue").as_bool());
  EXPECT_TRUE(open[0].at("response_period_legal").as_bool());
  EXPECT_FALSE(open[1].at("overdue").as_bool());
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM takedown_events WHERE status = 'reminder'"), "1")
      << "reminded once, not every round";

  // 6. Staff record the platform's answer; then X suspends the impersonator, mamori's
  // subject_gone check sees it and marks the request removed itself.
  r = api("POST", port, "/api/v1/takedowns/" + x_request,
          R"({"status":"answered","note":"審査中との返信"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("status").as_string(), "answered");
  ASSERT_EQ(fake.control("remove_account",
                         R"({"platform":"x","handle":"soma__city","kind":"suspended"})"),
            200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(), "SELECT status FROM takedown_requests WHERE id = " + x_request) ==
               "removed";
      },
      60s, 250ms))
      << mamorid.log()
      << sql(db.dsn(), "SELECT step_id, status FROM incident_steps WHERE incident_id = " + x);
  EXPECT_EQ(sql(db.dsn(), "SELECT actor FROM takedown_events WHERE status = 'removed'"),
            "system:check");
  EXPECT_EQ(
      sql(db.dsn(), "SELECT closed_at IS NOT NULL FROM takedown_requests WHERE id = " + x_request),
      "t");
  r = api("GET", port, "/api/v1/incidents/" + x + "/takedowns");
  const auto history = boost::json::parse(r.body).at("takedowns").as_array();
  ASSERT_EQ(history.size(), 1u);
  // filed (form), receipt, reminder, answered, removed: each on the incident's timeline too.
  EXPECT_EQ(history[0].at("events").as_array().size(), 5u) << r.body;
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + x +
                              " AND kind = 'takedown'"),
            "5");
  EXPECT_FALSE(history[0].at("overdue").as_bool()) << "a removed request is no longer overdue";
  EXPECT_EQ(sql(db.dsn(), "SELECT status FROM takedown_requests WHERE incident_id = " + mastodon +
                              " ORDER BY id LIMIT 1"),
            "filed")
      << "the Mastodon account is still there";

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
