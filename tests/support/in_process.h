// The daemon's middle in-process (detection hub, integrity monitor, poller) against a real
// PostgreSQL: a scratch database with the store's worker, an event loop the test thread runs
// while it waits, a manual clock that moves only when the test says, and the shipped playbooks.
// Waits end as soon as the awaited state is there (the store's completions post back to the
// loop); nothing sleeps for a polling interval.
#pragma once

#include <prometheus/registry.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/record_finding.h"
#include "daemon/config/config.h"
#include "daemon/store/connection.h"
#include "daemon/store/database.h"
#include "daemon/store/migrations.h"
#include "daemon/store/observation_store.h"
#include "daemon/store/sync.h"
#include "playbooks/engine/loader.h"
#include "tests/support/test_support.h"

namespace mamori::testing {

class InProcess {
 public:
  // 2025-06-01T00:00:00Z unless told otherwise.
  explicit InProcess(model::TimePoint start = model::TimePoint(std::chrono::seconds(1748736000)))
      : clock(start) {
    direct = store::connect(db.dsn(), std::nullopt);
    store::apply_migrations(*direct);
    store::DatabaseOptions o;
    o.dsn = db.dsn();
    database = std::make_unique<store::Database>(o, nullptr);
    database->start();
    database->wait_ready(std::chrono::seconds(10));
    auto loaded = playbooks::load_playbooks(source_dir() / "playbooks", {});
    playbooks = loaded.set;
  }
  ~InProcess() {
    guard.reset();
    io.restart();
    io.poll();
    database->drain_and_stop(std::chrono::seconds(5));
  }
  InProcess(const InProcess&) = delete;
  InProcess& operator=(const InProcess&) = delete;

  // A configuration from TOML (the [database] table is added), mirrored into the database as
  // mamorid does at start.
  config::Config configure(const std::string& toml) {
    config::CredentialSource credentials;  // every env: credential resolves to a test value
    credentials.getenv = [](const std::string&) {
      return std::optional<std::string>("in-process-test");
    };
    auto r = config::load_string(toml + "\n[database]\ndsn = \"" + db.dsn() + "\"\n",
                                 "in_process.toml", credentials);
    if (!r.ok()) throw std::runtime_error(r.error_text());
    store::sync_configuration(*database, *r.config);
    return *r.config;
  }

  // The services the hub and the monitor are built with; `context` decides who is paged (its
  // times come from this clock).
  alerts::FindingServices services(alerts::AlertContext context = {}) {
    context.clock = &clock;
    return alerts::FindingServices{io, *database, clock, std::move(context), nullptr, &registry};
  }

  // Pages these channels on a new or reopened incident (a one-level escalation policy).
  static alerts::AlertContext paging(const std::vector<std::string>& channels) {
    auto config = std::make_shared<alerts::oncall::OnCallConfig>();
    alerts::oncall::EscalationPolicy policy;
    policy.name = "test";
    policy.severities = {"*"};
    alerts::oncall::EscalationLevel level;
    for (const auto& c : channels)
      level.targets.push_back({alerts::oncall::EscalationTarget::Kind::channel, c});
    policy.levels = {level};
    config->policies = {policy};
    return alerts::AlertContext{config, "https://mamori.example.lg.jp", "相馬市", nullptr};
  }

  // Stores observations as the poller does and returns what was new.
  store::StoredBatch store(const std::vector<model::Observation>& observations) {
    return store::store_observations(*direct, observations, std::nullopt);
  }

  // Runs the loop until `done` holds (checked after each handler) or `timeout` passes.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io.restart();
      io.run_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // Runs the loop until nothing is left to do: the store's queue empty and no handler ran in a
  // few consecutive polls (a job the worker is running posts its completion within them).
  void settle(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int quiet = 0;
    while (quiet < 5 && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      const auto ran = io.run_for(std::chrono::milliseconds(10));
      quiet = ran == 0 && database->queue_depth() == 0 ? quiet + 1 : 0;
    }
  }

  // Runs the loop until every store job submitted so far has finished (the worker runs them in
  // order): what they wrote can then be read.
  bool drain(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    if (!database->submit(
            "test.drain", [](pqxx::connection&) {}, [done](std::exception_ptr) { *done = true; }))
      return false;
    return run_until([&] { return done->load(); }, timeout);
  }

  // The first column of the first row, as text ("" when no row).
  std::string sql(const std::string& query) {
    pqxx::nontransaction tx(*direct);
    const auto r = tx.exec(query);
    return r.empty() || r[0][0].is_null() ? std::string() : std::string(r[0][0].c_str());
  }

  ScratchDatabase db;
  boost::asio::io_context io;
  // Keeps run_for() waiting for the store's completions instead of returning at once.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  collectors::ManualClock clock;
  prometheus::Registry registry;
  std::unique_ptr<pqxx::connection> direct;
  std::unique_ptr<store::Database> database;
  std::shared_ptr<const playbooks::PlaybookSet> playbooks;
};

}  // namespace mamori::testing
