// Slack incoming webhook: Block Kit blocks with a plain-text fallback (`text`, shown in
// notifications and by clients without Block Kit). The webhook URL is a secret (its path is the
// token), so it is only ever reported as scheme+host.
#pragma once

#include <chrono>
#include <string>

#include "collectors/http/http_client.h"
#include "daemon/alerts/channel.h"
#include "daemon/config/config.h"

namespace mamori::alerts::channels {

struct SlackChannelOptions {
  std::string name;            // the configured channel's name
  config::Secret webhook_url;  // https://hooks.slack.com/services/T…/B…/…
  std::chrono::milliseconds timeout{10000};
};

class SlackChannel final : public AlertChannel {
 public:
  SlackChannel(collectors::HttpClient& http, SlackChannelOptions options);
  std::string_view kind() const override { return "slack"; }
  std::string_view name() const override { return options_.name; }
  void send(const AlertMessage& message, std::function<void(DeliveryResult)> done) override;

  // The JSON body for a message (exposed for tests and previews).
  static std::string payload(const AlertMessage& message);

 private:
  collectors::HttpClient& http_;
  SlackChannelOptions options_;
};

// Slack's mrkdwn control characters escaped (&, <, >), so text from a platform cannot form
// a link or an @channel mention.
std::string slack_escape(std::string_view text);

}  // namespace mamori::alerts::channels
