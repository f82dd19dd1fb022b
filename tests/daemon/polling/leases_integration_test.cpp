// Three mamorid processes on one PostgreSQL share fifty official accounts (daemon/polling/
// leases.h): each account is polled by exactly one of them, as the fake platform's request log
// shows (each instance sends its own User-Agent); one is killed with SIGKILL, and its accounts
// are taken over by the other two within two lease periods; at the end every post of the
// scenario is stored exactly once, and the threat reply judged before the kill is one incident
// with one finding and one page, not two.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/fake_platform.h"
#include "tests/support/mamorid_cluster.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

constexpr int kSpeedUp = 6;  // the scenario's three minutes in thirty seconds
constexpr int kLeasePeriodS = 3;

// The account a posts poll asks about: X and Mastodon put its id in the path, Bluesky its
// handle in `actor`. Empty for any other request.
std::string posts_poll_account(const std::string& platform, const std::string& target) {
  static const std::regex x(R"(^/2/users/([^/?]+)/tweets)");
  static const std::regex mastodon(R"(^/api/v1/accounts/([^/?]+)/statuses)");
  static const std::regex bluesky(R"(app\.bsky\.feed\.getAuthorFeed\?(?:.*&)?actor=([^&]+))");
  std::smatch m;
  if (platform == "x" && std::regex_search(target, m, x)) return "x:" + m[1].str();
  if (platform == "mastodon" && std::regex_search(target, m, mastodon))
    return "mastodon:" + m[1].str();
  if (platform == "bluesky" && std::regex_search(target, m, bluesky))
    return "bluesky:" + m[1].str();
  return {};
}

// Any instance's count of live leases per holder, smallest first ("16,17,17").
const std::string kHeldBy =
    "SELECT string_agg(n::text, ',' ORDER BY n) FROM (SELECT holder, count(*) n"
    " FROM poll_leases WHERE holder IS NOT NULL AND expires_at > now() GROUP BY holder) h";

class LeasedPolling : public ::testing::Test {
 protected:
  // Account (as posts_poll_account names it) -> the instances that polled its posts in the
  // fake's log after request `since`.
  std::map<std::string, std::set<std::string>> posts_pollers(long long since) {
    const auto body = testing::http_get("127.0.0.1", fake_->port(),
                                        "/_control/log?since=" + std::to_string(since))
                          .body;
    std::map<std::string, std::set<std::string>> out;
    const auto log = boost::json::parse(body);
    for (const auto& e : log.at("requests").as_array()) {
      const auto& o = e.as_object();
      const std::string account = posts_poll_account(std::string(o.at("platform").as_string()),
                                                     std::string(o.at("target").as_string()));
      if (!account.empty()) out[account].insert(std::string(o.at("user_agent").as_string()));
    }
    return out;
  }
  // The instances that sent account searches (the look-alike search: a platform-wide job).
  std::set<std::string> searchers() {
    static const std::regex search(
        R"(^/2/users/search|app\.bsky\.actor\.searchActors|^/api/v1/accounts/search|^/api/v2/search)");
    const auto log =
        boost::json::parse(testing::http_get("127.0.0.1", fake_->port(), "/_control/log").body);
    std::set<std::string> out;
    for (const auto& e : log.at("requests").as_array()) {
      const auto& o = e.as_object();
      if (std::regex_search(std::string(o.at("target").as_string()), search))
        out.insert(std::string(o.at("user_agent").as_string()));
    }
    return out;
  }
  long long last_request() {
    const auto stats =
        boost::json::parse(testing::http_get("127.0.0.1", fake_->port(), "/_control/stats").body);
    return stats.at("requests").as_int64();
  }
  std::string q(const std::string& query) { return testing::sql(db_.dsn(), query); }

  // The scenario, three minutes in thirty seconds, and its fifty official accounts; starts the
  // fake platform on it.
  std::vector<std::pair<std::string, std::string>> start_fake(double* last_at = nullptr) {
    const std::string scenario = testing::faster_scenario(
        testing::read_file(testing::source_dir() /
                           "tests/fakeplatform/scenarios/prefecture50.toml"),
        kSpeedUp);
    testing::write_file(dir_.path() / "scenario.toml", scenario);
    const toml::table doc = toml::parse(scenario);
    std::vector<std::pair<std::string, std::string>> officials;
    for (const auto& node : *doc["account"].as_array()) {
      const auto& a = *node.as_table();
      if (a["avatar_pattern"].value_or(std::string()).find("-official") != std::string::npos)
        officials.emplace_back(a["platform"].value_or(std::string()),
                               a["handle"].value_or(std::string()));
    }
    if (last_at != nullptr) {
      *last_at = 0;
      for (const auto& node : *doc["post"].as_array())
        *last_at = std::max(*last_at, (*node.as_table())["at"].value_or(0.0));
    }
    fake_ = std::make_unique<testing::FakePlatform>(dir_.path() / "scenario.toml", dir_);
    testing::set_fake_credentials_env();
    ::setenv("MAMORI_T_HOOK", "hook-secret-0123456789abcdef0123456789ab", 1);
    return officials;
  }

  // mamorid `name` on the scenario's accounts, its requests sent as "mamori-test-<name>"; not
  // waited for. `extra` goes into its [cluster] table (or starts tables of its own).
  testing::MamoridInstance& launch(
      const std::string& name, const std::vector<std::pair<std::string, std::string>>& officials,
      const std::string& extra = "") {
    return cluster_.start(name, [&](unsigned short port) {
      testing::MamoridSetup s;
      s.dsn = db_.dsn();
      s.http_port = port;
      s.fake_base_url = fake_->base_url();
      s.accounts = officials;
      s.polling = "profiles = \"5s\"\nposts = \"1s\"\nreplies = \"1s\"\nsearch = \"1h\"\n";
      // Every instance pages through the same (unreachable) hook: the outbox rows are what count.
      s.extra = testing::cluster_table(name, std::chrono::seconds(kLeasePeriodS), extra) +
                "[alerts.channels.hook]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/mamori\"\n"
                "secret = \"env:MAMORI_T_HOOK\"\n"
                "[[alerts.policies]]\nname = \"all\"\nseverities = [\"*\"]\n"
                "[[alerts.policies.levels]]\ntargets = [\"channel:hook\"]\n"
                "escalate_after = \"15m\"\n";
      return testing::with_instance_user_agent(testing::mamorid_config(s), name);
    });
  }

  testing::ScratchDatabase db_;
  testing::TempDir dir_;
  std::unique_ptr<testing::FakePlatform> fake_;
  testing::MamoridCluster cluster_{dir_};
};

TEST_F(LeasedPolling, ThreeInstancesShareTheAccountsAndTakeOverAKilledOnesWithoutLossOrDoubles) {
  double last_at = 0;
  const auto officials = start_fake(&last_at);
  ASSERT_EQ(officials.size(), 50u);
  for (const std::string name : {"a", "b", "c"})
    ASSERT_TRUE(cluster_.ready(launch(name, officials)));

  // The accounts spread over the three: all held, each instance its share (50 / 3: 17, 17, 16).
  ASSERT_TRUE(testing::eventually([&] { return q(kHeldBy) == "16,17,17"; }, 20s, 100ms))
      << q(kHeldBy) << "\n"
      << cluster_.logs();

  // Each account's posts are polled by exactly one instance, the one holding its lease.
  long long since = last_request();
  std::this_thread::sleep_for(3s);
  auto pollers = posts_pollers(since);
  EXPECT_EQ(pollers.size(), 50u);
  for (const auto& [account, who] : pollers) EXPECT_EQ(who.size(), 1u) << account;
  // The look-alike search ran (3 s after each start), on the leader only.
  EXPECT_EQ(searchers().size(), 1u);

  // A threat in a reply to an account instance b holds: judged once, by b.
  const std::string b_account =
      q("SELECT handle FROM poll_leases WHERE holder = 'b' AND platform = 'x' ORDER BY handle "
        "LIMIT 1");
  ASSERT_FALSE(b_account.empty()) << q(kHeldBy);
  const auto notice = boost::json::parse(
      testing::http_request("POST", "127.0.0.1", fake_->port(), "/_control/posts",
                            {"Content-Type: application/json"},
                            boost::json::serialize(boost::json::object{
                                {"platform", "x"},
                                {"author", b_account},
                                {"text", "明日の防災訓練は予定どおり行います"}}))
          .body);
  ASSERT_TRUE(notice.is_object() && notice.as_object().contains("id"));
  const std::string citizen = "taro_yamada";  // an X account of the scenario
  ASSERT_EQ(
      testing::http_request(
          "POST", "127.0.0.1", fake_->port(), "/_control/posts", {"Content-Type: application/json"},
          boost::json::serialize(boost::json::object{
              {"platform", "x"},
              {"author", citizen},
              {"in_reply_to", notice.at("id").as_string()},
              {"text",
               "@" + b_account + " 明日の防災訓練の会場に爆弾を仕掛けた。中止しないと爆発する"}}))
          .status,
      200);
  ASSERT_TRUE(testing::eventually(
      [&] { return q("SELECT count(*) FROM incidents WHERE type = 'threat'") == "1"; }, 20s, 100ms))
      << cluster_.logs();

  // b dies without a word: its leases run out and a and c take them.
  const std::string b_accounts = q("SELECT count(*) FROM poll_leases WHERE holder = 'b'");
  cluster_.kill(cluster_[1]);
  const std::string killed_at = q("SELECT now()");
  ASSERT_TRUE(testing::eventually(
      [&] {
        return q("SELECT count(*) FROM poll_leases WHERE holder IN ('a', 'c') AND expires_at > "
                 "now()") == "50";
      },
      20s, 100ms))
      << q(kHeldBy) << "\n"
      << cluster_.logs();
  const double takeover_s = std::stod(q("SELECT extract(epoch FROM max(acquired_at) - '" +
                                        killed_at + "'::timestamptz) FROM poll_leases"));
  EXPECT_LE(takeover_s, 2.0 * kLeasePeriodS) << b_accounts << " accounts";
  std::cout << "take-over of " << b_accounts << " accounts " << takeover_s << " s after the kill ("
            << kLeasePeriodS << " s leases)\n";
  EXPECT_GT(takeover_s, 0.0);
  std::string metrics_a = testing::http_get("127.0.0.1", cluster_[0].port, "/metrics").body;
  std::string metrics_c = testing::http_get("127.0.0.1", cluster_[2].port, "/metrics").body;
  const auto takeovers = [](const std::string& metrics, const std::string& name) {
    const std::string key = "mamori_poll_lease_takeovers_total{instance=\"" + name + "\"} ";
    const auto at = metrics.find(key);
    return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + key.size()));
  };
  EXPECT_EQ(takeovers(metrics_a, "a") + takeovers(metrics_c, "c"), std::stod(b_accounts));

  // From then on every account is polled, by a or c only, each by one.
  since = last_request();
  std::this_thread::sleep_for(3s);
  pollers = posts_pollers(since);
  EXPECT_EQ(pollers.size(), 50u);
  for (const auto& [account, who] : pollers) {
    EXPECT_EQ(who.size(), 1u) << account;
    EXPECT_EQ(who.count("mamori-test-b"), 0u) << account;
  }

  // The scenario runs to its end: its 300 posts and replies plus the two above, each once.
  ASSERT_TRUE(
      testing::eventually([&] { return fake_->scenario_time() > last_at + 2.0; }, 60s, 200ms));
  EXPECT_TRUE(testing::eventually([&] { return q("SELECT count(*) FROM observed_posts") == "302"; },
                                  20s, 200ms))
      << q("SELECT count(*) FROM observed_posts") << "\n"
      << cluster_.logs();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(q("SELECT count(*) FROM observed_posts"), "302");
  // The threat: one incident, one finding, one page (its trigger), whoever holds the account now.
  EXPECT_EQ(q("SELECT count(*) || ' ' || sum(finding_count) FROM incidents WHERE type = 'threat'"),
            "1 1");
  EXPECT_EQ(q("SELECT count(*) FROM alert_outbox o JOIN incidents i ON i.id = o.incident_id"
              " WHERE i.type = 'threat' AND o.kind = 'trigger'"),
            "1");
  EXPECT_EQ(q("SELECT count(*) FROM (SELECT dedup_key FROM incidents GROUP BY dedup_key"
              " HAVING count(*) > 1) d"),
            "0");

  for (auto* in : {&cluster_[0], &cluster_[2]})
    EXPECT_EQ(cluster_.stop(*in), std::optional<int>(0)) << in->process->log();
  // Stopping let the leases go rather than leave them to run out.
  EXPECT_EQ(q("SELECT count(*) FROM poll_leases WHERE holder IN ('a', 'c')"), "0");
}

// A reply stored by an instance that was killed before its detectors judged it (the state a kill
// between the store's commit and the judgement leaves: the post stored, its unjudged mark
// (deploy/sql/066) still there) is judged by the account's next lease holder: one incident, one
// finding, one page. Without the mark the post is never judged: the next holder's poll reads it
// again, but as already stored, not new.
TEST_F(LeasedPolling, AReplyStoredButNotJudgedBeforeAKillIsJudgedOnceByTheNextHolder) {
  const auto officials = start_fake();
  for (const std::string name : {"a", "b"}) ASSERT_TRUE(cluster_.ready(launch(name, officials)));
  ASSERT_TRUE(testing::eventually([&] { return q(kHeldBy) == "25,25"; }, 20s, 100ms))
      << q(kHeldBy) << "\n"
      << cluster_.logs();
  const std::string account =
      q("SELECT handle FROM poll_leases WHERE holder = 'b' AND platform = 'x' ORDER BY handle "
        "LIMIT 1");
  ASSERT_FALSE(account.empty());
  std::string account_id;
  ASSERT_TRUE(testing::eventually(
      [&] {
        account_id =
            q("SELECT coalesce(account_id, '') FROM official_accounts WHERE platform ="
              " 'x' AND handle = '" +
              account + "'");
        return !account_id.empty();
      },
      10s, 100ms));

  ASSERT_TRUE(cluster_.kill(cluster_[1]));
  const auto notice = boost::json::parse(
      testing::http_request("POST", "127.0.0.1", fake_->port(), "/_control/posts",
                            {"Content-Type: application/json"},
                            boost::json::serialize(boost::json::object{
                                {"platform", "x"},
                                {"author", account},
                                {"text", "明日の防災訓練は予定どおり行います"}}))
          .body);
  ASSERT_TRUE(notice.is_object() && notice.as_object().contains("id"));
  const std::string text =
      "@" + account + " 明日の防災訓練の会場に爆弾を仕掛けた。中止しないと爆発する";
  const auto reply = boost::json::parse(
      testing::http_request(
          "POST", "127.0.0.1", fake_->port(), "/_control/posts", {"Content-Type: application/json"},
          boost::json::serialize(boost::json::object{{"platform", "x"},
                                                     {"author", "taro_yamada"},
                                                     {"in_reply_to", notice.at("id").as_string()},
                                                     {"text", text}}))
          .body);
  ASSERT_TRUE(reply.is_object() && reply.as_object().contains("id"));
  const std::string reply_id(reply.at("id").as_string());
  // What b left behind: the reply stored and marked, never judged.
  q("INSERT INTO observed_posts (platform, post_id, author_id, author_handle, text, created_at,"
    " in_reply_to_post_id, in_reply_to_account_id, observed_at) VALUES ('x', '" +
    reply_id + "', 'taro', 'taro_yamada', '" + text + "', now(), '" +
    std::string(notice.at("id").as_string()) + "', '" + account_id +
    "', now()); INSERT INTO unjudged_posts (platform, post_id, account) VALUES ('x', '" + reply_id +
    "', '" + account + "')");

  ASSERT_TRUE(testing::eventually(
      [&] { return q("SELECT count(*) FROM incidents WHERE type = 'threat'") == "1"; }, 20s, 100ms))
      << q(kHeldBy) << "\n"
      << cluster_.logs();
  EXPECT_EQ(q("SELECT holder FROM poll_leases WHERE platform = 'x' AND handle = '" + account + "'"),
            "a");
  std::this_thread::sleep_for(3s);  // a's polls read the reply again: stored, not judged again
  EXPECT_EQ(q("SELECT count(*) || ' ' || sum(finding_count) || ' ' || min(subject) FROM incidents"
              " WHERE type = 'threat'"),
            "1 1 x:post:" + reply_id);
  EXPECT_EQ(q("SELECT count(*) FROM alert_outbox o JOIN incidents i ON i.id = o.incident_id"
              " WHERE i.type = 'threat' AND o.kind = 'trigger'"),
            "1");
  EXPECT_EQ(q("SELECT count(*) FROM unjudged_posts WHERE post_id = '" + reply_id + "'"), "0");
  EXPECT_NE(cluster_[0].process->log().find("event=poll.unjudged_posts"), std::string::npos);

  EXPECT_EQ(cluster_.stop(cluster_[0]), std::optional<int>(0)) << cluster_[0].process->log();
}

// The accounts page of any instance shows every account with the instance polling it (取得担当)
// and its staleness, from what each instance writes to poll_status (deploy/sql/067): a failing
// job of an account polled by b shows on a's page, and once b is killed a's page names a as the
// poller of them all. Each instance's staleness metric keeps covering the accounts it polls.
TEST_F(LeasedPolling, EachInstancesAccountsPageShowsEveryAccountWithItsPollerAndStaleness) {
  const auto officials = start_fake();
  ::setenv("MAMORI_T_API", "api-token-for-the-leases-test-0123456789", 1);
  const std::string token =
      "[[api_tokens]]\nname = \"ops\"\nrole = \"viewer\"\ntoken = \"env:MAMORI_T_API\"\n";
  for (const std::string name : {"a", "b"})
    ASSERT_TRUE(cluster_.ready(launch(name, officials, token)));
  ASSERT_TRUE(testing::eventually([&] { return q(kHeldBy) == "25,25"; }, 20s, 100ms))
      << q(kHeldBy) << "\n"
      << cluster_.logs();
  // a's page, account "platform:handle" -> its entry.
  std::string last_body;
  const auto page = [&] {
    std::map<std::string, boost::json::object> out;
    const auto r =
        testing::http_request("GET", "127.0.0.1", cluster_[0].port, "/api/v1/accounts",
                              {"Authorization: Bearer api-token-for-the-leases-test-0123456789"});
    last_body = std::to_string(r.status) + " " + r.body.substr(0, 300);
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(r.body, ec);
    if (r.status != 200 || ec || !parsed.is_object()) return out;
    for (const auto& a : parsed.at("accounts").as_array()) {
      const auto& o = a.as_object();
      out[std::string(o.at("platform").as_string()) + ":" +
          std::string(o.at("handle").as_string())] = o;
    }
    return out;
  };
  const auto holders = [&] {
    std::map<std::string, std::string> out;
    for (const auto& line : [&] {
           std::vector<std::string> lines;
           std::stringstream in(
               q("SELECT platform || ':' || handle || ' ' || holder FROM"
                 " poll_leases WHERE holder IS NOT NULL"));
           for (std::string l; std::getline(in, l);) lines.push_back(l);
           return lines;
         }()) {
      out[line.substr(0, line.find(' '))] = line.substr(line.find(' ') + 1);
    }
    return out;
  };

  // Every account, each named with the instance holding its lease, recently polled.
  std::map<std::string, boost::json::object> shown;
  ASSERT_TRUE(testing::eventually(
      [&] {
        shown = page();
        const auto held = holders();
        if (shown.size() != 50 || held.size() != 50) return false;
        return std::all_of(shown.begin(), shown.end(), [&](const auto& entry) {
          const auto& o = entry.second;
          return o.at("polled_by").is_string() &&
                 std::string(o.at("polled_by").as_string()) == held.at(entry.first) &&
                 o.at("staleness_seconds").is_int64() &&
                 o.at("staleness_seconds").as_int64() < 30 && o.at("last_poll_ok").as_bool();
        });
      },
      30s, 500ms))
      << q(kHeldBy) << "\n"
      << (shown.empty() ? last_body : boost::json::serialize(shown.begin()->second));
  // a's staleness metric covers the accounts it polls.
  const auto staleness_series = [&] {
    const std::string metrics = testing::http_get("127.0.0.1", cluster_[0].port, "/metrics").body;
    std::size_t n = 0;
    for (std::size_t at = metrics.find("\nmamori_poll_staleness_seconds{"); at != std::string::npos;
         at = metrics.find("\nmamori_poll_staleness_seconds{", at + 1))
      ++n;
    return n;
  };
  // (a run in flight when an account was let go may leave its series: at least its own 25)
  EXPECT_GE(staleness_series(), 25u);

  // X mentions refused: a's page says so for the X accounts b polls too (b wrote it).
  ASSERT_EQ(fake_->control("faults", R"({"platform":"x","endpoint":"users/:id/mentions",)"
                                     R"("kind":"status","status":403,"count":100000})"),
            200);
  std::set<std::string> b_x_accounts;
  for (const auto& [account, holder] : holders())
    if (holder == "b" && account.rfind("x:", 0) == 0) b_x_accounts.insert(account);
  ASSERT_FALSE(b_x_accounts.empty());
  ASSERT_TRUE(testing::eventually(
      [&] {
        shown = page();
        return std::all_of(b_x_accounts.begin(), b_x_accounts.end(), [&](const std::string& a) {
          const auto it = shown.find(a);
          return it != shown.end() && it->second.at("last_error").is_string() &&
                 std::string(it->second.at("last_error").as_string())
                         .find("返信・メンションの取得に失敗しています") != std::string::npos &&
                 !it->second.at("healthy").as_bool();
        });
      },
      30s, 500ms))
      << boost::json::serialize(shown[*b_x_accounts.begin()]) << "\n"
      << cluster_.logs();

  // b killed: a takes its accounts, and its page names a for all of them.
  cluster_.kill(cluster_[1]);
  ASSERT_TRUE(testing::eventually(
      [&] {
        shown = page();
        return shown.size() == 50 && std::all_of(shown.begin(), shown.end(), [](const auto& entry) {
                 return entry.second.at("polled_by").is_string() &&
                        entry.second.at("polled_by").as_string() == "a";
               });
      },
      30s, 500ms))
      << cluster_.logs();
  EXPECT_TRUE(testing::eventually([&] { return staleness_series() == 50u; }, 20s, 500ms));

  EXPECT_EQ(cluster_.stop(cluster_[0]), std::optional<int>(0)) << cluster_[0].process->log();
}

// Three instances started together with a join window: none takes a lease until the window
// (from the first one's start) ends, then each takes its share of the three alive — 17, 17, 16
// at their first lease change, nothing handed back later, and each account's posts polled by
// one instance only from the first request on. Without the window the first instance up takes
// all fifty (its first leases_changed says acquired=50) and hands most of them back.
TEST_F(LeasedPolling, InstancesStartedTogetherEachTakeTheirShareFromTheStart) {
  const auto officials = start_fake();
  ASSERT_EQ(officials.size(), 50u);
  const int window_s = 6;  // > a mamorid's start-up on this machine, so all three are alive
  for (const std::string name : {"a", "b", "c"})
    launch(name, officials, "join_window = \"" + std::to_string(window_s) + "s\"\n");
  for (auto& in : cluster_) ASSERT_TRUE(cluster_.ready(in));

  ASSERT_TRUE(testing::eventually([&] { return q(kHeldBy) == "16,17,17"; }, 30s, 100ms))
      << q(kHeldBy) << "\n"
      << cluster_.logs();
  // Two more lease rounds: still each its share, nothing moved.
  std::this_thread::sleep_for(std::chrono::seconds(kLeasePeriodS));
  EXPECT_EQ(q(kHeldBy), "16,17,17");

  static const std::regex changed(
      R"(event=cluster\.leases_changed .*acquired=(\d+) .*lost=(\d+) .*instances=(\d+))");
  std::multiset<int> first_acquired;
  for (auto& in : cluster_) {
    const std::string log = in.process->log();
    std::vector<std::smatch> changes;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), changed);
         it != std::sregex_iterator(); ++it)
      changes.push_back(*it);
    ASSERT_FALSE(changes.empty()) << in.name << "\n" << log;
    first_acquired.insert(std::stoi(changes.front()[1].str()));
    EXPECT_EQ(changes.front()[3].str(), "3") << in.name;  // all three counted
    for (const auto& m : changes) EXPECT_EQ(m[2].str(), "0") << in.name << ": " << m[0].str();
  }
  EXPECT_EQ(first_acquired, (std::multiset<int>{16, 17, 17})) << cluster_.logs();

  // From the first request on, each account's posts were read by one instance only.
  const auto pollers = posts_pollers(0);
  EXPECT_EQ(pollers.size(), 50u);
  for (const auto& [account, who] : pollers) EXPECT_EQ(who.size(), 1u) << account;

  for (auto& in : cluster_)
    EXPECT_EQ(cluster_.stop(in), std::optional<int>(0)) << in.process->log();
}

}  // namespace
}  // namespace mamori
