#include "detectors/integrity/url_scan.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "model/text.h"

namespace mamori::detectors::integrity {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && model::iequals_ascii(s.substr(0, prefix.size()), prefix);
}

// ASCII characters that may appear inside a URL as people paste them. Non-ASCII (、。「」 and
// full-width spaces) ends a URL: Japanese text glues them straight onto links.
bool url_char(unsigned char c) {
  if (c >= 0x80 || c <= 0x20) return false;
  switch (c) {
    case '"':
    case '<':
    case '>':
    case '\\':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
      return false;
    default:
      return true;
  }
}

constexpr std::array<std::string_view, 38> kShorteners = {
    "bit.ly",    "bitly.com",   "t.ly",       "tinyurl.com", "ow.ly",   "is.gd",      "v.gd",
    "buff.ly",   "goo.gl",      "rebrand.ly", "cutt.ly",     "x.gd",    "amzn.to",    "amzn.asia",
    "tiny.cc",   "shorturl.at", "rb.gy",      "s.id",        "lnkd.in", "dlvr.it",    "ift.tt",
    "shorte.st", "adf.ly",      "bl.ink",     "soo.gd",      "clck.ru", "qr.paps.jp", "urx.blue",
    "urx.red",   "urx.nu",      "00m.in",     "u0u.jp",      "onl.bz",  "onl.la",     "onl.sc",
    "tr.ee",     "linkr.bio",   "forms.gle"};

}  // namespace

std::vector<std::string> extract_urls(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    std::size_t scheme = 0;
    if (starts_with_ci(rest, "https://"))
      scheme = 8;
    else if (starts_with_ci(rest, "http://"))
      scheme = 7;
    if (scheme == 0) {
      ++i;
      continue;
    }
    std::size_t j = i + scheme;
    while (j < text.size() && url_char(static_cast<unsigned char>(text[j]))) ++j;
    std::string_view url = text.substr(i, j - i);
    // Sentence punctuation after a link belongs to the sentence.
    while (url.size() > scheme &&
           std::string_view(".,;:!?)]'").find(url.back()) != std::string_view::npos) {
      url.remove_suffix(1);
    }
    if (url.size() > scheme) out.emplace_back(url);
    i = j;
  }
  return out;
}

std::string url_host(std::string_view url) {
  std::string_view s = url;
  if (const auto p = s.find("://"); p != std::string_view::npos) s.remove_prefix(p + 3);
  s = s.substr(0, s.find_first_of("/?#"));
  if (const auto at = s.rfind('@'); at != std::string_view::npos) s.remove_prefix(at + 1);
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    s = close == std::string_view::npos ? s.substr(1) : s.substr(1, close - 1);
  } else if (const auto colon = s.find(':'); colon != std::string_view::npos) {
    s = s.substr(0, colon);
  }
  std::string host = model::ascii_lower(s);
  while (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

std::string bare_host(std::string_view host) {
  if (host.substr(0, 4) == "www.") host.remove_prefix(4);
  return std::string(host);
}

bool is_shortener_host(std::string_view host) {
  const std::string h = bare_host(host);
  for (std::string_view s : kShorteners) {
    if (h == s) return true;
    if (h.size() > s.size() && h.compare(h.size() - s.size(), s.size(), s) == 0 &&
        h[h.size() - s.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

std::vector<std::string> shortened_urls(const std::vector<std::string>& urls,
                                        std::string_view text) {
  std::vector<std::string> all = urls;
  for (auto& u : extract_urls(text)) all.push_back(std::move(u));
  std::vector<std::string> out;
  for (auto& u : all) {
    if (!is_shortener_host(url_host(u))) continue;
    if (std::find(out.begin(), out.end(), u) == out.end()) out.push_back(std::move(u));
  }
  return out;
}

}  // namespace mamori::detectors::integrity
