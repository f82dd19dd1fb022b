#include "daemon/console/console_routes.h"

#include <sodium.h>

#include <string>

#include "daemon/console/assets.h"

namespace mamori::console {
namespace {

namespace bh = http::beast_http;

constexpr std::string_view kAssetsPlaceholder = "@ASSETS@";
constexpr std::string_view kLongCache = "public, max-age=31536000, immutable";

const RawAsset* find_asset(std::string_view name) {
  for (const RawAsset& a : raw_assets()) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

std::string_view bytes_of(const RawAsset& a) {
  return {reinterpret_cast<const char*>(a.data), a.size};
}

// index.html with its asset URLs pointing at this build's versioned path, and its ETag.
struct IndexPage {
  std::string body;
  std::string etag;
};

const IndexPage& index_page() {
  static const IndexPage page = [] {
    IndexPage p;
    const RawAsset* raw = find_asset("index.html");
    if (raw == nullptr) return p;
    p.body = std::string(bytes_of(*raw));
    const std::string base = "/assets/" + std::string(assets_version());
    for (auto at = p.body.find(kAssetsPlaceholder); at != std::string::npos;
         at = p.body.find(kAssetsPlaceholder, at + base.size())) {
      p.body.replace(at, kAssetsPlaceholder.size(), base);
    }
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(p.body.data()),
                       p.body.size(), nullptr, 0);
    char hex[2 * sizeof digest + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    p.etag = "\"" + std::string(hex) + "\"";
    return p;
  }();
  return page;
}

// If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x"; * matches anything.
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    std::string_view item = if_none_match.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void set_console_headers(http::Response& res) {
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), clipboard-write=(self)");
}

http::Response cached_response(const http::Request& request, std::string_view body,
                               std::string_view content_type, std::string_view etag,
                               std::string_view cache_control) {
  const auto inm = request.find(bh::field::if_none_match);
  const bool fresh = inm != request.end() && etag_matches(inm->value(), etag);
  http::Response res =
      http::make_response(request, fresh ? bh::status::not_modified : bh::status::ok,
                          fresh ? std::string() : std::string(body), content_type);
  res.set(bh::field::etag, etag);
  res.set(bh::field::cache_control, cache_control);
  set_console_headers(res);
  if (fresh) {
    // A 304 carries no body; the cached copy's length stands.
    res.erase(bh::field::content_type);
    res.content_length(boost::none);
    res.erase(bh::field::content_length);
  }
  return res;
}

http::Response not_found(const http::Request& request) {
  http::Response res = http::make_response(request, bh::status::not_found, "見つかりません\n",
                                           "text/plain; charset=utf-8");
  set_console_headers(res);
  return res;
}

}  // namespace

http::Response console_page(const http::Request& request) {
  const IndexPage& page = index_page();
  if (page.body.empty()) return not_found(request);
  // Revalidated on every load: it names the current asset version.
  return cached_response(request, page.body, "text/html; charset=utf-8", page.etag, "no-cache");
}

http::Response console_asset(const http::Request& request, std::string_view version,
                             std::string_view name) {
  const RawAsset* asset = name == "index.html" ? nullptr : find_asset(name);
  if (asset == nullptr) return not_found(request);
  // A page loaded before an upgrade asks for the old version: answer the current file, but
  // do not let it be cached under the old URL.
  const bool current = version == assets_version();
  return cached_response(request, bytes_of(*asset), asset->content_type, asset->etag,
                         current ? kLongCache : std::string_view("no-cache"));
}

void register_console_routes(http::Router& router) {
  for (std::string_view path : kPagePaths) {
    router.add(bh::verb::get, std::string(path), std::string(path),
               [](const http::Request& req, const http::Params&) { return console_page(req); });
  }
  router.add(bh::verb::get, "/assets/:version/:name", "/assets/:version/:name",
             [](const http::Request& req, const http::Params& params) {
               return console_asset(req, params.at("version"), params.at("name"));
             });
}

}  // namespace mamori::console
