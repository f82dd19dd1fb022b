// Request routing for mamorid's HTTP server: (method, path pattern) -> handler.
// Handlers are plain functions of the request; async ones answer through a Responder
// (e.g. after a database job), which may be called from any thread.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace mamori::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// Path parameters: "/api/v1/incidents/:id" matched against "/api/v1/incidents/42" -> {id: "42"}.
// Set by the server on every request to the client's IP address (a value the client sent
// itself is dropped). Login throttling counts failures per address with it.
inline constexpr std::string_view kPeerAddressField = "Mamori-Peer-Address";

using Params = std::map<std::string, std::string, std::less<>>;
using Responder = std::function<void(Response)>;

using SyncHandler = std::function<Response(const Request&, const Params&)>;
using AsyncHandler = std::function<void(const Request&, const Params&, Responder)>;

// Builds a response with the common security headers set.
Response make_response(const Request& request, beast_http::status status, std::string body,
                       std::string_view content_type);
Response json_response(const Request& request, beast_http::status status, std::string json);
// {"error": message} as JSON.
Response json_error(const Request& request, beast_http::status status, std::string_view message);

class Router {
 public:
  void add(beast_http::verb method, std::string pattern, std::string route_name,
           SyncHandler handler);
  void add_async(beast_http::verb method, std::string pattern, std::string route_name,
                 AsyncHandler handler);

  // Finds the handler and runs it; unknown paths get 404, known paths with another method 405.
  // `route_name` receives the matched route (or "unmatched") for metrics.
  void dispatch(const Request& request, Responder respond, std::string& route_name) const;

 private:
  struct Route {
    beast_http::verb method;
    std::vector<std::string> segments;
    std::string name;
    AsyncHandler handler;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& path, Params& params);
  std::vector<Route> routes_;
};

}  // namespace mamori::http
