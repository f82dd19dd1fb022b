#include "daemon/polling/leases.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <exception>

#include "daemon/log/log.h"
#include "daemon/metrics/event_loop_meter.h"

namespace mamori::polling {

namespace asio = boost::asio;

namespace {

// The session advisory lock of the instance that runs the platform-wide jobs (another key than
// the alert dispatcher's, so the two roles may sit on different instances).
constexpr long long kGlobalJobsLockKey = 0x6d616d6f7269676c;  // "mamorigl"

std::string accounts_json(const std::vector<std::pair<std::string, std::string>>& accounts) {
  boost::json::array out;
  out.reserve(accounts.size());
  for (const auto& [platform, handle] : accounts)
    out.push_back(boost::json::object{{"platform", platform}, {"handle", handle}});
  return boost::json::serialize(out);
}

}  // namespace

std::string default_instance_name() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + ":" + std::to_string(getpid());
}

struct PollLeases::Metrics {
  Metrics(prometheus::Registry& r, const std::string& instance)
      : held(prometheus::BuildGauge()
                 .Name("mamori_poll_leases_held")
                 .Help("Official accounts whose polling lease this instance holds")
                 .Register(r)
                 .Add({{"instance", instance}})),
        takeovers(prometheus::BuildCounter()
                      .Name("mamori_poll_lease_takeovers_total")
                      .Help("Leases taken from an instance that stopped renewing them")
                      .Register(r)
                      .Add({{"instance", instance}})),
        leader(prometheus::BuildGauge()
                   .Name("mamori_poll_leader")
                   .Help("1 while this instance runs the platform-wide jobs (look-alike search, "
                         "compliance audit, reminders, automatic checks, retention)")
                   .Register(r)
                   .Add({{"instance", instance}})),
        instances(prometheus::BuildGauge()
                      .Name("mamori_poll_instances_alive")
                      .Help("mamorid instances alive on this database at the last lease round")
                      .Register(r)
                      .Add({{"instance", instance}})) {}
  prometheus::Gauge& held;
  prometheus::Counter& takeovers;
  prometheus::Gauge& leader;
  prometheus::Gauge& instances;
};

struct PollLeases::RoundResult {
  bool ok = false;
  std::string error;
  long long alive = 1;
  bool leads = false;
  std::vector<LeasedAccount> holding;  // renewed or acquired
  double join_wait_s = 0;              // left of the join window: nothing taken yet
};

PollLeases::PollLeases(asio::io_context& io, store::Database& database,
                       config::ClusterConfig cluster, prometheus::Registry* registry)
    : io_(io),
      database_(database),
      instance_(cluster.instance.empty() ? default_instance_name() : cluster.instance),
      period_(cluster.lease_period),
      join_window_(cluster.join_window),
      metrics_(registry ? std::make_unique<Metrics>(*registry, instance_) : nullptr),
      timer_(io) {}

PollLeases::~PollLeases() {
  *alive_ = false;
  timer_.cancel();
}

void PollLeases::on_change(std::function<void(const LeaseChange&)> listener) {
  change_listeners_.push_back(std::move(listener));
}

void PollLeases::on_leadership(std::function<void(bool)> listener) {
  leader_listeners_.push_back(std::move(listener));
}

void PollLeases::start(const std::vector<config::Account>& accounts) {
  update_accounts(accounts);
  stopped_ = false;
  log::info("cluster.instance",
            {{"instance", instance_}, {"lease_period_s", static_cast<long long>(period_.count())}});
  round();
}

void PollLeases::update_accounts(const std::vector<config::Account>& accounts) {
  accounts_.clear();
  for (const auto& a : accounts)
    accounts_.emplace_back(std::string(model::to_string(a.platform)), a.handle);
  // A reload: added accounts are taken (and polled) now, not a third of a period later.
  if (stopped_) return;
  if (running_) {
    again_ = true;
  } else {
    round();
  }
}

void PollLeases::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  const std::string me = instance_;
  held_.clear();
  leads_ = false;
  // Let everything go at once: the other instances take it at their next round instead of
  // waiting for the leases to run out.
  database_.submit("leases.release", [me](pqxx::connection& c) {
    {
      pqxx::work tx(c);
      tx.exec_params("UPDATE poll_leases SET holder = NULL, expires_at = now() WHERE holder = $1",
                     me);
      tx.exec_params("UPDATE poll_instances SET alive_until = now() WHERE instance = $1", me);
      tx.commit();
    }
    pqxx::nontransaction tx(c);
    tx.exec_params("SELECT pg_advisory_unlock_all()");
  });
}

bool PollLeases::fenced() const {
  return !alone_ && std::chrono::steady_clock::now() >= valid_until_;
}

bool PollLeases::holds(model::Platform platform, std::string_view handle) const {
  return !fenced() && held_.count({platform, std::string(handle)}) > 0;
}

bool PollLeases::leads() const {
  return leads_ && !fenced();
}

void PollLeases::schedule(std::chrono::steady_clock::duration after) {
  if (stopped_) return;
  timer_.expires_after(after);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        const metrics::EventLoopMeter::Scope metered("leases.round");
        round();
      });
}

// One round, in one transaction: say this instance is alive, make rows for the configured
// accounts, let go of what left the configuration, renew what is held, give up the surplus over
// the share, take free or expired leases up to it; then the leader lock.
void PollLeases::round() {
  if (stopped_ || running_) return;
  running_ = true;
  const auto asked_at = std::chrono::steady_clock::now();
  const std::string me = instance_;
  const int period = static_cast<int>(period_.count());
  const std::string json = accounts_json(accounts_);
  const long long configured = static_cast<long long>(accounts_.size());
  const int join_window = static_cast<int>(join_window_.count());
  const bool fresh = !joined_;
  auto result = std::make_shared<RoundResult>();
  std::weak_ptr<bool> alive = alive_;
  const bool queued = database_.submit(
      "leases.round",
      [me, period, json, configured, join_window, fresh, result](pqxx::connection& c) {
        *result = RoundResult{};
        {
          pqxx::work tx(c);
          // started_at: this process's first round (a restart under the same name starts anew).
          tx.exec_params(
              "INSERT INTO poll_instances (instance, alive_until)"
              " VALUES ($1, now() + $2::int * interval '1 second')"
              " ON CONFLICT (instance) DO UPDATE SET alive_until = EXCLUDED.alive_until,"
              "   started_at = CASE WHEN $3 THEN now() ELSE poll_instances.started_at END",
              me, period, fresh);
          tx.exec("DELETE FROM poll_instances WHERE alive_until < now() - interval '1 day'");
          result->alive = std::max<long long>(
              1, tx.exec1("SELECT count(*) FROM poll_instances WHERE alive_until > now()")[0]
                     .as<long long>());
          tx.exec_params(
              "INSERT INTO poll_leases (platform, handle)"
              " SELECT platform, handle FROM jsonb_to_recordset($1::jsonb)"
              "   AS a(platform text, handle text)"
              " ON CONFLICT DO NOTHING",
              json);
          tx.exec_params(
              "UPDATE poll_leases l SET holder = NULL, expires_at = now()"
              " WHERE holder = $1 AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb)"
              "   AS a(platform text, handle text)"
              "   WHERE a.platform = l.platform AND a.handle = l.handle)",
              me, json);
          const auto renewed = tx.exec_params(
              "UPDATE poll_leases SET expires_at = now() + $2::int * interval '1 second'"
              " WHERE holder = $1 RETURNING platform, handle",
              me, period);
          // The join window runs from the start of the earliest instance alive: instances started
          // together wait for each other; one joining a running cluster (whose earliest started
          // long ago) takes its share at once.
          if (join_window > 0) {
            result->join_wait_s =
                std::max(0.0, tx.exec_params1("SELECT extract(epoch FROM min(started_at)"
                                              "   + $1::int * interval '1 second' - now())::float8"
                                              " FROM poll_instances WHERE alive_until > now()",
                                              join_window)[0]
                                  .as<double>(0.0));
          }
          const long long share = (configured + result->alive - 1) / result->alive;
          long long holding = static_cast<long long>(renewed.size());
          std::set<std::pair<std::string, std::string>> released;
          if (result->alive > 1 && holding > share) {
            // The newest first: what was held longest keeps its warm detectors.
            for (const auto& row : tx.exec_params(
                     "UPDATE poll_leases SET holder = NULL, expires_at = now()"
                     " WHERE (platform, handle) IN (SELECT platform, handle FROM poll_leases"
                     "   WHERE holder = $1"
                     "   ORDER BY acquired_at DESC, platform DESC, handle DESC LIMIT $2)"
                     " RETURNING platform, handle",
                     me, holding - share)) {
              released.emplace(row[0].as<std::string>(), row[1].as<std::string>());
            }
            holding -= static_cast<long long>(released.size());
          }
          for (const auto& row : renewed) {
            std::pair<std::string, std::string> key{row[0].as<std::string>(),
                                                    row[1].as<std::string>()};
            const auto platform = model::platform_from_string(key.first);
            if (!platform || released.count(key) > 0) continue;
            result->holding.push_back({*platform, key.second, "", false});
          }
          if (holding < share && result->join_wait_s <= 0) {
            const auto acquired = tx.exec_params(
                "WITH free AS (SELECT l.platform, l.handle, l.holder FROM poll_leases l"
                "   JOIN jsonb_to_recordset($2::jsonb) AS a(platform text, handle text)"
                "     ON a.platform = l.platform AND a.handle = l.handle"
                "   WHERE l.holder IS NULL OR l.expires_at < now()"
                "   ORDER BY l.expires_at, l.platform, l.handle LIMIT $3"
                "   FOR UPDATE OF l SKIP LOCKED)"
                " UPDATE poll_leases l SET holder = $1,"
                "   expires_at = now() + $4::int * interval '1 second', acquired_at = now()"
                " FROM free WHERE l.platform = free.platform AND l.handle = free.handle"
                " RETURNING l.platform, l.handle, coalesce(free.holder, ''),"
                "   coalesce((SELECT o.account_id FROM official_accounts o"
                "     WHERE o.platform = l.platform AND o.handle = l.handle), '')",
                me, json, share - holding, period);
            for (const auto& row : acquired) {
              const auto platform = model::platform_from_string(row[0].as<std::string>());
              if (!platform) continue;
              const std::string previous = row[2].as<std::string>();
              result->holding.push_back({*platform, row[1].as<std::string>(),
                                         row[3].as<std::string>(),
                                         !previous.empty() && previous != me});
            }
          }
          tx.commit();
        }
        pqxx::nontransaction tx(c);
        result->leads =
            tx.exec_params1("SELECT pg_try_advisory_lock($1)", kGlobalJobsLockKey)[0].as<bool>();
        result->ok = true;
      },
      // Runs on the store's thread: reaches the loop without touching *this, which may be gone.
      [&io = io_, this, alive, result, asked_at](std::exception_ptr failure) {
        if (failure) {
          try {
            std::rethrow_exception(failure);
          } catch (const std::exception& e) {
            result->error = e.what();
          }
          result->ok = false;
        }
        asio::post(io, [this, alive, result, asked_at] {
          if (alive.expired()) return;
          const metrics::EventLoopMeter::Scope metered("leases.result");
          running_ = false;
          if (stopped_) return;
          apply(*result, asked_at);
        });
      });
  if (!queued) {
    running_ = false;
    schedule(std::chrono::seconds(1));
  }
}

void PollLeases::apply(const RoundResult& r, std::chrono::steady_clock::time_point asked_at) {
  if (!r.ok) {
    // Not yet migrated, or the database refused: try again soon (what is held stays held until
    // its deadline, unless this instance is alone).
    log::warn("cluster.lease_round_failed", {{"instance", instance_}, {"error", r.error}});
    schedule(std::chrono::seconds(1));
    return;
  }
  joined_ = true;
  // The deadline counts from before the round was asked: the database's expiry is later.
  valid_until_ = asked_at + period_;
  alone_ = r.alive <= 1;
  LeaseChange change;
  std::set<std::pair<model::Platform, std::string>> next;
  std::size_t taken_over = 0;
  for (const auto& a : r.holding) {
    next.emplace(a.platform, a.handle);
    if (held_.count({a.platform, a.handle}) > 0) continue;  // expired and re-taken by us
    change.acquired.push_back(a);
    if (a.taken_over) ++taken_over;
  }
  for (const auto& [platform, handle] : held_) {
    if (next.count({platform, handle}) == 0) change.lost.push_back({platform, handle, "", false});
  }
  held_ = std::move(next);
  const bool was_leader = leads_;
  leads_ = r.leads;
  if (metrics_) {
    metrics_->held.Set(static_cast<double>(held_.size()));
    metrics_->takeovers.Increment(static_cast<double>(taken_over));
    metrics_->leader.Set(leads_ ? 1 : 0);
    metrics_->instances.Set(static_cast<double>(r.alive));
  }
  if (!change.acquired.empty() || !change.lost.empty()) {
    log::info("cluster.leases_changed", {{"instance", instance_},
                                         {"acquired", change.acquired.size()},
                                         {"taken_over", taken_over},
                                         {"lost", change.lost.size()},
                                         {"held", held_.size()},
                                         {"instances", r.alive}});
    for (const auto& listener : change_listeners_) listener(change);
  }
  if (leads_ != was_leader) {
    log::info("cluster.leader", {{"instance", instance_}, {"leads", leads_}});
    for (const auto& listener : leader_listeners_) listener(leads_);
  }
  if (again_) {
    again_ = false;
    schedule(std::chrono::seconds(0));
  } else if (r.join_wait_s > 0) {
    // Still in the join window: the next round when it ends (all instances' rounds meet there).
    const auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(r.join_wait_s) + std::chrono::milliseconds(20));
    schedule(std::min<std::chrono::steady_clock::duration>(wait, period_ / 3));
    if (!logged_join_wait_) {
      logged_join_wait_ = true;
      log::info("cluster.join_window",
                {{"instance", instance_}, {"wait_s", r.join_wait_s}, {"instances", r.alive}});
    }
  } else {
    schedule(period_ / 3);
  }
}

}  // namespace mamori::polling
