// /api/v1 routes of own-account integrity and compliance (documented in docs/api.md):
// the compliance audit's results and an on-demand run, observed profile changes and their
// acceptance as the new baseline, changes announced in advance, and flagging an own post as
// erroneous (which starts the erroneous_post playbook).
#pragma once

#include <functional>

#include "collectors/ratelimit/clock.h"
#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/integrity/integrity_monitor.h"
#include "daemon/store/database.h"

namespace mamori::integrity {

// `monitor` returns the running monitor, or nullptr before the workers started (routes that
// need it answer 503 then). Called on the event loop's thread.
void register_integrity_routes(http::Router& router, store::Database& database,
                               const collectors::Clock& clock, const api::Authenticator& auth,
                               std::function<IntegrityMonitor*()> monitor);

}  // namespace mamori::integrity
