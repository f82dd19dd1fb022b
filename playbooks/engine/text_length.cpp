#include "playbooks/engine/text_length.h"

#include <cctype>

#include "playbooks/engine/utf8.h"

namespace mamori::playbooks {
namespace {

constexpr std::size_t kUrlWeight = 23;

bool starts_url(std::string_view text, std::size_t pos) {
  const std::string_view rest = text.substr(pos);
  return rest.starts_with("http://") || rest.starts_with("https://");
}

// A URL runs to the next ASCII whitespace or the first non-ASCII character (Japanese text
// follows URLs without a space: "…はこちら https://example.jp/a。").
std::size_t url_end(std::string_view text, std::size_t pos) {
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c <= 0x20 || c >= 0x80) break;
    ++pos;
  }
  return pos;
}

bool x_light(char32_t cp) {
  return cp <= 0x10FF || (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2010 && cp <= 0x201F) ||
         (cp >= 0x2032 && cp <= 0x2037);
}

bool extends_cluster(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x3099 || cp == 0x309A ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) ||
         (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F) || cp == 0x200D;
}

bool regional_indicator(char32_t cp) {
  return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

}  // namespace

std::size_t x_weighted_length(std::string_view text) {
  std::size_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (starts_url(text, pos)) {
      pos = url_end(text, pos);
      total += kUrlWeight;
      continue;
    }
    const char32_t cp = utf8::next(text, pos);
    total += x_light(cp) ? 1 : 2;
  }
  return total;
}

std::size_t codepoint_count(std::string_view text) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    utf8::next(text, pos);
    ++n;
  }
  return n;
}

// Extended grapheme clusters, approximately: only joins that UAX #29 also makes (combining and
// enclosing marks, dakuten, variation selectors, skin tones, ZWJ sequences, tags, flag pairs,
// CR LF), so the result is never below the true count.
std::size_t grapheme_count(std::string_view text) {
  std::size_t n = 0;
  std::size_t pos = 0;
  char32_t prev = 0;
  bool after_zwj = false;
  bool ri_open = false;  // a regional indicator waiting for its pair
  while (pos < text.size()) {
    const char32_t cp = utf8::next(text, pos);
    bool joins = n > 0 && (extends_cluster(cp) || after_zwj || (prev == '\r' && cp == '\n'));
    if (regional_indicator(cp)) {
      if (ri_open && n > 0) {
        joins = true;
        ri_open = false;
      } else {
        ri_open = !joins;
      }
    } else {
      ri_open = false;
    }
    after_zwj = cp == 0x200D;
    if (!joins) ++n;
    prev = cp;
  }
  return n;
}

std::size_t mastodon_post_length(std::string_view text) {
  std::size_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (starts_url(text, pos)) {
      pos = url_end(text, pos);
      total += kUrlWeight;
      continue;
    }
    // "@user@domain" counts as "@user"; the domain part is skipped.
    if (text[pos] == '@' && (pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\n')) {
      std::size_t p = pos + 1;
      while (p < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[p])) != 0 || text[p] == '_')) {
        ++p;
      }
      if (p > pos + 1 && p < text.size() && text[p] == '@') {
        std::size_t q = p + 1;
        while (q < text.size() && (std::isalnum(static_cast<unsigned char>(text[q])) != 0 ||
                                   text[q] == '.' || text[q] == '-')) {
          ++q;
        }
        if (q > p + 1) {
          total += p - pos;
          pos = q;
          continue;
        }
      }
    }
    utf8::next(text, pos);
    ++total;
  }
  return total;
}

LengthMeasure measure(LengthLimit limit, std::string_view text) {
  LengthMeasure m;
  m.limit = limit;
  m.max = max_length(limit);
  switch (limit) {
    case LengthLimit::x_post:
      m.count = x_weighted_length(text);
      break;
    case LengthLimit::bluesky_post:
    case LengthLimit::bluesky_report:
      m.count = grapheme_count(text);
      break;
    case LengthLimit::mastodon_post:
      m.count = mastodon_post_length(text);
      break;
    case LengthLimit::mastodon_report:
      m.count = codepoint_count(text);
      break;
  }
  return m;
}

}  // namespace mamori::playbooks
