// Takedown requests: what staff (or mamori, through a platform's report API) asked a platform
// to remove, its status (filed -> answered -> removed | refused), the deadline for an answer and
// the reminder to re-request (soma-city.txt 第7-2: ask the platform and keep after it until the
// account is gone; hokkaido.txt 5(1); shiroi-city.txt 4(2), 4(4)).
//
// Response periods: platforms designated under 情報流通プラットフォーム対処法 (the 2025 revision of
// the provider liability act) must tell whoever asked for a deletion what they decided within the
// period the ministry's ordinance sets, 7 days (docs/ja/console.md cites the sources). For other
// platforms mamori uses its own reminder period.
// Database functions run their own transaction; call them from a store job.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/common/report.h"
#include "daemon/incidents/incident_store.h"
#include "model/platform.h"

namespace mamori::incidents {

enum class TakedownStatus { filing, failed, filed, answered, removed, refused };
std::string_view to_string(TakedownStatus s);
std::optional<TakedownStatus> takedown_status_from_string(std::string_view s);

// How long a platform has to answer, and whether a law sets it.
struct ResponsePeriod {
  std::chrono::hours period{72};
  bool legal = false;  // set by 情報流通プラットフォーム対処法 for a designated platform
  std::string designation;  // Japanese: who is designated and since when (shown to staff)
};
// `own` is the city's period for platforms no law obliges ([reminders] takedown_response).
// mamori's own period where no law sets one (config::RemindersConfig's default).
inline constexpr std::chrono::seconds kOwnResponsePeriod{std::chrono::days(3)};
ResponsePeriod response_period(model::Platform platform,
                               std::chrono::seconds own = kOwnResponsePeriod);

// Whether mamori files the request itself (a report API), or staff use the platform's form.
bool has_report_api(model::Platform platform);
// The platform's report form for staff (X has no report API), or empty.
std::string_view report_form_url(model::Platform platform);

// Whom a takedown request of an incident names by default: the impersonating account of an
// impersonation incident (its subject "platform:id" and the handle in its latest finding).
struct TakedownTarget {
  model::Platform platform = model::Platform::x;
  std::string account_id;
  std::string handle;
};
std::optional<TakedownTarget> default_target(pqxx::connection& c, long long incident_id);

struct NewTakedown {
  long long incident_id = 0;
  TakedownTarget target;
  std::vector<std::string> post_ids;
  std::string text;
  std::string receipt;                   // form: the receipt number, if staff already have it
  std::optional<long long> previous_id;  // a re-request of this request
  // The city's response period for a platform no law obliges ([reminders] takedown_response).
  std::chrono::seconds own_response_period = kOwnResponsePeriod;
};

// Records a new request: `filing` for a platform with a report API (mamori sends it next), `filed`
// for a form the staff used. Writes its first event and the incident's timeline. Throws
// ActionError (404) for an unknown incident, (409) for a closed one.
long long create_takedown(pqxx::connection& c, const NewTakedown& request, const std::string& actor,
                          model::TimePoint now);

// What the platform answered to mamori's filing: `filed` with the report id, or `failed`.
void record_filing(pqxx::connection& c, long long request_id,
                   const collectors::ReportAnswer& answer, const std::string& raw_answer,
                   model::TimePoint now);

// A staff change: a new status (answered, removed, refused; filed to reopen), the receipt number
// and a note. Throws ActionError for an unknown request or a change that makes no sense.
void update_takedown(pqxx::connection& c, long long request_id,
                     std::optional<TakedownStatus> status,
                     const std::optional<std::string>& receipt, const std::string& note,
                     const std::string& actor, model::TimePoint now);

// The request as the API shows it (with its events), or nullopt.
std::optional<boost::json::object> get_takedown(pqxx::connection& c, long long request_id,
                                                model::TimePoint now);
// An incident's requests, oldest first, each with its events, `overdue` and response period.
boost::json::array list_takedowns(pqxx::connection& c, long long incident_id, model::TimePoint now);
// Every request still waiting for the platform (filed or answered), most overdue first.
boost::json::array open_takedowns(pqxx::connection& c, model::TimePoint now);

// The daemon's own round: requests past their deadline get one reminder on their incident's
// timeline ("re-request"); requests whose account mamori saw disappear (the incident's
// subject_gone check completed) become `removed`. Returns {reminded, removed}.
struct TakedownRound {
  int reminded = 0;
  int removed = 0;
};
TakedownRound run_takedown_round(pqxx::connection& c, model::TimePoint now,
                                 const ReminderHook& notify = {});

}  // namespace mamori::incidents
