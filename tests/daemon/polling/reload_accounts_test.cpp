// Official accounts changed by a configuration reload (SIGHUP): a new account is polled at once,
// a removed one stops being polled and its metric series disappear.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

bool has_series(const std::string& metrics, const std::string& account) {
  const std::string needle = "account=\"" + account + "\"";
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("mamori_poll_last_success_timestamp_seconds{", 0) == 0 &&
        line.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(PollingReload, AddedAccountIsPolledAndRemovedAccountStops) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  const unsigned short port = testing::free_tcp_port();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = port;
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"x", "soma_city"}};
  setup.polling = "profiles = \"5s\"\nposts = \"1s\"\nreplies = \"1s\"\nsearch = \"1h\"\n";
  const auto config = dir.path() / "mamori.toml";
  testing::write_file(config, testing::mamorid_config(setup));
  testing::set_fake_credentials_env();
  testing::ChildProcess mamorid(
      {(testing::bin_dir() / "mamorid").string(), "--config", config.string()},
      dir.path() / "mamorid.log");
  auto metrics = [&] { return testing::http_get("127.0.0.1", port, "/metrics").body; };
  ASSERT_TRUE(testing::eventually([&] { return has_series(metrics(), "soma_city"); }, 30s, 200ms))
      << mamorid.log();
  const auto bluesky_posts = [&] {
    return testing::sql(db.dsn(), "SELECT count(*) FROM observed_posts WHERE platform = 'bluesky'");
  };
  EXPECT_EQ(bluesky_posts(), "0");
  // Replies to the city's X notice are stored (the scenario posts one 2 s in).
  ASSERT_TRUE(testing::eventually(
      [&] {
        return testing::sql(db.dsn(),
                            "SELECT count(*) FROM observed_posts WHERE platform = 'x' AND "
                            "in_reply_to_post_id IS NOT NULL") != "0";
      },
      30s, 200ms))
      << mamorid.log();

  // The X account leaves the configuration and the Bluesky one joins it.
  setup.accounts = {{"bluesky", "soma-city.bsky.social"}};
  testing::write_file(config, testing::mamorid_config(setup));
  mamorid.signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return has_series(metrics(), "soma-city.bsky.social"); },
                                  30s, 200ms))
      << mamorid.log();
  EXPECT_TRUE(testing::eventually([&] { return bluesky_posts() != "0"; }, 30s, 200ms))
      << mamorid.log();
  EXPECT_FALSE(has_series(metrics(), "soma_city"));
  EXPECT_NE(mamorid.log().find("poller.accounts_updated"), std::string::npos);

  // After the reload settled, X (no official account left there) is not asked anything more,
  // while Bluesky keeps being polled.
  const auto stats = testing::http_get("127.0.0.1", fake.port(), "/_control/stats").body;
  const auto at = stats.find("\"requests\":");
  ASSERT_NE(at, std::string::npos) << stats;
  const long long last = std::stoll(stats.substr(at + 11));
  std::this_thread::sleep_for(4s);
  const auto log =
      testing::http_get("127.0.0.1", fake.port(), "/_control/log?since=" + std::to_string(last))
          .body;
  EXPECT_EQ(log.find("\"platform\":\"x\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"platform\":\"bluesky\""), std::string::npos) << log;
  EXPECT_FALSE(has_series(metrics(), "soma_city"));

  // The X account comes back: its reply-rate baseline starts from the replies stored while it
  // was monitored before, like at startup, not from nothing.
  const std::string x_replies = testing::sql(db.dsn(),
                                             "SELECT count(*) FROM observed_posts WHERE platform = "
                                             "'x' AND in_reply_to_post_id IS NOT NULL");
  ASSERT_NE(x_replies, "0");
  const std::size_t log_before = mamorid.log().size();
  setup.accounts = {{"bluesky", "soma-city.bsky.social"}, {"x", "soma_city"}};
  testing::write_file(config, testing::mamorid_config(setup));
  mamorid.signal(SIGHUP);
  std::string warm_line;
  ASSERT_TRUE(testing::eventually(
      [&] {
        const std::string since_reload = mamorid.log().substr(log_before);
        const auto line = since_reload.find("flameup.warm_start account=x:soma_city");
        if (line == std::string::npos) return false;
        warm_line = since_reload.substr(line, since_reload.find('\n', line) - line);
        return true;
      },
      30s, 200ms))
      << mamorid.log();
  const auto replies_at = warm_line.find("replies=");
  ASSERT_NE(replies_at, std::string::npos) << warm_line;
  EXPECT_GE(std::stoi(warm_line.substr(replies_at + 8)), std::stoi(x_replies)) << warm_line;

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
