// The daemon's current [alerts] configuration, replaced whole by a reload (SIGHUP) and read from
// any thread. The dispatcher, the detection hub's and integrity monitor's alert contexts, the
// acknowledge-link pages and the status-notice hook read through it, so a reload reaches them
// without rebuilding them: on-call, policies and the link signer change for the next alert.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "daemon/alerts/ack_link.h"
#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/dispatcher.h"
#include "daemon/alerts/oncall/oncall.h"

namespace mamori::alerts {

struct AlertsSnapshot {
  std::shared_ptr<const AlertsConfig> config;  // never null once set
  std::shared_ptr<const oncall::OnCallConfig> oncall;
  std::shared_ptr<const AckLinkSigner> ack_links;  // null without [alerts] link_secret
  std::string public_url;
  std::string municipality;
};

// The snapshot for `config` under the server's public URL and the municipality's name.
AlertsSnapshot make_alerts_snapshot(const AlertsConfig& config, const std::string& public_url,
                                    const std::string& municipality);

// The dispatcher's retry settings from [alerts] retry_backoff, retry_backoff_max, give_up_after.
DispatcherOptions dispatcher_options(const AlertsConfig& config);

class LiveAlerts {
 public:
  explicit LiveAlerts(AlertsSnapshot initial) : current_(std::move(initial)) {}
  void set(AlertsSnapshot next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }
  AlertsSnapshot get() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  AlertsSnapshot current_;
};

}  // namespace mamori::alerts
