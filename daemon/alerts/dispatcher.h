// Delivers the outbox: claims due alerts (one dispatching instance at a time, elected with
// pg_try_advisory_lock), sends each through its channel, records the outcome. Runs on the
// daemon's event loop; all database work goes through the store's worker.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/channel.h"
#include "daemon/alerts/oncall/oncall.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"
#include "model/finding.h"

namespace prometheus {
class Registry;
}

namespace mamori::alerts {

class LiveAlerts;
struct AlertsConfig;

struct DispatcherOptions {
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::seconds lease{120};
  std::chrono::seconds give_up_after{3600};
  std::chrono::milliseconds backoff_base{5000};
  std::chrono::milliseconds backoff_max{600000};
  int batch = 50;
};

// The on-call way: the escalation policy for the incident's severity decides who hears of it.
// `trigger` queues the plan's first step for a new incident; escalate_due() queues the steps
// that came due for unacknowledged ones. Both inside the caller's transaction.
struct AlertContext {
  std::shared_ptr<const oncall::OnCallConfig> oncall;
  std::string public_url;
  std::string municipality;
  // Signs the one-click acknowledge link of trigger/escalate messages; none when null.
  std::shared_ptr<const class AckLinkSigner> ack_links;
  // The daemon's current [alerts] (replaced by a reload): when set, oncall, ack_links,
  // public_url and municipality are read from it, so copies made before a reload follow it.
  std::shared_ptr<const LiveAlerts> live{};
  // "Now" for on-call schedules, escalation due times and acknowledge-link expiry: the daemon's
  // one clock (a collectors::ManualClock in tests). Required once a policy pages someone.
  const collectors::Clock* clock = nullptr;
  // The whole [alerts], for the municipalities' own on-call and names: an incident is paged by
  // its municipality's on-call (AlertsConfig::oncall_for) and its messages name that
  // municipality. Null: `oncall` pages for every incident and messages name `municipality`.
  std::shared_ptr<const AlertsConfig> config{};
  // This context with the live values filled in (itself when `live` is null).
  AlertContext current() const;
};
int enqueue_trigger(pqxx::work& tx, const AlertContext& context, long long incident_id);
int escalate_due(pqxx::connection& c, const AlertContext& context);
// A reminder about an incident (a takedown request past its deadline, an account change's date)
// as an `update` to the first level of the incident's escalation policy, once per `key`.
int enqueue_reminder(pqxx::work& tx, const AlertContext& context, long long incident_id,
                     const std::string& text, const std::string& key);
// The hook for incidents::ReminderRounds: every reminder written is also queued as above.
incidents::ReminderHook reminder_hook(AlertContext context);

class AlertDispatcher {
 public:
  // `clock` (the daemon's one clock) paces the escalation scan and measures delivery times.
  AlertDispatcher(boost::asio::io_context& io, store::Database& database,
                  const collectors::Clock& clock, std::map<std::string, AlertChannel*> channels,
                  DispatcherOptions options, prometheus::Registry* registry);
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  void start();
  void stop();
  // Unacknowledged incidents escalate by this context's policies (checked every tick).
  void set_context(AlertContext context) { context_ = std::move(context); }
  // A reload: alerts delivered from now on go through `channels` with `options`. Sends already
  // under way finish on the channel they started on (the caller keeps the old channels alive
  // until sending_through() says none of them is in use); claimed alerts whose channel is gone
  // are recorded as failed on their incident, never silently dropped.
  void replace_channels(std::map<std::string, AlertChannel*> channels, DispatcherOptions options);
  // How many sends through these channels are still waiting for their result.
  std::size_t sending_through(const std::map<std::string, AlertChannel*>& channels) const;
  // Looks for due alerts now (after an incident change committed) instead of at the next tick.
  void wake();

 private:
  struct Metrics;
  void tick();
  void claim();
  void deliver(std::vector<struct OutboxEntry> entries);
  std::string municipality_label(const std::string& municipality) const;

  boost::asio::io_context& io_;
  store::Database& database_;
  const collectors::Clock& clock_;
  std::map<std::string, AlertChannel*> channels_;
  DispatcherOptions options_;
  std::unique_ptr<Metrics> metrics_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::mt19937 rng_{std::random_device{}()};
  bool stopped_ = true;
  bool claiming_ = false;
  bool leader_ = false;
  AlertContext context_;
  model::TimePoint last_escalation_scan_{};  // on the store worker only
  std::size_t sending_ = 0;
  std::map<const AlertChannel*, std::size_t> in_flight_;
};

}  // namespace mamori::alerts
