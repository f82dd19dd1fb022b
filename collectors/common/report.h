// Takedown reports filed through a platform's report API: what mamori sends and what it reads
// back. The request builders and answer parsers live with each platform (mastodon_report.h,
// bluesky_report.h); they are pure (no I/O, no clock), so the answers are fuzzed and tested
// offline. Only the platform's documented fields are read; anything else is kept as received.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::collectors {

struct ReportInput {
  std::string account_id;             // Mastodon account id, Bluesky DID
  std::vector<std::string> post_ids;  // Mastodon status ids attached for context
  std::string text;                   // the drafted Japanese report text
  std::string category;               // Mastodon: spam | legal | violation | other
};

// How a platform answered a report.
struct ReportAnswer {
  bool accepted = false;      // a 2xx answer of the documented shape: the report exists
  std::string report_id;      // Mastodon Report.id, Bluesky output.id
  std::string created_at;     // as the platform wrote it
  bool action_taken = false;  // Mastodon Report.action_taken
  std::string error;          // why not accepted: the platform's error text, or the body's problem
};

// `text` cut to at most `max_chars` Unicode code points (never inside a UTF-8 sequence).
std::string truncate_code_points(std::string_view text, std::size_t max_chars);

}  // namespace mamori::collectors
