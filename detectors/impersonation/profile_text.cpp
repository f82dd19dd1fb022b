#include "detectors/impersonation/profile_text.h"

#include <algorithm>
#include <cctype>

#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::detectors::impersonation {
namespace {

constexpr std::size_t kMinGrams = 4;

std::uint32_t hash_gram(char32_t a, char32_t b, char32_t c) {
  // FNV-1a over the three code points.
  std::uint32_t h = 2166136261U;
  for (char32_t x : {a, b, c}) {
    h ^= static_cast<std::uint32_t>(x);
    h *= 16777619U;
  }
  return h;
}

char lower(char c) {
  return model::ascii_lower(c);
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

}  // namespace

std::u32string description_key(std::string_view text) {
  std::u32string key = text::to_u32(text::match_key(
      text.substr(0, std::min<std::size_t>(text.size(), 4 * kMaxDescriptionCodePoints))));
  if (key.size() > kMaxDescriptionCodePoints) key.resize(kMaxDescriptionCodePoints);
  return key;
}

TextGrams make_key_grams(std::u32string_view key) {
  TextGrams out;
  if (key.size() < 3) return out;
  out.grams.reserve(key.size() - 2);
  for (std::size_t i = 0; i + 2 < key.size(); ++i) {
    if (key[i] == U'\0' || key[i + 1] == U'\0' || key[i + 2] == U'\0') continue;
    out.grams.push_back(hash_gram(key[i], key[i + 1], key[i + 2]));
  }
  std::sort(out.grams.begin(), out.grams.end());
  out.grams.erase(std::unique(out.grams.begin(), out.grams.end()), out.grams.end());
  out.grams.shrink_to_fit();
  return out;
}

TextGrams make_text_grams(std::string_view text) {
  return make_key_grams(description_key(text));
}

double gram_similarity(const TextGrams& a, const TextGrams& b) {
  if (a.grams.size() < kMinGrams || b.grams.size() < kMinGrams) return 0.0;
  std::size_t common = 0;
  auto i = a.grams.begin();
  auto j = b.grams.begin();
  while (i != a.grams.end() && j != b.grams.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.grams.size() + b.grams.size());
}

std::string normalize_url(std::string_view url) {
  url = url.substr(0, std::min<std::size_t>(url.size(), 2048));
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front())) != 0)
    url.remove_prefix(1);
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back())) != 0)
    url.remove_suffix(1);
  if (const auto scheme = url.find("://"); scheme < 10) {  // npos is never < 10
    url.remove_prefix(scheme + 3);
  }
  if (const auto cut = url.find_first_of("?#"); cut != std::string_view::npos)
    url = url.substr(0, cut);
  const auto slash = url.find('/');
  std::string_view host = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  if (const auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  if (const auto colon = host.find(':'); colon != std::string_view::npos)
    host = host.substr(0, colon);
  std::string out;
  out.reserve(host.size() + path.size());
  for (char c : host) out.push_back(lower(c));
  if (out.rfind("www.", 0) == 0) out.erase(0, 4);
  while (!out.empty() && out.back() == '.') out.pop_back();
  if (out.empty() || out.find('.') == std::string::npos ||
      !std::all_of(out.begin(), out.end(), host_char)) {
    return {};
  }
  std::string p(path);
  for (std::string_view index : {"/index.html", "/index.htm", "/index.php"}) {
    if (p.size() >= index.size() && p.compare(p.size() - index.size(), index.size(), index) == 0) {
      p.resize(p.size() - index.size());
    }
  }
  while (!p.empty() && p.back() == '/') p.pop_back();
  out += p;
  return out;
}

std::string_view url_host(std::string_view normalized) {
  return normalized.substr(0, normalized.find('/'));
}

UrlMatch compare_urls(std::string_view candidate_website_normalized,
                      std::string_view candidate_description,
                      std::string_view official_normalized) {
  UrlMatch match;
  if (official_normalized.empty()) return match;
  const std::string_view official_host = url_host(official_normalized);
  if (!candidate_website_normalized.empty()) {
    if (candidate_website_normalized == official_normalized) {
      match.website = UrlRelation::same_url;
    } else if (url_host(candidate_website_normalized) == official_host) {
      match.website = UrlRelation::same_host;
    }
  }
  // The description is searched for the official host, lower-cased ASCII only.
  std::string description(
      candidate_description.substr(0, std::min<std::size_t>(candidate_description.size(), 4096)));
  std::transform(description.begin(), description.end(), description.begin(), lower);
  for (auto pos = description.find(official_host); pos != std::string::npos;
       pos = description.find(official_host, pos + 1)) {
    // Must be a whole host: not preceded by a host character other than '.' (www.).
    if (pos > 0 && host_char(description[pos - 1]) && description[pos - 1] != '.') continue;
    // Nor followed by more host: "city.soma.fukushima.jp.evil.example" is someone else's
    // domain; a full stop ending the sentence is fine.
    const std::size_t end = pos + official_host.size();
    if (end < description.size() && host_char(description[end])) {
      const bool sentence_stop = description[end] == '.' && (end + 1 == description.size() ||
                                                             !host_char(description[end + 1]));
      if (!sentence_stop) continue;
    }
    const std::string_view rest = std::string_view(description).substr(pos);
    std::string_view token = rest.substr(0, rest.find_first_of(" \t\r\n\"'<>）)」"));
    const std::string normalized = normalize_url(token);
    match.description =
        normalized == official_normalized ? UrlRelation::same_url : UrlRelation::same_host;
    if (match.description == UrlRelation::same_url) break;
  }
  return match;
}

}  // namespace mamori::detectors::impersonation
