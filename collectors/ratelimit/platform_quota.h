// Quota signals that are not the usual limit/remaining/reset headers, read for the
// RequestGovernor:
//
//  * Meta Graph API (Facebook, Instagram) reports usage, not counts: `X-App-Usage` and
//    `X-Page-Usage` carry `{"call_count":28,"total_time":25,"total_cputime":25}` and
//    `X-Business-Use-Case-Usage` carries `{"<object-id>":[{"type":"pages","call_count":100,
//    "total_cputime":25,"total_time":25,"estimated_time_to_regain_access":19}]}` — each number a
//    percentage of an hourly (rolling) budget; at 100 calls are throttled, and
//    `estimated_time_to_regain_access` says for how many minutes. Read as a window of limit 100
//    with the highest percentage spent, renewed after the regain time (or the hour), so the
//    governor spaces requests out past half the budget and stops at the limit.
//  * YouTube Data API has no rate-limit headers: a spent daily quota answers 403 with
//    `error.errors[].reason` "quotaExceeded" (or "dailyLimitExceeded"), and the quota renews at
//    midnight Pacific time.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/http/http_client.h"
#include "collectors/ratelimit/rate_limit_headers.h"
#include "model/platform.h"

namespace mamori::collectors {

// The Graph API usage headers as a quota window; nullopt when none is present or readable.
std::optional<RateLimitInfo> parse_graph_usage_headers(
    const std::vector<std::pair<std::string, std::string>>& headers, model::TimePoint now);

// When a spent daily quota renews, if `response` says it is spent (YouTube 403 quotaExceeded or
// dailyLimitExceeded); nullopt for any other answer or platform.
std::optional<model::TimePoint> daily_quota_renewal(std::optional<model::Platform> platform,
                                                    const HttpResponse& response,
                                                    model::TimePoint now);

// The next midnight in America/Los_Angeles after `now` (US daylight-saving rules since 2007:
// PDT from the second Sunday in March to the first Sunday in November, 02:00 local).
model::TimePoint next_pacific_midnight(model::TimePoint now);

}  // namespace mamori::collectors
