// The city's homepage as the automatic checks read it: pages under /city/ that tests publish with
// POST /_control/pages {"path": "/city/oshirase/", "html": "…"} (404 until then, as a notice page
// that does not exist yet).
#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {

Reply World::city_page(std::string_view path, LogEntry& entry) const {
  entry.platform = "homepage";
  entry.endpoint = "page";
  Reply r;
  r.content_type = "text/html; charset=utf-8";
  if (const auto it = pages_.find(std::string(path)); it != pages_.end()) {
    r.body = it->second;
    return r;
  }
  r.status = 404;
  r.body = "<html><body><h1>ページが見つかりません</h1></body></html>";
  return r;
}

Reply World::control_page(const boost::json::object& in) {
  const auto path = in.if_contains("path");
  const auto html = in.if_contains("html");
  if (path == nullptr || !path->is_string() || !path->as_string().starts_with("/city/"))
    return Reply{400, {}, R"({"error":"path: expected a path under /city/"})"};
  if (html == nullptr || !html->is_string()) {
    pages_.erase(std::string(path->as_string()));
  } else {
    pages_[std::string(path->as_string())] = std::string(html->as_string());
  }
  return Reply{200, {}, R"({"ok":true})"};
}

}  // namespace mamori::fakeplatform
