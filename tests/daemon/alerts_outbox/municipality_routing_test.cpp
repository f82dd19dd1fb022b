// Alert routing by municipality (issue 20): an incident is paged by its own municipality's
// on-call, within it by a department or incident-type route before the default policy, and
// escalates along that municipality's chain; a municipality without on-call of its own falls
// back to [alerts]'s. One configuration file read by both loaders, on a real PostgreSQL.
#include <gtest/gtest.h>

#include <set>

#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/dispatcher.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/config/config.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig = R"(
[database]
dsn = "postgresql:///mamori"

[platforms.x]
enabled = true
bearer_token = "env:X_TOKEN"

[alerts.channels.mail]
kind = "email"
url = "smtp://127.0.0.1:2525"
from = "mamori@pref.example.lg.jp"

[[alerts.people]]
id = "pref"
name = "県 当番"
contacts = [{ channel = "mail", address = "duty@pref.example.lg.jp" }]

[[alerts.people]]
id = "soma-sato"
name = "相馬 佐藤"
contacts = [{ channel = "mail", address = "sato@city.soma.example.lg.jp" }]

[[alerts.people]]
id = "soma-kacho"
name = "相馬 広報課長"
contacts = [{ channel = "mail", address = "kacho@city.soma.example.lg.jp" }]

[[alerts.people]]
id = "soma-kanko"
name = "相馬 観光担当"
contacts = [{ channel = "mail", address = "kanko@city.soma.example.lg.jp" }]

[[alerts.people]]
id = "soma-joho"
name = "相馬 情報政策"
contacts = [{ channel = "mail", address = "joho@city.soma.example.lg.jp" }]

[[alerts.people]]
id = "shinchi-abe"
name = "新地 阿部"
contacts = [{ channel = "mail", address = "abe@town.shinchi.example.lg.jp" }]

[[alerts.rotations]]
name = "pref"
shift = "weekly"
start = 2025-04-07
members = ["pref"]

[[alerts.policies]]
name = "pref"
severities = ["*"]
[[alerts.policies.levels]]
targets = ["rotation:pref"]

[[municipalities]]
id = "soma"
name = "相馬市"

[[municipalities.accounts]]
platform = "x"
handle = "soma_city"
department = "秘書課広報広聴係"

[[municipalities.accounts]]
platform = "x"
handle = "soma_kanko"
department = "観光交流課"

[[municipalities.alerts.rotations]]
name = "kouhou"
shift = "daily"
start = 2025-04-07
members = ["soma-sato"]

[[municipalities.alerts.rotations]]
name = "kanko"
shift = "weekly"
start = 2025-04-07
members = ["soma-kanko"]

[[municipalities.alerts.policies]]
name = "standard"
severities = ["*"]
[[municipalities.alerts.policies.levels]]
targets = ["rotation:kouhou"]
escalate_after = "15m"
[[municipalities.alerts.policies.levels]]
targets = ["person:soma-kacho"]

[[municipalities.alerts.policies]]
name = "kanko"
[[municipalities.alerts.policies.levels]]
targets = ["rotation:kanko"]

[[municipalities.alerts.policies]]
name = "joho"
[[municipalities.alerts.policies.levels]]
targets = ["person:soma-joho"]

[[municipalities.alerts.routes]]
departments = ["観光交流課"]
policy = "kanko"

[[municipalities.alerts.routes]]
types = ["account_compromise"]
policy = "joho"

[[municipalities]]
id = "shinchi"
name = "新地町"

[[municipalities.accounts]]
platform = "x"
handle = "shinchi_town"
department = "企画振興課"

[[municipalities.alerts.rotations]]
name = "kouhou"
shift = "weekly"
start = 2025-04-07
members = ["shinchi-abe"]

[[municipalities.alerts.policies]]
name = "standard"
severities = ["*"]
[[municipalities.alerts.policies.levels]]
targets = ["rotation:kouhou"]
escalate_after = "15m"
[[municipalities.alerts.policies.levels]]
targets = ["rotation:pref"]

[[municipalities]]
id = "iitate"
name = "飯舘村"

[[municipalities.accounts]]
platform = "x"
handle = "iitate_vill"
)";

config::CredentialSource credentials() {
  config::CredentialSource s;
  s.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "X_TOKEN") return "x-token";
    return std::nullopt;
  };
  return s;
}

class MunicipalityRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto main = config::load_string(kConfig, "mamori.toml", credentials());
    ASSERT_TRUE(main.ok()) << main.error_text();
    const auto loaded = load_alerts_string(kConfig, "mamori.toml", credentials());
    ASSERT_TRUE(loaded.ok()) << loaded.error_text();
    c_ = store::connect(db_.dsn(), std::nullopt);
    store::apply_migrations(*c_);
    {
      pqxx::work tx(*c_);
      for (const auto& a : main.config->accounts) {
        tx.exec_params(
            "INSERT INTO official_accounts (platform, handle, department, municipality)"
            " VALUES ('x', $1, $2, $3)",
            a.handle, a.department, a.municipality);
      }
      tx.commit();
    }
    live_ = std::make_shared<LiveAlerts>(
        make_alerts_snapshot(*loaded.config, "https://mamori.pref.example.lg.jp", "相馬市"));
    context_.live = live_;
    context_.clock = &clock_;
  }

  long long open(model::IncidentType type, const std::string& subject) {
    model::Finding f;
    f.type = type;
    f.subject = subject;
    f.platform = model::Platform::x;
    f.severity = model::Severity::high;
    incidents::NewIncident n;
    n.title = "検知";
    return incidents::record_finding(*c_, f, {}, n, std::chrono::hours(24),
                                     [&](pqxx::work& tx, const incidents::RecordResult& r) {
                                       enqueue_trigger(tx, context_, r.incident_id);
                                     })
        .incident_id;
  }

  // Who was paged for the incident (recipient names), and what the messages called the town.
  std::set<std::string> paged(long long id, const std::string& kind = "trigger") {
    pqxx::nontransaction tx(*c_);
    std::set<std::string> out;
    for (const auto& row : tx.exec_params(
             "SELECT recipient FROM alert_outbox WHERE incident_id = $1 AND kind = $2", id, kind))
      out.insert(row[0].c_str());
    return out;
  }
  std::set<std::string> towns_named(long long id) {
    pqxx::nontransaction tx(*c_);
    std::set<std::string> out;
    for (const auto& row : tx.exec_params(
             "SELECT message->>'municipality' FROM alert_outbox WHERE incident_id = $1", id))
      out.insert(row[0].c_str());
    return out;
  }

  testing::ScratchDatabase db_;
  std::unique_ptr<pqxx::connection> c_;
  collectors::ManualClock clock_{
      std::chrono::floor<std::chrono::milliseconds>(model::Clock::now())};
  std::shared_ptr<LiveAlerts> live_;
  AlertContext context_;
};

using Set = std::set<std::string>;

TEST_F(MunicipalityRoutingTest, AnIncidentPagesItsOwnTownsOnCallOnly) {
  const long long soma = open(model::IncidentType::flameup, "x:account:soma_city");
  const long long shinchi = open(model::IncidentType::flameup, "x:account:shinchi_town");
  EXPECT_EQ(paged(soma), Set{"相馬 佐藤"});
  EXPECT_EQ(paged(shinchi), Set{"新地 阿部"});
  EXPECT_EQ(towns_named(soma), Set{"相馬市"});
  EXPECT_EQ(towns_named(shinchi), Set{"新地町"});
}

TEST_F(MunicipalityRoutingTest, ATownWithoutItsOwnOnCallFallsBackToTheInstances) {
  const long long iitate = open(model::IncidentType::flameup, "x:account:iitate_vill");
  EXPECT_EQ(paged(iitate), Set{"県 当番"});
  EXPECT_EQ(towns_named(iitate), Set{"飯舘村"});
  // An incident about no official account belongs to no configured town: [alerts] pages it.
  const long long stray = open(model::IncidentType::impersonation, "x:5555");
  EXPECT_EQ(paged(stray), Set{"県 当番"});
}

TEST_F(MunicipalityRoutingTest, ADepartmentOrTypeRouteWinsOverTheTownsDefault) {
  const long long kanko = open(model::IncidentType::flameup, "x:account:soma_kanko");
  EXPECT_EQ(paged(kanko), Set{"相馬 観光担当"});
  const long long compromised =
      open(model::IncidentType::account_compromise, "x:official:soma_city");
  EXPECT_EQ(paged(compromised), Set{"相馬 情報政策"});
  // The route is soma's: shinchi's compromise follows shinchi's default.
  const long long other = open(model::IncidentType::account_compromise, "x:official:shinchi_town");
  EXPECT_EQ(paged(other), Set{"新地 阿部"});
}

TEST_F(MunicipalityRoutingTest, EscalationFollowsTheTownsChain) {
  const long long soma = open(model::IncidentType::flameup, "x:account:soma_city");
  const long long shinchi = open(model::IncidentType::flameup, "x:account:shinchi_town");
  pqxx::connection& c = *c_;
  EXPECT_EQ(escalate_due(c, context_), 0);
  clock_.advance(16min);
  EXPECT_EQ(escalate_due(c, context_), 2);
  EXPECT_EQ(paged(soma, "escalate"), Set{"相馬 広報課長"});
  EXPECT_EQ(paged(shinchi, "escalate"), Set{"県 当番"});  // shinchi's level 2 is the prefecture
  EXPECT_EQ(escalate_due(c, context_), 0);
}

// Routes and a town's own on-call are checked when the configuration is read.
TEST(MunicipalityAlertsConfig, MistakesAreReportedWithTheirKey) {
  const std::string base = R"(
[alerts.channels.mail]
kind = "email"
url = "smtp://127.0.0.1:2525"
from = "mamori@pref.example.lg.jp"
[[alerts.people]]
id = "a"
name = "A"
contacts = [{ channel = "mail", address = "a@example.lg.jp" }]
[[municipalities]]
id = "soma"
name = "相馬市"
)";
  auto errors = [&](const std::string& tail) {
    return load_alerts_string(base + tail, "mamori.toml", credentials()).error_text();
  };
  EXPECT_NE(errors("[[municipalities.alerts.rotations]]\nname = \"r\"\nshift = \"daily\"\n"
                   "start = 2025-04-07\nmembers = [\"a\"]\n")
                .find("municipalities[0].alerts.policies: is required"),
            std::string::npos);
  const std::string policy =
      "[[municipalities.alerts.policies]]\nname = \"p\"\nseverities = [\"*\"]\n"
      "[[municipalities.alerts.policies.levels]]\ntargets = [\"person:a\"]\n";
  EXPECT_NE(errors(policy + "[[municipalities.alerts.routes]]\npolicy = \"p\"\n")
                .find("municipalities[0].alerts.routes[0].departments: is required"),
            std::string::npos);
  EXPECT_NE(
      errors(policy + "[[municipalities.alerts.routes]]\ntypes = [\"flame\"]\npolicy = \"p\"\n")
          .find("unknown incident type \"flame\""),
      std::string::npos);
  EXPECT_NE(
      errors(policy + "[[municipalities.alerts.routes]]\ntypes = [\"flameup\"]\npolicy = \"q\"\n")
          .find("unknown policy \"q\""),
      std::string::npos);
  EXPECT_NE(errors("[[municipalities.alerts.policies]]\nname = \"p\"\n"
                   "[[municipalities.alerts.policies.levels]]\ntargets = [\"person:a\"]\n")
                .find("lists no severities and no route names it"),
            std::string::npos);
  EXPECT_TRUE(load_alerts_string(base + policy, "mamori.toml", credentials()).ok());
}

}  // namespace
}  // namespace mamori::alerts
