// Reminders reach the on-call, not only the timeline: a takedown request past its deadline is
// queued once as an `update` to the first level of the incident's escalation policy, in the
// same transaction that writes the reminder (real PostgreSQL).
#include <gtest/gtest.h>

#include "daemon/alerts/dispatcher.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/incidents/takedowns.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::alerts {
namespace {

TEST(ReminderAlerts, AnOverdueTakedownIsSentToTheFirstLevelOnce) {
  testing::ScratchDatabase db;
  auto c = store::connect(db.dsn(), std::nullopt);
  store::apply_migrations(*c);
  auto oncall_config = std::make_shared<oncall::OnCallConfig>();
  oncall_config->people = {{"sato", "佐藤 花子", {{"mail", "sato@city.example.lg.jp"}}},
                           {"kacho", "広報課長 田中", {{"mail", "tanaka@city.example.lg.jp"}}}};
  oncall::EscalationPolicy policy;
  policy.name = "standard";
  policy.severities = {"*"};
  policy.levels = {{{{oncall::EscalationTarget::Kind::person, "sato"}}, std::chrono::minutes(15)},
                   {{{oncall::EscalationTarget::Kind::person, "kacho"}}, std::chrono::minutes(15)}};
  oncall_config->policies = {policy};
  const collectors::ManualClock clock(
      std::chrono::floor<std::chrono::milliseconds>(model::Clock::now()));
  const AlertContext ctx{oncall_config, "https://mamori.example.lg.jp", "相馬市", nullptr, nullptr,
                         &clock};

  model::Finding f;
  f.type = model::IncidentType::impersonation;
  f.subject = "x:999";
  f.platform = model::Platform::x;
  f.severity = model::Severity::high;
  incidents::NewIncident n;
  n.title = "成りすましの疑い: @soma_clty (X)";
  const long long id = incidents::record_finding(*c, f, {}, n).incident_id;
  const auto now = clock.now();
  incidents::NewTakedown t;
  t.incident_id = id;
  t.target = {model::Platform::x, "999", "soma_clty"};
  t.text = "削除をお願いします";
  t.receipt = "0123-4567";
  const long long request = incidents::create_takedown(*c, t, "広報 花子", now);
  {
    pqxx::work tx(*c);
    tx.exec_params(
        "UPDATE takedown_requests SET deadline = now() - interval '1 hour' WHERE id = $1", request);
    tx.commit();
  }
  auto outbox = [&](const std::string& what) {
    pqxx::nontransaction tx(*c);
    const auto r = tx.exec1("SELECT " + what + " FROM alert_outbox WHERE kind = 'update'");
    return r[0].is_null() ? std::string() : std::string(r[0].c_str());
  };
  // Without the hook (no alerts configured): the timeline only.
  EXPECT_EQ(incidents::run_takedown_round(*c, now).reminded, 1);
  EXPECT_EQ(outbox("count(*)"), "0");
  {
    pqxx::work tx(*c);  // due again, now with the alert hook
    tx.exec_params("UPDATE takedown_requests SET reminded_at = NULL WHERE id = $1", request);
    tx.commit();
  }
  EXPECT_EQ(incidents::run_takedown_round(*c, now, reminder_hook(ctx)).reminded, 1);
  EXPECT_EQ(outbox("count(*)"), "1");
  EXPECT_EQ(outbox("recipient || '|' || channel || '|' || escalation_level"), "佐藤 花子|mail|1");
  EXPECT_NE(outbox("message->>'summary'").find("受付番号 0123-4567）は"), std::string::npos)
      << outbox("message::text");
  // The same reminder never goes twice, even if written again.
  {
    pqxx::work tx(*c);
    EXPECT_EQ(enqueue_reminder(tx, ctx, id, "再送", "takedown-" + std::to_string(request)), 0);
    EXPECT_EQ(enqueue_reminder(tx, ctx, id, "別の通知", "other"), 1);
    tx.commit();
  }
  EXPECT_EQ(incidents::run_takedown_round(*c, now, reminder_hook(ctx)).reminded, 0);
  EXPECT_EQ(outbox("count(*) FILTER (WHERE message->>'summary' <> '別の通知')"), "1");
}

}  // namespace
}  // namespace mamori::alerts
