#include "collectors/ratelimit/rate_limit_headers.h"

#include <array>
#include <charconv>
#include <string>

#include "collectors/ratelimit/platform_quota.h"
#include "model/text.h"

namespace mamori::collectors {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::optional<std::string_view> find(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

bool digits(std::string_view s, std::size_t n) {
  if (s.size() < n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int number(std::string_view s, std::size_t n) {
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

std::optional<model::TimePoint> civil(int y, int mo, int d, int h, int mi, int s) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return model::TimePoint(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(std::min(s, 59));
}

// One window's three headers.
struct Window {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;
  std::optional<model::TimePoint> reset;
};

Window read_window(const std::vector<std::pair<std::string, std::string>>& headers,
                   std::string_view prefix, bool iso_reset) {
  const std::string p(prefix);
  Window w;
  if (auto v = find(headers, p + "limit")) w.limit = parse_non_negative(*v);
  if (auto v = find(headers, p + "remaining")) w.remaining = parse_non_negative(*v);
  if (auto v = find(headers, p + "reset")) {
    w.reset = iso_reset ? parse_iso8601(*v) : parse_unix_seconds(*v);
  }
  return w;
}

// Of two windows, the one that binds first: any exhausted one, else the fewer remaining.
Window tighter(const Window& a, const Window& b) {
  if (!a.remaining) return b;
  if (!b.remaining) return a;
  if (*a.remaining == 0 && *b.remaining == 0) {
    // Both exhausted: the later reset is when requests may go again.
    if (a.reset && b.reset) return *a.reset >= *b.reset ? a : b;
    return a.reset ? b : a;  // an unknown reset is the more cautious
  }
  return *b.remaining < *a.remaining ? b : a;
}

}  // namespace

std::optional<std::int64_t> parse_non_negative(std::string_view text) {
  text = model::trim_blanks(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

std::optional<model::TimePoint> parse_unix_seconds(std::string_view text) {
  const auto v = parse_non_negative(text);
  // Before 2001 or after 2286: not a reset time anyone means.
  if (!v || *v < 1'000'000'000 || *v > 9'999'999'999) return std::nullopt;
  return model::TimePoint(seconds(*v));
}

std::optional<model::TimePoint> parse_iso8601(std::string_view t) {
  t = model::trim_blanks(t);
  // YYYY-MM-DDTHH:MM:SS
  if (t.size() < 19 || !digits(t, 4) || t[4] != '-' || !digits(t.substr(5), 2) || t[7] != '-' ||
      !digits(t.substr(8), 2) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      !digits(t.substr(11), 2) || t[13] != ':' || !digits(t.substr(14), 2) || t[16] != ':' ||
      !digits(t.substr(17), 2)) {
    return std::nullopt;
  }
  auto tp = civil(number(t, 4), number(t.substr(5), 2), number(t.substr(8), 2),
                  number(t.substr(11), 2), number(t.substr(14), 2), number(t.substr(17), 2));
  if (!tp) return std::nullopt;
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int ms = 0;
    int n = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (n < 3) ms = ms * 10 + (rest.front() - '0');
      ++n;
      rest.remove_prefix(1);
    }
    if (n == 0) return std::nullopt;
    for (int i = n; i < 3; ++i) ms *= 10;
    *tp += milliseconds(ms);
  }
  if (rest == "Z" || rest == "z") return tp;
  // +HH:MM, +HHMM or +HH
  if (rest.size() >= 3 && (rest[0] == '+' || rest[0] == '-') && digits(rest.substr(1), 2)) {
    const int sign = rest[0] == '+' ? 1 : -1;
    int minutes = number(rest.substr(1), 2) * 60;
    std::string_view mm = rest.substr(3);
    if (!mm.empty() && mm.front() == ':') mm.remove_prefix(1);
    if (mm.size() == 2 && digits(mm, 2)) {
      minutes += number(mm, 2);
    } else if (!mm.empty()) {
      return std::nullopt;
    }
    if (minutes > 18 * 60) return std::nullopt;
    return *tp - std::chrono::minutes(sign * minutes);
  }
  return std::nullopt;  // no zone: ambiguous, so unknown
}

std::optional<model::TimePoint> parse_http_date(std::string_view t) {
  t = model::trim_blanks(t);
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (t.size() != 29 || t[3] != ',' || t[4] != ' ' || !digits(t.substr(5), 2) || t[7] != ' ' ||
      t[11] != ' ' || !digits(t.substr(12), 4) || t[16] != ' ' || !digits(t.substr(17), 2) ||
      t[19] != ':' || !digits(t.substr(20), 2) || t[22] != ':' || !digits(t.substr(23), 2) ||
      t.substr(25) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string_view mon = t.substr(8, 3);
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == mon) month = static_cast<int>(i) + 1;
  }
  if (month == 0) return std::nullopt;
  return civil(number(t.substr(12), 4), month, number(t.substr(5), 2), number(t.substr(17), 2),
               number(t.substr(20), 2), number(t.substr(23), 2));
}

std::optional<std::chrono::seconds> parse_policy_window(std::string_view text) {
  // The first policy item; parameters are ";"-separated, "w" is the window in seconds.
  text = model::trim_blanks(text.substr(0, text.find(',')));
  std::size_t pos = text.find(';');
  while (pos != std::string_view::npos) {
    text.remove_prefix(pos + 1);
    pos = text.find(';');
    const std::string_view param = model::trim_blanks(text.substr(0, pos));
    if (param.substr(0, 2) == "w=") {
      const auto v = parse_non_negative(param.substr(2));
      if (v && *v > 0) return seconds(*v);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

RateLimitInfo parse_rate_limit_headers(
    std::optional<model::Platform> platform,
    const std::vector<std::pair<std::string, std::string>>& headers, model::TimePoint now) {
  RateLimitInfo info;
  Window w;
  const auto is = [&](model::Platform p) { return !platform || *platform == p; };
  if (is(model::Platform::x)) {
    w = read_window(headers, "x-rate-limit-", false);
    w = tighter(w, read_window(headers, "x-app-limit-24hour-", false));
    w = tighter(w, read_window(headers, "x-user-limit-24hour-", false));
  }
  if (!w.remaining && is(model::Platform::bluesky)) {
    w = read_window(headers, "ratelimit-", false);
    if (auto v = find(headers, "ratelimit-policy")) info.window = parse_policy_window(*v);
  }
  if (!w.remaining && is(model::Platform::mastodon)) {
    w = read_window(headers, "x-ratelimit-", true);
  }
  info.limit = w.limit;
  info.remaining = w.remaining;
  info.reset = w.reset;
  if (!w.remaining && (is(model::Platform::facebook) || is(model::Platform::instagram))) {
    if (auto usage = parse_graph_usage_headers(headers, now)) info = *usage;
  }
  if (auto v = find(headers, "retry-after")) {
    if (auto secs = parse_non_negative(*v)) {
      info.retry_after =
          std::chrono::duration_cast<milliseconds>(seconds(std::min<std::int64_t>(*secs, 86400)));
    } else if (auto when = parse_http_date(*v)) {
      info.retry_after =
          std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(*when - now));
    }
  }
  if (auto v = find(headers, "date")) info.server_date = parse_http_date(*v);
  return info;
}

}  // namespace mamori::collectors
