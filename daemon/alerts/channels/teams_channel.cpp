#include "daemon/alerts/channels/teams_channel.h"

#include <boost/json.hpp>

#include "daemon/alerts/channels/json_post.h"
#include "daemon/alerts/channels/message_text.h"

namespace mamori::alerts::channels {
namespace {

namespace json = boost::json;

constexpr std::size_t kTextMax = 4000;

std::string clean(const std::string& text) {
  return teams_escape(sanitize_utf8(text));
}

json::object text_block(const std::string& text, bool wrap = true) {
  return {{"type", "TextBlock"}, {"text", truncate_chars(text, kTextMax)}, {"wrap", wrap}};
}

bool urgent(const AlertMessage& m) {
  return m.severity == "high" || m.severity == "critical" || m.kind == AlertKind::escalate;
}

}  // namespace

std::string teams_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '[')
      out += "［";
    else if (c == ']')
      out += "］";
    else
      out += c;
  }
  return out;
}

std::string TeamsChannel::payload(const AlertMessage& m) {
  json::array body;
  json::object title = text_block(teams_escape(headline(m)));
  title["size"] = "Large";
  title["weight"] = "Bolder";
  if (m.kind == AlertKind::resolve || m.kind == AlertKind::acknowledge) {
    title["color"] = "Good";
  } else if (urgent(m)) {
    title["color"] = "Attention";
  }
  body.push_back(std::move(title));

  json::array facts;
  auto fact = [&](const char* label, const std::string& value) {
    if (!value.empty()) facts.push_back({{"title", label}, {"value", clean(single_line(value))}});
  };
  fact("種別", m.incident_type_label);
  fact("重大度", m.severity_label.empty() ? m.severity : m.severity_label);
  fact("状況", kind_label(m));
  fact("発生日時", m.occurred_at);
  fact("自治体", m.municipality);
  if (!m.recipient_name.empty()) fact("宛先", m.recipient_name + " さん");
  fact("インシデント", "#" + std::to_string(m.incident_id));
  body.push_back({{"type", "FactSet"}, {"facts", std::move(facts)}});

  if (!m.summary.empty()) {
    json::object label = text_block("概要");
    label["weight"] = "Bolder";
    label["spacing"] = "Medium";
    body.push_back(std::move(label));
    body.push_back(text_block(clean(m.summary)));
  }
  if (!m.first_step.empty() && m.kind != AlertKind::resolve) {
    json::object label = text_block("最初の対応");
    label["weight"] = "Bolder";
    label["spacing"] = "Medium";
    body.push_back(std::move(label));
    body.push_back(text_block(clean(m.first_step)));
  }

  json::array actions;
  if (!m.incident_url.empty()) {
    actions.push_back(
        {{"type", "Action.OpenUrl"}, {"title", "インシデントを開く"}, {"url", m.incident_url}});
  }
  const bool open =
      m.kind == AlertKind::trigger || m.kind == AlertKind::escalate || m.kind == AlertKind::update;
  if (!m.acknowledge_url.empty() && open) {
    actions.push_back({{"type", "Action.OpenUrl"},
                       {"title", "確認した (ワンクリック)"},
                       {"url", m.acknowledge_url}});
  }

  // Version 1.4: what the Workflows "Post card in a chat or channel" action renders.
  json::object card{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                    {"type", "AdaptiveCard"},
                    {"version", "1.4"},
                    {"body", std::move(body)},
                    {"msteams", {{"width", "Full"}}}};
  if (!actions.empty()) card["actions"] = std::move(actions);
  // Shown where the card itself is not (notifications, the activity feed).
  card["fallbackText"] = truncate_chars(headline(m), 300);

  json::object envelope{
      {"type", "message"},
      {"attachments",
       json::array{json::object{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                {"contentUrl", nullptr},
                                {"content", std::move(card)}}}}};
  return json::serialize(envelope);
}

TeamsChannel::TeamsChannel(collectors::HttpClient& http, TeamsChannelOptions options)
    : http_(http), options_(std::move(options)) {}

void TeamsChannel::send(const AlertMessage& message, std::function<void(DeliveryResult)> done) {
  PostSpec spec;
  spec.url = options_.webhook_url.reveal();
  spec.redacted = redact_url(spec.url);
  spec.service = "Teams";
  spec.body = payload(message);
  spec.timeout = options_.timeout;
  spec.endpoint = "teams/workflow";
  post(http_, std::move(spec), std::move(done));
}

}  // namespace mamori::alerts::channels
