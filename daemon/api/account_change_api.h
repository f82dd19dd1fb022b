// /api/v1/account-changes (documented in docs/api.md): planned changes and closures of official
// accounts, each running as an account_change incident (daemon/incidents/account_changes.h).
#pragma once

#include "daemon/api/document_api.h"

namespace mamori::api {

void register_account_change_routes(http::Router& router, store::Database& database,
                                    const Authenticator& auth, PlaybooksInEffect playbooks,
                                    ConfigInEffect config);

}  // namespace mamori::api
