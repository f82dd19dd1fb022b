// A generic JSON webhook for the city's own systems, signed so the receiver can tell a real
// mamori alert from a forged one: X-Mamori-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
// over "<t>.<body>" with the shared secret>. The receiver should recompute it, compare in
// constant time, reject timestamps older than a few minutes (replay), and deduplicate by
// X-Mamori-Idempotency-Key (the same on every resend of one alert).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "collectors/http/http_client.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/channel.h"
#include "daemon/config/config.h"

namespace mamori::alerts::channels {

struct WebhookChannelOptions {
  std::string name;
  config::Secret url;     // may carry a token in its path or query, so treated as a secret
  config::Secret secret;  // the HMAC key, at least 32 bytes
  std::chrono::milliseconds timeout{10000};
};

class WebhookChannel final : public AlertChannel {
 public:
  // `clock` (the daemon's one clock) gives the signature's timestamp; it must outlive the channel.
  WebhookChannel(collectors::HttpClient& http, WebhookChannelOptions options,
                 const collectors::Clock& clock);
  std::string_view kind() const override { return "webhook"; }
  std::string_view name() const override { return options_.name; }
  void send(const AlertMessage& message, std::function<void(DeliveryResult)> done) override;

  static std::string payload(const AlertMessage& message);

 private:
  collectors::HttpClient& http_;
  WebhookChannelOptions options_;
  const collectors::Clock& clock_;
};

// Lower-case hex HMAC-SHA256 of `timestamp + "." + body` (libsodium).
std::string webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body);

}  // namespace mamori::alerts::channels
