#include "daemon/polling/poll_status.h"

#include <boost/json.hpp>

namespace mamori::polling {

namespace {

double unix_seconds(model::TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

void store_poll_status(pqxx::connection& c, const std::string& instance,
                       const std::vector<PollStatus>& rows) {
  if (rows.empty()) return;
  boost::json::array out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    boost::json::object o{{"platform", model::to_string(r.platform)},
                          {"handle", r.handle},
                          {"since", unix_seconds(r.polling_since)}};
    o["success"] = r.last_success ? boost::json::value(unix_seconds(*r.last_success)) : nullptr;
    if (!r.error_job.empty()) {
      o["error_job"] = r.error_job;
      o["error"] = r.error;
      o["error_at"] = unix_seconds(r.error_at);
    }
    out.push_back(std::move(o));
  }
  pqxx::work tx(c);
  tx.exec_params(
      "INSERT INTO poll_status AS s (platform, handle, polled_by, polling_since, last_success_at,"
      " last_error, last_error_job, last_error_at)"
      " SELECT r.platform, r.handle, $1, to_timestamp(r.since), to_timestamp(r.success),"
      "   r.error, r.error_job, to_timestamp(r.error_at)"
      " FROM jsonb_to_recordset($2::jsonb) AS r(platform text, handle text, since float8,"
      "   success float8, error text, error_job text, error_at float8)"
      " ON CONFLICT (platform, handle) DO UPDATE SET polled_by = EXCLUDED.polled_by,"
      "   polling_since = EXCLUDED.polling_since,"
      "   last_success_at = greatest(s.last_success_at, EXCLUDED.last_success_at),"
      "   last_error = EXCLUDED.last_error, last_error_job = EXCLUDED.last_error_job,"
      "   last_error_at = EXCLUDED.last_error_at, updated_at = now()",
      instance, boost::json::serialize(out));
  tx.commit();
}

}  // namespace mamori::polling
