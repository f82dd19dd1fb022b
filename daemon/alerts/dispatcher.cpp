#include "daemon/alerts/dispatcher.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <boost/asio/post.hpp>

#include "daemon/alerts/ack_link.h"
#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/alerts/outbox.h"
#include "daemon/log/log.h"

namespace mamori::alerts {

namespace asio = boost::asio;

// "mamori alerts" in ASCII: the key of the dispatcher's leader lock.
constexpr long long kLeaderLockKey = 0x6d616d6f7269616c;

struct AlertDispatcher::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : alerts(prometheus::BuildCounter()
                   .Name("mamori_alerts_total")
                   .Help("Alert delivery attempts by municipality, channel, kind and outcome")
                   .Register(r)),
        latency(prometheus::BuildHistogram()
                    .Name("mamori_alert_delivery_seconds")
                    .Help("Time from an alert being queued to its delivery")
                    .Register(r)) {}
  prometheus::Family<prometheus::Counter>& alerts;
  prometheus::Family<prometheus::Histogram>& latency;
};

namespace {

// How often the incident was reopened: part of the trigger keys, so a reopened incident pages
// again instead of colliding with the first opening's keys (which stay unchanged).
std::string cycle_suffix(long long reopened) {
  return reopened == 0 ? std::string() : "~" + std::to_string(reopened);
}

int enqueue_step(pqxx::work& tx, const AlertContext& ctx, const oncall::OnCallConfig& oncall,
                 const std::string& municipality, long long incident_id, AlertKind kind,
                 const oncall::EscalationStep& step, oncall::TimePoint now) {
  int queued = 0;
  const long long reopened = reopen_count(tx, incident_id);
  const std::string cycle = cycle_suffix(reopened);
  for (const auto& r : oncall::resolve_targets(oncall, step.targets, now)) {
    AlertMessage m = compose(tx, incident_id, kind, step.level, r.person_name, ctx.public_url,
                             ctx.municipality, ctx.config.get());
    m.recipient_address = r.address;
    if (ctx.ack_links)
      m.acknowledge_url = ctx.ack_links->url(incident_id, step.level, r.person_name, r.channel, now,
                                             reopened, municipality);
    m.idempotency_key = "incident-" + std::to_string(incident_id) + cycle + ":" +
                        std::string(to_string(kind)) + ":" + std::to_string(step.round) + "." +
                        std::to_string(step.level) + ":" + r.channel + ":" + r.address;
    if (enqueue(tx, r.channel, m)) ++queued;
  }
  tx.exec_params(
      "UPDATE incidents SET escalation_index = greatest(escalation_index, $2) WHERE id = $1",
      incident_id, step.index);
  return queued;
}

// The context's clock, to the second (on-call schedules and escalation plans are in seconds).
oncall::TimePoint now_of(const AlertContext& ctx) {
  if (ctx.clock == nullptr) throw std::logic_error("alerts::AlertContext has no clock");
  return std::chrono::floor<std::chrono::seconds>(ctx.clock->now());
}

oncall::TimePoint db_time(pqxx::work& tx, const std::string& column, long long id) {
  const auto r = tx.exec_params(
      // floor, not the cast's rounding: a time rounded up past `now` (floored) would not be due
      // yet.
      "SELECT floor(extract(epoch FROM " + column + "))::bigint FROM incidents WHERE id = $1", id);
  return oncall::TimePoint(std::chrono::seconds(r[0][0].as<long long>()));
}

}  // namespace

AlertContext AlertContext::current() const {
  if (!live) return *this;
  const AlertsSnapshot s = live->get();
  AlertContext out;
  out.oncall = s.oncall;
  out.public_url = s.public_url;
  out.municipality = s.municipality;
  out.ack_links = s.ack_links;
  out.clock = clock;
  out.config = s.config;
  return out;
}

namespace {

// The on-call that pages for an incident of `municipality` (ctx.oncall is [alerts]'s).
const oncall::OnCallConfig& oncall_of(const AlertContext& ctx, const std::string& municipality) {
  return ctx.config ? ctx.config->oncall_for(municipality) : *ctx.oncall;
}

// What decides who is paged for an incident: its municipality's on-call, and there the policy
// for its type, the department of the official account it concerns and its severity.
constexpr const char* kRoutingColumns = "municipality, type, department, severity";

const oncall::EscalationPolicy* policy_of(const oncall::OnCallConfig& oncall, const pqxx::row& row,
                                          int first) {
  return oncall::policy_for(oncall, row[first + 3].c_str(), row[first + 1].c_str(),
                            row[first + 2].c_str());
}

struct FirstStep {
  const oncall::OnCallConfig* oncall = nullptr;
  std::string municipality;
  oncall::EscalationStep step;
};

// The first step of the incident's escalation policy, from the current episode's start:
// opened_at, or the reopening (009_escalation_restart.sql). None without on-call or a policy.
std::optional<FirstStep> first_step(pqxx::work& tx, const AlertContext& ctx,
                                    long long incident_id) {
  if (!ctx.oncall) return std::nullopt;
  const auto r = tx.exec_params(
      std::string("SELECT ") + kRoutingColumns + " FROM incidents WHERE id = $1", incident_id);
  if (r.empty()) return std::nullopt;
  const oncall::OnCallConfig& oncall = oncall_of(ctx, r[0][0].c_str());
  const auto* policy = policy_of(oncall, r[0], 0);
  if (policy == nullptr) return std::nullopt;
  const auto plan =
      oncall::escalation_plan(*policy, db_time(tx, "escalation_started_at", incident_id));
  if (plan.empty()) return std::nullopt;
  return FirstStep{&oncall, r[0][0].c_str(), plan.front()};
}

}  // namespace

int enqueue_trigger(pqxx::work& tx, const AlertContext& context, long long incident_id) {
  const AlertContext ctx = context.current();
  const auto first = first_step(tx, ctx, incident_id);
  if (!first) return 0;
  return enqueue_step(tx, ctx, *first->oncall, first->municipality, incident_id, AlertKind::trigger,
                      first->step, now_of(ctx));
}

int enqueue_reminder(pqxx::work& tx, const AlertContext& context, long long incident_id,
                     const std::string& text, const std::string& key) {
  const AlertContext ctx = context.current();
  const auto first = first_step(tx, ctx, incident_id);
  if (!first) return 0;
  const auto* step = &first->step;
  const auto now = now_of(ctx);
  int queued = 0;
  for (const auto& t : oncall::resolve_targets(*first->oncall, step->targets, now)) {
    AlertMessage m = compose(tx, incident_id, AlertKind::update, step->level, t.person_name,
                             ctx.public_url, ctx.municipality, ctx.config.get());
    m.recipient_address = t.address;
    m.summary = text;
    m.first_step.clear();
    m.idempotency_key = "incident-" + std::to_string(incident_id) + ":reminder:" + key + ":" +
                        t.channel + ":" + t.address;
    if (enqueue(tx, t.channel, m)) ++queued;
  }
  return queued;
}

incidents::ReminderHook reminder_hook(AlertContext context) {
  return [context](pqxx::work& tx, long long incident_id, const std::string& message,
                   const std::string& key) {
    enqueue_reminder(tx, context, incident_id, message, key);
  };
}

int escalate_due(pqxx::connection& c, const AlertContext& context) {
  const AlertContext ctx = context.current();
  if (!ctx.oncall) return 0;
  const auto now = now_of(ctx);
  pqxx::work tx(c);
  int queued = 0;
  for (const auto& row :
       tx.exec(std::string("SELECT id, floor(extract(epoch FROM "
                           "escalation_started_at))::bigint, escalation_index, ") +
               kRoutingColumns +
               " FROM incidents"
               " WHERE status = 'open' FOR UPDATE SKIP LOCKED")) {
    const long long id = row[0].as<long long>();
    const oncall::OnCallConfig& oncall = oncall_of(ctx, row[3].c_str());
    const auto* policy = policy_of(oncall, row, 3);
    if (policy == nullptr) continue;
    // A reopened incident's plan runs from the reopening, not from opened_at (all due at once).
    const oncall::TimePoint started(std::chrono::seconds(row[1].as<long long>()));
    for (const auto& step :
         oncall::due_escalations(*policy, started, row[2].as<int>(), now, false)) {
      queued += enqueue_step(tx, ctx, oncall, row[3].c_str(), id,
                             step.index == 0 ? AlertKind::trigger : AlertKind::escalate, step, now);
    }
  }
  tx.commit();
  return queued;
}

AlertDispatcher::AlertDispatcher(asio::io_context& io, store::Database& database,
                                 const collectors::Clock& clock,
                                 std::map<std::string, AlertChannel*> channels,
                                 DispatcherOptions options, prometheus::Registry* registry)
    : io_(io),
      database_(database),
      clock_(clock),
      channels_(std::move(channels)),
      options_(options),
      metrics_(registry ? std::make_unique<Metrics>(*registry) : nullptr),
      timer_(io) {}

AlertDispatcher::~AlertDispatcher() {
  *alive_ = false;
  stop();
}

void AlertDispatcher::start() {
  stopped_ = false;
  tick();
}

void AlertDispatcher::stop() {
  stopped_ = true;
  timer_.cancel();
}

void AlertDispatcher::wake() {
  if (!stopped_)
    asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (!alive.expired()) claim();
    });
}

void AlertDispatcher::tick() {
  if (stopped_) return;
  claim();
  timer_.expires_after(options_.poll_interval);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (!ec && !alive.expired()) tick();
      });
}

// The incident's town as a label value: a configured town's id, anything else (a town since
// removed from the configuration) "other", so the series are bounded by the configuration.
std::string AlertDispatcher::municipality_label(const std::string& municipality) const {
  const AlertContext ctx = context_.current();
  const bool configured =
      ctx.config ? ctx.config->municipalities.count(municipality) > 0 : municipality == "default";
  return configured ? municipality : "other";
}

void AlertDispatcher::claim() {
  if (stopped_ || claiming_ || !database_.ready()) return;
  claiming_ = true;
  std::weak_ptr<bool> alive = alive_;
  const bool was_leader = leader_;
  // Copied here, on the loop's thread: a reload may replace them while the worker runs.
  const AlertContext context = context_.current();
  const int batch = options_.batch;
  const auto lease = options_.lease;
  const bool queued = database_.submit(
      "alerts.claim", [this, alive, was_leader, context, batch, lease](pqxx::connection& c) {
        bool leader = false;
        {
          pqxx::nontransaction tx(c);
          leader = tx.exec_params1("SELECT pg_try_advisory_lock($1)", kLeaderLockKey)[0].as<bool>();
        }
        std::vector<OutboxEntry> entries;
        if (leader) {
          if (!was_leader) release_leases(c);  // the previous leader's sends are void
          // Escalations are looked for every 10 s of the clock (again at once if it went back).
          const auto now = clock_.now();
          if (context.oncall && (now - last_escalation_scan_ > std::chrono::seconds(10) ||
                                 now < last_escalation_scan_)) {
            last_escalation_scan_ = now;
            if (const int n = escalate_due(c, context); n > 0)
              log::info("alerts.escalated", {{"alerts", n}});
          }
          entries = claim_due(c, batch, lease);
          for (auto& e : entries) e.claimed_at = clock_.now();
        }
        asio::post(io_, [this, alive, leader, entries = std::move(entries)]() mutable {
          if (alive.expired()) return;
          claiming_ = false;
          if (leader && !leader_) log::info("alerts.leader", {{"role", "dispatching"}});
          leader_ = leader;
          deliver(std::move(entries));
        });
      });
  if (!queued) claiming_ = false;
}

void AlertDispatcher::deliver(std::vector<OutboxEntry> entries) {
  for (auto& entry : entries) {
    const auto it = channels_.find(entry.channel);
    AlertChannel* const via = it == channels_.end() ? nullptr : it->second;
    auto record = [this, alive = std::weak_ptr<bool>(alive_), entry, via](DeliveryResult result) {
      if (alive.expired()) return;
      --sending_;
      if (via != nullptr) {
        if (const auto f = in_flight_.find(via); f != in_flight_.end() && --f->second == 0)
          in_flight_.erase(f);
      }
      if (metrics_) {
        metrics_->alerts
            .Add({{"municipality", municipality_label(entry.municipality)},
                  {"channel", entry.channel},
                  {"kind", std::string(to_string(entry.message.kind))},
                  {"outcome",
                   result.delivered ? "delivered" : (result.retryable ? "retry" : "failed")}})
            .Increment();
        if (result.delivered) {
          metrics_->latency
              .Add({}, prometheus::Histogram::BucketBoundaries{0.5, 1, 2, 5, 10, 30, 60, 300, 900,
                                                               3600})
              .Observe(entry.age_at(clock_.now()).count());
        }
      }
      if (result.delivered) {
        log::info("alerts.delivered", {{"alert_id", entry.id},
                                       {"channel", entry.channel},
                                       {"incident_id", entry.message.incident_id},
                                       {"attempts", entry.attempts}});
      } else {
        log::warn("alerts.delivery_failed", {{"alert_id", entry.id},
                                             {"channel", entry.channel},
                                             {"status", result.status},
                                             {"retryable", result.retryable},
                                             {"detail", result.detail}});
      }
      const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
      const auto give_up = options_.give_up_after;
      const auto base = options_.backoff_base;
      const auto max = options_.backoff_max;
      database_.submit("alerts.record",
                       [entry, result, give_up, jitter, base, max](pqxx::connection& c) {
                         if (result.delivered) {
                           mark_delivered(c, entry, result);
                         } else {
                           mark_failed(c, entry, result, give_up, jitter, base, max);
                         }
                       });
    };
    ++sending_;
    if (it == channels_.end()) {
      record({false, false, 0, "チャネル「" + entry.channel + "」は設定されていません"});
      continue;
    }
    ++in_flight_[via];
    it->second->send(entry.message, std::move(record));
  }
}

}  // namespace mamori::alerts

namespace mamori::alerts {

void AlertDispatcher::replace_channels(std::map<std::string, AlertChannel*> channels,
                                       DispatcherOptions options) {
  channels_ = std::move(channels);
  options_ = options;
  log::info("alerts.channels_replaced", {{"channels", channels_.size()}, {"sending", sending_}});
}

std::size_t AlertDispatcher::sending_through(
    const std::map<std::string, AlertChannel*>& channels) const {
  std::size_t n = 0;
  for (const auto& [name, channel] : channels) {
    if (const auto f = in_flight_.find(channel); f != in_flight_.end()) n += f->second;
  }
  return n;
}

}  // namespace mamori::alerts
