// Channels from configuration: the dispatcher's one call to turn [alerts.channels.*] into
// live sinks, and the host allow-list for the alert HTTP client (its own CurlMultiClient,
// separate from the collectors', so a platform outage's queue never delays an alert).
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>

#include "collectors/http/curl_multi_client.h"
#include "collectors/http/host_allow_list.h"
#include "collectors/http/http_client.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/channel.h"

namespace mamori::alerts::channels {

// One sink for one configured channel. `http` must outlive the channel.
// `clock`: the daemon's one clock (signature timestamps, mail dates, token lifetimes).
std::unique_ptr<AlertChannel> make_channel(const ChannelConfig& config, boost::asio::io_context& io,
                                           collectors::HttpClient& http,
                                           const collectors::Clock& clock);

// Every configured channel, by name.
std::map<std::string, std::unique_ptr<AlertChannel>> make_channels(const AlertsConfig& config,
                                                                   boost::asio::io_context& io,
                                                                   collectors::HttpClient& http,
                                                                   const collectors::Clock& clock);

// The hosts the configured HTTP channels send to (webhook hosts, LINE WORKS' auth and API
// hosts, PagerDuty's events host): CurlClientOptions::allowed_hosts for the alert client.
collectors::HostAllowList alert_hosts(const AlertsConfig& config);

// The channels of one [alerts] configuration with their own HTTP client, allow-listed to exactly
// their hosts. A reload builds a new set; the old one stays alive until none of its sends is
// in flight (AlertDispatcher::sending_through), then is shut down.
struct ChannelSet {
  std::unique_ptr<collectors::CurlMultiClient> http;
  std::map<std::string, std::unique_ptr<AlertChannel>> channels;
  std::map<std::string, AlertChannel*> view() const;
  // Channels first (the e-mail channel joins its workers), then the client: what is still
  // queued completes as cancelled, posted to the loop (run it before destroying the set).
  void shutdown();
};
// `options` without allowed_hosts (filled here from the channels).
ChannelSet make_channel_set(const AlertsConfig& config, boost::asio::io_context& io,
                            collectors::CurlClientOptions options, const collectors::Clock& clock);

}  // namespace mamori::alerts::channels
