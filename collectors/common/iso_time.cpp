#include "collectors/common/iso_time.h"

#include <chrono>
#include <cstddef>

namespace mamori::collectors {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at `pos`, advancing it.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<model::TimePoint> parse_datetime(std::string_view s) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = digits(s, pos, 4);
  if (!y || !expect(s, pos, '-')) return std::nullopt;
  const auto mo = digits(s, pos, 2);
  if (!mo || !expect(s, pos, '-')) return std::nullopt;
  const auto d = digits(s, pos, 2);
  if (!d) return std::nullopt;
  const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)},
                           day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  model::TimePoint t = time_point_cast<milliseconds>(sys_days{ymd});
  if (pos == s.size()) return t;

  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  ++pos;
  const auto hh = digits(s, pos, 2);
  if (!hh || !expect(s, pos, ':')) return std::nullopt;
  const auto mm = digits(s, pos, 2);
  if (!mm) return std::nullopt;
  int ss = 0;
  int ms = 0;
  if (expect(s, pos, ':')) {
    const auto sec = digits(s, pos, 2);
    if (!sec) return std::nullopt;
    ss = *sec;
    if (expect(s, pos, '.') || expect(s, pos, ',')) {
      std::size_t n = 0;
      while (pos < s.size() && is_digit(s[pos])) {
        if (n < 3) ms = ms * 10 + (s[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0) return std::nullopt;
      for (std::size_t i = n; i < 3; ++i) ms *= 10;
    }
  }
  // 60 admits a leap second (RFC 3339); it lands on the next minute's first second.
  if (*hh > 23 || *mm > 59 || ss > 60) return std::nullopt;
  t += hours{*hh} + minutes{*mm} + seconds{ss} + milliseconds{ms};

  if (pos == s.size()) return t;  // no offset: UTC
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const bool east = s[pos] == '+';
    ++pos;
    const auto oh = digits(s, pos, 2);
    if (!oh) return std::nullopt;
    int om = 0;
    if (pos < s.size()) {
      expect(s, pos, ':');
      const auto m = digits(s, pos, 2);
      if (!m) return std::nullopt;
      om = *m;
    }
    if (*oh > 23 || om > 59) return std::nullopt;
    const minutes offset = hours{*oh} + minutes{om};
    t += east ? -offset : offset;  // local time minus its offset is UTC
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return t;
}

}  // namespace mamori::collectors
