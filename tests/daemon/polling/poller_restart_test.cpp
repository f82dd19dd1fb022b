// Fifty official accounts on X, Bluesky and Mastodon polled from the fake platform over loopback
// by the poller in-process: the platforms built from the configuration by app::make_platforms as
// mamorid builds them, a real PostgreSQL store, and a stop half-way followed by a new poller with
// new platforms on the same database (what a restarted mamorid starts from: the stored cursors).
// Every post is stored exactly once, and the event loop — the one that answers /healthz in
// mamorid — is never held up by the polling. The shipped scenario runs six times faster (its
// posts' times divided by six) and the polling intervals are shortened with it, so the test waits
// about 35 s instead of the three minutes the whole-process version took.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <set>

#include "daemon/app/platforms.h"
#include "daemon/polling/poller.h"
#include "tests/support/fake_platform.h"
#include "tests/support/in_process.h"

namespace mamori::polling {
namespace {

using namespace std::chrono_literals;

constexpr int kSpeedUp = 6;

struct ScenarioPost {
  std::string platform, author, text;
  auto operator<=>(const ScenarioPost&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const ScenarioPost& p) {
    return os << p.platform << "/" << p.author << ": " << p.text;
  }
};

// Counts the new posts the poller hands on (to the detection hub and integrity monitor in mamorid).
struct Handed : ObservationListener {
  void on_stored(model::Platform, const std::string&, const store::StoredBatch& batch) override {
    posts += static_cast<int>(batch.new_posts.size());
  }
  int posts = 0;
};

// A timer due every 100 ms on the loop: how late it fires is how long a /healthz request arriving
// then would have waited for the loop.
class LoopLateness {
 public:
  explicit LoopLateness(boost::asio::io_context& io) : timer_(io) { arm(); }
  ~LoopLateness() { timer_.cancel(); }
  std::chrono::milliseconds worst() const { return worst_; }

 private:
  void arm() {
    due_ = std::chrono::steady_clock::now() + 100ms;
    timer_.expires_at(due_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      worst_ = std::max(worst_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - due_));
      arm();
    });
  }
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point due_;
  std::chrono::milliseconds worst_{0};
};

// `check` at most every 100 ms: the test's own look-ups (an HTTP request to the fake, a query)
// run on the loop's thread and must not be what holds the loop up.
std::function<bool()> every_100ms(std::function<bool()> check) {
  auto next = std::make_shared<std::chrono::steady_clock::time_point>();
  return [check = std::move(check), next] {
    const auto now = std::chrono::steady_clock::now();
    if (now < *next) return false;
    *next = now + 100ms;
    return check();
  };
}

// What one mamorid run owns on the polling side: its platforms (HTTP stack and collectors), its
// metrics and its poller.
struct PollingRun {
  PollingRun(testing::InProcess& env, const config::Config& c, const collectors::Clock& clock,
             ObservationListener* listener)
      : platforms(app::make_platforms(env.io, c, registry, clock)) {
    PollerOptions po;
    po.intervals = c.polling;
    poller = std::make_unique<Poller>(env.io, *env.database, clock, platforms.active(), po,
                                      &registry, listener);
    poller->start(c.accounts);
  }
  // As at SIGTERM: no new runs or requests, what is in flight finishes, then everything goes.
  void stop(testing::InProcess& env) {
    poller->stop();
    platforms.shutdown();
    env.run_until([] { return false; }, 300ms);
    env.settle();
    poller.reset();
  }
  prometheus::Registry registry;
  app::Platforms platforms;
  std::unique_ptr<Poller> poller;
};

TEST(PollerInProcess, FiftyAccountsOverThreePlatformsAcrossARestartEveryPostOnce) {
  testing::InProcess env;
  testing::TempDir dir;
  const std::string scenario = testing::faster_scenario(
      testing::read_file(testing::source_dir() / "tests/fakeplatform/scenarios/prefecture50.toml"),
      kSpeedUp);
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
  double last_at = 0;
  for (const auto& node : *doc["post"].as_array()) {
    const auto& p = *node.as_table();
    const std::string platform = p["platform"].value_or(std::string());
    const std::string author = p["author"].value_or(std::string());
    last_at = std::max(last_at, p["at"].value_or(0.0));
    if (auto key = p["key"].value<std::string>()) key_author[*key] = author;
    const auto reply_to = p["in_reply_to"].value<std::string>();
    if (is_official(platform, author) ||
        (reply_to && is_official(platform, key_author[*reply_to]))) {
      expected.insert({platform, author, p["text"].value_or(std::string())});
    }
  }
  ASSERT_EQ(expected.size(), 300u);

  testing::FakePlatform fake(dir.path() / "scenario.toml", dir);
  testing::MamoridSetup setup;
  setup.dsn = env.db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = officials;
  // The whole-process version polled posts and replies every 2 s and profiles every 20 s over a
  // 3-minute scenario; at six times the speed the shortest interval the configuration takes.
  setup.polling = "profiles = \"3s\"\nposts = \"1s\"\nreplies = \"1s\"\nsearch = \"1h\"\n";
  testing::set_fake_credentials_env();
  auto loaded = config::load_string(testing::mamorid_config(setup), "mamori.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.error_text();
  const config::Config& c = *loaded.config;
  store::sync_configuration(*env.database, c);
  collectors::SystemClock wall;  // the fake's scenario runs in real time

  const auto count = [&] { return std::stoi(env.sql("SELECT count(*) FROM observed_posts")); };
  LoopLateness lateness(env.io);
  Handed handed;

  auto first = std::make_unique<PollingRun>(env, c, wall, &handed);
  // Run until the scenario is about half-way, then stop as at SIGTERM.
  const double half = last_at / 2;
  ASSERT_TRUE(env.run_until(every_100ms([&] { return fake.scenario_time() >= half; }), 120s));
  first->stop(env);
  first.reset();
  const int before_restart = count();
  EXPECT_GT(before_restart, 100);
  EXPECT_LT(before_restart, 300);
  // Posts keep appearing while nothing polls (3 s of the original scenario's time).
  env.run_until([] { return false; }, std::chrono::milliseconds(3000 / kSpeedUp));

  auto second = std::make_unique<PollingRun>(env, c, wall, &handed);
  int stored = 0;
  const bool complete = env.run_until(every_100ms([&] {
                                        if (fake.scenario_time() <= last_at + 4.0 / kSpeedUp)
                                          return false;
                                        stored = count();
                                        return stored >= 300;
                                      }),
                                      120s);
  EXPECT_TRUE(complete) << "stored " << stored << " of 300";
  // A few more polls of every account: nothing new may appear.
  env.run_until([] { return false; }, 3s);
  EXPECT_EQ(count(), 300);
  EXPECT_EQ(handed.posts, 300);  // each new post handed on to detection once

  std::multiset<ScenarioPost> rows;
  {
    pqxx::nontransaction tx(*env.direct);
    for (const auto& r :
         tx.exec("SELECT platform, author_handle, "
                 "regexp_replace(text, '^@[A-Za-z0-9_.-]+ ', '') FROM observed_posts"))
      rows.insert({r[0].c_str(), r[1].c_str(), r[2].c_str()});
  }
  EXPECT_EQ(rows, expected);
  // The whole-process version bounded /healthz's answer at 1 s.
  EXPECT_LT(lateness.worst(), 1000ms);
  second->stop(env);
  // Nothing was requested twice for the same page that could have produced a duplicate: the
  // database key makes that impossible, so check the cursors moved instead.
  EXPECT_GE(std::stoi(env.sql("SELECT count(*) FROM poll_cursors")), 20);
}

}  // namespace
}  // namespace mamori::polling
