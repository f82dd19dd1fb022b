// Look-alike rounds sized to the platform's rate limit (issue 20, point 5), end to end: mamorid
// against the fake platform and a real PostgreSQL, two official Mastodon accounts on one access
// token whose limit is low enough that looking every generated look-alike up at each search round
// (120 handles every 10 s besides the accounts' own polls) would not fit the configured share.
// Each round looks up at most the share ([lookalike] quota_share) of the window, the accounts'
// own polls go on without a 429, and every look-alike of both accounts is still looked up, in
// turn across rounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <regex>
#include <set>

#include "detectors/impersonation/lookalike_handles.h"
#include "model/text.h"
#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

constexpr double kShare = 0.6;
constexpr double kLimit = 3000;  // per 300 s: 100 requests per 10 s search interval
constexpr double kWindowSeconds = 300;
constexpr double kSearchSeconds = 10;

std::string scenario(const std::string& mastodon_limit = "3000") {
  std::string s =
      testing::read_file(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml");
  s = std::regex_replace(s, std::regex(R"(rate_limit = \{ limit = 300, window = 300 \})"),
                         "rate_limit = { limit = " + mastodon_limit + ", window = 300 }");
  return s + R"(
[[account]]
platform = "mastodon"
handle = "soma_bousai"
display_name = "相馬市 防災"
description = "相馬市の防災情報をお届けします。"
)";
}

struct LookupLog {
  std::vector<double> lookalike_times;  // accounts/lookup of a handle that is not an official's
  std::set<std::string> looked_up;      // those handles, lower case
  int mastodon_429 = 0;
  int mastodon_requests = 0;
};

LookupLog read_log(const testing::FakePlatform& fake) {
  LookupLog out;
  const auto r = testing::http_get("127.0.0.1", fake.port(), "/_control/log", 10s);
  const boost::json::value log = boost::json::parse(r.body);
  const std::regex acct(R"(acct=([^&]+))");
  for (const auto& e : log.at("requests").as_array()) {
    if (e.at("platform").as_string() != "mastodon") continue;
    ++out.mastodon_requests;
    if (e.at("status").to_number<int>() == 429) ++out.mastodon_429;
    if (e.at("endpoint").as_string() != "accounts/lookup") continue;
    const std::string target(e.at("target").as_string());
    std::smatch m;
    if (!std::regex_search(target, m, acct)) continue;
    const std::string handle = model::ascii_lower(m[1].str());
    if (handle == "soma_city" || handle == "soma_bousai") continue;  // the profiles job
    out.lookalike_times.push_back(e.at("t").to_number<double>());
    out.looked_up.insert(handle);
  }
  std::sort(out.lookalike_times.begin(), out.lookalike_times.end());
  return out;
}

// Look-ups grouped into search rounds (a round's requests go one after another; rounds are
// 10 s apart).
std::vector<int> per_round(const std::vector<double>& times) {
  std::vector<int> rounds;
  double last = -100;
  for (double t : times) {
    if (t - last > 4) rounds.push_back(0);
    ++rounds.back();
    last = t;
  }
  return rounds;
}

// A metric's value for a label set given as its text ("platform=\"mastodon\""), or -1.
double metric(const std::string& text, const std::string& name, const std::string& labels) {
  const std::string line = name + "{" + labels + "} ";
  const auto at = text.find(line);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line.size()));
}

TEST(LookalikeQuota, RoundsStayWithinTheShareAndEveryLookAlikeIsCheckedInTurn) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::write_file(dir.path() / "scenario.toml", scenario());
  testing::FakePlatform fake(dir.path() / "scenario.toml", dir);
  testing::set_fake_credentials_env();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"mastodon", "soma_city"}, {"mastodon", "soma_bousai"}};
  setup.polling = "profiles = \"10s\"\nposts = \"2s\"\nreplies = \"2s\"\nsearch = \"10s\"\n";
  setup.extra = "[lookalike]\nquota_share = 0.6\n";
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  ASSERT_TRUE(testing::mamorid_ready(mamorid, setup.http_port)) << mamorid.log();

  // Every generated look-alike of both accounts is looked up within a few rounds.
  std::set<std::string> expected;
  for (const std::string official : {"soma_city", "soma_bousai"}) {
    for (const auto& l : detectors::impersonation::generate_lookalike_handles(
             model::Platform::mastodon, official, 60))
      expected.insert(model::ascii_lower(l.handle));
  }
  ASSERT_GT(expected.size(), 100u);
  LookupLog log;
  const bool covered = testing::eventually(
      [&] {
        log = read_log(fake);
        return std::includes(log.looked_up.begin(), log.looked_up.end(), expected.begin(),
                             expected.end());
      },
      150s, 2s);
  const auto rounds = per_round(log.lookalike_times);
  std::string sizes;
  for (int n : rounds) sizes += std::to_string(n) + " ";
  ASSERT_TRUE(covered) << log.looked_up.size() << " of " << expected.size()
                       << " look-alikes looked up; rounds: " << sizes << "\n"
                       << mamorid.log();

  // Each round within the share of the window over one search interval (the accounts' own
  // polls and the account searches come off it first, so rounds are smaller still), and it
  // took more than one round: unsized, each would have looked up all of them.
  const double share_of_window = kShare * kLimit * kSearchSeconds / kWindowSeconds;  // 60
  ASSERT_GE(rounds.size(), 2u) << sizes;
  for (int n : rounds) EXPECT_LE(n, share_of_window) << sizes;

  // The accounts' own polls were never refused and go on.
  EXPECT_EQ(log.mastodon_429, 0) << log.mastodon_requests << " Mastodon requests";
  const auto metrics = testing::http_get("127.0.0.1", setup.http_port, "/metrics").body;
  const double now_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const std::string account : {"soma_city", "soma_bousai"}) {
    const double last =
        metric(metrics, "mamori_poll_last_success_timestamp_seconds",
               "account=\"" + account + "\",platform=\"mastodon\",poll_job=\"posts\"");
    EXPECT_GT(last, now_s - 10) << account << "\n" << metrics;
  }
  // The round's size and progress are visible.
  const double budget = metric(metrics, "mamori_lookalike_budget", "platform=\"mastodon\"");
  EXPECT_GT(budget, 0) << metrics;
  EXPECT_LE(budget, share_of_window);
  EXPECT_GE(metric(metrics, "mamori_lookalike_lookups_total", "platform=\"mastodon\""),
            static_cast<double>(expected.size()));
  EXPECT_GT(metric(metrics, "mamori_lookalike_skipped_total", "platform=\"mastodon\""), 0);
  EXPECT_GE(metric(metrics, "mamori_lookalike_full_pass_seconds", "platform=\"mastodon\""), 0);
  EXPECT_GE(metric(metrics, "mamori_lookalike_handles_pending", "platform=\"mastodon\""), 0);
}

// Raised limits (the 2,000-account bench's ×1000) would let one round look every handle up at
// once; [lookalike] max_lookups_per_round spreads the pass over rounds, which still cover every
// look-alike in turn. The generated handles that do not exist (the fake answers 404) leave no
// row in observed_gone: nobody reads a "gone" for an account never seen.
TEST(LookalikeQuota, ACapSpreadsWhatTheQuotaWouldAllowAtOnceAndNeverSeenHandlesLeaveNoRows) {
  constexpr int kCap = 40;
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::write_file(dir.path() / "scenario.toml", scenario("300000"));
  testing::FakePlatform fake(dir.path() / "scenario.toml", dir);
  testing::set_fake_credentials_env();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"mastodon", "soma_city"}, {"mastodon", "soma_bousai"}};
  setup.polling = "profiles = \"10s\"\nposts = \"2s\"\nreplies = \"2s\"\nsearch = \"8s\"\n";
  setup.extra = "[lookalike]\nmax_lookups_per_round = " + std::to_string(kCap) + "\n";
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  ASSERT_TRUE(testing::mamorid_ready(mamorid, setup.http_port)) << mamorid.log();

  std::set<std::string> expected;
  for (const std::string official : {"soma_city", "soma_bousai"}) {
    for (const auto& l : detectors::impersonation::generate_lookalike_handles(
             model::Platform::mastodon, official, 60))
      expected.insert(model::ascii_lower(l.handle));
  }
  ASSERT_GT(expected.size(), 100u);
  LookupLog log;
  const bool covered = testing::eventually(
      [&] {
        log = read_log(fake);
        return std::includes(log.looked_up.begin(), log.looked_up.end(), expected.begin(),
                             expected.end());
      },
      120s, 2s);
  const auto rounds = per_round(log.lookalike_times);
  std::string sizes;
  for (int n : rounds) sizes += std::to_string(n) + " ";
  ASSERT_TRUE(covered) << log.looked_up.size() << " of " << expected.size()
                       << " look-alikes looked up; rounds: " << sizes << "\n"
                       << mamorid.log();
  // The quota (60,000 requests per 10 s) is not what bounded the rounds: the cap was.
  ASSERT_GE(rounds.size(), expected.size() / kCap) << sizes;
  for (int n : rounds) EXPECT_LE(n, kCap) << sizes;
  const auto metrics = testing::http_get("127.0.0.1", setup.http_port, "/metrics").body;
  EXPECT_EQ(metric(metrics, "mamori_lookalike_budget", "platform=\"mastodon\""), kCap) << metrics;

  // No look-alike that never existed is stored as gone.
  const std::string stored = sql(db.dsn(),
                                 "SELECT count(*) FROM observed_gone WHERE platform = 'mastodon'"
                                 " AND account_ref NOT IN ('jiro')");
  EXPECT_EQ(stored, "0") << sql(db.dsn(), "SELECT string_agg(account_ref, ' ') FROM observed_gone");
}

}  // namespace
}  // namespace mamori
