#include "daemon/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace mamori::metrics {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

DaemonMetrics::DaemonMetrics(const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()),
      db_queue_depth(BuildGauge()
                         .Name("mamori_db_queue_depth")
                         .Help("Database jobs waiting for the store worker")
                         .Register(*registry_)
                         .Add({})),
      db_up(BuildGauge()
                .Name("mamori_db_up")
                .Help("1 when the database is reachable and migrated, else 0")
                .Register(*registry_)
                .Add({})),
      db_errors(BuildCounter()
                    .Name("mamori_db_errors_total")
                    .Help("Database statements or connection attempts that failed")
                    .Register(*registry_)
                    .Add({})),
      db_writes_retried(BuildCounter()
                            .Name("mamori_db_jobs_retried_total")
                            .Help("Database jobs run again after the connection was lost")
                            .Register(*registry_)
                            .Add({})),
      db_jobs_rejected(BuildCounter()
                           .Name("mamori_db_jobs_rejected_total")
                           .Help("Database jobs refused because the queue was full")
                           .Register(*registry_)
                           .Add({})),
      config_reloads_ok(BuildCounter()
                            .Name("mamori_config_reloads_total")
                            .Help("Configuration reloads (SIGHUP) by result")
                            .Register(*registry_)
                            .Add({{"result", "applied"}})),
      config_reloads_rejected(BuildCounter()
                                  .Name("mamori_config_reloads_total")
                                  .Help("Configuration reloads (SIGHUP) by result")
                                  .Register(*registry_)
                                  .Add({{"result", "rejected"}})),
      http_connections(BuildGauge()
                           .Name("mamori_http_connections")
                           .Help("Open HTTP connections")
                           .Register(*registry_)
                           .Add({})),
      http_connections_refused(BuildCounter()
                                   .Name("mamori_http_connections_refused_total")
                                   .Help("HTTP connections closed at once because of the cap")
                                   .Register(*registry_)
                                   .Add({})),
      retention_purged(BuildCounter()
                           .Name("mamori_retention_purged_total")
                           .Help("Observations removed by the retention job")
                           .Register(*registry_)
                           .Add({})),
      http_requests_(BuildCounter()
                         .Name("mamori_http_requests_total")
                         .Help("HTTP requests served, by route and status code")
                         .Register(*registry_)),
      uptime_(BuildGauge()
                  .Name("mamori_uptime_seconds")
                  .Help("Seconds since mamorid started")
                  .Register(*registry_)
                  .Add({})),
      started_(std::chrono::steady_clock::now()) {
  BuildGauge()
      .Name("mamori_build_info")
      .Help("Build information; the value is always 1")
      .Register(*registry_)
      .Add({{"version", version}})
      .Set(1);
}

void DaemonMetrics::count_http_request(const std::string& route, unsigned status) {
  http_requests_.Add({{"route", route}, {"code", std::to_string(status)}}).Increment();
}

std::string DaemonMetrics::serialize() {
  uptime_.Set(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  const prometheus::TextSerializer serializer;
  std::ostringstream out;
  serializer.Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace mamori::metrics
