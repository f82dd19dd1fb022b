// Time as text and Japan's offset, shared by every part that shows or stores a time.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "model/platform.h"

namespace mamori::model {

// Japan Standard Time is UTC+9 all year (no daylight saving since 1951), so a fixed offset
// converts between UTC instants and JST wall-clock time exactly.
inline constexpr std::chrono::hours kJstOffset{9};

// Seconds since the Unix epoch with the milliseconds as the fraction: what PostgreSQL's
// to_timestamp($n::double precision) takes.
inline double epoch_seconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// ISO-8601 in UTC: "2025-04-01T00:05:00Z", or with milliseconds "2025-04-01T00:05:00.123Z".
inline std::string iso8601_utc(std::chrono::sys_time<std::chrono::milliseconds> t,
                               bool with_ms = false) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buf[40];
  if (with_ms) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
  }
  return buf;
}

}  // namespace mamori::model
