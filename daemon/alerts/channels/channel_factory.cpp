#include "daemon/alerts/channels/channel_factory.h"

#include <type_traits>
#include <variant>

namespace mamori::alerts::channels {

std::unique_ptr<AlertChannel> make_channel(const ChannelConfig& config, boost::asio::io_context& io,
                                           collectors::HttpClient& http,
                                           const collectors::Clock& clock) {
  return std::visit(
      [&](const auto& o) -> std::unique_ptr<AlertChannel> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, SlackChannelOptions>) {
          return std::make_unique<SlackChannel>(http, o);
        } else if constexpr (std::is_same_v<T, TeamsChannelOptions>) {
          return std::make_unique<TeamsChannel>(http, o);
        } else if constexpr (std::is_same_v<T, LineWorksChannelOptions>) {
          return std::make_unique<LineWorksChannel>(io, http, o, clock);
        } else if constexpr (std::is_same_v<T, EmailChannelOptions>) {
          return std::make_unique<EmailChannel>(io, o, clock);
        } else if constexpr (std::is_same_v<T, PagerDutyChannelOptions>) {
          return std::make_unique<PagerDutyChannel>(http, o);
        } else {
          static_assert(std::is_same_v<T, WebhookChannelOptions>);
          return std::make_unique<WebhookChannel>(http, o, clock);
        }
      },
      config.options);
}

std::map<std::string, std::unique_ptr<AlertChannel>> make_channels(const AlertsConfig& config,
                                                                   boost::asio::io_context& io,
                                                                   collectors::HttpClient& http,
                                                                   const collectors::Clock& clock) {
  std::map<std::string, std::unique_ptr<AlertChannel>> out;
  for (const auto& c : config.channels) out.emplace(c.name, make_channel(c, io, http, clock));
  return out;
}

collectors::HostAllowList alert_hosts(const AlertsConfig& config) {
  collectors::HostAllowList hosts;
  for (const auto& c : config.channels) {
    for (const auto& h : c.http_hosts()) hosts.add(h);
  }
  return hosts;
}

}  // namespace mamori::alerts::channels

namespace mamori::alerts::channels {

std::map<std::string, AlertChannel*> ChannelSet::view() const {
  std::map<std::string, AlertChannel*> out;
  for (const auto& [name, channel] : channels) out[name] = channel.get();
  return out;
}

void ChannelSet::shutdown() {
  channels.clear();
  if (http) http->shutdown();
}

ChannelSet make_channel_set(const AlertsConfig& config, boost::asio::io_context& io,
                            collectors::CurlClientOptions options, const collectors::Clock& clock) {
  ChannelSet set;
  options.allowed_hosts = alert_hosts(config);
  set.http = std::make_unique<collectors::CurlMultiClient>(io, std::move(options));
  set.channels = make_channels(config, io, *set.http, clock);
  return set;
}

}  // namespace mamori::alerts::channels
