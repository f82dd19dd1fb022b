#include "daemon/alerts/alert_service.h"

#include "daemon/log/log.h"

namespace mamori::alerts {

AlertService::AlertService(boost::asio::io_context& io, store::Database& database,
                           const collectors::Clock& clock, const AlertsConfig& config,
                           const std::string& public_url, const std::string& municipality)
    : io_(io),
      database_(database),
      clock_(clock),
      live_(std::make_shared<LiveAlerts>(make_alerts_snapshot(config, public_url, municipality))),
      config_(config),
      retired_timer_(io) {}

AlertService::~AlertService() {
  stop();
  shutdown();
}

AlertContext AlertService::context() const {
  AlertContext c;
  const auto now = live_->get();
  c.public_url = now.public_url;
  c.municipality = now.municipality;
  c.live = live_;
  c.clock = &clock_;
  return c;
}

void AlertService::start(collectors::CurlClientOptions client, prometheus::Registry* registry) {
  client_ = std::move(client);
  sinks_ = channels::make_channel_set(config_, io_, client_, clock_);
  dispatcher_ = std::make_unique<AlertDispatcher>(io_, database_, clock_, sinks_.view(),
                                                  dispatcher_options(config_), registry);
  dispatcher_->set_context(context());
  dispatcher_->start();
}

void AlertService::apply(const AlertsConfig& next, const std::string& public_url,
                         const std::string& municipality, const std::string& proxy) {
  live_->set(make_alerts_snapshot(next, public_url, municipality));
  config_ = next;
  if (!dispatcher_) return;
  client_.proxy = proxy;
  retired_.push_back(std::move(sinks_));
  sinks_ = channels::make_channel_set(config_, io_, client_, clock_);
  dispatcher_->replace_channels(sinks_.view(), dispatcher_options(config_));
  sweep_retired();
  log::info("alerts.reloaded",
            {{"channels", config_.channels.size()}, {"retired_sets", retired_.size()}});
}

// Shuts down the retired channel sets no send uses any more; looks again in a few seconds while
// some are still finishing a send.
void AlertService::sweep_retired() {
  const std::size_t before = retired_.size();
  std::erase_if(retired_, [this](channels::ChannelSet& set) {
    if (dispatcher_->sending_through(set.view()) > 0) return false;
    set.shutdown();  // idle: nothing is queued, so nothing completes later
    return true;
  });
  if (retired_.size() != before) {
    log::info("alerts.retired_channels_closed",
              {{"closed", before - retired_.size()}, {"still_sending", retired_.size()}});
  }
  if (retired_.empty() || stopped_) return;
  retired_timer_.expires_after(std::chrono::seconds(5));
  retired_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) sweep_retired();
  });
}

void AlertService::stop() {
  stopped_ = true;
  retired_timer_.cancel();
  if (dispatcher_) dispatcher_->stop();
}

void AlertService::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  dispatcher_.reset();
  sinks_.shutdown();  // channels before their HTTP client (the e-mail channel joins its workers)
  for (auto& retired : retired_) retired.shutdown();
}

}  // namespace mamori::alerts
