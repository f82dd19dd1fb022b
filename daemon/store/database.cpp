#include "daemon/store/database.h"

#include <random>

#include "daemon/log/log.h"
#include "daemon/metrics/metrics.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"

namespace mamori::store {

Database::Database(DatabaseOptions options, metrics::DaemonMetrics* metrics)
    : options_(std::move(options)), metrics_(metrics), backoff_(options_.initial_backoff) {}

Database::~Database() {
  if (thread_.joinable()) drain_and_stop(std::chrono::milliseconds(0));
}

void Database::start() {
  thread_ = std::thread([this] { run(); });
}

bool Database::submit(std::string name, Job job, Completion done) {
  {
    std::lock_guard lock(mutex_);
    if (!accepting_ || queue_.size() >= options_.queue_capacity) {
      if (metrics_ != nullptr) metrics_->db_jobs_rejected.Increment();
      log::error("db.job_rejected", {{"job", name},
                                     {"reason", accepting_ ? "queue full" : "store stopping"},
                                     {"queue_depth", queue_.size()}});
      return false;
    }
    queue_.push_back(Entry{std::move(name), std::move(job), std::move(done)});
  }
  update_depth_metric();
  cv_.notify_one();
  return true;
}

std::optional<std::string> Database::fatal_error() const {
  std::lock_guard lock(mutex_);
  return fatal_;
}

std::size_t Database::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

bool Database::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return ready_.load() || fatal_.has_value() || stop_; });
  return ready_.load();
}

std::size_t Database::drain_and_stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
    stop_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + deadline;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  const std::size_t left = queue_.size();
  if (left > 0) {
    log::error("db.jobs_abandoned", {{"count", left}, {"reason", "shutdown deadline passed"}});
  }
  queue_.clear();
  return left;
}

void Database::set_ready(bool ready) {
  const bool was = ready_.exchange(ready);
  if (metrics_ != nullptr) metrics_->db_up.Set(ready ? 1 : 0);
  if (was != ready) cv_.notify_all();
}

void Database::update_depth_metric() {
  if (metrics_ != nullptr) metrics_->db_queue_depth.Set(static_cast<double>(queue_depth()));
}

bool Database::ensure_connected() {
  if (connection_ && connection_->is_open()) return true;
  connection_.reset();
  try {
    connection_ = connect(options_.dsn, options_.password);
    if (options_.apply_migrations) {
      try {
        apply_migrations(*connection_);
      } catch (const std::exception& e) {
        if (is_connection_loss(e)) throw;
        // A migration that fails on a live connection will fail again: stop and say why.
        std::lock_guard lock(mutex_);
        fatal_ = "migration failed: " + describe_error(e);
        log::error("db.migration_failed", {{"error", describe_error(e)}});
        connection_.reset();
        cv_.notify_all();
        return false;
      }
    } else if (!migrations_current(*connection_)) {
      log::warn("db.migrations_pending", {{"hint", "run mamorictl migrate"}});
    }
    log::info("db.connected", {{"queue_depth", queue_depth()}});
    backoff_ = options_.initial_backoff;
    set_ready(true);
    return true;
  } catch (const std::exception& e) {
    connection_.reset();
    set_ready(false);
    if (metrics_ != nullptr) metrics_->db_errors.Increment();
    log::warn("db.connect_failed", {{"error", describe_error(e)},
                                    {"retry_in_ms", static_cast<long long>(backoff_.count())},
                                    {"queue_depth", queue_depth()}});
    return false;
  }
}

void Database::run() {
  std::mt19937 rng(std::random_device{}());
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (fatal_) break;
      if (stop_ && (queue_.empty() || std::chrono::steady_clock::now() >= stop_deadline_)) break;
    }
    if (!ensure_connected()) {
      {
        std::lock_guard lock(mutex_);
        if (fatal_) break;
      }
      // Back off with jitter; a stop request cuts the wait short.
      std::uniform_int_distribution<long long> jitter(0, backoff_.count() / 4 + 1);
      const auto wait = backoff_ + std::chrono::milliseconds(jitter(rng));
      std::unique_lock lock(mutex_);
      auto until = std::chrono::steady_clock::now() + wait;
      if (stop_) until = std::min(until, stop_deadline_);
      cv_.wait_until(lock, until,
                     [&] { return stop_ && std::chrono::steady_clock::now() >= stop_deadline_; });
      backoff_ = std::min(options_.max_backoff, backoff_ * 2);
      continue;
    }

    Entry* entry = nullptr;
    {
      std::unique_lock lock(mutex_);
      const bool woke = cv_.wait_for(lock, options_.health_check_interval,
                                     [this] { return !queue_.empty() || stop_; });
      if (!woke) {
        lock.unlock();
        // Idle: make sure the server is still there, so /readyz tells the truth.
        try {
          pqxx::nontransaction tx(*connection_);
          tx.exec1("SELECT 1");
        } catch (const std::exception& e) {
          if (metrics_ != nullptr) metrics_->db_errors.Increment();
          log::warn("db.connection_lost", {{"error", describe_error(e)}});
          connection_.reset();
          set_ready(false);
        }
        continue;
      }
      if (queue_.empty()) continue;  // stop requested and nothing to do: loop head exits
      entry = &queue_.front();       // stays in the queue until it is done
    }

    std::exception_ptr failure;
    bool retry = false;
    try {
      entry->job(*connection_);
    } catch (const std::exception& e) {
      if (is_connection_loss(e) || !connection_->is_open()) {
        retry = true;
        if (metrics_ != nullptr) {
          metrics_->db_errors.Increment();
          metrics_->db_writes_retried.Increment();
        }
        log::warn(
            "db.connection_lost",
            {{"job", entry->name}, {"error", describe_error(e)}, {"action", "job kept for retry"}});
        connection_.reset();
        set_ready(false);
      } else {
        if (metrics_ != nullptr) metrics_->db_errors.Increment();
        log::error("db.job_failed", {{"job", entry->name}, {"error", describe_error(e)}});
        failure = std::current_exception();
      }
    }
    if (retry) continue;
    Entry done;
    {
      std::lock_guard lock(mutex_);
      done = std::move(queue_.front());
      queue_.pop_front();
    }
    update_depth_metric();
    if (done.done) {
      try {
        done.done(failure);
      } catch (const std::exception& e) {
        log::error("db.completion_failed", {{"job", done.name}, {"error", e.what()}});
      }
    }
  }
  connection_.reset();
  set_ready(false);
}

}  // namespace mamori::store
