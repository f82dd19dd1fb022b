// The [alerts] part of mamori.toml: channels, people, rotations, overrides and escalation
// policies, read into typed structs once (credentials resolved, keys parsed, cross references
// checked) with diagnostics naming file, line, key and what was expected, like
// daemon/config/config.cpp. docs/ja/alerts.md describes every key.
//
//   [alerts.channels.NAME]   kind = "slack" | "teams" | "lineworks" | "email" | "pagerduty" |
//   "webhook"
//   [[alerts.people]]        id, name, contacts = [{ channel, address }]
//   [[alerts.rotations]]     name, shift = "daily"|"weekly", start, handover, members
//   [[alerts.overrides]]     rotation, person, start, end, reason
//   [[alerts.policies]]      name, severities, repeat, [[alerts.policies.levels]] targets,
//   escalate_after
//   [[alerts.routes]]        departments, types, severities, policy
//
// A municipality served by the instance may have on-call of its own, under its table in the
// main configuration ([municipality.alerts] or [municipalities.alerts]): rotations, overrides,
// policies and routes with the keys above, its people and channels being [alerts]'s. Its
// incidents then follow its own policies; a municipality without policies of its own follows
// [alerts]'s (docs/ja/operations.md chapter 13).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/alerts/channels/email_channel.h"
#include "daemon/alerts/channels/lineworks_channel.h"
#include "daemon/alerts/channels/pagerduty_channel.h"
#include "daemon/alerts/channels/slack_channel.h"
#include "daemon/alerts/channels/teams_channel.h"
#include "daemon/alerts/channels/webhook_channel.h"
#include "daemon/alerts/oncall/oncall.h"
#include "daemon/config/config.h"

namespace mamori::alerts {

struct ChannelConfig {
  std::string name;
  std::variant<channels::SlackChannelOptions, channels::TeamsChannelOptions,
               channels::LineWorksChannelOptions, channels::EmailChannelOptions,
               channels::PagerDutyChannelOptions, channels::WebhookChannelOptions>
      options;
  // Whether an acknowledged / resolved incident is announced here too. PagerDuty: on by
  // default (its alert is closed with the same dedup_key); other kinds: off unless configured
  // (`notify_acknowledge` / `notify_resolve`), and then as a short message.
  bool notify_acknowledge = false;
  bool notify_resolve = false;
  std::string_view kind() const;  // "slack", "teams", …
  // The hosts this channel sends to (for the alert HTTP client's allow-list); empty for e-mail.
  std::vector<std::string> http_hosts() const;
};

// What alerts need to know of one municipality (Municipality::id -> this).
struct MunicipalityAlerts {
  std::string name;  // 相馬市, in the messages about its incidents
  // Whether it has policies of its own; `oncall` is then its rotations, overrides, policies and
  // routes with [alerts]'s people, rotations and overrides (its policies may name either).
  bool own_oncall = false;
  oncall::OnCallConfig oncall;
};

struct AlertsConfig {
  std::vector<ChannelConfig> channels;
  oncall::OnCallConfig oncall;  // [alerts]: the instance's on-call
  std::map<std::string, MunicipalityAlerts> municipalities;
  // [alerts] link_secret (a credential reference, at least 32 bytes) signs the one-click
  // acknowledge links in messages; without it messages carry no such link.
  std::optional<config::Secret> link_secret;
  std::chrono::seconds link_valid_for{24 * 3600};  // [alerts] link_valid_for
  // Delivery retries ([alerts] retry_backoff, retry_backoff_max, give_up_after): the wait after
  // the n-th failed attempt is retry_backoff * 2^(n-1), at most retry_backoff_max, with ±25 %
  // jitter; an alert still undelivered give_up_after after it was queued is given up.
  std::chrono::seconds retry_backoff{5};
  std::chrono::seconds retry_backoff_max{600};
  std::chrono::seconds give_up_after{3600};
  const ChannelConfig* channel(std::string_view name) const;
  // The on-call that pages for an incident of `municipality`: its own, else [alerts]'s.
  const oncall::OnCallConfig& oncall_for(std::string_view municipality) const;
};

struct AlertsLoadResult {
  std::optional<AlertsConfig> config;
  std::vector<config::Diagnostic> errors;
  bool ok() const { return config.has_value() && errors.empty(); }
  std::string error_text() const;  // one diagnostic per line
};

// Reads only the [alerts] table of the document (other tables are the main loader's); a
// document without [alerts] gives an empty, valid AlertsConfig.
AlertsLoadResult load_alerts_file(
    const std::filesystem::path& path,
    const config::CredentialSource& credentials = config::CredentialSource::from_environment());
AlertsLoadResult load_alerts_string(
    std::string_view toml, const std::string& source_name,
    const config::CredentialSource& credentials = config::CredentialSource::from_environment());

}  // namespace mamori::alerts
