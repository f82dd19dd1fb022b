// Rejecting an observed profile change: staff confirm a change was not the city's (an unexpected
// display name, link or icon on an official account), so the approved baseline stays, the
// account_compromise incident it opened records the confirmation, and polling does not raise the
// same change again while the account still shows it (ube-city.txt 6; soma-city.txt 4(2): only a
// change announced in advance, or accepted by staff, becomes the new baseline).
// The route (POST /api/v1/integrity/changes/:id/reject) is documented in docs/api.md.
#pragma once

#include <boost/json.hpp>
#include <pqxx/pqxx>
#include <string>

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"

namespace mamori::integrity {

// Throws incidents::ActionError: 404 unknown change, 409 not open.
boost::json::object reject_change(pqxx::connection& c, long long id, const std::string& actor,
                                  const std::string& note);

void register_change_review_routes(http::Router& router, store::Database& database,
                                   const api::Authenticator& auth);

}  // namespace mamori::integrity
