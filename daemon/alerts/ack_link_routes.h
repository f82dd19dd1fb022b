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

// The signer for `[alerts] link_secret`; null when no secret is configured (no links then).
std::shared_ptr<const AckLinkSigner> make_ack_link_signer(const std::optional<AlertsConfig>& config,
                                                          const std::string& public_url);

// Registers the routes above; without a signer the link pages answer that links are not
// configured. `on_status` runs in the acknowledgement's transaction (acknowledge notices).
void register_ack_link_routes(http::Router& router, store::Database& database,
                              std::shared_ptr<const AckLinkSigner> signer,
                              incidents::StatusHook on_status, prometheus::Registry* registry);
// The same, following the daemon's current [alerts] (a reload changes the signer).
void register_ack_link_routes(http::Router& router, store::Database& database,
                              std::shared_ptr<const LiveAlerts> live,
                              incidents::StatusHook on_status, prometheus::Registry* registry);

// The status hook for the API's status changes too (see status_notices.h), from the daemon's
// optional [alerts] configuration.
incidents::StatusHook status_notice_hook(const std::optional<AlertsConfig>& config,
                                         const std::string& public_url,
                                         const std::string& municipality);
// The same, following the daemon's current [alerts] (a reload changes channels and notices).
incidents::StatusHook status_notice_hook(std::shared_ptr<const LiveAlerts> live);

}  // namespace mamori::alerts
