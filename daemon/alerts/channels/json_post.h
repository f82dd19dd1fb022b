// One POST of a JSON (or form) body through the alert HTTP client, its outcome mapped to a
// DeliveryResult. Shared by the webhook-style channels; captures nothing of the channel, so a
// completion arriving after the channel is gone is harmless.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "collectors/http/http_client.h"
#include "daemon/alerts/channel.h"

namespace mamori::alerts::channels {

struct PostSpec {
  std::string url;  // may hold a secret (webhook token): only `redacted` is ever reported
  std::string redacted;
  std::string service;  // "Slack", for the detail text
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  std::string endpoint;  // for the client's metrics ("slack/webhook")
  // Append a short error word from the body ("invalid_payload") to a failure's detail. Only
  // for receivers whose error bodies are fixed words, never an echo of the request.
  bool body_hint = false;
};

void post(collectors::HttpClient& http, PostSpec spec, std::function<void(DeliveryResult)> done);

}  // namespace mamori::alerts::channels
