// Flame-up (炎上) detection end to end: the fake platform floods an official post with replies,
// a real mamorid polls them into PostgreSQL and judges them. Hostile replies become a 炎上
// incident within two polling cycles; after a restart the baseline is rebuilt from the stored
// replies (warm start). That a thank-you surge of the same size is not 炎上 is tested in-process
// (detection_hub_test.cpp), without waiting for polling cycles.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

constexpr auto kPollInterval = 10s;

struct Running {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake{testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir};
  testing::MamoridSetup setup;
  std::unique_ptr<testing::ChildProcess> mamorid;

  Running() {
    testing::set_fake_credentials_env();
    setup.dsn = db.dsn();
    setup.http_port = testing::free_tcp_port();
    setup.fake_base_url = fake.base_url();
    setup.accounts = {{"x", "soma_city"}};
    setup.polling = "profiles = \"10s\"\nposts = \"10s\"\nreplies = \"10s\"\nsearch = \"60s\"\n";
    testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
    start("mamorid.log");
  }
  void start(const std::string& log) {
    mamorid = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
        dir.path() / log);
  }
  std::string metrics() const {
    return testing::http_get("127.0.0.1", setup.http_port, "/metrics").body;
  }

  // Repliers, then `texts` as replies to the scenario's official notice, as fast as possible.
  void flood(const std::string& prefix, const std::vector<std::string>& texts, int replies) {
    for (int i = 0; i < 8; ++i) {
      ASSERT_EQ(
          fake.control("accounts", R"({"platform":"x","handle":")" + prefix + std::to_string(i) +
                                       R"(","display_name":"市民)" + std::to_string(i) + R"("})"),
          200);
    }
    for (int i = 0; i < replies; ++i) {
      const std::string text =
          texts[static_cast<std::size_t>(i) % texts.size()] + "（" + std::to_string(i) + "）";
      ASSERT_EQ(
          fake.control("posts", R"({"platform":"x","author":")" + prefix + std::to_string(i % 8) +
                                    R"(","in_reply_to":"x-notice","text":")" + text + R"("})"),
          200);
    }
  }
};

bool official_notice_stored(const std::string& dsn) {
  return sql(dsn, "SELECT count(*) FROM observed_posts WHERE text LIKE '%防災訓練%'") == "1" &&
         sql(dsn, "SELECT count(*) FROM official_accounts WHERE account_id IS NOT NULL") == "1";
}

const std::vector<std::string> kHostile = {
    "ふざけるな、税金の無駄遣いだ。市長は謝罪しろ",
    "対応ひどすぎ。説明と謝罪を求めます",
    "無能な職員しかいないのか。最低の対応",
    "これはひどい。市は恥を知れ",
    "ありえない。ちゃんと謝れ",
};

TEST(FlameupDetection, HostileFloodIsA炎上IncidentWithinTwoPollingCyclesAndSurvivesARestart) {
  Running r;
  ASSERT_TRUE(testing::eventually([&] { return official_notice_stored(r.db.dsn()); }, 60s))
      << r.mamorid->log();

  r.flood("angry", kHostile, 40);
  const auto flooded = std::chrono::steady_clock::now();
  const std::string flame_sql =
      "SELECT i.id FROM incidents i JOIN incident_findings f ON f.incident_id = i.id"
      " WHERE i.type = 'flameup' AND f.severity_label = '炎上' LIMIT 1";
  ASSERT_TRUE(testing::eventually([&] { return !sql(r.db.dsn(), flame_sql).empty(); },
                                  2 * kPollInterval + 5s, 200ms))
      << r.mamorid->log()
      << "\nfindings: " << sql(r.db.dsn(), "SELECT severity_label, reasons FROM incident_findings")
      << "\nstored replies: "
      << sql(r.db.dsn(), "SELECT count(*) FROM observed_posts WHERE text LIKE '%（%）'");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - flooded);
  std::printf("flood -> 炎上 finding stored in %.1f s (polling interval %lld s)\n",
              static_cast<double>(took.count()) / 1000.0,
              static_cast<long long>(kPollInterval.count()));
  const std::string id = sql(r.db.dsn(), flame_sql);
  EXPECT_EQ(
      sql(r.db.dsn(), "SELECT subject FROM incidents WHERE id = " + id).rfind("x:account:", 0), 0u);
  EXPECT_NE(sql(r.db.dsn(), "SELECT count(*) FROM incident_steps WHERE incident_id = " + id), "0");
  // The post drawing the replies is named with its text, so staff see which one burns.
  EXPECT_NE(sql(r.db.dsn(), "SELECT count(*) FROM incident_findings WHERE incident_id = " + id +
                                " AND evidence->'top_posts'->0->>'text' LIKE '%防災訓練%'"),
            "0")
      << sql(r.db.dsn(),
             "SELECT evidence->'top_posts' FROM incident_findings WHERE incident_id = " + id);
  // The dashboards' gauges: the episode is open for this account.
  EXPECT_TRUE(testing::eventually(
      [&] {
        return r.metrics().find(
                   R"(mamori_flameup_episode_open{account="soma_city",platform="x"} 1)") !=
               std::string::npos;
      },
      30s))
      << r.metrics();
  EXPECT_NE(r.metrics().find(R"(mamori_reply_rate_baseline{account="soma_city",platform="x"})"),
            std::string::npos);

  // Restart: the baseline is rebuilt from the stored replies instead of starting empty.
  r.mamorid->signal(SIGTERM);
  ASSERT_EQ(r.mamorid->wait_for_exit(30s), std::optional<int>(0)) << r.mamorid->log();
  r.start("mamorid-restarted.log");
  std::string warm_line;
  ASSERT_TRUE(testing::eventually(
      [&] {
        const std::string log = r.mamorid->log();
        const auto at = log.find("flameup.warm_start account=x:soma_city");
        if (at == std::string::npos) return false;
        warm_line = log.substr(at, log.find('\n', at) - at);
        return true;
      },
      30s))
      << r.mamorid->log();
  const auto replies_at = warm_line.find("replies=");
  ASSERT_NE(replies_at, std::string::npos) << warm_line;
  EXPECT_GE(std::stoi(warm_line.substr(replies_at + 8)), 40) << warm_line;
  r.mamorid->signal(SIGTERM);
  EXPECT_EQ(r.mamorid->wait_for_exit(30s), std::optional<int>(0)) << r.mamorid->log();
}

}  // namespace
}  // namespace mamori
