// GET /api/v1/incidents/:id/evidence/:evidence_id — one evidence item's stored bytes
// (docs/api.md). Avatars are PNGs mamori re-encoded itself and are served as image/png; any
// other kind is a download (application/octet-stream, Content-Disposition: attachment), so a
// stored platform response can never render as a page in the console's origin.
#pragma once

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"

namespace mamori::api {

void register_evidence_routes(http::Router& router, store::Database& database,
                              const Authenticator& auth);

}  // namespace mamori::api
