#include "daemon/detection/tracked_candidates.h"

namespace mamori::detection {

std::vector<TrackedCandidate> load_tracked_candidates(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  const auto rows = tx.exec(
      "SELECT i.subject, i.severity,"
      "  coalesce((SELECT f.evidence->>'handle' FROM incident_findings f"
      "    WHERE f.incident_id = i.id AND f.evidence ? 'handle'"
      "    ORDER BY f.detected_at DESC, f.id DESC LIMIT 1), ''), i.municipality"
      " FROM incidents i"
      " WHERE i.type = 'impersonation' AND i.status NOT IN ('resolved', 'closed')");
  std::vector<TrackedCandidate> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back({row[0].as<std::string>(), row[2].as<std::string>(),
                   row[1].as<std::string>() == "high" || row[1].as<std::string>() == "critical",
                   row[3].as<std::string>()});
  }
  return out;
}

}  // namespace mamori::detection
