// Persisting observations: posts are unique per platform and id (a re-poll never duplicates),
// profile snapshots get a new row only when something visible changed, and a poll cursor can
// be moved in the same transaction as the observations it covers, so a restart neither
// misses nor repeats anything.
#pragma once

#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <tuple>
#include <vector>

#include "model/observation.h"

namespace mamori::store {

struct CursorUpdate {
  model::Platform platform = model::Platform::x;
  std::string account_key;  // the official account's handle
  std::string job;          // "posts", "replies", "thread:<post id>"
  std::string cursor;
};

// What was new in a batch: the detectors see each post once, whatever the poll overlap.
struct StoredBatch {
  std::vector<model::Post> new_posts;
  std::vector<model::ProfileSnapshot> changed_profiles;  // first sighting or a visible change
  std::vector<model::ProfileSnapshot> unchanged_profiles;
  std::vector<model::AccountGone> newly_gone;
  // Posts stored before and left unjudged (a killed instance's, deploy/sql/066): judged again by
  // the account's new lease holder. They are already in the stored reply history.
  bool rejudged = false;
};

// Which absent accounts (AccountGone) a batch of a look-alike round stores in observed_gone.
// The table's one reader is the store itself: a row makes the next "gone" of the same account
// old news, so StoredBatch::newly_gone (the detection hub completing a takedown's subject_gone
// check for a flagged candidate, and mamori_observations_stored_total{kind="gone"}) sees each
// disappearance once; a profile seen again deletes the row. A generated look-alike handle that
// never existed is no disappearance: it is stored only when the account was seen before (a
// profile under that id or handle) or is one of `always` (the round's flagged candidates).
// Without a filter (the accounts' own profile look-ups) every absent account is stored.
struct GoneFilter {
  std::vector<std::string> always;  // refs stored whatever was seen (ASCII case ignored)
};

// The absent accounts of a batch as one statement's parameters (PostgreSQL array literals,
// one element per AccountGone, in order): platform, account_ref, reason, observed_at (Unix
// seconds) and whether the row is stored without a sighting (no filter, or in `always`).
struct GoneRows {
  std::size_t count = 0;
  std::string platforms, refs, reasons, observed_at, always;
};
GoneRows gone_rows(const std::vector<model::Observation>& observations,
                   const std::optional<GoneFilter>& filter);

// `unjudged_account`, when not empty, is the official account whose job fetched the batch: each
// new post is marked unjudged for it in the same transaction (deploy/sql/066_unjudged_posts.sql)
// until mark_judged().
StoredBatch store_observations(pqxx::connection& c,
                               const std::vector<model::Observation>& observations,
                               const std::optional<CursorUpdate>& cursor,
                               const std::string& unjudged_account = {},
                               const std::optional<GoneFilter>& gone_filter = std::nullopt);

// The batch's posts were judged (every listener saw them): their marks go.
void mark_judged(pqxx::connection& c, model::Platform platform,
                 const std::vector<std::string>& post_ids);
// The same inside a transaction of the caller's (an incident opened for the post).
void mark_judged(pqxx::work& tx, model::Platform platform, const std::string& post_id);
// Whether the post is still marked unjudged (a re-judgement records nothing once it is not).
bool still_unjudged(pqxx::connection& c, model::Platform platform, const std::string& post_id);
// The stored posts still marked unjudged for one official account, oldest first.
std::vector<model::Post> load_unjudged(pqxx::connection& c, model::Platform platform,
                                       const std::string& account);

using CursorKey = std::tuple<std::string, std::string, std::string>;  // platform, account, job
std::map<CursorKey, std::string> load_cursors(pqxx::connection& c);

// Official accounts' platform ids learned from profile lookups.
void remember_account_id(pqxx::connection& c, model::Platform platform, const std::string& handle,
                         const std::string& account_id);
std::map<std::pair<std::string, std::string>, std::string> load_account_ids(pqxx::connection& c);

// Own posts from the last `hours` (the threads to walk for replies when there are no mentions).
std::vector<std::string> recent_own_posts(pqxx::connection& c, model::Platform platform,
                                          const std::string& author_id, int hours, int limit);

}  // namespace mamori::store
