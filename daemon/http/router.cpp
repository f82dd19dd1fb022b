#include "daemon/http/router.h"

#include <boost/json.hpp>

namespace mamori::http {
namespace {

std::vector<std::string_view> split_path(std::string_view target) {
  const auto query = target.find_first_of("?#");
  if (query != std::string_view::npos) target = target.substr(0, query);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start < target.size()) {
    if (target[start] == '/') {
      ++start;
      continue;
    }
    const auto end = target.find('/', start);
    const auto len = (end == std::string_view::npos ? target.size() : end) - start;
    parts.push_back(target.substr(start, len));
    start += len;
  }
  return parts;
}

}  // namespace

Response make_response(const Request& request, beast_http::status status, std::string body,
                       std::string_view content_type) {
  Response res{status, request.version()};
  res.set(beast_http::field::server, "mamori");
  res.set(beast_http::field::content_type, content_type);
  res.set(beast_http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Request& request, beast_http::status status, std::string json) {
  return make_response(request, status, std::move(json), "application/json; charset=utf-8");
}

Response json_error(const Request& request, beast_http::status status, std::string_view message) {
  boost::json::object o;
  o["error"] = message;
  return json_response(request, status, boost::json::serialize(o));
}

void Router::add(beast_http::verb method, std::string pattern, std::string route_name,
                 SyncHandler handler) {
  add_async(method, std::move(pattern), std::move(route_name),
            [h = std::move(handler)](const Request& req, const Params& params, Responder respond) {
              respond(h(req, params));
            });
}

void Router::add_async(beast_http::verb method, std::string pattern, std::string route_name,
                       AsyncHandler handler) {
  Route r;
  r.method = method;
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  r.name = std::move(route_name);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& path, Params& params) {
  if (route.segments.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (!seg.empty() && seg.front() == ':') {
      if (path[i].empty()) return false;
      params[seg.substr(1)] = std::string(path[i]);
    } else if (seg != path[i]) {
      return false;
    }
  }
  return true;
}

void Router::dispatch(const Request& request, Responder respond, std::string& route_name) const {
  const auto path = split_path(request.target());
  bool path_known = false;
  for (const Route& route : routes_) {
    Params params;
    if (!match(route, path, params)) continue;
    path_known = true;
    const bool head_as_get =
        request.method() == beast_http::verb::head && route.method == beast_http::verb::get;
    if (route.method != request.method() && !head_as_get) continue;
    route_name = route.name;
    route.handler(request, params, std::move(respond));
    return;
  }
  route_name = "unmatched";
  if (path_known) {
    respond(json_error(request, beast_http::status::method_not_allowed, "method not allowed"));
  } else {
    respond(json_error(request, beast_http::status::not_found, "not found"));
  }
}

}  // namespace mamori::http
