// Each official account's polling health in the database (deploy/sql/067_poll_status.sql): the
// instance polling it writes its last success and failing job there, at most once a second for
// the accounts whose runs finished since, so the accounts page of any instance shows every
// account, whoever polls it (issue 20).
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "model/platform.h"

namespace mamori::polling {

struct PollStatus {
  model::Platform platform = model::Platform::x;
  std::string handle;
  model::TimePoint polling_since{};              // this instance began polling it
  std::optional<model::TimePoint> last_success;  // any of its jobs, in this process
  // Its first job failing since its last success (PollFailures), if any.
  std::string error_job;
  std::string error;
  model::TimePoint error_at{};
};

// Upserts the rows as `instance`'s: a last success is kept when later than the one written
// (another instance's, before a take-over); the failure is this report's.
void store_poll_status(pqxx::connection& c, const std::string& instance,
                       const std::vector<PollStatus>& rows);

}  // namespace mamori::polling
