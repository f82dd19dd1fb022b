// /api/v1 routes of staff's decisions on impersonation candidates (docs/api.md, issue 18):
//   POST /api/v1/incidents/:id/disposition {disposition: related|benign, note?}  (responder)
//     records the decision for the incident's candidate and resolves the incident; answers with
//     the incident as GET /api/v1/incidents/:id does.
//   GET  /api/v1/impersonation/dispositions  (viewer): every decision, newest first.
//   GET  /api/v1/impersonation/related  (viewer): accounts the detector judged related
//     (related_accounts.h), most recently seen first.
#pragma once

#include <functional>

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"

namespace mamori::detection {

// `on_status` is the status change's alert hook (resolve notices); `on_change` is called on
// the worker thread after a decision is committed (post to the loop, then refresh the hub's).
void register_disposition_routes(http::Router& router, store::Database& database,
                                 const api::Authenticator& auth, incidents::StatusHook on_status,
                                 std::function<void()> on_change);

}  // namespace mamori::detection
