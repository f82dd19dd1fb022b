#include "daemon/alerts/dispatcher.h"

#include <boost/asio/post.hpp>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

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
                   .Help("Alert delivery attempts by channel, kind and outcome")
                   .Register(r)),
        latency(prometheus::BuildHistogram()
                    .Name("mamori_alert_delivery_seconds")
                    .Help("Time from an alert being queued to its delivery")
                    .Register(r)) {}
  prometheus::Family<prometheus::Counter>& alerts;
  prometheus::Family<prometheus::Histogram>& latency;
};

int enqueue_for_routes(pqxx::work& tx, const std::vector<Route>& routes, long long incident_id, AlertKind kind,
                       const std::string& key_suffix, const std::string& public_url,
                       const std::string& municipality) {
  const pqxx::result r = tx.exec_params("SELECT type, severity FROM incidents WHERE id = $1", incident_id);
  if (r.empty()) return 0;
  const std::string type = r[0][0].c_str();
  const std::string severity = r[0][1].c_str();
  const auto rank = [](std::string_view s) {
    return s == "low" ? 1 : s == "medium" ? 2 : s == "high" ? 3 : 4;
  };
  int queued = 0;
  for (const Route& route : routes) {
    if (rank(severity) < static_cast<int>(route.min_severity)) continue;
    if (!route.types.empty() && std::find(route.types.begin(), route.types.end(), type) == route.types.end()) continue;
    AlertMessage m = compose(tx, incident_id, kind, 1, "", public_url, municipality);
    m.idempotency_key = "incident-" + std::to_string(incident_id) + ":" + std::string(to_string(kind)) + ":" +
                        key_suffix + ":" + route.channel;
    if (enqueue(tx, route.channel, m)) ++queued;
  }
  return queued;
}

AlertDispatcher::AlertDispatcher(asio::io_context& io, store::Database& database,
                                 std::map<std::string, AlertChannel*> channels, DispatcherOptions options,
                                 prometheus::Registry* registry)
    : io_(io), database_(database), channels_(std::move(channels)), options_(options),
      metrics_(registry ? std::make_unique<Metrics>(*registry) : nullptr), timer_(io) {}

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
  if (!stopped_) asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired()) claim();
  });
}

void AlertDispatcher::tick() {
  if (stopped_) return;
  claim();
  timer_.expires_after(options_.poll_interval);
  timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (!ec && !alive.expired()) tick();
  });
}

void AlertDispatcher::claim() {
  if (stopped_ || claiming_ || !database_.ready()) return;
  claiming_ = true;
  std::weak_ptr<bool> alive = alive_;
  const bool was_leader = leader_;
  const bool queued = database_.submit("alerts.claim", [this, alive, was_leader](pqxx::connection& c) {
    bool leader = false;
    {
      pqxx::nontransaction tx(c);
      leader = tx.exec_params1("SELECT pg_try_advisory_lock($1)", kLeaderLockKey)[0].as<bool>();
    }
    std::vector<OutboxEntry> entries;
    if (leader) {
      if (!was_leader) release_leases(c);  // the previous leader's sends are void
      entries = claim_due(c, options_.batch, options_.lease);
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
    auto record = [this, alive = std::weak_ptr<bool>(alive_), entry](DeliveryResult result) {
      if (alive.expired()) return;
      --sending_;
      if (metrics_) {
        metrics_->alerts
            .Add({{"channel", entry.channel}, {"kind", std::string(to_string(entry.message.kind))},
                  {"outcome", result.delivered ? "delivered" : (result.retryable ? "retry" : "failed")}})
            .Increment();
        if (result.delivered) {
          metrics_->latency.Add({}, prometheus::Histogram::BucketBoundaries{0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600})
              .Observe(static_cast<double>(entry.age.count()));
        }
      }
      if (result.delivered) {
        log::info("alerts.delivered", {{"alert_id", entry.id}, {"channel", entry.channel},
                                       {"incident_id", entry.message.incident_id}, {"attempts", entry.attempts}});
      } else {
        log::warn("alerts.delivery_failed", {{"alert_id", entry.id}, {"channel", entry.channel},
                                             {"status", result.status}, {"retryable", result.retryable},
                                             {"detail", result.detail}});
      }
      const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
      const auto give_up = options_.give_up_after;
      const auto base = options_.backoff_base;
      database_.submit("alerts.record", [entry, result, give_up, jitter, base](pqxx::connection& c) {
        if (result.delivered) {
          mark_delivered(c, entry, result);
        } else {
          mark_failed(c, entry, result, give_up, jitter, base);
        }
      });
    };
    ++sending_;
    if (it == channels_.end()) {
      record({false, false, 0, "チャネル「" + entry.channel + "」は設定されていません"});
      continue;
    }
    it->second->send(entry.message, std::move(record));
  }
}

}  // namespace mamori::alerts
