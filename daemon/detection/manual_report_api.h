// POST /api/v1/incidents (responder; docs/api.md): an incident of any type opened by hand
// (manual_report.h). Body: {type, subject, summary, severity?, platform?,
// evidence?: {filename, content_type, content_base64}}. Answers 201 {incident_id, created: true}
// for a new incident, 200 {incident_id, created: false} when the report joined the live incident
// for the same type and subject; both with `automatic_checks`: per subject-dependent step
// {step_id, title, kind, automatic, explanation} (manual_report.h ManualCheck).
#pragma once

#include <functional>

#include "daemon/alerts/dispatcher.h"
#include "daemon/api/auth.h"
#include "daemon/api/document_api.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"

namespace mamori::detection {

// `alert_context` is read on the loop's thread at each request; `wake_dispatcher` is called on
// the store's thread after a page was queued, `own_post_flagged` after an own post became an
// erroneous_post incident (the integrity monitor reads its tracked posts again): post to the loop.
// A report is dated by `clock` (the daemon's one clock).
void register_manual_report_routes(http::Router& router, store::Database& database,
                                   const collectors::Clock& clock, const api::Authenticator& auth,
                                   api::PlaybooksInEffect playbooks,
                                   std::function<alerts::AlertContext()> alert_context,
                                   std::function<void()> wake_dispatcher,
                                   std::function<void()> own_post_flagged = {});

}  // namespace mamori::detection
