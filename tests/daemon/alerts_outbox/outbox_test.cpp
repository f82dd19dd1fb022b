// The alert outbox and dispatcher on a real PostgreSQL. The channel here is an in-process
// recorder with scripted failures: the real channels are tested against real receivers in
// tests/daemon/alerts.
#include "daemon/alerts/outbox.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <boost/asio.hpp>
#include <future>
#include <thread>

#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/dispatcher.h"
#include "daemon/alerts/oncall/oncall.h"
#include "daemon/alerts/record_finding.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;

// Delivers into a list; the first `fail_first` sends fail (retryable or not).
class RecordingChannel : public AlertChannel {
 public:
  RecordingChannel(std::string name, int fail_first = 0, bool retryable = true)
      : name_(std::move(name)), fail_first_(fail_first), retryable_(retryable) {}
  std::string_view kind() const override { return "recording"; }
  std::string_view name() const override { return name_; }
  void send(const AlertMessage& m, std::function<void(DeliveryResult)> done) override {
    std::lock_guard lock(mutex_);
    ++attempts_;
    if (attempts_ <= fail_first_) {
      done({false, retryable_, 500, "受信側エラー (HTTP 500)"});
      return;
    }
    delivered_.push_back(m);
    done({true, false, 200, ""});
  }
  std::vector<AlertMessage> delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  int attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

 private:
  std::string name_;
  int fail_first_;
  bool retryable_;
  mutable std::mutex mutex_;
  int attempts_ = 0;
  std::vector<AlertMessage> delivered_;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    direct_ = store::connect(db_.dsn(), std::nullopt);
    store::apply_migrations(*direct_);
  }

  // Pages these channels when an incident opens: a one-level escalation policy naming them.
  AlertContext paging(const std::vector<std::string>& channels) const {
    auto config = std::make_shared<oncall::OnCallConfig>();
    oncall::EscalationPolicy policy;
    policy.name = "test";
    policy.severities = {"*"};
    oncall::EscalationLevel level;
    for (const auto& c : channels)
      level.targets.push_back({oncall::EscalationTarget::Kind::channel, c});
    policy.levels = {level};
    config->policies = {policy};
    return AlertContext{config, "https://mamori.example.lg.jp", "相馬市", nullptr, nullptr,
                        &clock_};
  }

  long long open_incident(const std::string& subject, const std::vector<std::string>& channels) {
    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = subject;
    f.severity = model::Severity::high;
    f.score = 0.9;
    f.reasons = {"表示名が公式と一致"};
    incidents::NewIncident n;
    n.title = "成りすましの疑い: @soma__city (X)";
    n.summary = "公式アカウントに似たアカウントを検知しました";
    incidents::StepPlan step;
    step.id = "report";
    step.title = "プラットフォームへ削除を申請する";
    n.steps = {step};
    return record_finding(*direct_, f, {}, n, paging(channels)).incident_id;
  }

  long long scalar(const std::string& sql) {
    pqxx::nontransaction tx(*direct_);
    return tx.exec1(sql)[0].as<long long>();
  }

  // A dispatcher with its own store worker and event loop thread.
  struct Running {
    Running(const std::string& dsn, const collectors::Clock& clock,
            std::map<std::string, AlertChannel*> channels, DispatcherOptions o) {
      store::DatabaseOptions so;
      so.dsn = dsn;
      database = std::make_unique<store::Database>(so, nullptr);
      database->start();
      database->wait_ready(10s);
      dispatcher =
          std::make_unique<AlertDispatcher>(io, *database, clock, std::move(channels), o, nullptr);
      boost::asio::post(io, [this] { dispatcher->start(); });
      guard.emplace(io.get_executor());
      thread = std::thread([this] { io.run(); });
    }
    ~Running() {
      boost::asio::post(io, [this] { dispatcher->stop(); });
      guard.reset();
      thread.join();
      // The store may still run a job of the dispatcher's (claiming or marking an alert): drain it
      // while the dispatcher is alive, then destroy it (a segfault was seen here under load).
      database->drain_and_stop(5s);
      dispatcher.reset();
    }
    boost::asio::io_context io;
    std::unique_ptr<store::Database> database;
    std::unique_ptr<AlertDispatcher> dispatcher;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
    std::thread thread;
  };

  testing::ScratchDatabase db_;
  std::unique_ptr<pqxx::connection> direct_;
  // The dispatcher's and the pages' clock; starts at the database's time (due times are its).
  collectors::ManualClock clock_{
      std::chrono::floor<std::chrono::milliseconds>(model::Clock::now())};
};

DispatcherOptions fast() {
  DispatcherOptions o;
  o.poll_interval = 100ms;
  o.backoff_base = 100ms;
  return o;
}

// A receiver that takes 90 s to answer: the clock moves on by that much before the delivery
// completes (on the dispatcher's loop, as a real channel's completion does).
class SlowChannel : public AlertChannel {
 public:
  std::string_view kind() const override { return "slow"; }
  std::string_view name() const override { return "slow"; }
  void send(const AlertMessage&, std::function<void(DeliveryResult)> done) override {
    boost::asio::post(*io, [this, done = std::move(done)] {
      clock->advance(90s);
      done({true, false, 200, ""});
    });
  }
  boost::asio::io_context* io = nullptr;
  collectors::ManualClock* clock = nullptr;
};

// docs/metrics.md: mamori_alert_delivery_seconds is the time from queueing to delivery — not
// to the moment the dispatcher picked the alert up. Measured with the dispatcher's clock.
TEST_F(OutboxTest, DeliveryTimeIsMeasuredAtDelivery) {
  SlowChannel slow;
  slow.clock = &clock_;
  prometheus::Registry registry;
  const auto sample = [&]() -> std::pair<std::uint64_t, double> {
    for (const auto& family : registry.Collect()) {
      if (family.name == "mamori_alert_delivery_seconds" && !family.metric.empty())
        return {family.metric[0].histogram.sample_count, family.metric[0].histogram.sample_sum};
    }
    return {0, 0.0};
  };
  store::DatabaseOptions so;
  so.dsn = db_.dsn();
  store::Database database(so, nullptr);
  database.start();
  ASSERT_TRUE(database.wait_ready(10s));
  boost::asio::io_context io;
  slow.io = &io;
  AlertDispatcher dispatcher(io, database, clock_, {{"slow", &slow}}, fast(), &registry);
  boost::asio::post(io, [&] { dispatcher.start(); });
  auto guard = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  open_incident("x:slow", {"slow"});
  const bool delivered = testing::eventually([&] { return sample().first == 1; }, 10s);
  boost::asio::post(io, [&] { dispatcher.stop(); });
  guard.reset();
  loop.join();
  database.drain_and_stop(5s);
  ASSERT_TRUE(delivered);
  EXPECT_GE(sample().second, 90.0);  // measured at the claim it would be about 0
  EXPECT_LT(sample().second, 100.0);
}

// mamori_alerts_total carries the incident's town (docs/metrics.md), one of the configured towns'
// ids: an incident of a town no longer configured counts as "other", so the series stay bounded.
TEST_F(OutboxTest, AlertsAreCountedByTheirIncidentsConfiguredTown) {
  RecordingChannel slack("slack");
  prometheus::Registry registry;
  store::DatabaseOptions so;
  so.dsn = db_.dsn();
  store::Database database(so, nullptr);
  database.start();
  ASSERT_TRUE(database.wait_ready(10s));
  boost::asio::io_context io;
  AlertDispatcher dispatcher(io, database, clock_, {{"slack", &slack}}, fast(), &registry);
  AlertContext context = paging({"slack"});
  auto towns = std::make_shared<AlertsConfig>();
  towns->municipalities["soma"].name = "相馬市";
  towns->municipalities["shinchi"].name = "新地町";
  context.config = towns;
  dispatcher.set_context(context);
  const auto counted = [&](const std::string& town) {
    double n = 0;
    for (const auto& family : registry.Collect()) {
      if (family.name != "mamori_alerts_total") continue;
      for (const auto& m : family.metric) {
        for (const auto& l : m.label) {
          if (l.name == "municipality" && l.value == town) n += m.counter.value;
        }
      }
    }
    return n;
  };
  const long long soma = open_incident("x:soma", {"slack"});
  const long long shinchi = open_incident("x:shinchi", {"slack"});
  const long long gone = open_incident("x:gone", {"slack"});
  {
    pqxx::work tx(*direct_);
    tx.exec_params("UPDATE incidents SET municipality = 'soma' WHERE id = $1", soma);
    tx.exec_params("UPDATE incidents SET municipality = 'shinchi' WHERE id = $1", shinchi);
    tx.exec_params("UPDATE incidents SET municipality = 'iitate' WHERE id = $1", gone);
    tx.commit();
  }
  boost::asio::post(io, [&] { dispatcher.start(); });
  auto guard = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  const bool delivered = testing::eventually([&] { return slack.delivered().size() == 3; }, 10s);
  boost::asio::post(io, [&] { dispatcher.stop(); });
  guard.reset();
  loop.join();
  database.drain_and_stop(5s);
  ASSERT_TRUE(delivered);
  EXPECT_EQ(counted("soma"), 1);
  EXPECT_EQ(counted("shinchi"), 1);
  EXPECT_EQ(counted("other"), 1);
  EXPECT_EQ(counted("iitate"), 0);
}

TEST_F(OutboxTest, AnIncidentProducesOneAlertPerRouteWithinTwoSeconds) {
  RecordingChannel slack("slack-kouhou"), mail("mail-kacho");
  const std::vector<std::string> routes = {"slack-kouhou", "mail-kacho"};
  Running running(db_.dsn(), clock_, {{"slack-kouhou", &slack}, {"mail-kacho", &mail}}, fast());
  const auto opened = std::chrono::steady_clock::now();
  const long long id = open_incident("x:1", routes);
  ASSERT_TRUE(testing::eventually(
      [&] { return slack.delivered().size() == 1 && mail.delivered().size() == 1; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - opened, 2s);
  const AlertMessage m = slack.delivered()[0];
  EXPECT_EQ(m.incident_id, id);
  EXPECT_EQ(m.incident_type_label, "成りすまし");
  EXPECT_EQ(m.severity_label, "高");
  EXPECT_EQ(m.first_step, "プラットフォームへ削除を申請する");
  EXPECT_EQ(m.incident_url, "https://mamori.example.lg.jp/incidents/" + std::to_string(id));
  EXPECT_EQ(m.municipality, "相馬市");
  EXPECT_NE(m.idempotency_key, mail.delivered()[0].idempotency_key);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return scalar(
                   "SELECT count(*) FROM incident_timeline WHERE kind = 'alert' AND message LIKE "
                   "'通知を送信しました%'") == 2;
      },
      5s));
  // A second finding on the same subject updates the incident and pages nobody again.
  open_incident("x:1", routes);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(slack.delivered().size(), 1u);
  EXPECT_EQ(scalar("SELECT count(*) FROM alert_outbox"), 2);
}

// The one recording path's rules: a new incident pages, a further finding on the live incident
// does not, and a finding after it was resolved reopens it, restarts its escalation and pages
// again (the erroneous-post API once skipped both).
TEST_F(OutboxTest, AReopenedIncidentRestartsEscalationAndPagesAgain) {
  const long long id = open_incident("x:reopen", {"pager"});
  EXPECT_EQ(scalar("SELECT count(*) FROM alert_outbox WHERE kind = 'trigger'"), 1);
  open_incident("x:reopen", {"pager"});
  EXPECT_EQ(scalar("SELECT count(*) FROM alert_outbox WHERE kind = 'trigger'"), 1);
  {
    pqxx::work tx(*direct_);
    tx.exec_params(
        "UPDATE incidents SET status = 'resolved', resolved_at = now(), escalation_index = 3 WHERE "
        "id = $1",
        id);
    tx.commit();
  }
  EXPECT_EQ(open_incident("x:reopen", {"pager"}), id);
  EXPECT_EQ(scalar("SELECT count(*) FROM alert_outbox WHERE kind = 'trigger'"), 2);
  EXPECT_EQ(scalar("SELECT count(DISTINCT idempotency_key) FROM alert_outbox"), 2);
  // Level 1 of the restarted plan was just sent (index 0), not the old cycle's progress.
  EXPECT_EQ(scalar("SELECT escalation_index FROM incidents WHERE id = " + std::to_string(id)), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM incidents WHERE status = 'open'"), 1);
}

TEST_F(OutboxTest, NoIncidentNoAlert) {
  model::Finding broken;
  broken.type = model::IncidentType::impersonation;
  broken.subject = "x:2";
  broken.evidence_json = "{broken";
  EXPECT_ANY_THROW(record_finding(*direct_, broken, {}, {}, paging({"slack"})));
  EXPECT_EQ(scalar("SELECT count(*) FROM alert_outbox"), 0);
}

TEST_F(OutboxTest, RetryableFailuresAreRetriedUntilDelivered) {
  RecordingChannel flaky("webhook", 3, true);
  Running running(db_.dsn(), clock_, {{"webhook", &flaky}}, fast());
  open_incident("x:3", {"webhook"});
  ASSERT_TRUE(testing::eventually([&] { return flaky.delivered().size() == 1; }, 10s));
  EXPECT_EQ(flaky.attempts(), 4);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return scalar(
                   "SELECT count(*) FROM alert_outbox WHERE state = 'delivered' AND attempts = "
                   "4") == 1;
      },
      5s));
}

TEST_F(OutboxTest, PermanentFailureGivesUpVisiblyOnTheIncident) {
  RecordingChannel broken("teams", 100, false);
  Running running(db_.dsn(), clock_, {{"teams", &broken}}, fast());
  const long long id = open_incident("x:4", {"teams", "unknown-channel"});
  ASSERT_TRUE(testing::eventually(
      [&] { return scalar("SELECT count(*) FROM alert_outbox WHERE state = 'failed'") == 2; },
      10s));
  EXPECT_EQ(broken.attempts(), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM incident_timeline WHERE incident_id = " +
                   std::to_string(id) + " AND message LIKE '通知の送信に失敗しました%'"),
            2);
}

TEST_F(OutboxTest, LeasedAlertsOfACrashedDispatcherAreSentAgainWithTheSameKey) {
  open_incident("x:5", {"pager"});
  // A dispatcher claimed the alert and died before recording anything.
  const auto claimed = claim_due(*direct_, 10, std::chrono::seconds(600));
  ASSERT_EQ(claimed.size(), 1u);
  direct_.reset();  // its session (and leader lock, had it one) ends
  RecordingChannel pager("pager");
  Running running(db_.dsn(), clock_, {{"pager", &pager}}, fast());
  ASSERT_TRUE(testing::eventually([&] { return pager.delivered().size() == 1; }, 5s));
  EXPECT_EQ(pager.delivered()[0].idempotency_key, claimed[0].message.idempotency_key);
}

TEST_F(OutboxTest, OnlyOneDispatcherDeliversWhenTwoInstancesRun) {
  RecordingChannel a("slack"), b("slack");
  {
    Running first(db_.dsn(), clock_, {{"slack", &a}}, fast());
    Running second(db_.dsn(), clock_, {{"slack", &b}}, fast());
    for (int i = 0; i < 20; ++i) open_incident("x:multi" + std::to_string(i), {"slack"});
    ASSERT_TRUE(testing::eventually(
        [&] { return a.delivered().size() + b.delivered().size() >= 20; }, 10s));
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_EQ(a.delivered().size() + b.delivered().size(), 20u);
  EXPECT_TRUE(a.delivered().empty() || b.delivered().empty());
}

TEST(Backoff, GrowsExponentiallyWithJitterAndACap) {
  EXPECT_EQ(backoff_for(1, 0.5), 5000ms);
  EXPECT_EQ(backoff_for(2, 0.5), 10000ms);
  EXPECT_EQ(backoff_for(3, 0.0), 15000ms);
  EXPECT_EQ(backoff_for(30, 0.5), 600000ms);
  EXPECT_LT(backoff_for(2, 0.0), backoff_for(2, 0.99));
  // Configured ([alerts] retry_backoff / retry_backoff_max): a short base and a low cap.
  EXPECT_EQ(backoff_for(1, 0.5, 1000ms, 2000ms), 1000ms);
  EXPECT_EQ(backoff_for(2, 0.5, 1000ms, 2000ms), 2000ms);
  EXPECT_EQ(backoff_for(9, 0.5, 1000ms, 2000ms), 2000ms);
  EXPECT_EQ(backoff_for(9, 0.0, 1000ms, 2000ms), 1500ms);
}

}  // namespace
}  // namespace mamori::alerts

namespace mamori::alerts {
namespace {

// Escalation on a real database: an incident opened 20 minutes ago and never acknowledged has
// passed level 1 (at open) and level 2 (after 15 min) but not level 3 (after 30 min).
TEST(Escalation, UnacknowledgedIncidentsEscalateOnScheduleAndStopWhenAcknowledged) {
  testing::ScratchDatabase db;
  auto c = store::connect(db.dsn(), std::nullopt);
  store::apply_migrations(*c);
  auto oncall_config = std::make_shared<oncall::OnCallConfig>();
  oncall_config->people = {{"sato", "佐藤 花子", {{"mail", "sato@city.example.lg.jp"}}},
                           {"kacho", "広報課長 田中", {{"mail", "tanaka@city.example.lg.jp"}}}};
  oncall::EscalationPolicy policy;
  policy.name = "standard";
  policy.severities = {"*"};
  policy.levels = {
      {{{oncall::EscalationTarget::Kind::person, "sato"},
        {oncall::EscalationTarget::Kind::channel, "slack"}},
       std::chrono::minutes(15)},
      {{{oncall::EscalationTarget::Kind::person, "kacho"}}, std::chrono::minutes(15)},
      {{{oncall::EscalationTarget::Kind::channel, "teams"}}, std::chrono::minutes(30)}};
  oncall_config->policies = {policy};
  // Due times are judged by the context's clock; it starts at the database's time (the
  // incident's escalation starts at its now()) and moves only when the test says.
  collectors::ManualClock clock(std::chrono::floor<std::chrono::milliseconds>(model::Clock::now()));
  AlertContext ctx{oncall_config, "https://mamori.example.lg.jp", "相馬市", nullptr, nullptr,
                   &clock};

  model::Finding f;
  f.type = model::IncidentType::flameup;
  f.subject = "x:account:1";
  f.severity = model::Severity::high;
  incidents::NewIncident n;
  n.title = "炎上の兆候";
  const long long id =
      incidents::record_finding(*c, f, {}, n, std::chrono::hours(24),
                                [&](pqxx::work& tx, const incidents::RecordResult& r) {
                                  enqueue_trigger(tx, ctx, r.incident_id);
                                })
          .incident_id;
  auto count = [&](const std::string& where) {
    pqxx::nontransaction tx(*c);
    return tx.exec1("SELECT count(*) FROM alert_outbox WHERE " + where)[0].as<long long>();
  };
  EXPECT_EQ(count("kind = 'trigger'"), 2);  // 佐藤さん by mail, and the Slack channel
  EXPECT_EQ(count("recipient = '佐藤 花子' AND channel = 'mail'"), 1);
  EXPECT_EQ(escalate_due(*c, ctx), 0);  // nothing else is due yet
  clock.advance(14min);
  EXPECT_EQ(escalate_due(*c, ctx), 0);  // level 1's 15 minutes have not passed

  clock.advance(6min);
  EXPECT_EQ(escalate_due(*c, ctx), 1);  // level 2: 課長
  EXPECT_EQ(count("kind = 'escalate' AND escalation_level = 2 AND recipient = '広報課長 田中'"), 1);
  EXPECT_EQ(escalate_due(*c, ctx), 0);  // not twice

  incidents::change_status(*c, id, incidents::Status::acknowledged, "広報 花子");
  clock.advance(2h);                    // level 3 would be due by now
  EXPECT_EQ(escalate_due(*c, ctx), 0);  // acknowledged: escalation stops
  EXPECT_EQ(count("kind = 'escalate'"), 1);
}

}  // namespace
}  // namespace mamori::alerts

namespace mamori::alerts {
namespace {

// A reopened incident restarts its escalation from the reopening: level 1 is paged again at
// once, level 2 only after the policy's delay — not every level at once because opened_at is
// long past (deploy/sql/009_escalation_restart.sql). Both ways of reopening: a new finding
// after resolution, and a person setting the status back to open.
TEST(Escalation, AReopenedIncidentRestartsEscalationFromTheReopening) {
  testing::ScratchDatabase db;
  auto c = store::connect(db.dsn(), std::nullopt);
  store::apply_migrations(*c);
  auto oncall_config = std::make_shared<oncall::OnCallConfig>();
  oncall_config->people = {{"sato", "佐藤 花子", {{"mail", "sato@city.example.lg.jp"}}},
                           {"kacho", "広報課長 田中", {{"mail", "tanaka@city.example.lg.jp"}}}};
  oncall::EscalationPolicy policy;
  policy.name = "standard";
  policy.severities = {"*"};
  policy.levels = {
      {{{oncall::EscalationTarget::Kind::person, "sato"}}, std::chrono::minutes(15)},
      {{{oncall::EscalationTarget::Kind::person, "kacho"}}, std::chrono::minutes(15)},
      {{{oncall::EscalationTarget::Kind::channel, "teams"}}, std::chrono::minutes(30)}};
  oncall_config->policies = {policy};
  // This test moves the incident's times back in the database instead; the clock follows the
  // database's now() at each scan.
  collectors::ManualClock clock(std::chrono::floor<std::chrono::milliseconds>(model::Clock::now()));
  AlertContext ctx{oncall_config, "https://mamori.example.lg.jp", "相馬市", nullptr, nullptr,
                   &clock};

  model::Finding f;
  f.type = model::IncidentType::flameup;
  f.subject = "x:account:2";
  f.severity = model::Severity::high;
  incidents::NewIncident n;
  n.title = "炎上の兆候";
  // What the detection hub does with a finding: page a new or reopened incident's first level.
  auto record = [&] {
    return incidents::record_finding(*c, f, {}, n, std::chrono::hours(24),
                                     [&](pqxx::work& tx, const incidents::RecordResult& r) {
                                       if (r.created || r.reopened)
                                         enqueue_trigger(tx, ctx, r.incident_id);
                                     });
  };
  auto count = [&](const std::string& where) {
    pqxx::nontransaction tx(*c);
    return tx.exec1("SELECT count(*) FROM alert_outbox WHERE " + where)[0].as<long long>();
  };
  auto exec = [&](const std::string& sql) {
    pqxx::work tx(*c);
    tx.exec(sql);
    tx.commit();
  };
  auto escalate = [&] {
    {
      pqxx::nontransaction tx(*c);
      clock.set(model::TimePoint(std::chrono::milliseconds(
          tx.exec1("SELECT (extract(epoch FROM now()) * 1000)::bigint")[0].as<long long>())));
    }
    return escalate_due(*c, ctx);
  };
  const long long id = record().incident_id;
  EXPECT_EQ(count("kind = 'trigger'"), 1);
  // Three hours unacknowledged: every level has been paged; then it is resolved.
  exec(
      "UPDATE incidents SET opened_at = now() - interval '3 hours',"
      " escalation_started_at = now() - interval '3 hours' WHERE id = " +
      std::to_string(id));
  EXPECT_EQ(escalate(), 2);  // levels 2 and 3
  incidents::change_status(*c, id, incidents::Status::resolved, "広報 花子");

  // Found again within the reopen window: reopened, level 1 paged once more, right now.
  const auto again = record();
  ASSERT_TRUE(again.reopened);
  ASSERT_EQ(again.incident_id, id);
  EXPECT_EQ(count("kind = 'trigger'"), 2);
  EXPECT_EQ(count("kind = 'trigger' AND recipient = '佐藤 花子'"), 2);
  {
    pqxx::nontransaction tx(*c);
    const auto row = tx.exec1(
        "SELECT escalation_index, escalation_started_at > now() - interval '1 minute',"
        " opened_at < now() - interval '2 hours' FROM incidents WHERE id = " +
        std::to_string(id));
    EXPECT_EQ(row[0].as<int>(), 0);  // the new episode's level 1 was sent
    EXPECT_TRUE(row[1].as<bool>());  // the episode started at the reopening
    EXPECT_TRUE(row[2].as<bool>());  // opened_at is the first opening's, unchanged
  }
  EXPECT_EQ(escalate(), 0) << "levels 2 and 3 must not all come due at the reopening";
  EXPECT_EQ(count("kind = 'escalate'"), 2);

  // 20 minutes after the reopening: level 2 only, once.
  exec("UPDATE incidents SET escalation_started_at = now() - interval '20 minutes' WHERE id = " +
       std::to_string(id));
  EXPECT_EQ(escalate(), 1);
  EXPECT_EQ(count("kind = 'escalate' AND escalation_level = 2 AND recipient = '広報課長 田中'"), 2);
  EXPECT_EQ(escalate(), 0);

  // Reopened by a person (status back to open): the plan restarts there too, from level 1,
  // paged by the next escalation scan.
  incidents::change_status(*c, id, incidents::Status::resolved, "広報 花子", "誤報でした");
  exec("UPDATE incidents SET escalation_started_at = now() - interval '3 hours' WHERE id = " +
       std::to_string(id));
  incidents::change_status(*c, id, incidents::Status::open, "広報 花子", "再燃しています");
  EXPECT_EQ(escalate(), 1);  // level 1 only
  EXPECT_EQ(count("kind = 'trigger' AND recipient = '佐藤 花子'"), 3);
  EXPECT_EQ(count("kind = 'escalate'"), 3);
  EXPECT_EQ(escalate(), 0);
}

}  // namespace
}  // namespace mamori::alerts

namespace mamori::alerts {
namespace {

// Holds each send's completion until release(): a send "in flight" for as long as the test likes.
class HeldChannel : public AlertChannel {
 public:
  explicit HeldChannel(boost::asio::io_context& io) : io_(io) {}
  std::string_view kind() const override { return "held"; }
  std::string_view name() const override { return "hook"; }
  void send(const AlertMessage& m, std::function<void(DeliveryResult)> done) override {
    std::lock_guard lock(mutex_);
    held_.push_back({m, std::move(done)});
  }
  std::size_t held() const {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  long long held_incident() const {
    std::lock_guard lock(mutex_);
    return held_.empty() ? 0 : held_.front().first.incident_id;
  }
  // Completes every held send as delivered, on the loop's thread (the channel contract).
  void release() {
    std::lock_guard lock(mutex_);
    for (auto& [m, done] : held_) {
      boost::asio::post(io_, [done = std::move(done)] { done({true, false, 200, ""}); });
    }
    held_.clear();
  }

 private:
  boost::asio::io_context& io_;
  mutable std::mutex mutex_;
  std::vector<std::pair<AlertMessage, std::function<void(DeliveryResult)>>> held_;
};

// A reload replaces the channels while a send is under way: that send finishes on the old
// channel and is recorded once; alerts from then on go to the new channel; the old channel is
// reported busy until its send completes (the daemon keeps it alive until then).
TEST_F(OutboxTest, ReplacingChannelsLetsTheSendInFlightFinishAndUsesTheNewOnes) {
  const std::vector<std::string> routes = {"hook"};
  RecordingChannel replacement("hook");
  std::unique_ptr<HeldChannel> old;
  std::unique_ptr<Running> running;
  {
    // The held channel posts to the dispatcher's loop, so the loop exists first.
    auto r = std::make_unique<Running>(db_.dsn(), clock_, std::map<std::string, AlertChannel*>{},
                                       fast());
    old = std::make_unique<HeldChannel>(r->io);
    running = std::move(r);
  }
  auto on_loop = [&](auto f) {
    std::promise<decltype(f())> p;
    boost::asio::post(running->io, [&] { p.set_value(f()); });
    return p.get_future().get();
  };
  const std::map<std::string, AlertChannel*> old_set = {{"hook", old.get()}};
  on_loop([&] {
    running->dispatcher->replace_channels(old_set, fast());
    return 0;
  });
  const long long first = open_incident("x:account:reload-1", routes);
  running->dispatcher->wake();
  ASSERT_TRUE(testing::eventually([&] { return old->held() == 1; }, 10s));
  EXPECT_EQ(old->held_incident(), first);

  // The reload: new channels while the first send is still in flight.
  EXPECT_EQ(on_loop([&] {
              running->dispatcher->replace_channels({{"hook", &replacement}}, fast());
              return running->dispatcher->sending_through(old_set);
            }),
            1u);
  const long long second = open_incident("x:account:reload-2", routes);
  running->dispatcher->wake();
  ASSERT_TRUE(testing::eventually([&] { return replacement.delivered().size() == 1; }, 10s));
  EXPECT_EQ(replacement.delivered().front().incident_id, second);

  // The old send completes: recorded as delivered once, the old channel is idle.
  old->release();
  ASSERT_TRUE(testing::eventually(
      [&] {
        return scalar(
                   "SELECT count(*) FROM alert_outbox WHERE state = 'delivered' AND "
                   "incident_id = " +
                   std::to_string(first)) == 1;
      },
      10s));
  EXPECT_EQ(on_loop([&] { return running->dispatcher->sending_through(old_set); }), 0u);
  std::this_thread::sleep_for(500ms);  // several polls: nothing is sent again
  EXPECT_EQ(replacement.delivered().size(), 1u);
  EXPECT_EQ(old->held(), 0u);
  EXPECT_EQ(scalar("SELECT count(*) FROM alert_outbox WHERE state <> 'delivered'"), 0);
  running.reset();
}

}  // namespace
}  // namespace mamori::alerts
