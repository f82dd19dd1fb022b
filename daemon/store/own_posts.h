// The official accounts' posts as mamori stored them (observed_posts joined to the configured
// accounts): what the integrity monitor compares, and what staff flag as erroneous from the
// console or a hand report.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "model/observation.h"

namespace mamori::store {

// The columns post_from_row reads, for a query over `observed_posts p`.
extern const char* const kPostColumns;
model::Post post_from_row(const pqxx::row& row);

// The stored post, if it is one of the configured accounts' posts (by account id, or by handle
// for a post whose author id is not known) and, for a request scoped to some municipalities
// (mamori.scope), one of theirs.
struct OwnPost {
  model::Post post;
  std::string handle;  // configured account
};
std::optional<OwnPost> find_own_post(pqxx::connection& c, model::Platform platform,
                                     const std::string& post_id);

}  // namespace mamori::store
