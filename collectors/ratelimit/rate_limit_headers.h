// The platforms' rate-limit response headers, read into one shape.
//   X:        x-rate-limit-limit / -remaining / -reset (Unix seconds); 429 carries the same
//             headers and no Retry-After. Some endpoints add x-app-limit-24hour-* and
//             x-user-limit-24hour-* (the tighter window wins).
//   Bluesky:  ratelimit-limit / -remaining / -reset (Unix seconds, rounded down by the server)
//             and ratelimit-policy "LIMIT;w=SECONDS".
//   Mastodon: x-ratelimit-limit / -remaining / -reset (ISO-8601 timestamp).
//   Facebook, Instagram: the Graph API usage headers, see platform_quota.h.
// A header that is missing or unreadable leaves its field empty: that is "unknown", never
// "exhausted".
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/http/http_client.h"
#include "model/platform.h"

namespace mamori::collectors {

struct RateLimitInfo {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;
  std::optional<model::TimePoint> reset;                 // when the window's quota is renewed
  std::optional<std::chrono::seconds> window;            // window length (Bluesky's policy)
  std::optional<std::chrono::milliseconds> retry_after;  // Retry-After, made relative
  std::optional<model::TimePoint> server_date;           // the Date header, for clock skew

  bool has_quota() const { return remaining.has_value(); }
};

// `platform` picks the header names; nullopt tries every platform's names (the first found).
// `now` resolves an HTTP-date Retry-After into a duration.
RateLimitInfo parse_rate_limit_headers(
    std::optional<model::Platform> platform,
    const std::vector<std::pair<std::string, std::string>>& headers, model::TimePoint now);

// Building blocks, exposed for tests. Each returns nullopt on anything it does not fully accept.
std::optional<std::int64_t> parse_non_negative(std::string_view text);
std::optional<model::TimePoint> parse_unix_seconds(std::string_view text);
// "2017-06-28T01:55:00.817Z", "2020-09-08T13:25:00.019685Z", "2024-01-01T09:00:00+09:00".
std::optional<model::TimePoint> parse_iso8601(std::string_view text);
// IMF-fixdate, as in Date and Retry-After: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<model::TimePoint> parse_http_date(std::string_view text);
// Bluesky's "3000;w=300" (limit 3000 per 300 s); returns the window.
std::optional<std::chrono::seconds> parse_policy_window(std::string_view text);

}  // namespace mamori::collectors
