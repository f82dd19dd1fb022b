#include "daemon/alerts/channels/webhook_channel.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "daemon/alerts/channels/json_post.h"
#include "daemon/alerts/channels/message_text.h"

namespace mamori::alerts::channels {
namespace {

namespace json = boost::json;

}  // namespace

std::string webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body) {
  // The multi-part API takes a key of any length (the one-shot API wants exactly 32 bytes).
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  const std::string prefix = std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex);
}

std::string WebhookChannel::payload(const AlertMessage& m) {
  auto s = [](const std::string& v) { return sanitize_utf8(v); };
  json::object incident{{"id", m.incident_id},
                        {"type", s(m.incident_type)},
                        {"type_label", s(m.incident_type_label)},
                        {"severity", s(m.severity)},
                        {"severity_label", s(m.severity_label)},
                        {"title", s(m.title)},
                        {"summary", s(m.summary)},
                        {"first_step", s(m.first_step)},
                        {"url", m.incident_url},
                        {"acknowledge_url", m.acknowledge_url},
                        {"occurred_at", m.occurred_at},
                        {"municipality", s(m.municipality)}};
  json::object body{
      {"version", 1},
      {"alert_id", m.alert_id},
      {"idempotency_key", m.idempotency_key},
      {"kind", to_string(m.kind)},
      {"escalation_level", m.escalation_level},
      {"incident", std::move(incident)},
      {"recipient", {{"name", s(m.recipient_name)}, {"address", s(m.recipient_address)}}},
      {"headline", headline(m)},
      {"text", plain_text(m)}};
  return json::serialize(body);
}

WebhookChannel::WebhookChannel(collectors::HttpClient& http, WebhookChannelOptions options,
                               const collectors::Clock& clock)
    : http_(http), options_(std::move(options)), clock_(clock) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

void WebhookChannel::send(const AlertMessage& message, std::function<void(DeliveryResult)> done) {
  PostSpec spec;
  spec.url = options_.url.reveal();
  spec.redacted = redact_url(spec.url);
  spec.service = "Webhook";
  spec.body = payload(message);
  const std::int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  spec.headers.emplace_back("X-Mamori-Signature",
                            "t=" + std::to_string(t) +
                                ",v1=" + webhook_signature(options_.secret.reveal(), t, spec.body));
  // Header values must not break lines (the HTTP client refuses them); keys are ours, but a
  // key from elsewhere is reduced to one line rather than failing the alert.
  spec.headers.emplace_back("X-Mamori-Idempotency-Key", single_line(message.idempotency_key));
  spec.headers.emplace_back("X-Mamori-Event", std::string(to_string(message.kind)));
  spec.timeout = options_.timeout;
  spec.endpoint = "webhook";
  post(http_, std::move(spec), std::move(done));
}

}  // namespace mamori::alerts::channels
