// The console's static serving: index.html for page paths, assets with strong ETags and 304s,
// the strict Content-Security-Policy on every answer, and nothing in the assets that the
// policy would have to relax for (inline script or style, handlers in markup, innerHTML).
#include "daemon/console/console_routes.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "daemon/console/assets.h"

namespace mamori::console {
namespace {

namespace bh = http::beast_http;

http::Request get(std::string target) {
  http::Request req{bh::verb::get, target, 11};
  req.set(bh::field::host, "127.0.0.1");
  return req;
}

http::Response dispatch(const http::Router& router, const http::Request& req,
                        std::string* route = nullptr) {
  http::Response out;
  std::string name;
  router.dispatch(
      req, [&out](http::Response r) { out = std::move(r); }, name);
  if (route) *route = name;
  return out;
}

std::string header(const http::Response& res, bh::field f) {
  return std::string(res[f]);
}
std::string header(const http::Response& res, std::string_view f) {
  return std::string(res[f]);
}

std::string asset_text(std::string_view name) {
  for (const RawAsset& a : raw_assets()) {
    if (name == a.name) return {reinterpret_cast<const char*>(a.data), a.size};
  }
  return {};
}

TEST(ConsoleRoutes, PagePathsAnswerIndexWithStrictPolicy) {
  http::Router router;
  register_console_routes(router);
  for (const char* path :
       {"/", "/login", "/incidents/42", "/accounts", "/rumours", "/compliance"}) {
    SCOPED_TRACE(path);
    const auto res = dispatch(router, get(path));
    EXPECT_EQ(res.result(), bh::status::ok);
    EXPECT_EQ(header(res, bh::field::content_type), "text/html; charset=utf-8");
    EXPECT_NE(res.body().find("<html lang=\"ja\">"), std::string::npos);
    EXPECT_EQ(header(res, "Content-Security-Policy"), kContentSecurityPolicy);
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(res, "Referrer-Policy"), "no-referrer");
    EXPECT_EQ(header(res, bh::field::cache_control), "no-cache");
    EXPECT_FALSE(header(res, bh::field::etag).empty());
  }
}

TEST(ConsoleRoutes, PolicyHasNoInlineOrRemoteSources) {
  const std::string csp(kContentSecurityPolicy);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_EQ(csp.find("http"), std::string::npos);
  for (const char* directive :
       {"script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
        "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"}) {
    EXPECT_NE(csp.find(directive), std::string::npos) << directive;
  }
}

TEST(ConsoleRoutes, IndexPointsAtThisBuildsVersionedAssetsAndEachExists) {
  const auto res = console_page(get("/"));
  const std::string& body = res.body();
  EXPECT_EQ(body.find("@ASSETS@"), std::string::npos);
  const std::regex ref("(?:href|src)=\"/assets/([0-9a-f]+)/([^\"]+)\"");
  int refs = 0;
  for (std::sregex_iterator it(body.begin(), body.end(), ref), end; it != end; ++it, ++refs) {
    EXPECT_EQ((*it)[1].str(), assets_version());
    const auto asset = console_asset(get("/x"), (*it)[1].str(), (*it)[2].str());
    EXPECT_EQ(asset.result(), bh::status::ok) << (*it)[2].str();
  }
  EXPECT_GE(refs, 3);  // icon, stylesheets, script
}

TEST(ConsoleRoutes, AssetsHaveTypesLongCacheAndRevalidateTo304) {
  http::Router router;
  register_console_routes(router);
  const std::string base = "/assets/" + std::string(assets_version());
  std::string route;
  const auto js = dispatch(router, get(base + "/app.js"), &route);
  EXPECT_EQ(route, "/assets/:version/:name");
  ASSERT_EQ(js.result(), bh::status::ok);
  EXPECT_EQ(header(js, bh::field::content_type), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, bh::field::cache_control), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(js, "Content-Security-Policy"), kContentSecurityPolicy);
  const std::string etag = header(js, bh::field::etag);
  ASSERT_EQ(etag.size(), 66u);  // "<64 hex>"
  EXPECT_EQ(js.body(), asset_text("app.js"));

  auto again = get(base + "/app.js");
  again.set(bh::field::if_none_match, "\"other\", W/" + etag);
  const auto cached = dispatch(router, again);
  EXPECT_EQ(cached.result(), bh::status::not_modified);
  EXPECT_TRUE(cached.body().empty());
  EXPECT_EQ(header(cached, bh::field::etag), etag);

  auto stale = get(base + "/app.js");
  stale.set(bh::field::if_none_match, "\"something-else\"");
  EXPECT_EQ(dispatch(router, stale).result(), bh::status::ok);

  EXPECT_EQ(header(dispatch(router, get(base + "/console.css")), bh::field::content_type),
            "text/css; charset=utf-8");
  EXPECT_EQ(header(dispatch(router, get(base + "/icon.svg")), bh::field::content_type),
            "image/svg+xml");
}

TEST(ConsoleRoutes, OldVersionIsServedButNotCachedLong) {
  const auto res = console_asset(get("/assets/0000/app.js"), "0000", "app.js");
  EXPECT_EQ(res.result(), bh::status::ok);
  EXPECT_EQ(header(res, bh::field::cache_control), "no-cache");
}

TEST(ConsoleRoutes, UnknownAssetsAndTraversalAre404) {
  http::Router router;
  register_console_routes(router);
  const std::string base = "/assets/" + std::string(assets_version());
  for (const std::string& target :
       {base + "/nope.js", base + "/..%2Fconsole_routes.cpp", base + "/index.html",
        std::string("/assets/app.js"), std::string("/incidents/1/extra")}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(dispatch(router, get(target)).result(), bh::status::not_found);
  }
}

TEST(ConsoleRoutes, PageEtagRevalidates) {
  const auto first = console_page(get("/"));
  auto req = get("/incidents/3");
  req.set(bh::field::if_none_match, header(first, bh::field::etag));
  EXPECT_EQ(console_page(req).result(), bh::status::not_modified);
}

// The policy forbids inline code; the assets must not need it, and must never parse data as HTML.
TEST(ConsoleAssets, NoInlineCodeAndNoHtmlSinks) {
  std::set<std::string> names;
  for (const RawAsset& a : raw_assets()) names.insert(a.name);
  EXPECT_TRUE(names.count("index.html"));
  EXPECT_TRUE(names.count("app.js"));
  const std::string index = asset_text("index.html");
  EXPECT_FALSE(std::regex_search(index, std::regex("<script(?![^>]*\\ssrc=)[^>]*>")));
  EXPECT_FALSE(
      std::regex_search(index, std::regex("<style|\\sstyle=|\\son[a-z]+=", std::regex::icase)));
  for (const std::string& name : names) {
    if (!name.ends_with(".js")) continue;
    SCOPED_TRACE(name);
    const std::string js = asset_text(name);
    for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                             "eval(", "new Function", "setAttribute('style'", "javascript:"}) {
      EXPECT_EQ(js.find(sink), std::string::npos) << sink;
    }
  }
}

}  // namespace
}  // namespace mamori::console
