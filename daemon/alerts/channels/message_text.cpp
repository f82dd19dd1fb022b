#include "daemon/alerts/channels/message_text.h"

#include <cstdint>

#include "collectors/http/host_allow_list.h"

namespace mamori::alerts {
namespace channels {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (overlong forms,
// surrogates and code points past U+10FFFF are invalid too).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

std::string or_default(const std::string& value, std::string_view fallback) {
  return value.empty() ? std::string(fallback) : value;
}

std::string status_hint(int status) {
  if (status == 401 || status == 403) return "認証情報または権限を確認してください";
  if (status == 404 || status == 410) return "URL が無効になっている可能性があります";
  if (status == 400 || status == 422) return "送信内容が受け付けられませんでした";
  if (status == 429) return "送信が制限されています";
  if (status >= 500) return "受信側の障害です";
  if (status >= 300 && status < 400) return "リダイレクトには従いません。URL を確認してください";
  return "";
}

std::string outcome_text(collectors::HttpOutcome outcome) {
  using collectors::HttpOutcome;
  switch (outcome) {
    case HttpOutcome::timeout:
      return "応答がありません (タイムアウト)";
    case HttpOutcome::connect_error:
      return "接続できません";
    case HttpOutcome::tls_error:
      return "TLS (証明書) のエラーです";
    case HttpOutcome::too_large:
      return "応答が大きすぎます";
    case HttpOutcome::cancelled:
      return "送信が中断されました (停止中)";
    case HttpOutcome::host_not_allowed:
      return "送信先ホストが許可リストにありません";
    case HttpOutcome::circuit_open:
      return "送信先が一時的に遮断されています";
    case HttpOutcome::rate_limited:
      return "送信が制限されています";
    case HttpOutcome::ok:
    case HttpOutcome::other_error:
      break;
  }
  return "通信エラーです";
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (n == 1) {
      const char c = text[i];
      const auto u = static_cast<unsigned char>(c);
      if (c == '\r') {
        // CRLF -> LF; a lone CR -> LF.
        if (i + 1 >= text.size() || text[i + 1] != '\n') out += '\n';
      } else if (u < 0x20 && c != '\n' && c != '\t') {
        out += ' ';
      } else if (u == 0x7F) {
        out += ' ';
      } else {
        out += c;
      }
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string truncate_chars(std::string_view text, std::size_t max_chars) {
  if (max_chars == 0) return "";
  std::size_t count = 0;
  std::size_t i = 0;
  std::size_t cut = std::string_view::npos;  // byte offset after max_chars - 1 code points
  while (i < text.size()) {
    if (count == max_chars - 1) cut = i;
    std::size_t n = utf8_sequence(text, i);
    if (n == 0) n = 1;
    i += n;
    ++count;
    if (count > max_chars) return std::string(text.substr(0, cut)) + "…";
  }
  return std::string(text);
}

std::string single_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string redact_url(std::string_view url) {
  const auto parts = collectors::parse_http_url(url);
  if (!parts || parts->host.empty()) return "(invalid URL)";
  const bool v6 = parts->host.find(':') != std::string::npos;
  return parts->scheme + "://" + (v6 ? "[" + parts->host + "]" : parts->host);
}

std::string kind_label(const AlertMessage& message) {
  switch (message.kind) {
    case AlertKind::trigger:
      return "新規";
    case AlertKind::escalate:
      return "未確認・第" + std::to_string(message.escalation_level) + "段階";
    case AlertKind::update:
      return "更新";
    case AlertKind::acknowledge:
      return "確認済み";
    case AlertKind::resolve:
      return "解決";
  }
  return "通知";
}

std::string headline(const AlertMessage& message) {
  const std::string severity = or_default(message.severity_label, message.severity);
  std::string title = message.title;
  if (title.empty()) {
    title = or_default(message.incident_type_label, "インシデント") + " (#" +
            std::to_string(message.incident_id) + ")";
  }
  std::string out;
  if (message.kind != AlertKind::trigger) out += "【" + kind_label(message) + "】";
  if (message.kind != AlertKind::acknowledge && message.kind != AlertKind::resolve &&
      !severity.empty()) {
    out += "【" + severity + "】";
  }
  out += title;
  return single_line(sanitize_utf8(out));
}

std::string plain_text(const AlertMessage& m) {
  std::string out = "[mamori] ";
  const std::string where = m.municipality.empty() ? "" : m.municipality + "の";
  switch (m.kind) {
    case AlertKind::trigger:
      out += where + "公式SNSアカウントでインシデントが発生しました。";
      break;
    case AlertKind::escalate:
      out += "次のインシデントがまだ確認されていません (第" + std::to_string(m.escalation_level) +
             "段階の通知)。";
      break;
    case AlertKind::update:
      out += "対応中のインシデントに更新があります。";
      break;
    case AlertKind::acknowledge:
      out += "次のインシデントは確認されました。";
      break;
    case AlertKind::resolve:
      out += "次のインシデントは解決しました。";
      break;
  }
  out += "\n\n";
  out += "件名: " + headline(m) + "\n";
  if (!m.incident_type_label.empty()) out += "種別: " + m.incident_type_label + "\n";
  const std::string severity = or_default(m.severity_label, m.severity);
  if (!severity.empty()) out += "重大度: " + severity + "\n";
  if (!m.occurred_at.empty()) out += "発生日時: " + m.occurred_at + "\n";
  if (!m.recipient_name.empty()) out += "宛先: " + m.recipient_name + " さん\n";
  if (!m.summary.empty()) out += "\n概要:\n" + m.summary + "\n";
  if (!m.first_step.empty() && m.kind != AlertKind::resolve) {
    out += "\n最初の対応: " + m.first_step + "\n";
  }
  if (!m.incident_url.empty()) out += "\nインシデントを開く: " + m.incident_url + "\n";
  if (!m.acknowledge_url.empty() &&
      (m.kind == AlertKind::trigger || m.kind == AlertKind::escalate ||
       m.kind == AlertKind::update)) {
    out += "確認した (ワンクリック): " + m.acknowledge_url + "\n";
  }
  out += "\nインシデント番号: #" + std::to_string(m.incident_id) + "\n";
  return sanitize_utf8(out);
}

std::string short_error_word(std::string_view body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) {
    body.remove_suffix(1);
  }
  if (body.empty() || body.size() > 64) return "";
  for (char c : body) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return "";
  }
  return std::string(body);
}

DeliveryResult result_from_http(const collectors::HttpResponse& response, std::string_view service,
                                std::string_view target) {
  using collectors::HttpOutcome;
  DeliveryResult r;
  r.status = response.status;
  const std::string where = " (" + std::string(target) + ")";
  if (response.outcome != HttpOutcome::ok) {
    r.delivered = false;
    // Refused before sending because of the configuration: retrying cannot help.
    r.retryable = response.outcome != HttpOutcome::host_not_allowed;
    r.detail = std::string(service) + ": " + outcome_text(response.outcome) + where;
    return r;
  }
  const int s = response.status;
  if (s >= 200 && s < 300) {
    r.delivered = true;
    r.retryable = false;
    r.detail = std::string(service) + "に送信しました (HTTP " + std::to_string(s) + ")";
    return r;
  }
  r.delivered = false;
  r.retryable = s == 408 || s == 429 || s >= 500;
  r.detail = std::string(service) + ": HTTP " + std::to_string(s) + where;
  const std::string hint = status_hint(s);
  if (!hint.empty()) r.detail += " " + hint;
  return r;
}

}  // namespace channels
}  // namespace mamori::alerts
