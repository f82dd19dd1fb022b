// Issue 20, points 3 and 4 together: two mamorid processes on one PostgreSQL serving two towns,
// each town with its own on-call (a webhook receiver of its own). A threat in a reply to a town's
// account pages that town's on-call only, once, whichever instance polled the account; when the
// instance that dispatches alerts is killed, the other takes dispatch over and nothing is lost or
// paged twice. [alerts]'s own policy (a third receiver) is paged by nothing: an incident filed
// under `default` would go there.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <thread>

#include "tests/daemon/alerts/http_receiver.h"
#include "tests/support/fake_platform.h"
#include "tests/support/mamorid_cluster.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using alerts::testing::HttpReceiver;
using alerts::testing::ReceivedRequest;

std::string scenario() {
  return testing::read_file(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml") +
         R"(
[[account]]
platform = "x"
id = "1402345678901230001"
handle = "minamisoma_koho"
display_name = "南相馬市"
description = "南相馬市広報情報課です。"
url = "https://www.city.minamisoma.lg.jp/"
created_at = "2014-04-01T00:00:00.000Z"
followers = 9800
)";
}

// Webhook triggers about threat incidents a receiver got: (incident id, municipality).
std::vector<std::pair<long long, std::string>> threat_pages(const HttpReceiver& receiver) {
  std::vector<std::pair<long long, std::string>> out;
  for (const ReceivedRequest& r : receiver.requests()) {
    boost::system::error_code ec;
    const auto body = boost::json::parse(r.body, ec);
    if (ec || !body.is_object()) continue;
    const auto& o = body.as_object();
    if (!o.contains("kind") || o.at("kind").as_string() != "trigger") continue;
    const auto& incident = o.at("incident").as_object();
    if (incident.at("type").as_string() != "threat") continue;
    out.emplace_back(incident.at("id").as_int64(),
                     std::string(incident.at("municipality").as_string()));
  }
  return out;
}

class ClusterRouting : public ::testing::Test {
 protected:
  // mamorid `name` serving both towns, its requests sent as "mamori-test-<name>"; not waited for.
  testing::MamoridInstance& launch(const std::string& name) {
    return cluster_.start(name, [&](unsigned short port) { return config(name, port); });
  }
  std::string config(const std::string& name, unsigned short port) {
    testing::MamoridSetup s;
    s.dsn = db_.dsn();
    s.http_port = port;
    s.fake_base_url = fake_->base_url();
    s.polling = "profiles = \"5s\"\nposts = \"1s\"\nreplies = \"1s\"\nsearch = \"1h\"\n";
    const auto hook = [](const std::string& id, const HttpReceiver& r) {
      return "[alerts.channels." + id + "]\nkind = \"webhook\"\nurl = \"" + r.base_url() +
             "/mamori\"\nsecret = \"env:MAMORI_T_HOOK\"\n";
    };
    s.extra = testing::cluster_table(name, 3s) +
              "[alerts]\nretry_backoff = \"1s\"\nretry_backoff_max = \"2s\"\n" +
              hook("pref", pref_) + hook("soma", soma_) + hook("minamisoma", minamisoma_) +
              "[[alerts.policies]]\nname = \"pref\"\nseverities = [\"*\"]\n"
              "[[alerts.policies.levels]]\ntargets = [\"channel:pref\"]\n";
    std::string config = testing::mamorid_config(s);
    const std::string single = "[municipality]\n";
    config.replace(config.find(single), single.size(), "[[municipalities]]\nid = \"soma\"\n");
    config +=
        "[[municipalities.accounts]]\nplatform = \"x\"\nhandle = \"soma_city\"\n"
        "department = \"秘書広報課\"\n"
        "[[municipalities.alerts.policies]]\nname = \"soma\"\nseverities = [\"*\"]\n"
        "[[municipalities.alerts.policies.levels]]\ntargets = [\"channel:soma\"]\n"
        "[[municipalities]]\nid = \"minamisoma\"\nname = \"南相馬市\"\n"
        "name_kana = \"みなみそうまし\"\nname_romaji = \"Minamisoma City\"\n"
        "homepage = \"https://www.city.minamisoma.lg.jp/\"\n"
        "[[municipalities.accounts]]\nplatform = \"x\"\nhandle = \"minamisoma_koho\"\n"
        "department = \"防災安全課\"\n"
        "[[municipalities.alerts.policies]]\nname = \"minamisoma\"\nseverities = [\"*\"]\n"
        "[[municipalities.alerts.policies.levels]]\ntargets = [\"channel:minamisoma\"]\n";
    return testing::with_instance_user_agent(config, name);
  }

  // A notice by the official account, then a bomb threat replying to it.
  void threaten(const std::string& official, const std::string& tag) {
    const auto notice = boost::json::parse(
        testing::http_request("POST", "127.0.0.1", fake_->port(), "/_control/posts",
                              {"Content-Type: application/json"},
                              boost::json::serialize(boost::json::object{
                                  {"platform", "x"},
                                  {"author", official},
                                  {"text", "明日の防災訓練は予定どおり行います（" + tag + "）"}}))
            .body);
    ASSERT_TRUE(notice.is_object() && notice.as_object().contains("id"));
    ASSERT_EQ(
        testing::http_request("POST", "127.0.0.1", fake_->port(), "/_control/posts",
                              {"Content-Type: application/json"},
                              boost::json::serialize(boost::json::object{
                                  {"platform", "x"},
                                  {"author", "taro_yamada"},
                                  {"in_reply_to", notice.at("id").as_string()},
                                  {"text", "@" + official +
                                               " 明日の防災訓練の会場に爆弾を仕掛けた。中止しない"
                                               "と爆発する（" +
                                               tag + "）"}}))
            .status,
        200);
  }

  std::string q(const std::string& query) { return testing::sql(db_.dsn(), query); }

  testing::ScratchDatabase db_;
  testing::TempDir dir_;
  std::unique_ptr<testing::FakePlatform> fake_;
  HttpReceiver pref_;
  HttpReceiver soma_;
  HttpReceiver minamisoma_;
  testing::MamoridCluster cluster_{dir_};
};

TEST_F(ClusterRouting, EachTownsThreatPagesItsOwnOnCallOnceAcrossADispatcherKill) {
  testing::write_file(dir_.path() / "scenario.toml", scenario());
  fake_ = std::make_unique<testing::FakePlatform>(dir_.path() / "scenario.toml", dir_);
  testing::set_fake_credentials_env();
  ::setenv("MAMORI_T_HOOK", "hook-secret-0123456789abcdef0123456789ab", 1);
  for (const std::string name : {"a", "b"}) ASSERT_TRUE(cluster_.ready(launch(name)));
  // Both accounts held, one instance each (two accounts over two instances).
  ASSERT_TRUE(testing::eventually(
      [&] {
        return q("SELECT count(DISTINCT holder) || ' ' || count(*) FROM poll_leases"
                 " WHERE holder IS NOT NULL AND expires_at > now()"
                 " AND handle IN ('soma_city', 'minamisoma_koho')") == "2 2";
      },
      20s, 100ms))
      << cluster_.logs();
  // The dispatcher: the instance whose log says it took the alerts' lock.
  ASSERT_TRUE(testing::eventually(
      [&] {
        return std::any_of(
            cluster_.begin(), cluster_.end(), [](const testing::MamoridInstance& in) {
              return in.process->log().find("event=alerts.leader") != std::string::npos;
            });
      },
      10s, 100ms))
      << cluster_.logs();
  const std::size_t leader =
      cluster_[0].process->log().find("event=alerts.leader") != std::string::npos ? 0 : 1;
  const std::size_t other = 1 - leader;

  threaten("minamisoma_koho", "1");
  threaten("soma_city", "1");
  ASSERT_TRUE(testing::eventually(
      [&] { return threat_pages(minamisoma_).size() == 1 && threat_pages(soma_).size() == 1; }, 30s,
      100ms))
      << q("SELECT string_agg(id || ' ' || municipality, ',') FROM incidents") << "\n"
      << cluster_.logs();

  // The dispatcher dies without a word; a threat to each town arrives right after.
  ASSERT_TRUE(cluster_.kill(cluster_[leader]));
  threaten("minamisoma_koho", "2");
  threaten("soma_city", "2");
  ASSERT_TRUE(testing::eventually(
      [&] { return threat_pages(minamisoma_).size() >= 2 && threat_pages(soma_).size() >= 2; }, 40s,
      100ms))
      << q("SELECT string_agg(id || ' ' || municipality || ' ' || status, ',') FROM incidents")
      << "\n"
      << q("SELECT string_agg(incident_id || ' ' || channel || ' ' || state, ',') FROM "
           "alert_outbox")
      << "\n"
      << cluster_.logs();
  EXPECT_NE(cluster_[other].process->log().find("event=alerts.leader"), std::string::npos);
  std::this_thread::sleep_for(3s);  // a doubled send would show by now

  // Four threat incidents, two per town, each paged once, to its own town's on-call only.
  EXPECT_EQ(q("SELECT string_agg(municipality || ' ' || n, ',' ORDER BY municipality) FROM"
              " (SELECT municipality, count(*) n FROM incidents WHERE type = 'threat'"
              "  GROUP BY municipality) t"),
            "minamisoma 2,soma 2");
  for (const auto* receiver : {&soma_, &minamisoma_}) {
    const auto pages = threat_pages(*receiver);
    const std::string town = receiver == &soma_ ? "soma" : "minamisoma";
    EXPECT_EQ(pages.size(), 2u) << town;
    std::set<long long> ids;
    for (const auto& [id, municipality] : pages) {
      ids.insert(id);
      EXPECT_EQ(municipality, town == "soma" ? "相馬市" : "南相馬市") << town;
    }
    EXPECT_EQ(ids.size(), 2u) << town;  // two incidents, not one paged twice
  }
  EXPECT_TRUE(threat_pages(pref_).empty());
  EXPECT_EQ(q("SELECT count(*) FROM alert_outbox o JOIN incidents i ON i.id = o.incident_id"
              " WHERE i.type = 'threat' AND o.kind = 'trigger'"),
            "4");

  EXPECT_EQ(cluster_.stop(cluster_[other]), std::optional<int>(0))
      << cluster_[other].process->log();
}

}  // namespace
}  // namespace mamori
