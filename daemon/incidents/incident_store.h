// Incidents in PostgreSQL: findings open or update one incident per subject (dedup key),
// staff actions move it through its life cycle, and every change lands in the append-only
// timeline in the same transaction (shiroi-city.txt 2(3)②: who did what, when).
// Every function runs its own transaction on the given connection (call it from a store job).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"

namespace mamori::incidents {

enum class Status { open, acknowledged, mitigating, monitoring, resolved, closed };

std::string_view to_string(Status s);
std::optional<Status> status_from_string(std::string_view s);

// The life cycle: open -> acknowledged -> mitigating -> monitoring -> resolved -> closed.
// Steps may be skipped forward; resolved and closed incidents can be reopened.
bool transition_allowed(Status from, Status to);

// An error in a staff action that the API reports as-is (e.g. 409 for a bad transition).
class ActionError : public std::runtime_error {
 public:
  ActionError(int http_status, const std::string& message)
      : std::runtime_error(message), http_status_(http_status) {}
  int http_status() const { return http_status_; }

 private:
  int http_status_;
};

struct EvidenceItem {
  std::string kind;  // raw_response, profile_snapshot, avatar, post
  std::string description;
  std::string source_url;
  std::string content_type;
  std::string content;  // bytes
  model::TimePoint captured_at{};
};

// A playbook step as instantiated on a new incident.
struct StepPlan {
  std::string id;
  std::string title;
  std::string instructions;
  std::string role;
  bool mandatory = true;
  std::vector<std::string> depends_on;
  std::vector<std::string> clauses;
  std::optional<std::string> auto_check_json;  // {"kind": "subject_gone", ...}
  std::optional<std::chrono::minutes> due_after_open;
};

struct NewIncident {
  std::string title;    // Japanese, e.g. 成りすましの疑い: @soma__city (X)
  std::string summary;  // one or two sentences for the list and alerts
  std::vector<StepPlan> steps;
  // The tenant (config::Municipality::id) the incident belongs to. Empty: the municipality of
  // the official account the finding concerns, else "default" (see record_finding).
  std::string municipality;
  // The official account the incident concerns when the subject does not name it (an own post
  // flagged as erroneous): its municipality and department are the incident's.
  std::string official_handle;
  // The checklist for municipalities with playbook overrides of their own: replaces `steps`
  // when the incident belongs to one of them (incidents::plan_playbook_steps fills both).
  std::map<std::string, std::vector<StepPlan>> steps_by_municipality;
  // When the finding is recorded: the incident opens (or reopens) then and its steps fall due
  // from then. The daemon's clock (alerts::record_finding fills it from AlertContext::clock), so
  // a test's manual clock and the incident's times agree; empty: PostgreSQL's now().
  std::optional<model::TimePoint> at;
};

// A piece of evidence holding an observation as fetched when detected (its JSON line).
EvidenceItem observation_evidence(std::string observation_json, model::TimePoint captured_at);

struct RecordResult {
  long long incident_id = 0;
  bool created = false;
  bool reopened = false;
  bool severity_raised = false;
};

// A resolved incident found again within this long is reopened instead of a new one opening.
inline constexpr std::chrono::hours kReopenWindow{24};

// Records a finding: appended to the live incident with the same dedup key (raising its
// severity if higher), or to a resolved one within `reopen_window` (reopened, its escalation
// restarting from now), or opens a new incident with `fresh`'s title and steps. Serialized per
// dedup key, so concurrent identical findings still make one incident. When `fresh.municipality`
// is set, only that town's incidents are joined or reopened (each town may have its own about
// one subject: a look-alike one town's staff judged benign may still imitate another).
// `in_transaction`, if given, runs inside the same transaction just before commit.
// This is the storage step only: producers of findings record through alerts::record_finding
// (daemon/alerts/record_finding.h), which adds the page in the same transaction.
using TransactionHook = std::function<void(pqxx::work&, const RecordResult&)>;
RecordResult record_finding(pqxx::connection& c, const model::Finding& finding,
                            const std::vector<EvidenceItem>& evidence, const NewIncident& fresh,
                            std::chrono::hours reopen_window = kReopenWindow,
                            const TransactionHook& in_transaction = {});

std::string dedup_key(model::IncidentType type, std::string_view subject);

// Adds `finding` to the live incident of its type/subject without creating, reopening or
// re-paging one (a detector's episode "end": the console's episode band ends there). The same
// storage as record_finding (serialized per dedup key, the finding's row, the count); nothing
// else changes on the incident. False when no incident is live.
bool append_finding_to_live(pqxx::connection& c, const model::Finding& finding);

// Staff actions. `actor` is the signed-in user's name (or "system:<component>").
// `in_transaction`, if given, runs inside the status change's transaction just before commit
// (the alert outbox queues acknowledge/resolve notices there, like record_finding's hook).
using StatusHook = std::function<void(pqxx::work&, long long id, Status from, Status to,
                                      const std::string& actor)>;
// Runs inside the transaction that writes a reminder on an incident's timeline (a takedown past
// its deadline, an account change's date): the alert outbox queues it to the on-call there.
// `key` identifies the reminder, so it is sent once.
using ReminderHook = std::function<void(pqxx::work&, long long incident_id,
                                        const std::string& message, const std::string& key)>;
void change_status(pqxx::connection& c, long long id, Status to, const std::string& actor,
                   const std::string& note = "", const std::string& closure_reason = "",
                   const StatusHook& in_transaction = {});
void assign(pqxx::connection& c, long long id, const std::string& assignee,
            const std::string& actor);
void change_severity(pqxx::connection& c, long long id, model::Severity severity,
                     const std::string& actor, const std::string& reason);
void add_note(pqxx::connection& c, long long id, const std::string& actor, const std::string& text);

// Appends a line to incident `id`'s timeline inside `tx` and marks the incident updated: for the
// records kept beside an incident (takedown requests, account-change reminders, staff's review of
// a profile change) that show their changes on its timeline.
void append_timeline(pqxx::work& tx, long long id, const std::string& actor, std::string_view kind,
                     const std::string& message, const boost::json::object& detail = {});

// Completes (or skips) a step; a step's dependencies must be done or skipped first.
void complete_step(pqxx::connection& c, long long id, const std::string& step_id, bool skipped,
                   const std::string& actor, const std::string& note);

// Completes the pending steps whose automatic check is `check_kind` on the live incidents of
// `type`/`subject` (one per town at most; the daemon verified the condition itself), recording
// `message` on the timeline as system:check. Returns the number of steps completed.
int complete_automatic_checks(pqxx::connection& c, model::IncidentType type,
                              const std::string& subject, const std::string& check_kind,
                              const std::string& message);

struct IncidentFilter {
  std::optional<model::IncidentType> type;
  std::optional<Status> status;
  std::optional<model::Severity> min_severity;
  bool live_only = false;  // not resolved/closed
  int limit = 100;
  int offset = 0;
};

// JSON views for the API and console.
boost::json::array list_incidents(pqxx::connection& c, const IncidentFilter& filter);
std::optional<boost::json::object> get_incident(pqxx::connection& c, long long id);
// All evidence with contents (base64) and SHA-256, plus findings and the timeline: what the
// platform report and the police need, as one document.
std::optional<boost::json::object> evidence_bundle(pqxx::connection& c, long long id);

std::string sha256_hex(std::string_view bytes);

}  // namespace mamori::incidents
