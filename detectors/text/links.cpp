#include "detectors/text/links.h"

#include <algorithm>
#include <type_traits>

namespace mamori::detectors::text {
namespace {

// A unit of the searched text as a code point: a byte of a multi-byte UTF-8 sequence (0x80 and
// above) is, like the code point it belongs to, never part of a link.
template <class Char>
char32_t at(std::basic_string_view<Char> s, std::size_t i) {
  return static_cast<char32_t>(static_cast<std::make_unsigned_t<Char>>(s[i]));
}

bool is_ascii_alpha(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}

bool is_ascii_digit(char32_t c) {
  return c >= U'0' && c <= U'9';
}

bool is_url_char(char32_t c) {
  if (c > 0x7E || c <= 0x20) return false;
  switch (c) {
    case U'"':
    case U'<':
    case U'>':
    case U'\\':
    case U'^':
    case U'`':
    case U'{':
    case U'|':
    case U'}':
    case U'(':
    case U')':
    case U'[':
    case U']':
    case U'\'':
      return false;
    default:
      return true;
  }
}

bool is_host_char(char32_t c) {
  return is_ascii_alpha(c) || is_ascii_digit(c) || c == U'-' || c == U'.';
}

// Trailing sentence punctuation is not part of a link.
bool is_trailing_punctuation(char32_t c) {
  return c == U'.' || c == U',' || c == U'!' || c == U'?';
}

template <class Char>
bool starts_with_ascii(std::basic_string_view<Char> s, std::size_t i, std::string_view p) {
  if (s.size() < i + p.size()) return false;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (at(s, i + k) != static_cast<char32_t>(p[k])) return false;
  }
  return true;
}

// A bare domain link such as "bit.ly/abc" or "wakaba-bokin.jp": labels of [a-z0-9-] joined by
// dots, the last one alphabetic (so "3.5" or "1.500" are not links).
template <class Char>
std::size_t bare_domain_end(std::basic_string_view<Char> s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size() && is_host_char(at(s, j))) ++j;
  if (j == i) return i;
  std::size_t dot = j;
  while (dot > i && at(s, dot - 1) != U'.') --dot;
  if (dot == i) return i;  // no dot
  --dot;                   // the last dot
  if (dot == i || dot + 3 > j) return i;
  for (std::size_t k = dot + 1; k < j; ++k) {
    if (!is_ascii_alpha(at(s, k))) return i;
  }
  if (at(s, i) == U'.' || at(s, i) == U'-') return i;
  std::size_t k = j;
  while (k < s.size() && is_url_char(at(s, k))) ++k;
  while (k > j && is_trailing_punctuation(at(s, k - 1))) --k;
  return k;
}

template <class Char>
std::vector<LinkSpan> find(std::basic_string_view<Char> s) {
  std::vector<LinkSpan> out;
  const auto word_char = [](char32_t c) { return is_host_char(c) || c == U'@' || c == U'_'; };
  std::size_t i = 0;
  while (i < s.size()) {
    const char32_t c = at(s, i);
    if (c > 0x7E) {  // never in a link (most of a Japanese reply)
      ++i;
      continue;
    }
    std::size_t end = i;
    if (starts_with_ascii(s, i, "http://") || starts_with_ascii(s, i, "https://")) {
      while (end < s.size() && is_url_char(at(s, end))) ++end;
      while (end > i && is_trailing_punctuation(at(s, end - 1))) --end;
    } else if (is_ascii_alpha(c) || is_ascii_digit(c)) {
      // A bare domain starts at a word boundary (not inside an e-mail or a longer token).
      if (i == 0 || !word_char(at(s, i - 1))) end = bare_domain_end(s, i);
    }
    if (end > i) {
      out.push_back(LinkSpan{i, end});
      i = end;
    } else if (word_char(c)) {
      // Skip the rest of an ASCII word so that "abc.def" inside "xabc.def" is not taken.
      while (i < s.size() && word_char(at(s, i))) ++i;
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace

std::vector<LinkSpan> find_links(std::u32string_view nfkc) {
  return find(nfkc);
}

std::vector<LinkSpan> find_links(std::string_view nfkc_utf8) {
  return find(nfkc_utf8);
}

}  // namespace mamori::detectors::text
