// The automatic checks the daemon verifies on its own schedule (the others, subject_gone and
// rate_back_to_baseline, follow from observations: see daemon/detection/detection_hub.cpp):
//   official_post_since_open  an official account posted, after the incident opened, a post
//                             containing one of the step's '|'-separated words (訂正|お詫び)
//   homepage_contains         the configured page shows the step's text more often than when
//                             mamori first looked after the incident opened (a new notice is
//                             live; an old notice on the same page does not count)
//   elapsed                   the step's duration has passed since open / acknowledge
// A satisfied check completes its step as system:check with the evidence on the timeline
// (shiroi-city.txt 2(3)②: the record says who — here mamori — did what, when).
// Database functions run their own transaction; call them from a store job.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/platform.h"

namespace mamori::incidents {

// A pending step with an automatic check of one kind, on an incident not resolved or closed.
struct PendingCheck {
  long long incident_id = 0;
  std::string step_id;
  std::string step_title;
  boost::json::object check;  // the step's auto_check: {"kind", "pattern", "url", "text", ...}
  model::TimePoint opened_at{};
  std::optional<model::TimePoint> acknowledged_at;
  boost::json::object state;  // what the check recorded so far (incident_steps.check_state)
  std::string incident_type;  // incidents.type, e.g. "account_compromise"
  std::string subject;        // incidents.subject
  std::string platform;       // incidents.platform ("" when none)
};

// The official account an account_compromise incident is about, as {platform, lower-case handle}
// ("x:official:soma_city", or one opened by hand: "manual:@soma_city" on its platform); nothing
// for other incidents. Its own posts cannot be the notice (ube-city.txt 6(4)).
std::optional<std::pair<std::string, std::string>> compromised_account(const PendingCheck& p);

std::vector<PendingCheck> pending_checks(pqxx::connection& c, std::string_view kind);

// Completes one step if it is still pending and its incident still live; records `message` on
// the timeline. False when there was nothing to do (done meanwhile, incident resolved).
bool complete_checked_step(pqxx::connection& c, long long incident_id, const std::string& step_id,
                           std::string_view kind, const std::string& message);

// The alternative of a '|'-separated pattern that `text` contains, compared after Unicode
// NFKC case folding (全角/半角 and case do not matter); nullopt if none.
std::optional<std::string> matched_alternative(std::string_view pattern, std::string_view text);

// Runs every pending official_post_since_open check against the official accounts' posts
// stored since each incident opened. Returns the number of steps completed.
int run_official_post_checks(pqxx::connection& c);

// Runs every pending elapsed check ({"duration_s": N, "from": "open"|"acknowledge"}) at `now`.
// A check anchored on acknowledge waits for the acknowledgement. Returns steps completed.
int run_elapsed_checks(pqxx::connection& c, model::TimePoint now);

// Whether the page (its visible text: detectors/text/html_page.h) shows `text`, compared as match
// keys (NFKC, case and kana folded, spacing and punctuation ignored), so a notice split by markup
// or written in full-width still counts.
bool page_contains(std::string_view body, std::string_view content_type, std::string_view text);
// How many times (not overlapping) the page shows `text`, compared as page_contains does.
std::size_t page_occurrences(std::string_view body, std::string_view content_type,
                             std::string_view text);
// The same in two steps, for several texts on one page: the page's match key once, then each
// text's occurrences in it.
std::string page_match_key(std::string_view body, std::string_view content_type);
std::size_t occurrences_in(std::string_view page_key, std::string_view text);

// A lookup of the account a hand-opened incident names, for its subject_gone step
// (automatic_check_runner.h). The account answering is remembered; its being gone afterwards
// completes the step with `gone_message`. Gone at the first lookup (a typo in the handle, or
// deleted before staff reported it) does not complete the step: `never_seen_message` goes on the
// timeline once and staff decide. True when the step was completed.
bool record_account_reading(pqxx::connection& c, long long incident_id, const std::string& step_id,
                            bool present, const std::string& gone_message,
                            const std::string& never_seen_message);

// What one reading of a homepage_contains step's page meant.
enum class HomepageVerdict {
  baseline_taken,  // the first reading: remembered, the step stays pending
  unchanged,       // no more occurrences than the baseline (lowered if the page lost some)
  completed,       // the text newly appeared: the step is done
  not_pending,     // the step was done or skipped meanwhile, or the incident ended
};

// Records a reading of the step's page `url`: `occurrences` of `text`, 0 for a page that does
// not exist yet (404/410, as a dedicated notice page before staff publish it). Completes the step
// with `message` when the page shows the text more often than at the first reading. A reading of
// another page or text (the configuration changed) starts a new baseline.
HomepageVerdict record_homepage_reading(pqxx::connection& c, long long incident_id,
                                        const std::string& step_id, const std::string& url,
                                        const std::string& text, std::size_t occurrences,
                                        const std::string& message);

}  // namespace mamori::incidents
