// mamorid polling the fake platform over loopback: 50 official accounts on X, Bluesky and
// Mastodon, a restart in the middle, every post stored exactly once, /healthz responsive.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <csignal>
#include <map>
#include <regex>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

struct ScenarioPost {
  std::string platform, author, text;
  auto operator<=>(const ScenarioPost&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const ScenarioPost& p) {
    return os << p.platform << "/" << p.author << ": " << p.text;
  }
};

TEST(Polling, FiftyAccountsOverThreePlatformsAcrossARestartEveryPostOnce) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  // The shipped scenario, with rate limits raised so the test is about completeness, not waiting.
  std::string scenario =
      testing::read_file(testing::source_dir() / "tests/fakeplatform/scenarios/prefecture50.toml");
  scenario = std::regex_replace(scenario, std::regex(R"(limit = \d+)"), "limit = 100000");
  testing::write_file(dir.path() / "scenario.toml", scenario);

  // Official accounts and the posts mamori must see: their own posts and the replies to them.
  const toml::table doc = toml::parse(scenario);
  std::vector<std::pair<std::string, std::string>> officials;
  std::map<std::string, std::string> key_author;
  for (const auto& node : *doc["account"].as_array()) {
    const auto& a = *node.as_table();
    if (a["avatar_pattern"].value_or(std::string()).find("-official") != std::string::npos) {
      officials.emplace_back(a["platform"].value_or(std::string()),
                             a["handle"].value_or(std::string()));
    }
  }
  ASSERT_EQ(officials.size(), 50u);
  auto is_official = [&](const std::string& platform, const std::string& handle) {
    return std::find(officials.begin(), officials.end(), std::make_pair(platform, handle)) !=
           officials.end();
  };
  std::multiset<ScenarioPost> expected;
  for (const auto& node : *doc["post"].as_array()) {
    const auto& p = *node.as_table();
    const std::string platform = p["platform"].value_or(std::string());
    const std::string author = p["author"].value_or(std::string());
    if (auto key = p["key"].value<std::string>()) key_author[*key] = author;
    const auto reply_to = p["in_reply_to"].value<std::string>();
    if (is_official(platform, author) ||
        (reply_to && is_official(platform, key_author[*reply_to]))) {
      expected.insert({platform, author, p["text"].value_or(std::string())});
    }
  }
  ASSERT_EQ(expected.size(), 300u);

  testing::FakePlatform fake(dir.path() / "scenario.toml", dir);
  const unsigned short port = testing::free_tcp_port();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = port;
  setup.fake_base_url = fake.base_url();
  setup.accounts = officials;
  setup.polling = "profiles = \"20s\"\nposts = \"2s\"\nreplies = \"2s\"\nsearch = \"1h\"\n";
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::set_fake_credentials_env();
  auto start_mamorid = [&](const std::string& log) {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
        dir.path() / log);
  };

  // /healthz must answer promptly all along.
  std::chrono::milliseconds worst_health{0};
  auto check_health = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = testing::http_get("127.0.0.1", port, "/healthz", 2s);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    if (r.status == 200) worst_health = std::max(worst_health, took);
    return r.status == 200;
  };

  auto first = start_mamorid("mamorid-1.log");
  ASSERT_TRUE(testing::eventually(check_health, 15s)) << first->log();
  // Run until the scenario is about half-way, then stop gracefully.
  while (fake.scenario_time() < 90) {
    check_health();
    std::this_thread::sleep_for(250ms);
  }
  first->signal(SIGTERM);
  ASSERT_EQ(first->wait_for_exit(20s), std::optional<int>(0)) << first->log();
  const auto count = [&] {
    const auto r =
        testing::run_command("psql '" + db.dsn() + "' -tAc 'SELECT count(*) FROM observed_posts'");
    return r.exit_code == 0 ? std::stoi(r.out) : -1;
  };
  const int before_restart = count();
  EXPECT_GT(before_restart, 100);
  EXPECT_LT(before_restart, 300);
  std::this_thread::sleep_for(3s);  // posts keep appearing while mamorid is down

  auto second = start_mamorid("mamorid-2.log");
  ASSERT_TRUE(testing::eventually(check_health, 15s)) << second->log();
  const bool complete = testing::eventually(
      [&] {
        check_health();
        return fake.scenario_time() > 185 && count() >= 300;
      },
      180s, 500ms);
  EXPECT_TRUE(complete) << "stored " << count() << " of 300\n" << second->log();
  std::this_thread::sleep_for(5s);  // a few more polls: nothing new may appear
  EXPECT_EQ(count(), 300);

  const auto rows =
      testing::run_command("psql '" + db.dsn() +
                           "' -tA -F '\t' -c \"SELECT platform, author_handle, "
                           "regexp_replace(text, '^@[A-Za-z0-9_.-]+ ', '') FROM observed_posts\"");
  std::multiset<ScenarioPost> stored;
  std::istringstream lines(rows.out);
  for (std::string line; std::getline(lines, line);) {
    const auto t1 = line.find('\t');
    const auto t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    stored.insert({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
  }
  EXPECT_EQ(stored, expected);
  EXPECT_LT(worst_health, 1000ms);
  second->signal(SIGTERM);
  EXPECT_EQ(second->wait_for_exit(20s), std::optional<int>(0)) << second->log();
  // Nothing was requested twice for the same page that could have produced a duplicate: the
  // database key makes that impossible, so check the cursors moved instead.
  const auto cursors =
      testing::run_command("psql '" + db.dsn() + "' -tAc 'SELECT count(*) FROM poll_cursors'");
  EXPECT_GE(std::stoi(cursors.out), 20);
}

}  // namespace
}  // namespace mamori
