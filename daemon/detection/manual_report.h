// Incidents staff open by hand (issue 19, point 1): a resident's phone call, a platform's login
// warning, a threat seen elsewhere. Any incident type; the report becomes a finding recorded
// through alerts::record_finding like a detected one, so the playbook's checklist, the page and
// the escalation run the same way. The API (POST /api/v1/incidents), the console's
// 「インシデントを登録」 form (through the API) and `mamorictl incident open` all record here.
//
//   ManualReport r; r.type = ...; r.subject = ...; r.summary = ...;
//   if (auto error = check_report(r)) reject(*error);
//   auto result = record_manual_report(c, r, steps, alert_context, "hanako", now);
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/alerts/record_finding.h"
#include "daemon/incidents/subject_ref.h"
#include "model/finding.h"

namespace mamori::detection {

struct ManualEvidence {
  std::string filename;      // as uploaded (shown to staff; never used as a path)
  std::string content_type;  // as declared; served back as a download only
  std::string content;       // bytes
};

struct ManualReport {
  model::IncidentType type = model::IncidentType::threat;
  std::string subject;  // what it is about: a URL, a handle, a phone call's caller…
  std::string summary;  // what happened, in the reporter's words
  model::Severity severity = model::Severity::medium;
  std::optional<model::Platform> platform;  // given, or read from the subject's URL
  std::optional<ManualEvidence> evidence;
  std::string municipality;  // the tenant it concerns; empty: "default"
};

// Limits (characters are UTF-8 bytes here; the console states them in Japanese).
inline constexpr std::size_t kMaxSubjectBytes = 1000;
inline constexpr std::size_t kMaxSummaryBytes = 4000;
inline constexpr std::size_t kMaxEvidenceBytes = 700 * 1024;  // fits the API's 1 MiB body as base64

// Japanese message naming the field that is wrong, or nothing when the report can be recorded.
// Also fills `platform` from a subject URL on a known platform's host when none was given.
std::optional<std::string> check_report(ManualReport& report);

// The platform a URL's host belongs to (x.com, twitter.com, bsky.app, a configured Mastodon
// host is not known here: staff give the platform then). Read by incidents::resolve_subject.
std::optional<model::Platform> platform_of_url(const std::string& subject);

// Hand reports and detections of the same account or post are one incident (issue 19):
// The subject of the open incident of `type` a detector opened about the account or post `ref`
// names (matched by its platform id when mamori has seen the account), if any. A hand report of
// it is recorded there.
std::optional<std::string> detected_subject_for(pqxx::connection& c, model::IncidentType type,
                                                const incidents::SubjectRef& ref);
// The subject ("manual:…") of an open hand-opened incident of `type` whose subject names the
// account `handle` on `platform`, if any. A detector's finding about that account is recorded
// there.
std::optional<std::string> reported_subject_for(pqxx::connection& c, model::IncidentType type,
                                                model::Platform platform, std::string_view handle,
                                                std::string_view mastodon_instance);

// What mamori checks itself for a hand-opened incident, per playbook step whose check depends on
// the subject (subject_gone, rate_back_to_baseline; the others run as for any incident):
//   impersonation and other subject_gone steps: automatic when the subject reads as a platform
//     account (a profile or post URL, or @handle with the platform) — the automatic check runner
//     looks the account up and completes the step when the platform answers deleted/suspended;
//   erroneous_post.delete_post: automatic when the subject is an own post mamori stored (the
//     incident is then the same as flagging it on 「誤った投稿を登録する」);
//   flameup calm-down: automatic when the subject names a monitored official account;
//   misinformation.watch_spread: never (no detector cluster to watch): staff complete it.
// Staff see the list on the incident's timeline and in the API's answer (`automatic_checks`).
struct ManualCheck {
  std::string step_id;
  std::string title;
  std::string kind;  // subject_gone, rate_back_to_baseline
  bool automatic = false;
  std::string explanation;  // Japanese, for staff
};
std::vector<ManualCheck> manual_checks(const ManualReport& report,
                                       const std::vector<incidents::StepPlan>& steps,
                                       bool own_post_tracked);
boost::json::array checks_json(const std::vector<ManualCheck>& checks);

// Records the report (run from a store job). `actor` is who reported it (a console user, an API
// token's name, "mamorictl:<user>"); `steps` the playbook's checklist for the report's type.
incidents::RecordResult record_manual_report(pqxx::connection& c, const ManualReport& report,
                                             const std::vector<incidents::StepPlan>& steps,
                                             const alerts::AlertContext& context,
                                             const std::string& actor, model::TimePoint now,
                                             std::vector<ManualCheck>* checks = nullptr);

}  // namespace mamori::detection
