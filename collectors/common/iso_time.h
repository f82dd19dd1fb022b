// ISO-8601 / RFC 3339 timestamps as the platforms write them (named parse_datetime: the rate-limit
// code has its own narrower parse_iso8601 for reset headers): X "2024-05-01T03:04:05.000Z",
// Bluesky "2024-05-01T03:04:05.123456Z" or "+09:00", Mastodon "2024-05-01T03:04:05.000Z" and
// date-only "2024-05-01" (last_status_at).
#pragma once

#include <optional>
#include <string_view>

#include "model/platform.h"

namespace mamori::collectors {

// Accepts YYYY-MM-DD, optionally followed by 'T' (or 't' or a space) and HH:MM[:SS[.fraction]]
// and an offset Z, ±HH:MM, ±HHMM or ±HH. No offset means UTC. The fraction is truncated to
// milliseconds. Returns nullopt for anything else, including impossible dates (2023-02-30).
std::optional<model::TimePoint> parse_datetime(std::string_view text);

}  // namespace mamori::collectors
