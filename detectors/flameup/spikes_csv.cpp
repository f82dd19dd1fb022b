// The `mamorictl spikes` input parser: a pure function over the file's bytes (fuzzed by
// tests/fuzz/fuzz_spikes_csv.cpp).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "detectors/flameup/spikes.h"
#include "detectors/text/csv.h"

namespace mamori::detectors::flameup {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads exactly `n` digits at `pos` into `out`.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// "Z", "+09:00", "+0900", "+09", "-05:30".
std::optional<std::int64_t> zone_seconds(std::string_view z) {
  if (z == "Z" || z == "z") return 0;
  if (z.size() < 3 || (z[0] != '+' && z[0] != '-')) return std::nullopt;
  const int sign = z[0] == '-' ? -1 : 1;
  int h = 0;
  int m = 0;
  if (!digits(z, 1, 2, h)) return std::nullopt;
  if (z.size() == 3) {
  } else if (z.size() == 6 && z[3] == ':') {
    if (!digits(z, 4, 2, m)) return std::nullopt;
  } else if (z.size() == 5) {
    if (!digits(z, 3, 2, m)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (h > 14 || m > 59) return std::nullopt;
  return sign * (h * 3600 + m * 60);
}

std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 40)) {
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  }
  if (s.size() > 40) out += "...";
  out += "'";
  return out;
}

}  // namespace

std::optional<std::chrono::seconds> parse_utc_offset(std::string_view text) {
  text = text::trim_csv_field(text);
  if (text == "Z" || text == "UTC" || text == "utc") return std::chrono::seconds(0);
  if (all_digits(text) && text.size() <= 2) {
    int h = 0;
    std::from_chars(text.data(), text.data() + text.size(), h);
    if (h > 14) return std::nullopt;
    return std::chrono::seconds(h * 3600);
  }
  if (const auto z = zone_seconds(text)) return std::chrono::seconds(*z);
  return std::nullopt;
}

std::optional<model::TimePoint> parse_timestamp(std::string_view text,
                                                std::chrono::seconds naive_utc_offset) {
  using namespace std::chrono;
  text = text::trim_csv_field(text);
  if (text.empty()) return std::nullopt;

  // Epoch seconds, optionally with a fraction.
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (all_digits(whole) && (dot == std::string_view::npos || all_digits(text.substr(dot + 1)))) {
    if (whole.size() > 11) return std::nullopt;
    std::int64_t secs = 0;
    std::from_chars(whole.data(), whole.data() + whole.size(), secs);
    if (secs > 253402300799) return std::nullopt;  // 9999-12-31
    int millis = 0;
    if (dot != std::string_view::npos) {
      const std::string_view frac = text.substr(dot + 1);
      for (std::size_t i = 0; i < 3; ++i)
        millis = millis * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    }
    return model::TimePoint(milliseconds(secs * 1000 + millis));
  }

  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d)) {
    return std::nullopt;
  }
  std::size_t pos = 10;
  int millis = 0;
  std::optional<std::int64_t> zone;
  if (pos < text.size()) {
    if (text[pos] != ' ' && text[pos] != 'T' && text[pos] != 't') return std::nullopt;
    ++pos;
    if (!digits(text, pos, 2, h) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
        !digits(text, pos + 3, 2, mi)) {
      return std::nullopt;
    }
    pos += 5;
    if (pos < text.size() && text[pos] == ':') {
      if (!digits(text, pos + 1, 2, se)) return std::nullopt;
      pos += 3;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        std::size_t n = 0;
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (n < 3) millis = millis * 10 + (text[pos] - '0');
          ++n;
          ++pos;
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n) millis *= 10;
      }
    }
    const std::string_view rest = text::trim_csv_field(text.substr(pos));
    if (!rest.empty()) {
      zone = zone_seconds(rest);
      if (!zone) return std::nullopt;
    }
  }
  if (y < 1970 || mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const std::int64_t offset = zone ? *zone : naive_utc_offset.count();
  const auto t =
      sys_days(ymd) + hours(h) + minutes(mi) + seconds(se) - seconds(offset) + milliseconds(millis);
  return time_point_cast<milliseconds>(t);
}

SpikesCsvResult parse_spikes_csv(std::string_view text, std::chrono::seconds naive_utc_offset) {
  SpikesCsvResult result;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM from spreadsheets
  const auto fail = [&](std::size_t line, std::string field, std::string message) {
    result.error = CsvError{line, std::move(field), std::move(message)};
    result.data = {};
    return result;
  };
  std::vector<std::string> fields;
  std::string split_error;
  bool header_seen = false;
  std::size_t line_no = 0;
  std::int64_t previous_second = 0;
  while (!text.empty() || line_no == 0) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (text::trim_csv_field(line).empty()) {
      if (text.empty()) break;
      continue;
    }
    if (!text::split_csv_line(line, fields, split_error)) return fail(line_no, "row", split_error);
    if (!header_seen) {
      if (fields.size() != 2) {
        return fail(line_no, "header",
                    "expected a header row 'timestamp,value' (2 columns), got " +
                        std::to_string(fields.size()) + " column(s)");
      }
      if (parse_timestamp(fields[0], naive_utc_offset)) {
        return fail(line_no, "header",
                    "expected a header row 'timestamp,value' before the data, got " + quoted(line));
      }
      header_seen = true;
      continue;
    }
    if (fields.size() != 2) {
      return fail(line_no, "row",
                  "expected 2 columns (timestamp,value), got " + std::to_string(fields.size()));
    }
    const auto t = parse_timestamp(fields[0], naive_utc_offset);
    if (!t) {
      return fail(
          line_no, "timestamp",
          "expected 'YYYY-MM-DD HH:MM:SS', ISO-8601 or epoch seconds, got " + quoted(fields[0]));
    }
    // spikes() works in whole seconds: rows must be at least a second apart.
    const std::int64_t ms = t->time_since_epoch().count();
    const std::int64_t second = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    if (!result.data.samples.empty() && second <= previous_second) {
      return fail(
          line_no, "timestamp",
          "expected a time at least one second after the previous row's, got " + quoted(fields[0]));
    }
    double value = 0.0;
    const std::string& v = fields[1];
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value) ||
        value < 0.0 || value > 1e12) {
      return fail(line_no, "value", "expected a non-negative number of replies, got " + quoted(v));
    }
    result.data.samples.push_back({*t, value});
    result.data.timestamp_texts.push_back(fields[0]);
    result.data.value_texts.push_back(fields[1]);
    previous_second = second;
    if (text.empty()) break;
  }
  if (!header_seen)
    return fail(1, "header", "expected a header row 'timestamp,value', got an empty file");
  return result;
}

}  // namespace mamori::detectors::flameup
