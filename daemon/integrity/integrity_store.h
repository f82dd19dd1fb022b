// PostgreSQL side of own-account integrity (deploy/sql/006_integrity.sql): baselines, changes
// announced in advance, observed changes, compliance results and erroneous own posts.
// Every function runs its own transaction on the given connection (call it from a store job).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "collectors/common/parse_result.h"
#include "detectors/integrity/baseline.h"
#include "detectors/integrity/compliance.h"
#include "model/observation.h"

namespace mamori::integrity {

// What one observed profile did to the baseline.
struct ProfileCheck {
  bool first_baseline = false;                     // no baseline yet: this observation became it
  detectors::integrity::AccountBaseline baseline;  // before this observation
  std::vector<detectors::integrity::FieldChange>
      registered;  // matched an announcement: baseline moved
  std::vector<detectors::integrity::FieldChange> unexpected;  // newly recorded as open changes
  std::vector<long long> unexpected_ids;
};

// Compares `observed` with the baseline of the configured account `handle_key`, moves the
// baseline for announced changes and records unexpected ones once (an open change is not
// recorded again on the next poll).
ProfileCheck check_profile(pqxx::connection& c, const std::string& handle_key,
                           const model::ProfileSnapshot& observed, model::TimePoint now,
                           std::optional<std::uint64_t> avatar_phash = std::nullopt,
                           const detectors::integrity::DiffOptions& diff_options = {});
// `avatar_phash`: the observed icon's pHash when it was fetched and decoded. With it (and a hashed
// baseline) the icon counts as changed only when the picture differs; a new URL for the same
// picture only moves the baseline's URL. Without it the URLs are compared.

// Links observed changes to the incident they opened (inside record_finding's transaction).
void link_changes(pqxx::work& tx, const std::vector<long long>& change_ids, long long incident_id);

// GET /api/v1/integrity/changes: newest first; `status` "" for all.
boost::json::object list_changes(pqxx::connection& c, const std::string& status, int limit);
// An observed change staff decide on (accept here, reject in change_review.h), locked in `tx`.
// Throws incidents::ActionError: 404 for an unknown change, 409 for one already decided.
struct OpenChange {
  std::string platform;
  std::string handle;
  std::string field;
  std::string after_value;
  std::optional<long long> incident_id;  // the account_compromise incident it opened
};
OpenChange lock_open_change(pqxx::work& tx, long long id);
// Staff accept an open change as the new baseline. Throws incidents::ActionError (404/409).
boost::json::object accept_change(pqxx::connection& c, long long id, const std::string& actor);

struct Registration {
  model::Platform platform = model::Platform::x;
  std::string handle;
  detectors::integrity::ProfileField field = detectors::integrity::ProfileField::display_name;
  std::string value;
  model::TimePoint valid_from{};
  model::TimePoint valid_until{};
  std::string note;
};
// Throws ActionError(404) for an account that is not configured.
long long register_change(pqxx::connection& c, const Registration& r, const std::string& actor);
boost::json::object list_registrations(pqxx::connection& c);

// The latest profile and own posts of a configured account, for the audit.
struct AccountObservations {
  std::optional<model::ProfileSnapshot> profile;
  std::vector<model::Post> recent_posts;
};
AccountObservations load_account_observations(pqxx::connection& c, model::Platform platform,
                                              const std::string& handle, int post_limit);
// Own posts of the last `days`, oldest first, for the anomaly scorer's history.
std::vector<model::Post> load_own_post_history(pqxx::connection& c, model::Platform platform,
                                               const std::string& handle, int days, int limit);

void store_compliance(pqxx::connection& c, model::Platform platform, const std::string& handle,
                      const std::vector<detectors::integrity::AuditItem>& items,
                      model::TimePoint checked_at);
// GET /api/v1/compliance: one entry per configured account (items empty before the first audit).
boost::json::object compliance_json(pqxx::connection& c);

struct FailingCounts {
  std::string platform;
  std::string handle;
  int compliance_failing = 0;
  int open_changes = 0;
};
std::vector<FailingCounts> integrity_counts(pqxx::connection& c);

// Own posts flagged as erroneous whose incident is still live.
struct TrackedPost {
  long long incident_id = 0;
  model::Platform platform = model::Platform::x;
  std::string post_id;
  std::string handle;
  std::string account_id;
  long long repost_count = 0;
  long long quote_count = 0;
  long long reply_count = 0;
  std::optional<model::TimePoint> created_at;  // as stored when it was polled
};
std::vector<TrackedPost> load_tracked_posts(pqxx::connection& c);

// Whether a page of the account's own posts (newest first) shows that `post` was deleted: the
// page was read, the post is not on it, and the page reaches back past the post's creation (an
// own post older than it is on the page, or the page is the whole timeline). A post merely older
// than the page is not judged.
bool post_gone_from_page(const collectors::ParseResult& page, const TrackedPost& post);

// Marks a tracked erroneous post as deleted on its platform: completes the incident's
// subject_gone step (erroneous_post.delete_post) as system:check and stops tracking it.
// Returns the number of steps completed.
int record_post_gone(pqxx::connection& c, const TrackedPost& post);

}  // namespace mamori::integrity
