// Planned account changes and closures end to end (soma-city.txt 4, hokkaido.txt 3(8)):
// PostgreSQL, the fake platform (the official account's posts and the city's notice page) and a
// real mamorid. A closure registered with less than a month to go is accepted with a warning, its
// checklist carries the closure steps and the plan's dates, overdue notices are reminded at once;
// the notice on the account and on the homepage complete their steps by themselves; a change
// further out gets its reminder a week before the report to the 統括情報管理者 is due.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <ctime>

#include "model/time_text.h"
#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const char* kToken = "account-change-test-token-0123456789";

testing::HttpResult api(const std::string& method, unsigned short port, const std::string& target,
                        const std::string& body = "") {
  return testing::http_request(
      method, "127.0.0.1", port, target,
      {"Authorization: Bearer " + std::string(kToken), "Content-Type: application/json"}, body);
}

std::string iso_in(std::chrono::hours h) {
  return model::iso8601_utc(std::chrono::floor<std::chrono::milliseconds>(model::Clock::now() + h));
}

TEST(AccountChanges, ClosureChecklistDatesRemindersAndNoticesCheckedByMamori) {
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
  setup.polling = "profiles = \"5s\"\nposts = \"2s\"\nreplies = \"30s\"\nsearch = \"60s\"\n";
  setup.extra =
      "[playbooks]\ncheck_interval = \"1s\"\nhomepage_check_interval = \"2s\"\n"
      "[[api_tokens]]\nname = \"tester\"\nrole = \"responder\"\ntoken = \"env:MAMORI_T_API\"\n";
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  const unsigned short port = setup.http_port;
  ASSERT_TRUE(testing::eventually(
      [&] {
        return mamorid.wait_for_exit(0ms) ||
               api("GET", port, "/api/v1/account-changes").status == 200;
      },
      30s, 100ms))
      << mamorid.log();

  // Bad plans are refused with the reason.
  EXPECT_EQ(
      api("POST", port, "/api/v1/account-changes",
          R"({"platform":"x","handle":"nobody","kind":"closure","what":"廃止","planned_at":")" +
              iso_in(240h) + "\"}")
          .status,
      404);
  EXPECT_EQ(
      api("POST", port, "/api/v1/account-changes",
          R"({"platform":"x","handle":"soma_city","kind":"closure","what":"廃止","planned_at":")" +
              iso_in(-1h) + "\"}")
          .status,
      400);
  EXPECT_EQ(
      api("POST", port, "/api/v1/account-changes",
          R"({"platform":"x","handle":"soma_city","kind":"rename","what":"x","planned_at":")" +
              iso_in(240h) + "\"}")
          .status,
      400);
  EXPECT_EQ(
      api("POST", port, "/api/v1/account-changes",
          R"({"platform":"x","handle":"soma_city","kind":"closure","what":"x","notice_url":"https://evil.example/",)"
          R"("planned_at":")" +
              iso_in(240h) + "\"}")
          .status,
      400);

  // 1. A closure in 10 days: less than a month of notice, so a warning; closure steps included.
  auto r = api(
      "POST", port, "/api/v1/account-changes",
      R"({"platform":"x","handle":"@soma_city","kind":"closure","what":"X での発信を終了し、LINE に一本化します",)"
      R"("planned_at":")" +
          iso_in(240h) + "\"}");
  ASSERT_EQ(r.status, 201) << r.body << mamorid.log();
  const auto created = boost::json::parse(r.body).as_object();
  ASSERT_EQ(created.at("warnings").as_array().size(), 1u) << r.body;
  EXPECT_NE(std::string(created.at("warnings").at(0).as_string()).find("一月"), std::string::npos);
  const std::string id = std::to_string(created.at("incident_id").as_int64());
  EXPECT_EQ(sql(db.dsn(), "SELECT type || '/' || severity FROM incidents WHERE id = " + id),
            "account_change/low");
  EXPECT_EQ(sql(db.dsn(),
                "SELECT string_agg(step_id, ',' ORDER BY position) FROM incident_steps WHERE "
                "incident_id = " +
                    id),
            "notify_administrator,account_notice,homepage_notice,delete_posts,carry_out,remove_"
            "from_list,keep_notice");
  // Dates from the plan: carry-out on the day, the notice kept half a year after (183 days).
  EXPECT_EQ(sql(db.dsn(),
                "SELECT round(extract(epoch FROM due_at - now()) / 86400) FROM incident_steps "
                "WHERE incident_id = " +
                    id + " AND step_id = 'carry_out'"),
            "10");
  EXPECT_EQ(sql(db.dsn(),
                "SELECT round((auto_check->>'duration_s')::numeric / 86400) FROM incident_steps "
                "WHERE incident_id = " +
                    id + " AND step_id = 'keep_notice'"),
            "193");
  EXPECT_EQ(sql(db.dsn(), "SELECT auto_check->>'text' FROM incident_steps WHERE incident_id = " +
                              id + " AND step_id = 'homepage_notice'"),
            "soma_city");
  // The notices were due already (less than a month): reminded at once, each once.
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                                 " AND kind = 'reminder' AND message LIKE '%周知%を過ぎました'") ==
               "2";
      },
      20s, 200ms))
      << mamorid.log()
      << sql(db.dsn(), "SELECT message FROM incident_timeline WHERE incident_id = " + id);
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                              " AND kind = 'reminder' AND message LIKE '%変更・廃止の実施%'"),
            "0")
      << "the carry-out is 10 days away: no reminder yet";

  // 2. The notices: a post on the account and the homepage page; mamori completes both steps.
  ASSERT_EQ(
      fake.control(
          "posts",
          R"({"platform":"x","author":"soma_city",)"
          R"("text":"【お知らせ】相馬市のXアカウントは運用を終了し、廃止します。今後はLINEでお知らせします。"})"),
      200);
  std::this_thread::sleep_for(3s);  // the first reading of the page (404) is the baseline
  ASSERT_EQ(
      fake.control("pages",
                   R"({"path":"/city/oshirase/","html":"<html><body><h2>お知らせ</h2>)"
                   R"(<p>相馬市公式Xアカウント（＠soma_city）は廃止します。</p></body></html>"})"),
      200);
  const std::string done_sql =
      "SELECT string_agg(step_id, ',' ORDER BY step_id) FROM incident_steps WHERE incident_id = " +
      id + " AND status = 'done' AND completed_by = 'system:check'";
  ASSERT_TRUE(testing::eventually(
      [&] { return sql(db.dsn(), done_sql) == "account_notice,homepage_notice"; }, 40s, 250ms))
      << mamorid.log() << sql(db.dsn(), done_sql);

  // 3. A change 40 days out: notices due in 10 days, the report to the administrator in 3, so a
  // reminder "3 days left" now and none for the notices yet.
  r = api(
      "POST", port, "/api/v1/account-changes",
      R"({"platform":"mastodon","handle":"soma_city","kind":"change","what":"アカウント名を「相馬市広報」に変更",)"
      R"("planned_at":")" +
          iso_in(960h) + "\"}");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto change = boost::json::parse(r.body).as_object();
  EXPECT_TRUE(change.at("warnings").as_array().empty());
  const std::string change_id = std::to_string(change.at("incident_id").as_int64());
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incident_steps WHERE incident_id = " + change_id +
                              " AND step_id IN ('delete_posts', 'remove_from_list')"),
            "0");
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " +
                                 change_id + " AND kind = 'reminder'") != "0";
      },
      20s, 200ms));
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(
      sql(db.dsn(), "SELECT string_agg(message, '|') FROM incident_timeline WHERE incident_id = " +
                        change_id + " AND kind = 'reminder'"),
      sql(db.dsn(),
          "SELECT '「統括情報管理者への届出」の期限（' || to_char(due_at AT TIME ZONE "
          "'Asia/Tokyo', "
          "'FMYYYY\"年\"FMMM\"月\"FMDD\"日\"') || '）まであと3日です' FROM incident_steps WHERE "
          "incident_id = " +
              change_id + " AND step_id = 'notify_administrator'"));
  // Registering the same plan again updates its incident instead of opening another.
  r = api(
      "POST", port, "/api/v1/account-changes",
      R"({"platform":"mastodon","handle":"soma_city","kind":"change","what":"アカウント名を「相馬市広報課」に変更",)"
      R"("planned_at":")" +
          iso_in(960h) + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(std::to_string(boost::json::parse(r.body).at("incident_id").as_int64()), change_id);

  r = api("GET", port, "/api/v1/account-changes");
  ASSERT_EQ(r.status, 200);
  const auto list = boost::json::parse(r.body).at("account_changes").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("kind").as_string(), "change") << "the later plan first";
  EXPECT_EQ(list[0].at("what").as_string(), "アカウント名を「相馬市広報課」に変更");
  EXPECT_EQ(list[1].at("pending_steps").as_int64(), 5);

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
