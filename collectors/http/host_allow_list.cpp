#include "collectors/http/host_allow_list.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "model/text.h"

namespace mamori::collectors {
namespace {

std::string lower(std::string_view s) {
  return model::ascii_lower(s);
}

std::string normalize_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return lower(host);
}

bool valid_host_chars(std::string_view host) {
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':' ||
           c == '_';
  });
}

struct UrlHandleDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString url_part(CURLU* h, CURLUPart part) {
  char* out = nullptr;
  if (curl_url_get(h, part, &out, 0) != CURLUE_OK) return CurlString(nullptr);
  return CurlString(out);
}

}  // namespace

std::optional<UrlParts> parse_http_url(std::string_view url) {
  // curl_url_set needs a NUL-terminated string; an embedded NUL would cut the URL short.
  if (url.find('\0') != std::string_view::npos) return std::nullopt;
  std::unique_ptr<CURLU, UrlHandleDeleter> h(curl_url());
  if (!h) return std::nullopt;
  const std::string text(url);
  if (curl_url_set(h.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return std::nullopt;
  const CurlString scheme = url_part(h.get(), CURLUPART_SCHEME);
  const CurlString host = url_part(h.get(), CURLUPART_HOST);
  if (!scheme || !host) return std::nullopt;
  UrlParts parts;
  parts.scheme = lower(scheme.get());
  if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;
  parts.host = normalize_host(host.get());
  if (parts.host.empty()) return std::nullopt;
  parts.has_credentials = url_part(h.get(), CURLUPART_USER) != nullptr ||
                          url_part(h.get(), CURLUPART_PASSWORD) != nullptr;
  return parts;
}

HostAllowList::HostAllowList(std::vector<std::string> patterns) {
  for (const auto& p : patterns) add(p);
}

bool HostAllowList::add(std::string_view pattern) {
  const bool wildcard = pattern.substr(0, 2) == "*.";
  if (wildcard) pattern.remove_prefix(2);
  std::string host = normalize_host(pattern);
  if (!valid_host_chars(host) || host.front() == '.') return false;
  auto& list = wildcard ? suffixes_ : exact_;
  if (wildcard) host.insert(host.begin(), '.');
  if (std::find(list.begin(), list.end(), host) == list.end()) list.push_back(std::move(host));
  return true;
}

bool HostAllowList::add_url_host(std::string_view url) {
  const auto parts = parse_http_url(url);
  return parts.has_value() && add(parts->host);
}

bool HostAllowList::allows(std::string_view host) const {
  const std::string h = normalize_host(host);
  if (h.empty()) return false;
  if (std::find(exact_.begin(), exact_.end(), h) != exact_.end()) return true;
  return std::any_of(suffixes_.begin(), suffixes_.end(), [&](const std::string& suffix) {
    return h.size() > suffix.size() &&
           h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

std::vector<std::string> HostAllowList::patterns() const {
  std::vector<std::string> out = exact_;
  for (const auto& s : suffixes_) out.push_back("*" + s);
  return out;
}

std::vector<std::string> default_platform_hosts(model::Platform platform) {
  switch (platform) {
    case model::Platform::x:
      // API, and the media CDN that serves profile images.
      return {"api.x.com", "api.twitter.com", "pbs.twimg.com", "abs.twimg.com"};
    case model::Platform::bluesky:
      // Public AppView, the entryway PDS, users' PDS hosts, and the image CDN.
      return {"public.api.bsky.app", "api.bsky.app", "bsky.social", "*.bsky.network",
              "cdn.bsky.app"};
    case model::Platform::mastodon:
      return {};
    case model::Platform::facebook:
      // Graph API and the CDN serving page pictures.
      return {"graph.facebook.com", "*.fbcdn.net"};
    case model::Platform::instagram:
      // Instagram Graph API (served from graph.facebook.com) and the CDNs serving pictures.
      return {"graph.facebook.com", "*.fbcdn.net", "*.cdninstagram.com"};
    case model::Platform::youtube:
      // Data API v3 and the hosts serving channel avatars.
      return {"www.googleapis.com", "youtube.googleapis.com", "yt3.ggpht.com",
              "yt3.googleusercontent.com"};
  }
  return {};
}

}  // namespace mamori::collectors
