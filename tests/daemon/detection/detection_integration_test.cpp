// From the fake platform to incidents: mamorid polls, the detectors judge, findings become
// incidents with their playbook checklist; when the impersonator disappears, the automatic
// subject_gone check completes the watch step.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

TEST(Detection, ImpersonatorOnXBecomesAnIncidentAndItsRemovalCompletesTheCheck) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  testing::set_fake_credentials_env();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {
      {"x", "soma_city"}, {"bluesky", "soma-city.bsky.social"}, {"mastodon", "soma_city"}};
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");

  // The impersonator appears 5 s into the scenario; one search cycle (5 s) later it is an incident.
  const auto incident_sql =
      "SELECT id FROM incidents WHERE type = 'impersonation' AND title LIKE '%soma\\_\\_city%'";
  ASSERT_TRUE(testing::eventually([&] { return !sql(db.dsn(), incident_sql).empty(); }, 40s))
      << mamorid.log()
      << "\nincidents: " << sql(db.dsn(), "SELECT type, subject, title FROM incidents");
  const std::string id = sql(db.dsn(), incident_sql);
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) > 0 FROM incident_steps WHERE incident_id = " + id),
            "t");
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) > 0 FROM incident_steps WHERE incident_id = " + id +
                              " AND clauses::text LIKE '%soma-city.txt%'"),
            "t");
  EXPECT_NE(
      sql(db.dsn(),
          "SELECT array_to_string(reasons, ' / ') FROM incident_findings WHERE incident_id = " +
              id),
      "");
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM evidence WHERE incident_id = " + id +
                              " AND kind = 'observation' AND length(sha256) = 32"),
            "1");
  // The impersonator copied the official icon: both icons are kept (avatar_integration_test.cpp).
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM evidence WHERE incident_id = " + id + " AND kind = 'avatar'"),
            "2");
  // Neither the city's own accounts nor ordinary repliers are flagged.
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM incidents WHERE type = 'impersonation' AND title NOT LIKE "
                "'%soma\\_\\_city%'"),
            "0");

  // The platform removes the account: the watch step completes by itself.
  ASSERT_EQ(fake.control("remove_account",
                         R"({"platform":"x","handle":"soma__city","kind":"suspended"})"),
            200);
  const std::string gone_sql = "SELECT count(*) FROM incident_steps WHERE incident_id = " + id +
                               " AND auto_check->>'kind' = 'subject_gone' AND status = 'done' AND "
                               "completed_by = 'system:check'";
  EXPECT_TRUE(testing::eventually([&] { return sql(db.dsn(), gone_sql) != "0"; }, 40s))
      << mamorid.log() << "\n"
      << sql(db.dsn(),
             "SELECT step_id, status, auto_check FROM incident_steps WHERE incident_id = " + id);
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                              " AND actor = 'system:check'"),
            "0");
  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
