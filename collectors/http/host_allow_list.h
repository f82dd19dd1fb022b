// Which hosts the collectors may reach. Outbound fetches are limited to the platforms' own API
// and media hosts, so a crafted avatar URL or a redirect in a profile cannot make mamori fetch
// from (or probe) anywhere else — an intranet address in particular.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/platform.h"

namespace mamori::collectors {

// The parts of an http(s) URL the allow-list looks at, parsed by libcurl's own URL parser so
// the check and the transfer agree on what the host is.
struct UrlParts {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case, IPv6 literals without brackets
  bool has_credentials = false;
};

// nullopt when the URL does not parse or its scheme is not http/https.
std::optional<UrlParts> parse_http_url(std::string_view url);

class HostAllowList {
 public:
  HostAllowList() = default;  // allows nothing
  explicit HostAllowList(std::vector<std::string> patterns);

  // "api.x.com" (that host exactly) or "*.bsky.network" (any subdomain, not the bare domain).
  // Case-insensitive; a trailing dot is ignored. Returns false for an empty or malformed pattern.
  bool add(std::string_view pattern);
  // Adds the host of a base URL from the configuration ("https://mastodon.example/").
  bool add_url_host(std::string_view url);

  bool allows(std::string_view host) const;
  bool empty() const { return exact_.empty() && suffixes_.empty(); }
  std::vector<std::string> patterns() const;

 private:
  std::vector<std::string> exact_;
  std::vector<std::string> suffixes_;  // ".bsky.network"
};

// The platforms' default API and media (avatar) hosts. Mastodon's depend on the instance, so
// only the instance's host (added from the configuration) and its media host are known there.
std::vector<std::string> default_platform_hosts(model::Platform platform);

}  // namespace mamori::collectors
