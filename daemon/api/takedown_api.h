// /api/v1 takedown requests (documented in docs/api.md): an incident's requests and their
// history, filing one (by mamori through the platform's report API, or recorded after staff used
// the platform's form), staff updates (answered, removed, refused, receipt number), and every
// request still waiting for the platform.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>

#include "collectors/ratelimit/clock.h"
#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/incidents/takedown_filer.h"
#include "daemon/store/database.h"

namespace mamori::api {

// `filer` returns the running filer, or nullptr before the workers started (filing through an
// API then answers 503). Called on the event loop's thread. Deadlines and "overdue" are judged
// against `clock` (the daemon's one clock).
void register_takedown_routes(http::Router& router, store::Database& database,
                              const collectors::Clock& clock, const Authenticator& auth,
                              boost::asio::io_context& io,
                              std::function<incidents::TakedownFiler*()> filer);

}  // namespace mamori::api
