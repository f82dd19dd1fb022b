// /api/v1 incident and rumour-registry endpoints (documented in docs/api.md).
#pragma once

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"

namespace mamori::api {

void register_incident_routes(http::Router& router, store::Database& database, const Authenticator& auth);
void register_rumour_routes(http::Router& router, store::Database& database, const Authenticator& auth);

}  // namespace mamori::api
