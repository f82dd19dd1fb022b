#include "daemon/alerts/channels/pagerduty_channel.h"

#include <boost/json.hpp>

#include "daemon/alerts/channels/json_post.h"
#include "daemon/alerts/channels/message_text.h"

namespace mamori::alerts::channels {
namespace {

namespace json = boost::json;

constexpr std::size_t kSummaryMax = 1024;  // PagerDuty truncates payload.summary past this

std::string_view event_action(AlertKind kind) {
  switch (kind) {
    case AlertKind::acknowledge:
      return "acknowledge";
    case AlertKind::resolve:
      return "resolve";
    case AlertKind::trigger:
    case AlertKind::escalate:
    case AlertKind::update:
      break;
  }
  return "trigger";
}

}  // namespace

std::string_view pagerduty_severity(std::string_view severity) {
  if (severity == "critical") return "critical";
  if (severity == "high") return "error";
  if (severity == "low") return "info";
  return "warning";
}

PagerDutyChannel::PagerDutyChannel(collectors::HttpClient& http, PagerDutyChannelOptions options)
    : http_(http), options_(std::move(options)) {}

std::string PagerDutyChannel::dedup_key(const AlertMessage& m) const {
  return options_.dedup_prefix + "-incident-" + std::to_string(m.incident_id);
}

std::string PagerDutyChannel::payload(const AlertMessage& m) const {
  json::object event{{"routing_key", options_.routing_key.reveal()},
                     {"event_action", event_action(m.kind)},
                     {"dedup_key", dedup_key(m)}};
  if (m.kind == AlertKind::acknowledge || m.kind == AlertKind::resolve) {
    return json::serialize(event);  // only the key and the action are read for these
  }
  json::object details;
  auto detail = [&](const char* key, const std::string& value) {
    if (!value.empty()) details[key] = sanitize_utf8(value);
  };
  detail("種別", m.incident_type_label);
  detail("重大度", m.severity_label.empty() ? m.severity : m.severity_label);
  detail("状況", kind_label(m));
  detail("概要", m.summary);
  detail("最初の対応", m.first_step);
  detail("発生日時", m.occurred_at);
  detail("確認リンク", m.acknowledge_url);
  details["インシデント番号"] = m.incident_id;
  details["段階"] = m.escalation_level;

  json::object payload{
      {"summary", truncate_chars(headline(m), kSummaryMax)},
      {"source", m.municipality.empty() ? options_.source : sanitize_utf8(m.municipality)},
      {"severity", pagerduty_severity(m.severity)},
      {"custom_details", std::move(details)}};
  if (!m.incident_type.empty()) payload["component"] = sanitize_utf8(m.incident_type);
  if (!m.incident_type_label.empty()) payload["class"] = sanitize_utf8(m.incident_type_label);
  if (!m.municipality.empty()) payload["group"] = sanitize_utf8(m.municipality);
  event["payload"] = std::move(payload);
  event["client"] = "mamori";
  if (!m.incident_url.empty()) {
    event["client_url"] = m.incident_url;
    event["links"] =
        json::array{json::object{{"href", m.incident_url}, {"text", "インシデントを開く"}}};
  }
  return json::serialize(event);
}

void PagerDutyChannel::send(const AlertMessage& message, std::function<void(DeliveryResult)> done) {
  PostSpec spec;
  spec.url = options_.events_url;
  spec.redacted = redact_url(spec.url);
  spec.service = "PagerDuty";
  spec.body = payload(message);
  spec.timeout = options_.timeout;
  spec.endpoint = "pagerduty/enqueue";
  post(http_, std::move(spec), std::move(done));
}

}  // namespace mamori::alerts::channels
