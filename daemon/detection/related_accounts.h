// Accounts the impersonation detector judged `related` (issue 18): one of the city's departments,
// affiliated bodies or wards. They open no incident; the hub stores each one it sees
// (deploy/sql/021_impersonation_related.sql) so staff can see them in the console.
#pragma once

#include <boost/json.hpp>
#include <pqxx/pqxx>
#include <string>

#include "model/platform.h"

namespace mamori::detection {

struct RelatedSighting {
  model::Platform platform = model::Platform::x;
  std::string account_ref;  // account id, or the handle when the id is unknown
  std::string handle;
  std::string display_name;
  std::string family;  // the detector's Components::family
  std::string matched_official;
};

// Inserts the account or updates its name, handle, family and last sighting. Throws pqxx errors.
void record_related(pqxx::connection& c, const RelatedSighting& s);

// Every related account, most recently seen first, as JSON objects {platform, account_ref,
// handle, display_name, family, matched_official, first_seen_at, last_seen_at}.
boost::json::array related_accounts_json(pqxx::connection& c, int limit = 500);

}  // namespace mamori::detection
