// Incident gauges and durations for Prometheus, refreshed from the database by a periodic
// store job (incidents change in transactions on the store thread; the numbers follow).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <string>

namespace mamori::incidents {

class IncidentMetrics {
 public:
  explicit IncidentMetrics(prometheus::Registry& registry);
  // Runs on the store's worker thread.
  void refresh(pqxx::connection& c);

 private:
  prometheus::Family<prometheus::Gauge>& open_;
  prometheus::Family<prometheus::Gauge>& overdue_;
  prometheus::Family<prometheus::Histogram>& to_ack_;
  prometheus::Family<prometheus::Histogram>& to_resolve_;
  prometheus::Family<prometheus::Histogram>& to_takedown_;
  prometheus::Family<prometheus::Histogram>& request_to_takedown_;
  std::mutex mutex_;
  // Municipalities seen (with official accounts or open incidents): their series stay, at 0.
  std::set<std::string> municipalities_{"default"};
  std::string acked_after_;  // high-water marks (timestamps as text, from the database)
  std::string resolved_after_;
  std::string takedown_after_;
};

}  // namespace mamori::incidents
