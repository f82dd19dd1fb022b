#include "collectors/ratelimit/platform_quota.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace mamori::collectors {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// Every number following `"key":` in a JSON text, without parsing the rest (the headers are
// small, flat, and only their numbers matter; anything unreadable is skipped).
template <typename F>
void for_each_number(std::string_view text, std::string_view key, F&& f) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  for (std::size_t pos = text.find(quoted); pos != std::string_view::npos;
       pos = text.find(quoted, pos + quoted.size())) {
    std::size_t i = pos + quoted.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
    if (ec == std::errc() && end != text.data() + i && value >= 0) f(value);
  }
}

bool pacific_dst(std::chrono::sys_seconds utc) {
  using namespace std::chrono;
  const year y = year_month_day(floor<days>(utc)).year();
  const sys_days start = sys_days(year_month_weekday(y, March, weekday_indexed(Sunday, 2)));
  const sys_days end = sys_days(year_month_weekday(y, November, weekday_indexed(Sunday, 1)));
  // 02:00 PST = 10:00 UTC; 02:00 PDT = 09:00 UTC.
  return utc >= start + hours(10) && utc < end + hours(9);
}

}  // namespace

std::optional<RateLimitInfo> parse_graph_usage_headers(
    const std::vector<std::pair<std::string, std::string>>& headers, model::TimePoint now) {
  static constexpr std::array<std::string_view, 3> kHeaders = {"x-app-usage", "x-page-usage",
                                                               "x-business-use-case-usage"};
  static constexpr std::array<std::string_view, 3> kPercentages = {"call_count", "total_time",
                                                                   "total_cputime"};
  std::optional<std::int64_t> spent;
  std::int64_t regain_minutes = 0;
  for (const auto& [name, value] : headers) {
    if (std::find(kHeaders.begin(), kHeaders.end(), name) == kHeaders.end()) continue;
    for (const auto key : kPercentages) {
      for_each_number(value, key, [&](std::int64_t v) { spent = std::max(spent.value_or(0), v); });
    }
    for_each_number(value, "estimated_time_to_regain_access",
                    [&](std::int64_t v) { regain_minutes = std::max(regain_minutes, v); });
  }
  if (!spent) return std::nullopt;
  RateLimitInfo info;
  info.limit = 100;
  info.remaining = 100 - std::min<std::int64_t>(*spent, 100);
  // A day at most: Meta's estimate is minutes, a larger number is not believed.
  regain_minutes = std::min<std::int64_t>(regain_minutes, 24 * 60);
  info.reset = regain_minutes > 0 ? now + minutes(regain_minutes) : now + hours(1);
  info.window = std::chrono::seconds(3600);
  return info;
}

std::optional<model::TimePoint> daily_quota_renewal(std::optional<model::Platform> platform,
                                                    const HttpResponse& response,
                                                    model::TimePoint now) {
  if (platform != model::Platform::youtube) return std::nullopt;
  if (response.outcome != HttpOutcome::ok || response.status != 403) return std::nullopt;
  // The reason is a JSON string value: "reason": "quotaExceeded".
  const std::string_view body = response.body;
  for (const std::string_view reason : {"quotaExceeded", "dailyLimitExceeded"}) {
    const std::string quoted = "\"" + std::string(reason) + "\"";
    if (body.find(quoted) != std::string_view::npos) return next_pacific_midnight(now);
  }
  return std::nullopt;
}

model::TimePoint next_pacific_midnight(model::TimePoint now) {
  using namespace std::chrono;
  const sys_seconds utc = floor<seconds>(now);
  const hours offset = pacific_dst(utc) ? hours(-7) : hours(-8);
  const sys_days local_day = floor<days>(utc + offset);
  const sys_days next_day = local_day + days(1);
  // Midnight is never inside a change-over hour (they happen at 02:00), so one of the two
  // readings is consistent with the rule in force at that instant.
  const sys_seconds as_pdt = next_day + hours(7);
  return model::TimePoint(pacific_dst(as_pdt) ? as_pdt : sys_seconds(next_day + hours(8)));
}

}  // namespace mamori::collectors
