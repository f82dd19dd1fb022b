// Microsoft Teams through a Workflows (Power Automate) webhook: the "Send webhook alerts to a
// channel" template, whose trigger "When a Teams webhook request is received" expects a
// message envelope {"type":"message","attachments":[{contentType
// "application/vnd.microsoft.card.adaptive", content: <Adaptive Card>}]} and posts each card.
// The Office 365 connector webhooks this replaces are retired. The URL carries a signature
// (`sig=`), so it is a secret.
#pragma once

#include <chrono>
#include <string>

#include "collectors/http/http_client.h"
#include "daemon/alerts/channel.h"
#include "daemon/config/config.h"

namespace mamori::alerts::channels {

struct TeamsChannelOptions {
  std::string name;
  config::Secret webhook_url;  // https://….powerautomate.com/… or …logic.azure.com/…
  std::chrono::milliseconds timeout{15000};
};

class TeamsChannel final : public AlertChannel {
 public:
  TeamsChannel(collectors::HttpClient& http, TeamsChannelOptions options);
  std::string_view kind() const override { return "teams"; }
  std::string_view name() const override { return options_.name; }
  void send(const AlertMessage& message, std::function<void(DeliveryResult)> done) override;

  static std::string payload(const AlertMessage& message);

 private:
  collectors::HttpClient& http_;
  TeamsChannelOptions options_;
};

// Adaptive Card TextBlocks render a Markdown subset: square brackets become full-width so text
// from a platform cannot form a [link](…) in the card.
std::string teams_escape(std::string_view text);

}  // namespace mamori::alerts::channels
