// /api/v1 incident and rumour-registry endpoints (documented in docs/api.md).
#pragma once

#include <functional>

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"

namespace mamori::api {

// `on_status` runs inside every status change's transaction (alerts: acknowledge/resolve notices).
void register_incident_routes(http::Router& router, store::Database& database,
                              const Authenticator& auth, incidents::StatusHook on_status = {});
// `on_change` runs on the store's thread after a rumour was added, changed or retired.
void register_rumour_routes(http::Router& router, store::Database& database,
                            const Authenticator& auth, std::function<void()> on_change = {});

}  // namespace mamori::api
