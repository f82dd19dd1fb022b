// The PostgreSQL store's worker: one thread, one connection, fed by a bounded queue, so the
// event loop never blocks on libpq. The worker (re)connects with backoff, applies migrations,
// and keeps a job at the head of the queue until it succeeds or fails for a reason other than
// a lost connection, so writes made during an outage are delayed, not lost.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "daemon/config/config.h"

namespace mamori::metrics {
class DaemonMetrics;
}

namespace mamori::store {

struct DatabaseOptions {
  std::string dsn;
  std::optional<config::Secret> password;
  std::size_t queue_capacity = 10000;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds health_check_interval{5000};
  bool apply_migrations = true;
};

class Database {
 public:
  // A job runs on the worker thread with the live connection. It must be idempotent (a job
  // may run again when the connection dies while it runs) and open its own transaction.
  using Job = std::function<void(pqxx::connection&)>;
  // Called on the worker thread once the job succeeded (nullptr) or failed for good.
  using Completion = std::function<void(std::exception_ptr)>;

  Database(DatabaseOptions options, metrics::DaemonMetrics* metrics);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void start();

  // Enqueues a job; false when the queue is full or the store is stopping (counted and logged).
  bool submit(std::string name, Job job, Completion done = {});

  // Connected and every migration applied.
  bool ready() const { return ready_.load(); }
  // A fatal migration error stops the worker; the reason is kept here.
  std::optional<std::string> fatal_error() const;
  std::size_t queue_depth() const;

  // Waits until the first connection attempt series succeeded or `timeout` passed.
  bool wait_ready(std::chrono::milliseconds timeout);

  // Stops accepting jobs, runs what is queued until empty or the deadline, then stops the
  // thread. Returns the number of jobs that could not run (logged as an error).
  std::size_t drain_and_stop(std::chrono::milliseconds deadline);

 private:
  struct Entry {
    std::string name;
    Job job;
    Completion done;
  };

  void run();
  bool ensure_connected();
  void set_ready(bool ready);
  void update_depth_metric();

  DatabaseOptions options_;
  metrics::DaemonMetrics* metrics_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;
  bool accepting_ = true;
  bool stop_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};
  std::optional<std::string> fatal_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<pqxx::connection> connection_;
  std::chrono::milliseconds backoff_;
  std::thread thread_;
};

}  // namespace mamori::store
