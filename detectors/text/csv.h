// One record of a CSV file (RFC 4180 quoting: a field may be double-quoted, "" inside quotes is a
// quote), for the detectors' CSV inputs: `mamorictl spikes` series (flameup/spikes_csv.cpp) and
// the compiled-in local-government directory (impersonation/local_governments.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::text {

// `s` without surrounding spaces and tabs and a trailing CR: one CSV field or line.
std::string_view trim_csv_field(std::string_view s);

// Splits `line` (without its newline) into `fields`, each trimmed of surrounding spaces and tabs
// (and a trailing CR). A quote opens a quoted field only at the start of a field. Returns false,
// with `error` saying why, if a quoted field is left open.
bool split_csv_line(std::string_view line, std::vector<std::string>& fields, std::string& error);

}  // namespace mamori::detectors::text
