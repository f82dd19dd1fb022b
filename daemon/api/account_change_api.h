// /api/v1/account-changes (documented in docs/api.md): planned changes and closures of official
// accounts, each running as an account_change incident (daemon/incidents/account_changes.h).
#pragma once

#include "daemon/api/document_api.h"

namespace mamori::api {

// A change's steps and dates are planned from `clock`'s now (the daemon's one clock).
void register_account_change_routes(http::Router& router, store::Database& database,
                                    const collectors::Clock& clock, const Authenticator& auth,
                                    PlaybooksInEffect playbooks, ConfigInEffect config);

}  // namespace mamori::api
