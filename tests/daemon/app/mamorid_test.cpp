// mamorid as a real process: start-up, probes, SIGHUP, SIGTERM, database outage.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/test_support.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

std::string config_text(const std::string& dsn, unsigned short port, const std::string& level = "info") {
  return "[log]\nlevel = \"" + level + "\"\n"
         "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n"
         "[server]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\ndrain_timeout = \"5s\"\n"
         "[database]\ndsn = \"" + dsn + "\"\n";
}

class Mamorid {
 public:
  Mamorid(const std::string& dsn, const testing::TempDir& dir)
      : port_(testing::free_tcp_port()), config_(dir.path() / "mamori.toml") {
    testing::write_file(config_, config_text(dsn, port_));
    process_.emplace(std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                              config_.string()},
                     dir.path() / "mamorid.log");
  }
  bool wait_healthy() {
    return testing::eventually([&] { return get("/healthz").status == 200; }, 15s, 50ms);
  }
  testing::HttpResult get(const std::string& target) { return testing::http_get("127.0.0.1", port_, target); }
  testing::ChildProcess& process() { return *process_; }
  const std::filesystem::path& config() const { return config_; }
  unsigned short port() const { return port_; }

 private:
  unsigned short port_;
  std::filesystem::path config_;
  std::optional<testing::ChildProcess> process_;
};

TEST(Mamorid, ServesProbesAndMetricsThenStopsGracefullyOnSigterm) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  Mamorid d(db.dsn(), dir);
  ASSERT_TRUE(d.wait_healthy()) << d.process().log();
  EXPECT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 200; }, 10s)) << d.process().log();
  const auto metrics = d.get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("mamori_build_info{version=\"0.1.0\"} 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("mamori_http_requests_total{code=\"200\",route=\"/healthz\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("mamori_db_up 1"), std::string::npos);
  EXPECT_EQ(d.get("/nothing").status, 404);

  d.process().signal(SIGTERM);
  const auto code = d.process().wait_for_exit(10s);
  ASSERT_TRUE(code.has_value()) << d.process().log();
  EXPECT_EQ(*code, 0) << d.process().log();
  const std::string log = d.process().log();
  EXPECT_NE(log.find("event=shutdown.begin signal=15"), std::string::npos) << log;
  EXPECT_NE(log.find("event=shutdown.complete exit_code=0"), std::string::npos) << log;
  // The configuration was mirrored into the database at start-up.
  const auto r = testing::run_command("psql '" + db.dsn() + "' -tAc 'SELECT name FROM municipality'");
  EXPECT_EQ(r.out, "相馬市\n");
}

TEST(Mamorid, SighupWithBadConfigKeepsRunningAndGoodConfigApplies) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  Mamorid d(db.dsn(), dir);
  ASSERT_TRUE(d.wait_healthy()) << d.process().log();

  testing::write_file(d.config(), "[municipality]\nname = 1\n[database]\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] {
    return d.get("/metrics").body.find("mamori_config_reloads_total{result=\"rejected\"} 1") != std::string::npos;
  }, 10s)) << d.process().log();
  EXPECT_EQ(d.get("/healthz").status, 200);
  std::string log = d.process().log();
  EXPECT_NE(log.find("event=config.reload_rejected"), std::string::npos) << log;
  EXPECT_NE(log.find("mamori.toml:2:8: municipality.name: expected"), std::string::npos) << log;

  testing::write_file(d.config(), config_text(db.dsn(), d.port(), "debug"));
  d.process().signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] {
    return d.get("/metrics").body.find("mamori_config_reloads_total{result=\"applied\"} 1") != std::string::npos;
  }, 10s)) << d.process().log();
  EXPECT_NE(d.process().log().find("event=config.reloaded"), std::string::npos);

  d.process().signal(SIGINT);
  EXPECT_EQ(d.process().wait_for_exit(10s), std::optional<int>(0)) << d.process().log();
}

TEST(Mamorid, InvalidConfigExitsWithCode2AndSaysWhere) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "bad.toml", "[municipality]\nname = \"x\"\n[database]\ndsn = \"d\"\n[server]\nlisten = \"nowhere\"\n");
  testing::ChildProcess p({(testing::bin_dir() / "mamorid").string(), "--config",
                           (dir.path() / "bad.toml").string()},
                          dir.path() / "log");
  EXPECT_EQ(p.wait_for_exit(10s), std::optional<int>(2));
  EXPECT_NE(p.log().find("bad.toml:6:10: server.listen: expected \\\"HOST:PORT\\\""), std::string::npos) << p.log();
}

TEST(Mamorid, PortInUseFailsStartupWithReason) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  Mamorid first(db.dsn(), dir);
  ASSERT_TRUE(first.wait_healthy());
  testing::TempDir dir2;
  testing::write_file(dir2.path() / "m.toml", config_text(db.dsn(), first.port()));
  testing::ChildProcess second({(testing::bin_dir() / "mamorid").string(), "--config",
                                (dir2.path() / "m.toml").string()},
                               dir2.path() / "log");
  EXPECT_EQ(second.wait_for_exit(15s), std::optional<int>(1)) << second.log();
  EXPECT_NE(second.log().find("event=startup.failed step=http"), std::string::npos) << second.log();
}

TEST(Mamorid, ReadyzFollowsTheDatabase) {
  testing::OwnPostgres pg;
  testing::TempDir dir;
  Mamorid d(pg.dsn(), dir);
  ASSERT_TRUE(d.wait_healthy()) << d.process().log();
  ASSERT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 200; }, 10s));
  pg.stop();
  ASSERT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 503; }, 20s)) << d.process().log();
  EXPECT_EQ(d.get("/healthz").status, 200);
  EXPECT_NE(d.get("/readyz").body.find("database not reachable"), std::string::npos);
  EXPECT_NE(d.get("/metrics").body.find("mamori_db_up 0"), std::string::npos);
  pg.start();
  EXPECT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 200; }, 30s)) << d.process().log();
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait_for_exit(10s), std::optional<int>(0)) << d.process().log();
}

}  // namespace
}  // namespace mamori
