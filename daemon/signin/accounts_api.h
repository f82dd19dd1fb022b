// GET /api/v1/accounts: each configured official account with its polling health, for the
// console's accounts page (docs/api.md): a PollHealth snapshot the daemon takes from the poller
// (last success and failing job per account), the collectors' reports (quota and circuit
// breaker per endpoint) and the rate-limit governor (quota reset) — see app/poll_health.h —
// plus poll_cursors, which survive a restart.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "collectors/ratelimit/clock.h"
#include "daemon/api/auth.h"
#include "daemon/config/config.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"

namespace mamori::signin {

struct EndpointQuota {
  std::string endpoint;
  double remaining = 0;
  std::optional<double> reset_at;  // unix seconds
};

// A snapshot taken on the event loop when the route is asked.
struct PollHealth {
  // (platform, handle) -> unix seconds of the latest successful run of any of its jobs.
  std::map<std::pair<std::string, std::string>, double> last_success;
  std::map<std::string, EndpointQuota> lowest_quota;  // platform -> endpoint with least left
  std::map<std::string, std::string>
      open_breakers;  // platform -> an endpoint whose breaker is open
  config::PollingConfig intervals;
  // A job whose last run failed (and has not succeeded since), per (platform, handle or "" for a
  // platform-wide job): the first such job in the poller's order.
  struct Failure {
    std::string job;
    double at = 0.0;  // unix seconds
    std::string detail;
  };
  std::map<std::pair<std::string, std::string>, Failure> failures;
  // This month's API spend per platform (collectors/ratelimit/api_spend.h).
  struct Spend {
    std::string month;  // "2026-12" (UTC)
    double month_to_date_usd = 0.0;
    double projected_usd = 0.0;
    std::optional<double> budget_usd;
    long long units_month_to_date = 0;
    int degradation_level = 0;
  };
  std::map<std::string, Spend> api_spend;
};

using PollHealthSource = std::function<PollHealth()>;

// "Stale" and "N minutes ago" are judged against `clock` (the daemon's one clock).
void register_account_routes(http::Router& router, store::Database& database,
                             const api::Authenticator& auth, const collectors::Clock& clock,
                             PollHealthSource health);

}  // namespace mamori::signin
