// Channels from configuration: the dispatcher's one call to turn [alerts.channels.*] into
// live sinks, and the host allow-list for the alert HTTP client (its own CurlMultiClient,
// separate from the collectors', so a platform outage's queue never delays an alert).
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>

#include "collectors/http/host_allow_list.h"
#include "collectors/http/http_client.h"
#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/channel.h"

namespace mamori::alerts::channels {

// One sink for one configured channel. `http` must outlive the channel.
std::unique_ptr<AlertChannel> make_channel(const ChannelConfig& config, boost::asio::io_context& io,
                                           collectors::HttpClient& http);

// Every configured channel, by name.
std::map<std::string, std::unique_ptr<AlertChannel>> make_channels(const AlertsConfig& config,
                                                                   boost::asio::io_context& io,
                                                                   collectors::HttpClient& http);

// The hosts the configured HTTP channels send to (webhook hosts, LINE WORKS' auth and API
// hosts, PagerDuty's events host): CurlClientOptions::allowed_hosts for the alert client.
collectors::HostAllowList alert_hosts(const AlertsConfig& config);

}  // namespace mamori::alerts::channels
