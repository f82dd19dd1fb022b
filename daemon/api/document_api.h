// GET /api/v1/incidents/:id/documents: the playbook's drafted Japanese documents rendered for one
// incident (docs/api.md). The playbook set and configuration are read through getters at each
// request, so a reload (SIGHUP) that swaps them takes effect for the next request.
#pragma once

#include <functional>
#include <memory>

#include "collectors/ratelimit/clock.h"
#include "daemon/api/auth.h"
#include "daemon/config/config.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"
#include "playbooks/engine/playbook.h"

namespace mamori::api {

using PlaybooksInEffect = std::function<std::shared_ptr<const playbooks::PlaybookSet>()>;
using ConfigInEffect = std::function<std::shared_ptr<const config::Config>()>;

// The getters run on the event loop's thread (where the daemon swaps what they return). The
// documents' dates are `clock`'s (the daemon's one clock).
void register_document_routes(http::Router& router, store::Database& database,
                              const collectors::Clock& clock, const Authenticator& auth,
                              PlaybooksInEffect playbooks, ConfigInEffect config);

}  // namespace mamori::api
