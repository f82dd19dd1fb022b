#include "daemon/alerts/channels/slack_channel.h"

#include <boost/json.hpp>

#include "daemon/alerts/channels/json_post.h"
#include "daemon/alerts/channels/message_text.h"

namespace mamori::alerts::channels {
namespace {

namespace json = boost::json;

// Block Kit limits (api.slack.com/reference/block-kit): header text 150 characters, section
// text 3000, a field 2000.
constexpr std::size_t kHeaderMax = 150;
constexpr std::size_t kSectionMax = 3000;
constexpr std::size_t kFieldMax = 2000;

json::object mrkdwn(const std::string& text, std::size_t max) {
  return {{"type", "mrkdwn"}, {"text", truncate_chars(text, max)}};
}

json::object plain(const std::string& text, std::size_t max) {
  return {{"type", "plain_text"}, {"text", truncate_chars(text, max)}, {"emoji", false}};
}

std::string clean(const std::string& text) {
  return slack_escape(sanitize_utf8(text));
}

}  // namespace

std::string slack_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string SlackChannel::payload(const AlertMessage& m) {
  json::array blocks;
  blocks.push_back({{"type", "header"}, {"text", plain(headline(m), kHeaderMax)}});

  json::array fields;
  auto field = [&](const char* label, const std::string& value) {
    if (value.empty()) return;
    fields.push_back(
        mrkdwn("*" + std::string(label) + "*\n" + clean(single_line(value)), kFieldMax));
  };
  field("種別", m.incident_type_label);
  field("重大度", m.severity_label.empty() ? m.severity : m.severity_label);
  field("状況", kind_label(m));
  field("発生日時", m.occurred_at);
  if (!m.recipient_name.empty()) field("宛先", m.recipient_name + " さん");
  if (!fields.empty()) blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});

  if (!m.summary.empty()) {
    blocks.push_back(
        {{"type", "section"}, {"text", mrkdwn("*概要*\n" + clean(m.summary), kSectionMax)}});
  }
  if (!m.first_step.empty() && m.kind != AlertKind::resolve) {
    blocks.push_back({{"type", "section"},
                      {"text", mrkdwn("*最初の対応*\n" + clean(m.first_step), kSectionMax)}});
  }
  json::array buttons;
  if (!m.incident_url.empty()) {
    buttons.push_back({{"type", "button"},
                       {"text", plain("インシデントを開く", 75)},
                       {"url", m.incident_url},
                       {"action_id", "open_incident"},
                       {"style", "primary"}});
  }
  const bool open =
      m.kind == AlertKind::trigger || m.kind == AlertKind::escalate || m.kind == AlertKind::update;
  if (!m.acknowledge_url.empty() && open) {
    buttons.push_back({{"type", "button"},
                       {"text", plain("確認した (ワンクリック)", 75)},
                       {"url", m.acknowledge_url},
                       {"action_id", "acknowledge"}});
  }
  if (!buttons.empty()) blocks.push_back({{"type", "actions"}, {"elements", std::move(buttons)}});
  std::string context = "mamori · インシデント #" + std::to_string(m.incident_id);
  if (!m.municipality.empty()) context = clean(m.municipality) + " · " + context;
  blocks.push_back({{"type", "context"}, {"elements", json::array{mrkdwn(context, kFieldMax)}}});

  // The fallback: what a notification or a client without Block Kit shows.
  std::string fallback = clean(headline(m));
  if (!m.first_step.empty() && m.kind != AlertKind::resolve) {
    fallback += " / 最初の対応: " + clean(single_line(m.first_step));
  }
  if (!m.incident_url.empty()) fallback += " " + m.incident_url;

  json::object body{{"text", truncate_chars(fallback, kSectionMax)}, {"blocks", std::move(blocks)}};
  return json::serialize(body);
}

SlackChannel::SlackChannel(collectors::HttpClient& http, SlackChannelOptions options)
    : http_(http), options_(std::move(options)) {}

void SlackChannel::send(const AlertMessage& message, std::function<void(DeliveryResult)> done) {
  PostSpec spec;
  spec.url = options_.webhook_url.reveal();
  spec.redacted = redact_url(spec.url);
  spec.service = "Slack";
  spec.content_type = "application/json; charset=utf-8";
  spec.body = payload(message);
  spec.timeout = options_.timeout;
  spec.endpoint = "slack/webhook";
  spec.body_hint = true;  // "invalid_payload", "channel_not_found", "no_service"…
  post(http_, std::move(spec), std::move(done));
}

}  // namespace mamori::alerts::channels
