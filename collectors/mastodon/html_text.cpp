#include "collectors/mastodon/html_text.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <utility>

#include "model/text.h"

namespace mamori::collectors::mastodon {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

struct NamedEntity {
  std::string_view name;
  std::string_view utf8;
};

// The references Mastodon and common fediverse servers emit; others stay as written.
constexpr std::array<NamedEntity, 24> kEntities = {{
    {"amp", "&"},
    {"lt", "<"},
    {"gt", ">"},
    {"quot", "\""},
    {"apos", "'"},
    {"nbsp", "\xC2\xA0"},
    {"hellip", "\xE2\x80\xA6"},
    {"mdash", "\xE2\x80\x94"},
    {"ndash", "\xE2\x80\x93"},
    {"lsquo", "\xE2\x80\x98"},
    {"rsquo", "\xE2\x80\x99"},
    {"ldquo", "\xE2\x80\x9C"},
    {"rdquo", "\xE2\x80\x9D"},
    {"laquo", "\xC2\xAB"},
    {"raquo", "\xC2\xBB"},
    {"middot", "\xC2\xB7"},
    {"times", "\xC3\x97"},
    {"copy", "\xC2\xA9"},
    {"reg", "\xC2\xAE"},
    {"trade", "\xE2\x84\xA2"},
    {"yen", "\xC2\xA5"},
    {"bull", "\xE2\x80\xA2"},
    {"zwj", "\xE2\x80\x8D"},
    {"zwnj", "\xE2\x80\x8C"},
}};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}
char lower(char c) {
  return model::ascii_lower(c);
}

void append_code_point(char32_t cp, std::string& out) {
  const bool bad = cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF ||
                   (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
                   (cp >= 0x7F && cp <= 0x9F);
  if (bad) {
    out += kReplacement;
  } else {
    model::append_utf8(out, cp);
  }
}

// Decodes the character reference starting at s[pos] == '&' into `out`; returns the number of
// bytes consumed, or 0 when it is not a reference (the '&' is then text).
std::size_t decode_reference(std::string_view s, std::size_t pos, std::string& out) {
  std::size_t i = pos + 1;
  if (i < s.size() && s[i] == '#') {
    ++i;
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    char32_t value = 0;
    std::size_t digits = 0;
    bool overflow = false;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      int d = -1;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (hex && c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (hex && c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        break;
      }
      if (value > 0x10FFFF) {
        overflow = true;
      } else {
        value = value * (hex ? 16 : 10) + static_cast<char32_t>(d);
      }
      ++digits;
    }
    if (digits == 0 || i >= s.size() || s[i] != ';') return 0;
    append_code_point(overflow ? 0x110000 : value, out);
    return i + 1 - pos;
  }
  std::size_t end = i;
  while (end < s.size() && end - i < 10 && is_alnum(s[end])) ++end;
  if (end == i || end >= s.size() || s[end] != ';') return 0;
  const std::string_view name = s.substr(i, end - i);
  for (const auto& e : kEntities) {
    if (e.name == name) {
      out += e.utf8;
      return end + 1 - pos;
    }
  }
  return 0;
}

std::string decode_attribute(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] == '&') {
      if (const std::size_t n = decode_reference(raw, i, out)) {
        i += n;
        continue;
      }
    }
    const auto b = static_cast<unsigned char>(raw[i]);
    const bool c1 = b == 0xC2 && i + 1 < raw.size() &&
                    static_cast<unsigned char>(raw[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(raw[i + 1]) <= 0x9F;
    if (b < 0x20 || b == 0x7F || c1) {
      out += kReplacement;  // raw control characters never reach a link or class
      i += c1 ? 2 : 1;
      continue;
    }
    out.push_back(raw[i]);
    ++i;
  }
  return out;
}

bool contains_word(std::string_view list, std::string_view word) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_space(list[i])) ++i;
    std::size_t j = i;
    while (j < list.size() && !is_space(list[j])) ++j;
    if (j > i) {
      const std::string_view token = list.substr(i, j - i);
      if (token.size() == word.size() &&
          std::equal(token.begin(), token.end(), word.begin(),
                     [](char a, char b) { return lower(a) == lower(b); })) {
        return true;
      }
    }
    i = j;
  }
  return false;
}

bool equals_ci(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(),
                    [](char a, char b) { return lower(a) == lower(b); });
}

struct Tag {
  std::string name;  // lower case
  bool closing = false;
  std::string href;
  std::string klass;
  std::string rel;
  std::size_t end = 0;  // index just past '>'
};

// Parses the tag starting at s[pos] == '<'; nullopt if the tag never ends (the rest of the input
// is then inside a tag, and dropped as a browser would).
std::optional<Tag> parse_tag(std::string_view s, std::size_t pos) {
  Tag tag;
  std::size_t i = pos + 1;
  if (i < s.size() && s[i] == '/') {
    tag.closing = true;
    ++i;
  }
  while (i < s.size() && is_alnum(s[i])) tag.name.push_back(lower(s[i++]));
  while (i < s.size()) {
    while (i < s.size() && (is_space(s[i]) || s[i] == '/')) ++i;
    if (i >= s.size()) break;
    if (s[i] == '>') {
      tag.end = i + 1;
      return tag;
    }
    const std::size_t name_start = i;
    while (i < s.size() && !is_space(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/') ++i;
    const std::string_view attr = s.substr(name_start, i - name_start);
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') continue;
    ++i;
    while (i < s.size() && is_space(s[i])) ++i;
    std::string_view value;
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      const char quote = s[i++];
      const std::size_t close = s.find(quote, i);
      if (close == std::string_view::npos) return std::nullopt;
      value = s.substr(i, close - i);
      i = close + 1;
    } else {
      const std::size_t start = i;
      while (i < s.size() && !is_space(s[i]) && s[i] != '>') ++i;
      value = s.substr(start, i - start);
    }
    // Only an anchor's attributes matter (links); other tags' are skipped without copying.
    if (tag.name != "a") continue;
    if (equals_ci(attr, "href")) {
      tag.href = decode_attribute(value);
    } else if (equals_ci(attr, "class")) {
      tag.klass = decode_attribute(value);
    } else if (equals_ci(attr, "rel")) {
      tag.rel = decode_attribute(value);
    }
  }
  return std::nullopt;
}

bool is_raw_text_element(std::string_view name) {
  return name == "script" || name == "style" || name == "template" || name == "textarea" ||
         name == "iframe" || name == "object" || name == "noscript" || name == "title" ||
         name == "xmp" || name == "noembed" || name == "noframes";
}

int break_weight(std::string_view name) {
  if (name == "p" || name == "blockquote") return 2;
  if (name == "div" || name == "li" || name == "ul" || name == "ol" || name == "pre" ||
      name == "tr" || name == "table" || name == "h1" || name == "h2" || name == "h3" ||
      name == "h4" || name == "h5" || name == "h6" || name == "hr") {
    return 1;
  }
  return 0;
}

// C0 controls other than whitespace, DEL, and C1 controls (U+0080..U+009F, encoded C2 80..9F).
bool is_control(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x20) return !is_space(s[i]);
  if (b == 0x7F) return true;
  return b == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
         static_cast<unsigned char>(s[i + 1]) <= 0x9F;
}

class TextWriter {
 public:
  void reserve(std::size_t n) { out_.reserve(n); }
  void text(std::string_view piece) {
    const std::size_t n = piece.size();
    std::size_t i = 0;
    while (i < n) {
      if (is_space(piece[i])) {
        pending_space_ = true;
        ++i;
        continue;
      }
      flush();
      if (is_control(piece, i)) {
        out_ += kReplacement;  // raw control characters never reach the text
        i += static_cast<unsigned char>(piece[i]) == 0xC2 ? 2 : 1;
        continue;
      }
      // Copy the run up to the next space or control character at once.
      std::size_t j = i + 1;
      while (j<n&& static_cast<unsigned char>(piece[j])> 0x20 && !is_control(piece, j)) ++j;
      out_.append(piece.data() + i, j - i);
      i = j;
    }
  }
  void line_break() {
    if (pending_break_ == 0) {
      while (!out_.empty() && out_.back() == ' ') out_.pop_back();
      out_.push_back('\n');
    }
    pending_space_ = false;
  }
  void block(int weight) { pending_break_ = std::max(pending_break_, weight); }
  std::string finish() {
    const std::size_t end = out_.find_last_not_of(" \n");
    out_.erase(end == std::string::npos ? 0 : end + 1);
    const std::size_t start = out_.find_first_not_of(" \n");
    out_.erase(0, start == std::string::npos ? out_.size() : start);
    return std::move(out_);
  }

 private:
  void flush() {
    if (pending_break_ > 0) {
      if (!out_.empty()) {
        while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n')) out_.pop_back();
        out_ += pending_break_ == 2 ? "\n\n" : "\n";
      }
      pending_break_ = 0;
    } else if (pending_space_ && !out_.empty() && out_.back() != '\n' && out_.back() != ' ') {
      out_.push_back(' ');
    }
    pending_space_ = false;
  }

  std::string out_;
  int pending_break_ = 0;
  bool pending_space_ = false;
};

}  // namespace

HtmlText html_to_text(std::string_view s) {
  HtmlText result;
  TextWriter writer;
  writer.reserve(s.size());
  std::string decoded;
  std::size_t i = 0;
  std::size_t text_start = 0;
  const auto flush_text = [&](std::size_t end) {
    if (end > text_start) writer.text(s.substr(text_start, end - text_start));
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '&') {
      decoded.clear();
      if (const std::size_t n = decode_reference(s, i, decoded)) {
        flush_text(i);
        writer.text(decoded);
        i += n;
        text_start = i;
        continue;
      }
      ++i;
      continue;
    }
    if (c != '<') {
      ++i;
      continue;
    }
    // '<' starts markup only before a letter, '/', '!' or '?'; otherwise it is text ("a < b").
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (!is_alpha(next) && next != '/' && next != '!' && next != '?') {
      ++i;
      continue;
    }
    flush_text(i);
    if (next == '!' || next == '?') {
      const bool comment = s.substr(i, 4) == "<!--";
      const std::size_t close = comment ? s.find("-->", i + 4) : s.find('>', i);
      i = close == std::string_view::npos ? s.size() : close + (comment ? 3 : 1);
      text_start = i;
      continue;
    }
    const auto tag = parse_tag(s, i);
    if (!tag) {
      i = s.size();
      text_start = i;
      break;
    }
    i = tag->end;
    text_start = i;
    if (tag->name.empty()) continue;
    if (tag->name == "br") {
      writer.line_break();
    } else if (const int weight = break_weight(tag->name)) {
      writer.block(weight);
    } else if (!tag->closing && is_raw_text_element(tag->name)) {
      // Skip to the matching end tag; its contents are never text.
      std::size_t j = i;
      for (;;) {
        j = s.find("</", j);
        if (j == std::string_view::npos) {
          i = s.size();
          break;
        }
        if (starts_with_ci(s.substr(j + 2), tag->name)) {
          const std::size_t close = s.find('>', j);
          i = close == std::string_view::npos ? s.size() : close + 1;
          break;
        }
        j += 2;
      }
      text_start = i;
    } else if (tag->name == "a" && !tag->closing) {
      const bool link =
          (starts_with_ci(tag->href, "https://") || starts_with_ci(tag->href, "http://")) &&
          !contains_word(tag->klass, "mention") && !contains_word(tag->klass, "hashtag") &&
          !contains_word(tag->rel, "tag");
      if (link &&
          std::find(result.links.begin(), result.links.end(), tag->href) == result.links.end()) {
        result.links.push_back(tag->href);
      }
    }
  }
  flush_text(i);
  result.text = writer.finish();
  return result;
}

}  // namespace mamori::collectors::mastodon
