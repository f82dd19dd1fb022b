// The daemon's own Prometheus metrics (prefix mamori_), served by /metrics through
// prometheus-cpp's TextSerializer. Components keep the Counter&/Gauge& they use.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <string>

namespace mamori::metrics {

class DaemonMetrics {
  // Declared first: the references below are initialised from it.
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  explicit DaemonMetrics(const std::string& version);

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // Text exposition format 0.0.4 of everything registered.
  std::string serialize();

  void count_http_request(const std::string& route, unsigned status);

  prometheus::Gauge& db_queue_depth;
  prometheus::Gauge& db_up;                // 1 when connected and migrated
  prometheus::Counter& db_errors;          // failed statements/connection attempts
  prometheus::Counter& db_writes_retried;  // jobs re-run after a lost connection
  prometheus::Counter& db_jobs_rejected;   // submissions refused because the queue was full
  prometheus::Counter& config_reloads_ok;
  prometheus::Counter& config_reloads_rejected;
  prometheus::Gauge& http_connections;
  prometheus::Counter& http_connections_refused;
  prometheus::Counter& retention_purged;  // observations removed by the retention job

 private:
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Gauge& uptime_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace mamori::metrics
