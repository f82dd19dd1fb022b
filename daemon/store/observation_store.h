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
};

StoredBatch store_observations(pqxx::connection& c,
                               const std::vector<model::Observation>& observations,
                               const std::optional<CursorUpdate>& cursor);

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
