#include "daemon/alerts/channels/mime_message.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <ctime>

#include "daemon/alerts/channels/message_text.h"
#include "model/time_text.h"

namespace mamori::alerts::channels {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                            (static_cast<unsigned char>(in[i + 1]) << 8) |
                            static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Bytes in the UTF-8 character starting with `lead` (1 for anything that is not a lead byte,
// so invalid input still advances).
std::size_t char_bytes(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  return 1;
}

bool printable_ascii(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) return false;
  }
  return true;
}

std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n')
      out += "\r\n";
    else
      out += text[i];
  }
  return out;
}

}  // namespace

bool valid_mail_address(std::string_view a) {
  if (a.size() < 3 || a.size() > 254) return false;
  const auto at = a.find('@');
  if (at == std::string_view::npos || at == 0 || a.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : a) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
    if (std::string_view("<>()[]\\,;:\"").find(c) != std::string_view::npos) return false;
  }
  const std::string_view domain = a.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return false;
  }
  return a.substr(0, at).size() <= 64;
}

std::string encode_header_text(std::string_view utf8) {
  if (printable_ascii(utf8) && utf8.size() <= 60) return std::string(utf8);
  // 42 bytes -> 56 base64 characters -> a 68-character word, which fits the 78-column line
  // limit even after "Subject: ".
  constexpr std::size_t kChunk = 42;
  std::string out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::size_t end = i;
    while (end < utf8.size()) {
      std::size_t n = char_bytes(static_cast<unsigned char>(utf8[end]));
      if (end + n > utf8.size()) n = utf8.size() - end;
      if (end + n - i > kChunk) break;
      end += n;
    }
    if (end == i) end = i + 1;  // cannot happen with kChunk >= 4; guards the loop
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(utf8.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string mail_date(std::chrono::system_clock::time_point t) {
  static const std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // JST is UTC+9 all year: shifting and formatting as UTC gives the local wall clock.
  const auto local = std::chrono::floor<std::chrono::seconds>(t) + model::kJstOffset;
  const std::time_t tt = std::chrono::system_clock::to_time_t(local);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0900", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string mail_message_id(std::string_view key, std::string_view domain) {
  bool safe = !key.empty() && key.size() <= 96 && key.front() != '.' && key.back() != '.' &&
              key.find("..") == std::string_view::npos;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    safe = safe && ok;
  }
  std::string local;
  if (safe) {
    local = std::string(key);
  } else {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    local = hex;
  }
  return "<mamori." + local + "@" + std::string(domain) + ">";
}

std::string base64_lines(std::string_view bytes) {
  const std::string b64 = base64(bytes);
  std::string out;
  out.reserve(b64.size() + b64.size() / 76 * 2 + 2);
  for (std::size_t i = 0; i < b64.size(); i += 76) {
    out += b64.substr(i, 76);
    out += "\r\n";
  }
  return out;
}

std::string build_mail(const MailContent& m) {
  std::string out;
  auto header = [&](std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  };
  header("Date", mail_date(m.date));
  const std::string from_name = single_line(sanitize_utf8(m.from_name));
  header("From", from_name.empty() ? "<" + m.from_address + ">"
                                   : encode_header_text(from_name) + " <" + m.from_address + ">");
  std::string to;
  for (const auto& a : m.to) {
    if (!to.empty()) to += ",\r\n ";
    to += a;
  }
  header("To", to);
  header("Subject", encode_header_text(single_line(sanitize_utf8(m.subject))));
  header("Message-ID", m.message_id);
  if (!m.references.empty()) {
    header("In-Reply-To", m.references);
    header("References", m.references);
  }
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=UTF-8");
  header("Content-Transfer-Encoding", "base64");
  // RFC 3834: vacation responders must not answer an alert.
  header("Auto-Submitted", "auto-generated");
  for (const auto& [k, v] : m.extra_headers) header(k, single_line(v));
  out += "\r\n";
  out += base64_lines(crlf(sanitize_utf8(m.body)));
  return out;
}

}  // namespace mamori::alerts::channels
