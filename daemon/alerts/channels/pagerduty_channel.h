// PagerDuty Events API v2 (POST /v2/enqueue). trigger, escalate and update send
// event_action "trigger" (PagerDuty appends a repeat trigger with the same dedup_key to the
// open alert instead of paging again); acknowledge and resolve close the loop. The dedup_key
// is stable per incident, so a resend after a crash is deduplicated by PagerDuty itself.
// The routing (integration) key is a secret.
#pragma once

#include <chrono>
#include <string>

#include "collectors/http/http_client.h"
#include "daemon/alerts/channel.h"
#include "daemon/config/config.h"

namespace mamori::alerts::channels {

struct PagerDutyChannelOptions {
  std::string name;
  config::Secret routing_key;  // the Events API v2 integration key (32 characters)
  std::string events_url = "https://events.pagerduty.com/v2/enqueue";
  // Prefix of the dedup_key, so several mamori installations can share one PagerDuty service.
  std::string dedup_prefix = "mamori";
  std::string source = "mamori";  // payload.source when the message has no municipality
  std::chrono::milliseconds timeout{10000};
};

class PagerDutyChannel final : public AlertChannel {
 public:
  PagerDutyChannel(collectors::HttpClient& http, PagerDutyChannelOptions options);
  std::string_view kind() const override { return "pagerduty"; }
  std::string_view name() const override { return options_.name; }
  void send(const AlertMessage& message, std::function<void(DeliveryResult)> done) override;

  // "mamori-incident-42"
  std::string dedup_key(const AlertMessage& message) const;
  // The event for a message; the routing key is included (the payload is never logged).
  std::string payload(const AlertMessage& message) const;

 private:
  collectors::HttpClient& http_;
  PagerDutyChannelOptions options_;
};

// low/medium/high/critical -> info/warning/error/critical.
std::string_view pagerduty_severity(std::string_view severity);

}  // namespace mamori::alerts::channels
