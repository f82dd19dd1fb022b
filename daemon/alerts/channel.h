// Alert channels: one small sink per delivery kind behind this interface (Slack, Teams,
// LINE WORKS, e-mail, PagerDuty, signed webhook). The dispatcher (outbox) calls send() on the
// event loop's thread; `done` runs exactly once, on that thread too.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mamori::alerts {

enum class AlertKind {
  trigger,      // a new incident (or a reopened one)
  escalate,     // nobody acknowledged in time: the next level is told
  update,       // grouped updates to an open incident (severity raised, new findings)
  acknowledge,  // someone acknowledged: channels with state (PagerDuty) are told
  resolve,      // resolved: channels with state close their alert
};

std::string_view to_string(AlertKind kind);

// Everything a channel needs to write the message; texts are Japanese, already composed by
// the dispatcher from the incident (channels format, they do not decide content).
struct AlertMessage {
  long long alert_id = 0;
  std::string idempotency_key;  // stable per alert: a resend after a crash carries the same key
  AlertKind kind = AlertKind::trigger;
  long long incident_id = 0;
  std::string incident_type;        // impersonation, flameup, ...
  std::string incident_type_label;  // 成りすまし, 炎上, ...
  std::string severity;             // low, medium, high, critical
  std::string severity_label;       // 低, 中, 高, 緊急 (or 注意/警戒/炎上 for flame-ups)
  std::string title;                // 成りすましの疑い: @soma__city (X)
  std::string summary;              // what happened, one or two sentences
  std::string first_step;           // the first playbook step's title
  std::string incident_url;         // link to the incident page in the console
  std::string acknowledge_url;      // signed one-click acknowledge link (may be empty)
  int escalation_level = 1;
  std::string recipient_name;  // the on-call person (for the text), may be empty
  // Where a person-addressed channel delivers: an e-mail address (email), a LINE WORKS user id
  // (lineworks); from oncall::resolve_targets. Empty: the channel's configured default.
  std::string recipient_address;
  std::string municipality;  // 相馬市
  std::string occurred_at;   // ISO-8601, Asia/Tokyo
};

struct DeliveryResult {
  bool delivered = false;
  bool retryable = true;  // false: retrying cannot help (bad URL, 4xx other than 429)
  int status = 0;         // HTTP status or SMTP reply code, 0 when none
  std::string detail;     // for the incident timeline and logs; never contains secrets
};

class AlertChannel {
 public:
  virtual ~AlertChannel() = default;
  virtual std::string_view kind() const = 0;  // "slack", "teams", "lineworks", "email", ...
  virtual std::string_view name() const = 0;  // the configured channel's name
  virtual void send(const AlertMessage& message, std::function<void(DeliveryResult)> done) = 0;
};

}  // namespace mamori::alerts
