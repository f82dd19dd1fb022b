// Shared pieces of the REST API handlers: authentication guard, JSON bodies, query strings,
// and running a handler as a store job with errors mapped to JSON responses.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <string>

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"

namespace mamori::api {

using Query = std::map<std::string, std::string, std::less<>>;

// key=value pairs of the request target's query string, percent-decoded.
Query parse_query(std::string_view target);
std::string percent_decode(std::string_view s);

// The JSON object body of a request; nullopt (and `error` set) when it is not one.
std::optional<boost::json::object> json_body(const http::Request& request, std::string& error);

// A string member of a JSON object, or `fallback`.
std::string string_member(const boost::json::object& o, std::string_view key,
                          const std::string& fallback = "");

// The path parameter `name` (":id") as a positive integer; nullopt, with 400 answered, otherwise.
std::optional<long long> path_id(const http::Request& request, const http::Params& params,
                                 const http::Responder& respond, std::string_view name = "id");

// `v` serialized as the JSON body of a response.
http::Response json_reply(const http::Request& request, http::beast_http::status status,
                          const boost::json::value& v);

using GuardedHandler = std::function<void(const Principal&, const http::Request&,
                                          const http::Params&, http::Responder)>;

// Wraps a handler: 401 without valid credentials, 403 below `min_role`. While the handler runs
// (synchronously), the caller's municipalities are the request's scope that run_in_store applies.
http::AsyncHandler guarded(const Authenticator& auth, Role min_role, GuardedHandler handler);

// The municipality scope, applied in one place for every guarded route: before `work` runs,
// run_in_store sets `mamori.scope` on the connection (store::MunicipalityScope; listings and
// readers of one record filter with the SQL function
// mamori_in_scope) and, when the path names one record (/api/v1/incidents/:id/..., rumours,
// takedowns, integrity changes), answers 404 if that record belongs to a municipality the caller
// does not work for, exactly as if it did not exist.
// Runs `work` on the store's worker thread and answers with what it returns. ActionError
// becomes its own status; a lost connection retries (the store keeps the job); anything else
// is a logged 500. Answers 503 at once when the database is unavailable or the queue is full.
void run_in_store(store::Database& database, const http::Request& request, http::Responder respond,
                  std::string job_name, std::function<http::Response(pqxx::connection&)> work);

}  // namespace mamori::api
