#include "daemon/alerts/live_alerts.h"

namespace mamori::alerts {

AlertsSnapshot make_alerts_snapshot(const AlertsConfig& config, const std::string& public_url,
                                    const std::string& municipality) {
  AlertsSnapshot s;
  s.config = std::make_shared<const AlertsConfig>(config);
  s.oncall = std::make_shared<const oncall::OnCallConfig>(config.oncall);
  if (config.link_secret) {
    s.ack_links = std::make_shared<const AckLinkSigner>(*config.link_secret, public_url,
                                                        config.link_valid_for);
  }
  s.public_url = public_url;
  s.municipality = municipality;
  return s;
}

}  // namespace mamori::alerts

namespace mamori::alerts {

DispatcherOptions dispatcher_options(const AlertsConfig& config) {
  DispatcherOptions o;
  o.backoff_base = config.retry_backoff;
  o.backoff_max = config.retry_backoff_max;
  o.give_up_after = config.give_up_after;
  return o;
}

}  // namespace mamori::alerts
