// mamorid as a real process: start-up, probes, SIGHUP, SIGTERM, database outage.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "tests/support/test_support.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

std::string config_text(const std::string& dsn, unsigned short port,
                        const std::string& level = "info", const std::string& server_extra = "") {
  return "[log]\nlevel = \"" + level +
         "\"\n"
         "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n"
         "[server]\nlisten = \"127.0.0.1:" +
         std::to_string(port) + "\"\ndrain_timeout = \"5s\"\n" + server_extra +
         "[database]\ndsn = \"" + dsn + "\"\n";
}

class Mamorid {
 public:
  Mamorid(const std::string& dsn, const testing::TempDir& dir, const std::string& server_extra = "")
      : port_(testing::free_tcp_port()), config_(dir.path() / "mamori.toml") {
    testing::write_file(config_, config_text(dsn, port_, "info", server_extra));
    process_.emplace(std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                              config_.string()},
                     dir.path() / "mamorid.log");
  }
  bool wait_healthy() {
    return testing::eventually([&] { return get("/healthz").status == 200; }, 15s, 50ms);
  }
  testing::HttpResult get(const std::string& target) {
    return testing::http_get("127.0.0.1", port_, target);
  }
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
  EXPECT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 200; }, 10s))
      << d.process().log();
  const auto metrics = d.get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("mamori_build_info{version=\"0.1.0\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("mamori_http_requests_total{code=\"200\",route=\"/healthz\"}"),
            std::string::npos);
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
  const auto r =
      testing::run_command("psql '" + db.dsn() + "' -tAc 'SELECT name FROM municipality'");
  EXPECT_EQ(r.out, "相馬市\n");
}

// /metrics and /readyz tell about the inside: they answer [server] monitoring_allow (loopback by
// default) only, and only directly — never a request a reverse proxy passed on.
TEST(Mamorid, MonitoringEndpointsAnswerTheAllowListDirectlyOnly) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  Mamorid d(db.dsn(), dir);
  ASSERT_TRUE(d.wait_healthy()) << d.process().log();
  ASSERT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 200; }, 10s))
      << d.process().log();
  EXPECT_EQ(d.get("/metrics").status, 200);
  for (const std::string target : {"/metrics", "/readyz"}) {
    for (const std::string header :
         {"X-Forwarded-For: 203.0.113.5", "Forwarded: for=203.0.113.5"}) {
      EXPECT_EQ(testing::http_request("GET", "127.0.0.1", d.port(), target, {header}).status, 403)
          << target << " " << header;
    }
  }
  EXPECT_EQ(testing::http_request("GET", "127.0.0.1", d.port(), "/healthz",
                                  {"X-Forwarded-For: 203.0.113.5"})
                .status,
            200);

  testing::TempDir other_dir;
  Mamorid elsewhere(db.dsn(), other_dir, "monitoring_allow = [\"192.0.2.0/24\"]\n");
  ASSERT_TRUE(elsewhere.wait_healthy()) << elsewhere.process().log();
  EXPECT_EQ(elsewhere.get("/metrics").status, 403);
  EXPECT_EQ(elsewhere.get("/readyz").status, 403);
}

TEST(Mamorid, SighupWithBadConfigKeepsRunningAndGoodConfigApplies) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  Mamorid d(db.dsn(), dir);
  ASSERT_TRUE(d.wait_healthy()) << d.process().log();

  testing::write_file(d.config(), "[municipality]\nname = 1\n[database]\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return d.get("/metrics").body.find("mamori_config_reloads_total{result=\"rejected\"} 1") !=
               std::string::npos;
      },
      10s))
      << d.process().log();
  EXPECT_EQ(d.get("/healthz").status, 200);
  std::string log = d.process().log();
  EXPECT_NE(log.find("event=config.reload_rejected"), std::string::npos) << log;
  EXPECT_NE(log.find("mamori.toml:2:8: municipality.name: expected"), std::string::npos) << log;

  testing::write_file(d.config(), config_text(db.dsn(), d.port(), "debug"));
  d.process().signal(SIGHUP);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return d.get("/metrics").body.find("mamori_config_reloads_total{result=\"applied\"} 1") !=
               std::string::npos;
      },
      10s))
      << d.process().log();
  EXPECT_NE(d.process().log().find("event=config.reloaded"), std::string::npos);

  d.process().signal(SIGINT);
  EXPECT_EQ(d.process().wait_for_exit(10s), std::optional<int>(0)) << d.process().log();
}

TEST(Mamorid, InvalidConfigExitsWithCode2AndSaysWhere) {
  testing::TempDir dir;
  testing::write_file(
      dir.path() / "bad.toml",
      "[municipality]\nname = \"x\"\n[database]\ndsn = \"d\"\n[server]\nlisten = \"nowhere\"\n");
  testing::ChildProcess p(
      {(testing::bin_dir() / "mamorid").string(), "--config", (dir.path() / "bad.toml").string()},
      dir.path() / "log");
  EXPECT_EQ(p.wait_for_exit(10s), std::optional<int>(2));
  EXPECT_NE(p.log().find("bad.toml:6:10: server.listen: expected \\\"HOST:PORT\\\""),
            std::string::npos)
      << p.log();
}

TEST(Mamorid, PortInUseFailsStartupWithReason) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  Mamorid first(db.dsn(), dir);
  ASSERT_TRUE(first.wait_healthy());
  testing::TempDir dir2;
  testing::write_file(dir2.path() / "m.toml", config_text(db.dsn(), first.port()));
  testing::ChildProcess second(
      {(testing::bin_dir() / "mamorid").string(), "--config", (dir2.path() / "m.toml").string()},
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
  ASSERT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 503; }, 20s))
      << d.process().log();
  EXPECT_EQ(d.get("/healthz").status, 200);
  EXPECT_NE(d.get("/readyz").body.find("database not reachable"), std::string::npos);
  EXPECT_NE(d.get("/metrics").body.find("mamori_db_up 0"), std::string::npos);
  pg.start();
  EXPECT_TRUE(testing::eventually([&] { return d.get("/readyz").status == 200; }, 30s))
      << d.process().log();
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait_for_exit(10s), std::optional<int>(0)) << d.process().log();
}

}  // namespace
}  // namespace mamori

namespace mamori {
namespace {

// A stand-in for systemd's notification socket: mamorid must report READY=1, WATCHDOG=1 at
// half the WatchdogSec period, and STOPPING=1 on SIGTERM.
TEST(Mamorid, NotifiesSystemdReadyWatchdogAndStopping) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  const std::string socket_path = (dir.path() / "notify.sock").string();
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{0, 200000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  setenv("NOTIFY_SOCKET", socket_path.c_str(), 1);
  setenv("WATCHDOG_USEC", "400000", 1);  // 0.4 s: pings expected every 0.2 s
  unsetenv("WATCHDOG_PID");
  Mamorid d(db.dsn(), dir);
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");

  std::string received;
  auto receive_until = [&](const std::string& needle, std::chrono::milliseconds timeout) {
    return testing::eventually(
        [&] {
          char buf[512];
          const ssize_t n = recv(fd, buf, sizeof buf, 0);
          if (n > 0) received.append(buf, static_cast<std::size_t>(n)).append("\n");
          return received.find(needle) != std::string::npos;
        },
        timeout, std::chrono::milliseconds(1));
  };
  EXPECT_TRUE(receive_until("READY=1", 15s)) << received << d.process().log();
  const auto ready_at = received.find("READY=1");
  EXPECT_TRUE(receive_until("WATCHDOG=1", 3s)) << received;
  // Several pings within a second: the loop is alive and pinging on schedule.
  auto count_pings = [&] {
    std::size_t n = 0;
    for (auto p = received.find("WATCHDOG=1"); p != std::string::npos;
         p = received.find("WATCHDOG=1", p + 1))
      ++n;
    return n;
  };
  const std::size_t pings_before = count_pings();
  const auto until = std::chrono::steady_clock::now() + 1s;
  while (std::chrono::steady_clock::now() < until) {
    char buf[512];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) received.append(buf, static_cast<std::size_t>(n)).append("\n");
  }
  EXPECT_GE(count_pings() - pings_before, 3u) << received;
  d.process().signal(SIGTERM);
  EXPECT_TRUE(receive_until("STOPPING=1", 5s)) << received;
  EXPECT_LT(ready_at, received.find("STOPPING=1"));
  EXPECT_EQ(d.process().wait_for_exit(10s), std::optional<int>(0));
  close(fd);
}

}  // namespace
}  // namespace mamori
