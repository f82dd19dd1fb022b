// The one-click acknowledge link's pages (docs/api.md):
//   GET  /ack/:token     a Japanese confirmation page; changes nothing (mail scanners and chat
//                        unfurlers fetch links before a person does)
//   POST /ack/:token     acknowledges the incident as the person named in the token, once
//   GET  /ack/style.css  the pages' stylesheet (the pages carry no inline script or style and
//                        are served under a strict Content-Security-Policy; no JavaScript)
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/ack_link.h"
#include "daemon/alerts/alerts_config.h"
#include "daemon/http/router.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"

namespace prometheus {
class Registry;
}

namespace mamori::alerts {

class LiveAlerts;

// Registers the routes above, following the daemon's current [alerts] (a reload changes the
// signer); without [alerts] link_secret the link pages answer that links are not configured.
// `on_status` runs in the acknowledgement's transaction (acknowledge notices). A link's expiry
// is judged against `clock` (the daemon's one clock; it must outlive the router).
void register_ack_link_routes(http::Router& router, store::Database& database,
                              const collectors::Clock& clock,
                              std::shared_ptr<const LiveAlerts> live,
                              incidents::StatusHook on_status, prometheus::Registry* registry);

// The status hook for the API's status changes too (see status_notices.h), following the
// daemon's current [alerts] (a reload changes channels and notices).
incidents::StatusHook status_notice_hook(std::shared_ptr<const LiveAlerts> live);

}  // namespace mamori::alerts
