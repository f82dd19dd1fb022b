#include "detectors/text/html_page.h"

#include <unicode/ucnv.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>

#include "model/text.h"

namespace mamori::detectors::text {
namespace {

std::string lower_ascii(std::string_view s) {
  return model::ascii_lower(s);
}

// Position of `lower` (lower-case ASCII) in `s` from `from`, ignoring ASCII case.
std::size_t find_ascii_ci(std::string_view s, std::string_view lower, std::size_t from) {
  if (lower.empty() || s.size() < lower.size()) return std::string_view::npos;
  for (std::size_t i = from; i + lower.size() <= s.size(); ++i) {
    std::size_t k = 0;
    while (k < lower.size() && model::ascii_lower(s[i + k]) == lower[k]) ++k;
    if (k == lower.size()) return i;
  }
  return std::string_view::npos;
}

// NUL is not a character an HTML reference may produce (U+FFFD instead), as the standard says.
void append_utf8(std::string& out, std::uint32_t cp) {
  model::append_utf8(out, cp == 0 ? char32_t{0xFFFD} : static_cast<char32_t>(cp));
}

// Decodes the character reference starting at s[i] == '&'; returns the characters consumed
// (0 when it is not one we know, and the '&' is kept as is).
std::size_t decode_reference(std::string_view s, std::size_t i, std::string& out) {
  // The longest reference decoded here ("&#x10FFFF;" with leading zeros) has at most 12
  // characters between '&' and ';': look no further, so a hostile page of '&' without ';'
  // costs linear time, not quadratic.
  constexpr std::size_t kMaxReference = 12;
  const std::size_t found = s.substr(i, kMaxReference + 1).find(';');
  if (found == std::string_view::npos) return 0;
  const std::size_t semi = i + found;
  const std::string_view name = s.substr(i + 1, semi - i - 1);
  if (!name.empty() && name[0] == '#') {
    std::uint32_t cp = 0;
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (char ch : digits) {
      const int v = std::isdigit(static_cast<unsigned char>(ch)) != 0 ? ch - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(ch)) != 0
                        ? std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10
                        : -1;
      if (v < 0) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
      if (cp > 0x10FFFF) return 0;
    }
    append_utf8(out, cp);
    return semi - i + 1;
  }
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  for (const auto& [n, v] : kNamed) {
    if (name == n) {
      out += v;
      return semi - i + 1;
    }
  }
  return 0;
}

}  // namespace

// "text/html; charset=Shift_JIS" -> "shift_jis"; also reads a <meta charset> / http-equiv.
std::string page_charset(std::string_view body, std::string_view content_type) {
  const auto from = [](std::string_view s) -> std::string {
    const std::string l = lower_ascii(s);
    auto pos = l.find("charset=");
    if (pos == std::string::npos) return {};
    pos += 8;
    while (pos < l.size() && (l[pos] == '"' || l[pos] == '\'' || l[pos] == ' ')) ++pos;
    std::size_t end = pos;
    while (end < l.size() && (std::isalnum(static_cast<unsigned char>(l[end])) != 0 ||
                              l[end] == '-' || l[end] == '_')) {
      ++end;
    }
    return l.substr(pos, end - pos);
  };
  std::string cs = from(content_type);
  if (cs.empty()) cs = from(body.substr(0, std::min<std::size_t>(body.size(), 4096)));
  return cs;
}

// Converts to UTF-8 with ICU; an unknown charset leaves the bytes as they are (a later
// comparison then simply finds nothing, which is the safe outcome for a check).
std::string page_to_utf8(std::string_view body, const std::string& charset) {
  if (charset.empty() || charset == "utf-8" || charset == "utf8" || charset == "us-ascii")
    return std::string(body);
  if (body.size() > static_cast<std::size_t>(INT32_MAX / 4)) return std::string(body);
  UErrorCode status = U_ZERO_ERROR;
  const auto length = static_cast<int32_t>(body.size());
  const int32_t needed =
      ucnv_convert("UTF-8", charset.c_str(), nullptr, 0, body.data(), length, &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return std::string(body);
  std::string out(static_cast<std::size_t>(needed), '\0');
  status = U_ZERO_ERROR;
  ucnv_convert("UTF-8", charset.c_str(), out.data(), needed, body.data(), length, &status);
  if (U_FAILURE(status)) return std::string(body);
  return out;
}

std::string decode_html_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '&') {
      if (const std::size_t used = decode_reference(s, i, out); used > 0) {
        i += used;
        continue;
      }
    }
    out += s[i];
    ++i;
  }
  return out;
}

std::string page_text(std::string_view body, std::string_view content_type) {
  const std::string utf8 = page_to_utf8(body, page_charset(body, content_type));
  std::string out;
  out.reserve(utf8.size());
  const std::string_view s(utf8);
  std::size_t i = 0;
  while (i < s.size()) {
    const char ch = s[i];
    if (ch == '<') {
      // Skip the tag; <script> and <style> with their contents, and comments.
      if (s.compare(i, 4, "<!--") == 0) {
        const auto end = s.find("-->", i + 4);
        i = end == std::string_view::npos ? s.size() : end + 3;
        continue;
      }
      const auto close = s.find('>', i + 1);
      if (close == std::string_view::npos) break;
      const std::string tag = lower_ascii(s.substr(i + 1, std::min<std::size_t>(close - i - 1, 8)));
      i = close + 1;
      for (const char* raw : {"script", "style"}) {
        const std::string_view name(raw);
        if (tag.rfind(name, 0) == 0 &&
            (tag.size() == name.size() ||
             !std::isalnum(static_cast<unsigned char>(tag[name.size()])))) {
          const auto end = find_ascii_ci(s, "</" + std::string(name), i);
          i = end == std::string_view::npos ? s.size() : end;
        }
      }
      out += ' ';
      continue;
    }
    if (ch == '&') {
      if (const std::size_t used = decode_reference(s, i, out); used > 0) {
        i += used;
        continue;
      }
    }
    out += ch;
    ++i;
  }
  return out;
}

}  // namespace mamori::detectors::text
