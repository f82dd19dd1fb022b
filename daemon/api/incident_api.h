// /api/v1 incident and rumour-registry endpoints (documented in docs/api.md).
#pragma once

#include <functional>

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"

namespace mamori::api {

// A POST handler (responder) with a JSON body that changes incident :id and answers with the
// incident as GET /api/v1/incidents/:id shows it: 400 for a bad body or id, `change`'s
// ActionError as its status, 404 when the incident is gone.
using IncidentChange = std::function<void(pqxx::connection&, long long id, const Principal&,
                                          const boost::json::object& body)>;
http::AsyncHandler incident_change(store::Database& database, const Authenticator& auth,
                                   std::string job, IncidentChange change);

// `on_status` runs inside every status change's transaction (alerts: acknowledge/resolve notices).
void register_incident_routes(http::Router& router, store::Database& database,
                              const Authenticator& auth, incidents::StatusHook on_status = {});
// `on_change` runs on the store's thread after a rumour was added, changed or retired.
void register_rumour_routes(http::Router& router, store::Database& database,
                            const Authenticator& auth, std::function<void()> on_change = {});

}  // namespace mamori::api
