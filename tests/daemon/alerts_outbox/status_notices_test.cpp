// Acknowledge and resolve notices on a real PostgreSQL: they are queued in the status change's
// own transaction, only for channels that were alerted and are configured for them, once per
// change, and never delivered ahead of the alert they follow.
#include "daemon/alerts/status_notices.h"

#include <gtest/gtest.h>

#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/outbox.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;
using incidents::Status;

const char* kConfig = R"(
[alerts.channels.pager]
kind = "pagerduty"
routing_key = "env:PD_KEY"
[alerts.channels.slack]
kind = "slack"
webhook_url = "env:SLACK_URL"
notify_resolve = true
[alerts.channels.mail]
kind = "email"
url = "smtp://127.0.0.1:2525"
tls = "none"
from = "mamori@city.example.jp"
)";

AlertsConfig load_config() {
  config::CredentialSource credentials;
  credentials.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "PD_KEY") return std::string(32, 'k');
    if (name == "SLACK_URL") return std::string("https://hooks.slack.com/services/T/B/x");
    return std::nullopt;
  };
  auto r = load_alerts_string(kConfig, "mamori.toml", credentials);
  EXPECT_TRUE(r.ok()) << r.error_text();
  return r.config.value_or(AlertsConfig{});
}

class StatusNoticeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c_ = store::connect(db_.dsn(), std::nullopt);
    store::apply_migrations(*c_);
    config_ = load_config();
    hook_ = status_notice_hook(std::make_shared<const AlertsConfig>(config_),
                               "https://mamori.example.lg.jp", "相馬市");
    ASSERT_TRUE(hook_);
  }

  // An incident whose trigger went to the pager, Slack, and two people by e-mail.
  long long open_incident() {
    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = "x:99";
    f.severity = model::Severity::high;
    f.score = 0.9;
    f.reasons = {"表示名が公式と一致"};
    incidents::NewIncident n;
    n.title = "成りすましの疑い: @soma__city (X)";
    n.summary = "公式アカウントに似たアカウントを検知しました";
    return incidents::record_finding(
               *c_, f, {}, n, 24h,
               [&](pqxx::work& tx, const incidents::RecordResult& r) {
                 for (const auto& [channel, address, name] :
                      std::vector<std::tuple<std::string, std::string, std::string>>{
                          {"pager", "", ""},
                          {"slack", "", ""},
                          {"mail", "sato@city.example.jp", "佐藤 花子"},
                          {"mail", "kacho@city.example.jp", "広報課長"}}) {
                   AlertMessage m = compose(tx, r.incident_id, AlertKind::trigger, 1, name,
                                            "https://mamori.example.lg.jp", "相馬市");
                   m.recipient_address = address;
                   m.idempotency_key = "t:" + channel + ":" + address;
                   enqueue(tx, channel, m);
                 }
               })
        .incident_id;
  }

  std::string q(const std::string& sql) {
    pqxx::nontransaction tx(*c_);
    const auto r = tx.exec(sql);
    std::string out;
    for (const auto& row : r) {
      for (int i = 0; i < static_cast<int>(row.size()); ++i)
        out += (i ? "|" : "") + std::string(row[i].c_str());
      out += "\n";
    }
    return out;
  }

  testing::ScratchDatabase db_;
  std::unique_ptr<pqxx::connection> c_;
  AlertsConfig config_;
  incidents::StatusHook hook_;
};

TEST(StatusNotice, WhichChangesAnnounceWhat) {
  EXPECT_EQ(notice_for(Status::open, Status::acknowledged), AlertKind::acknowledge);
  EXPECT_EQ(notice_for(Status::open, Status::mitigating), AlertKind::acknowledge);
  EXPECT_EQ(notice_for(Status::open, Status::resolved), AlertKind::resolve);
  EXPECT_EQ(notice_for(Status::mitigating, Status::closed), AlertKind::resolve);
  EXPECT_EQ(notice_for(Status::acknowledged, Status::mitigating), std::nullopt);
  EXPECT_EQ(notice_for(Status::resolved, Status::closed), std::nullopt);
  EXPECT_EQ(notice_for(Status::resolved, Status::open), std::nullopt);
}

TEST_F(StatusNoticeTest, AcknowledgeGoesToPagerDutyOnlyAndResolveToConfiguredChannels) {
  const long long id = open_incident();
  const std::string notices =
      "SELECT kind, channel, coalesce(message->>'recipient_address', ''), message->>'summary'"
      " FROM alert_outbox WHERE incident_id = " +
      std::to_string(id) + " AND kind IN ('acknowledge', 'resolve') ORDER BY id";
  incidents::change_status(*c_, id, Status::acknowledged, "佐藤 花子", "", "", hook_);
  EXPECT_EQ(q(notices), "acknowledge|pager||確認者: 佐藤 花子\n");

  incidents::change_status(*c_, id, Status::mitigating, "佐藤 花子", "", "", hook_);
  EXPECT_EQ(q(notices), "acknowledge|pager||確認者: 佐藤 花子\n") << "no second acknowledge";

  incidents::change_status(*c_, id, Status::resolved, "山田 太郎", "", "", hook_);
  EXPECT_EQ(q(notices),
            "acknowledge|pager||確認者: 佐藤 花子\n"
            "resolve|pager||対応者: 山田 太郎\n"
            "resolve|slack||対応者: 山田 太郎\n")
      << "e-mail is not configured for resolve notices";
}

TEST_F(StatusNoticeTest, NoticesRollBackWithAFailedStatusChange) {
  const long long id = open_incident();
  // closed needs a closure reason: the change fails, and so does its notice.
  EXPECT_THROW(incidents::change_status(*c_, id, Status::closed, "佐藤", "", "", hook_),
               incidents::ActionError);
  EXPECT_EQ(q("SELECT count(*) FROM alert_outbox WHERE kind = 'resolve'"), "0\n");
  // A hook failure rolls the status change back too: one transaction.
  EXPECT_THROW(
      incidents::change_status(*c_, id, Status::acknowledged, "佐藤", "", "",
                               [](pqxx::work&, long long, Status, Status, const std::string&) {
                                 throw std::runtime_error("outbox unavailable");
                               }),
      std::runtime_error);
  EXPECT_EQ(q("SELECT status FROM incidents WHERE id = " + std::to_string(id)), "open\n");
}

TEST_F(StatusNoticeTest, PersonChannelsConfiguredForResolveTellEveryRecipient) {
  auto config = config_;
  for (auto& ch : config.channels) {
    if (ch.name == "mail") ch.notify_resolve = true;
  }
  const long long id = open_incident();
  incidents::change_status(
      *c_, id, Status::resolved, "山田 太郎", "誤検知", "",
      status_notice_hook(std::make_shared<const AlertsConfig>(config), "https://m", "相馬市"));
  EXPECT_EQ(q("SELECT channel, message->>'recipient_address', recipient FROM alert_outbox WHERE "
              "kind = 'resolve'"
              " AND channel = 'mail' ORDER BY 2"),
            "mail|kacho@city.example.jp|広報課長\nmail|sato@city.example.jp|佐藤 花子\n");
}

TEST_F(StatusNoticeTest, ResolveWaitsForTheTriggerBeforeIt) {
  const long long id = open_incident();
  incidents::change_status(*c_, id, Status::resolved, "山田 太郎", "誤検知", "", hook_);
  // First claim: the four triggers, not the resolves queued behind them on the same channels.
  auto first = claim_due(*c_, 50, 60s);
  std::vector<std::string> kinds;
  for (const auto& e : first)
    kinds.push_back(std::string(to_string(e.message.kind)) + ":" + e.channel);
  EXPECT_EQ(kinds, (std::vector<std::string>{"trigger:pager", "trigger:slack", "trigger:mail",
                                             "trigger:mail"}));
  // The pager's trigger is delivered, Slack's fails and waits for a retry.
  mark_delivered(*c_, first[0], {true, false, 202, ""});
  mark_failed(*c_, first[1], {false, true, 503, "HTTP 503"}, 3600s, 0.5, 10min);
  auto second = claim_due(*c_, 50, 60s);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message.kind, AlertKind::resolve);
  EXPECT_EQ(second[0].channel, "pager");
}

TEST_F(StatusNoticeTest, RecipientAddressSurvivesTheOutbox) {
  open_incident();
  std::vector<std::string> addresses;
  for (const auto& e : claim_due(*c_, 50, 60s)) {
    if (e.channel == "mail") addresses.push_back(e.message.recipient_address);
  }
  EXPECT_EQ(addresses, (std::vector<std::string>{"sato@city.example.jp", "kacho@city.example.jp"}));
}

}  // namespace
}  // namespace mamori::alerts
