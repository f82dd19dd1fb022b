#include "detectors/text/csv.h"

namespace mamori::detectors::text {

std::string_view trim_csv_field(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool split_csv_line(std::string_view line, std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  std::string cur;
  bool in_quotes = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && std::string_view(trim_csv_field(cur)).empty() && !was_quoted) {
      in_quotes = true;
      was_quoted = true;
      cur.clear();
    } else if (c == ',') {
      fields.emplace_back(trim_csv_field(cur));
      cur.clear();
      was_quoted = false;
    } else {
      cur += c;
    }
  }
  if (in_quotes) {
    error = "unterminated quoted field";
    return false;
  }
  fields.emplace_back(trim_csv_field(cur));
  return true;
}

}  // namespace mamori::detectors::text
