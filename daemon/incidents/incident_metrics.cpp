#include "daemon/incidents/incident_metrics.h"

#include <set>

#include "model/finding.h"

namespace mamori::incidents {
namespace {

const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{60,   300,   600,   1800,  3600,
                                                         7200, 14400, 43200, 86400, 259200};
  return b;
}

// Takedowns take hours to weeks (the platform reviews the report).
const prometheus::Histogram::BucketBoundaries& takedown_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{3600,   21600,  43200,   86400,  172800,
                                                         259200, 604800, 1209600, 2592000};
  return b;
}

// Every combination exists from the start, so dashboards and alert rules see zeros: for each
// municipality known (the label's values are bounded by the configured municipalities).
void zero_all(prometheus::Family<prometheus::Gauge>& open,
              prometheus::Family<prometheus::Gauge>& overdue,
              const std::set<std::string>& municipalities) {
  for (const std::string& m : municipalities) {
    for (model::IncidentType type : model::kIncidentTypes) {
      const std::string t(model::to_string(type));
      for (model::Severity s : model::kSeverities) {
        open.Add({{"municipality", m}, {"type", t}, {"severity", std::string(model::to_string(s))}})
            .Set(0);
      }
      overdue.Add({{"municipality", m}, {"type", t}}).Set(0);
    }
  }
}

}  // namespace

IncidentMetrics::IncidentMetrics(prometheus::Registry& r)
    : open_(prometheus::BuildGauge()
                .Name("mamori_incidents_open")
                .Help("Incidents not yet resolved or closed, by type and severity")
                .Register(r)),
      overdue_(prometheus::BuildGauge()
                   .Name("mamori_incident_steps_overdue")
                   .Help("Pending playbook steps past their due time, by incident type")
                   .Register(r)),
      to_ack_(prometheus::BuildHistogram()
                  .Name("mamori_incident_time_to_acknowledge_seconds")
                  .Help("Time from an incident opening to its acknowledgement, by municipality "
                        "and type")
                  .Register(r)),
      to_resolve_(prometheus::BuildHistogram()
                      .Name("mamori_incident_time_to_resolve_seconds")
                      .Help("Time from an incident opening to its resolution, by municipality "
                            "and type")
                      .Register(r)),
      to_takedown_(
          prometheus::BuildHistogram()
              .Name("mamori_impersonation_time_to_takedown_seconds")
              .Help("Time from an impersonation incident opening to mamori seeing the account gone")
              .Register(r)),
      request_to_takedown_(
          prometheus::BuildHistogram()
              .Name("mamori_impersonation_request_to_takedown_seconds")
              .Help("Time from staff recording the takedown request (the playbook step "
                    "request_takedown done) to mamori seeing the impersonating account gone")
              .Register(r)) {
  zero_all(open_, overdue_, municipalities_);
}

void IncidentMetrics::refresh(pqxx::connection& c) {
  std::lock_guard lock(mutex_);
  pqxx::work tx(c);
  for (const auto& row :
       tx.exec("SELECT DISTINCT municipality FROM official_accounts WHERE active UNION"
               " SELECT DISTINCT municipality FROM incidents WHERE status NOT IN ('resolved', "
               "'closed')")) {
    municipalities_.insert(row[0].c_str());
  }
  zero_all(open_, overdue_, municipalities_);
  // The towns configured now (their accounts are active): the histograms' municipality label
  // takes these values, any other town's incident counts as "other" (bounded series).
  std::set<std::string> configured{"default"};
  for (const auto& row :
       tx.exec("SELECT DISTINCT municipality FROM official_accounts WHERE active")) {
    configured.insert(row[0].c_str());
  }
  const auto town = [&configured](const pqxx::field& f) {
    return configured.count(f.c_str()) > 0 ? std::string(f.c_str()) : std::string("other");
  };
  for (const auto& row :
       tx.exec("SELECT municipality, type, severity, count(*) FROM incidents WHERE status NOT "
               "IN ('resolved', 'closed') GROUP BY 1, 2, 3")) {
    open_
        .Add({{"municipality", row[0].c_str()},
              {"type", row[1].c_str()},
              {"severity", row[2].c_str()}})
        .Set(row[3].as<double>());
  }
  for (const auto& row :
       tx.exec("SELECT i.municipality, i.type, count(*) FROM incident_steps s JOIN incidents i ON "
               "i.id ="
               " s.incident_id WHERE s.status = 'pending' AND s.due_at < now() AND i.status NOT IN "
               "('resolved', 'closed') GROUP BY 1, 2")) {
    overdue_.Add({{"municipality", row[0].c_str()}, {"type", row[1].c_str()}})
        .Set(row[2].as<double>());
  }
  // Durations of incidents acknowledged / resolved since the last refresh (first run: 1 day back).
  const std::string since_ack =
      acked_after_.empty() ? "now() - interval '1 day'" : tx.quote(acked_after_) + "::timestamptz";
  for (const auto& row : tx.exec("SELECT type, extract(epoch FROM acknowledged_at - opened_at), "
                                 "acknowledged_at::text, municipality FROM incidents"
                                 " WHERE acknowledged_at > " +
                                 since_ack + " ORDER BY acknowledged_at")) {
    to_ack_.Add({{"municipality", town(row[3])}, {"type", row[0].c_str()}}, duration_buckets())
        .Observe(row[1].as<double>());
    acked_after_ = row[2].c_str();
  }
  const std::string since_resolve = resolved_after_.empty()
                                        ? "now() - interval '1 day'"
                                        : tx.quote(resolved_after_) + "::timestamptz";
  for (const auto& row : tx.exec("SELECT type, extract(epoch FROM resolved_at - opened_at), "
                                 "resolved_at::text, municipality FROM incidents"
                                 " WHERE resolved_at > " +
                                 since_resolve + " ORDER BY resolved_at")) {
    to_resolve_.Add({{"municipality", town(row[3])}, {"type", row[0].c_str()}}, duration_buckets())
        .Observe(row[1].as<double>());
    resolved_after_ = row[2].c_str();
  }
  // Takedowns: the first subject_gone step an automatic check completed, per impersonation
  // incident; measured from opening and, when staff recorded the request before, from that
  // (the platform's own review time, what the takedown request's wording can influence).
  const std::string since_takedown = takedown_after_.empty()
                                         ? "now() - interval '1 day'"
                                         : tx.quote(takedown_after_) + "::timestamptz";
  for (const auto& row :
       tx.exec("SELECT coalesce(i.platform, 'unknown'), extract(epoch FROM g.gone_at - "
               "i.opened_at), g.gone_at::text,"
               " extract(epoch FROM g.gone_at - r.completed_at)"
               " FROM (SELECT incident_id, min(completed_at) AS gone_at FROM incident_steps"
               "  WHERE auto_check->>'kind' = 'subject_gone' AND status = 'done' AND completed_by "
               "= 'system:check'"
               "  GROUP BY incident_id) g JOIN incidents i ON i.id = g.incident_id"
               " LEFT JOIN incident_steps r ON r.incident_id = g.incident_id AND r.step_id = "
               "'request_takedown'"
               "  AND r.status = 'done' AND r.completed_at <= g.gone_at"
               " WHERE i.type = 'impersonation' AND g.gone_at > " +
               since_takedown + " ORDER BY g.gone_at")) {
    to_takedown_.Add({{"platform", row[0].c_str()}}, takedown_buckets())
        .Observe(row[1].as<double>());
    if (!row[3].is_null()) {
      request_to_takedown_.Add({{"platform", row[0].c_str()}}, takedown_buckets())
          .Observe(row[3].as<double>());
    }
    takedown_after_ = row[2].c_str();
  }
  if (takedown_after_.empty()) takedown_after_ = tx.exec1("SELECT now()::text")[0].c_str();
  if (acked_after_.empty()) acked_after_ = tx.exec1("SELECT now()::text")[0].c_str();
  if (resolved_after_.empty()) resolved_after_ = tx.exec1("SELECT now()::text")[0].c_str();
  tx.commit();
}

}  // namespace mamori::incidents
