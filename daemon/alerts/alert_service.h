// The daemon's running alert stack: [alerts] as every reader sees it (LiveAlerts), the
// configured channels with their own HTTP client, and the dispatcher. A reload replaces the
// snapshot and the channels; sends already under way finish on the old channels, which are shut
// down once idle (looked at every few seconds; at the latest at shutdown). Runs on the loop.
//
//   AlertService alerts(io, database, clock, settings.alerts, public_url, municipality);
//   register routes with alerts.live() …
//   alerts.start(client_options, &registry);            // channels and dispatcher
//   on SIGHUP: alerts.apply(next_alerts, public_url, municipality, proxy);
//   at shutdown: alerts.stop(); … alerts.shutdown(); run the loop once more.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/channels/channel_factory.h"
#include "daemon/alerts/dispatcher.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/store/database.h"

namespace prometheus {
class Registry;
}

namespace mamori::alerts {

class AlertService {
 public:
  // `clock`: the daemon's one clock (the dispatcher's and every context()'s); outlives this.
  AlertService(boost::asio::io_context& io, store::Database& database,
               const collectors::Clock& clock, const AlertsConfig& config,
               const std::string& public_url, const std::string& municipality);
  ~AlertService();
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  // Builds the channels (their HTTP client from `client`, allow-listed to their hosts) and
  // starts the dispatcher.
  void start(collectors::CurlClientOptions client, prometheus::Registry* registry);
  // A reloaded [alerts]: the snapshot at once; the channels for alerts claimed from now on.
  void apply(const AlertsConfig& next, const std::string& public_url,
             const std::string& municipality, const std::string& proxy);
  // Stops dispatching (sends under way still complete).
  void stop();
  // Shuts every channel set down; run the loop afterwards so their cancellations complete.
  void shutdown();

  const std::shared_ptr<LiveAlerts>& live() const { return live_; }
  // The context findings are recorded with: follows reloads through live().
  AlertContext context() const;
  AlertDispatcher* dispatcher() const { return dispatcher_.get(); }

 private:
  void sweep_retired();

  boost::asio::io_context& io_;
  store::Database& database_;
  const collectors::Clock& clock_;
  std::shared_ptr<LiveAlerts> live_;
  AlertsConfig config_;
  collectors::CurlClientOptions client_;
  channels::ChannelSet sinks_;
  // Channel sets replaced by a reload, kept until their sends in flight have finished.
  std::vector<channels::ChannelSet> retired_;
  std::unique_ptr<AlertDispatcher> dispatcher_;
  boost::asio::steady_timer retired_timer_;
  bool stopped_ = false;
  bool shut_down_ = false;
};

}  // namespace mamori::alerts
