// What every channel shares: the Japanese wording of an alert, UTF-8 hygiene for untrusted
// text, URL redaction for logs and timelines, and how an HTTP outcome becomes a DeliveryResult.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "collectors/http/http_client.h"
#include "daemon/alerts/channel.h"

namespace mamori::alerts::channels {

// Invalid UTF-8 sequences replaced by U+FFFD, so a receiver never rejects the payload (Slack
// and Teams answer 400 to invalid UTF-8, which would lose the alert). Control characters other
// than '\n' and '\t' become spaces.
std::string sanitize_utf8(std::string_view text);

// At most `max_chars` code points; when cut, the last one is "…". Expects valid UTF-8.
std::string truncate_chars(std::string_view text, std::size_t max_chars);

// One line: CR/LF and tabs collapsed to single spaces (subjects, headers, titles).
std::string single_line(std::string_view text);

// "https://hooks.slack.com" from a webhook URL whose path is a secret; "(invalid URL)" when it
// does not parse. The only form in which a configured URL may reach a log or a DeliveryResult.
std::string redact_url(std::string_view url);

// The kind as staff read it: 新規, 再通知 (第2段階), 更新, 確認済み, 解決.
std::string kind_label(const AlertMessage& message);

// "【緊急】成りすましの疑い: @soma__city (X)" with a kind prefix for non-trigger alerts
// ("【確認済み】…"). Sanitized, one line.
std::string headline(const AlertMessage& message);

// The whole alert as plain text (e-mail body, LINE WORKS, Slack fallback, webhook "text"):
// what happened, severity, first playbook step, incident link, acknowledge link when given.
std::string plain_text(const AlertMessage& message);

// The body when it is one short error word such as Slack's "invalid_payload" or
// "channel_not_found" (letters, digits, '_', '-', '.', at most 64); otherwise "".
std::string short_error_word(std::string_view body);

// HTTP response -> DeliveryResult. 2xx delivered; 408, 429, 5xx, timeouts and transport
// errors retryable; other statuses (bad URL, revoked webhook, malformed payload) not.
// `service` names the receiver in the detail ("Slack"); `target` must already be redacted.
DeliveryResult result_from_http(const collectors::HttpResponse& response, std::string_view service,
                                std::string_view target);

}  // namespace mamori::alerts::channels
