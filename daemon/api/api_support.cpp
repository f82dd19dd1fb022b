#include "daemon/api/api_support.h"

#include <charconv>
#include <regex>

#include "daemon/incidents/incident_store.h"
#include "daemon/log/log.h"
#include "daemon/store/connection.h"
#include "daemon/store/municipality_scope.h"

namespace mamori::api {

namespace bh = http::beast_http;

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Query parse_query(std::string_view target) {
  Query q;
  const auto mark = target.find('?');
  if (mark == std::string_view::npos) return q;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      q[percent_decode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return q;
}

std::optional<boost::json::object> json_body(const http::Request& request, std::string& error) {
  if (request.body().empty()) return boost::json::object();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(request.body(), ec);
  if (ec) {
    error = "リクエスト本文が JSON として読めません: " + ec.message();
    return std::nullopt;
  }
  if (!v.is_object()) {
    error = "リクエスト本文は JSON オブジェクトにしてください";
    return std::nullopt;
  }
  return std::move(v.as_object());
}

std::string string_member(const boost::json::object& o, std::string_view key,
                          const std::string& fallback) {
  const auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return fallback;
  return std::string(it->value().as_string().c_str());
}

std::optional<long long> path_id(const http::Request& request, const http::Params& params,
                                 const http::Responder& respond, std::string_view name) {
  const std::string& s = params.at(std::string(name));
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v <= 0) {
    respond(http::json_error(request, bh::status::bad_request, "ID が正しくありません: " + s));
    return std::nullopt;
  }
  return v;
}

http::Response json_reply(const http::Request& request, bh::status status,
                          const boost::json::value& v) {
  return http::json_response(request, status, boost::json::serialize(v));
}

namespace {

// The caller of the guarded handler running on this thread (the event loop's), if any.
thread_local const Principal* current_caller = nullptr;

struct CallerFrame {
  explicit CallerFrame(const Principal& p) : saved(current_caller) { current_caller = &p; }
  ~CallerFrame() { current_caller = saved; }
  CallerFrame(const CallerFrame&) = delete;
  CallerFrame& operator=(const CallerFrame&) = delete;
  const Principal* saved;
};

// Paths that name one scoped record: its id is the first number; `sql` answers whether the
// record is in the caller's scope (no row: it does not exist, and the handler says so).
struct ScopedRecord {
  std::regex path;
  const char* sql;
  const char* missing;  // the handler's own 404 text, before the id
};

const std::vector<ScopedRecord>& scoped_records() {
  static const std::vector<ScopedRecord> records = {
      {std::regex("^/api/v1/incidents/([0-9]+)(/.*)?$"),
       "SELECT mamori_in_scope(municipality) FROM incidents WHERE id = $1", "インシデント "},
      {std::regex("^/api/v1/rumours/([0-9]+)$"),
       "SELECT mamori_in_scope(municipality) FROM rumours WHERE id = $1", "登録されたデマ "},
      {std::regex("^/api/v1/takedowns/([0-9]+)(/.*)?$"),
       "SELECT mamori_in_scope(i.municipality) FROM takedown_requests t"
       " JOIN incidents i ON i.id = t.incident_id WHERE t.id = $1",
       "削除依頼 "},
      {std::regex("^/api/v1/integrity/changes/([0-9]+)(/.*)?$"),
       "SELECT mamori_in_scope(mamori_account_municipality(platform, handle))"
       " FROM integrity_observed_changes WHERE id = $1",
       "変更 "},
  };
  return records;
}

void check_record_scope(pqxx::connection& c, const std::string& path) {
  for (const ScopedRecord& record : scoped_records()) {
    std::smatch m;
    if (!std::regex_match(path, m, record.path)) continue;
    pqxx::nontransaction tx(c);
    const pqxx::result r = tx.exec_params(record.sql, m[1].str());
    if (!r.empty() && !r[0][0].as<bool>())
      throw incidents::ActionError(404, record.missing + m[1].str() + " はありません");
    return;
  }
}

// Requests that act on one official account named in their JSON body ("platform", "handle"):
// refused when the account belongs to a municipality the caller does not work for.
void check_account_scope(pqxx::connection& c, const std::string& path, const std::string& body) {
  if (path != "/api/v1/account-changes" && path != "/api/v1/integrity/registrations") return;
  std::string error;
  http::Request parsed;
  parsed.body() = body;
  const auto o = json_body(parsed, error);
  if (!o || string_member(*o, "platform").empty()) return;  // the handler answers a bad body
  pqxx::nontransaction tx(c);
  const pqxx::result r =
      tx.exec_params("SELECT mamori_in_scope(mamori_account_municipality($1, $2))",
                     string_member(*o, "platform"), string_member(*o, "handle"));
  if (!r[0][0].as<bool>())
    throw incidents::ActionError(403, "この自治体のアカウントを扱う権限がありません");
}

}  // namespace

http::AsyncHandler guarded(const Authenticator& auth, Role min_role, GuardedHandler handler) {
  return [&auth, min_role, handler = std::move(handler)](
             const http::Request& req, const http::Params& params, http::Responder respond) {
    std::optional<Principal> principal;
    try {
      principal = auth.authenticate(req);
    } catch (const AccessRefused& refused) {
      respond(http::json_error(req, bh::status::forbidden, refused.what()));
      return;
    }
    if (!principal) {
      auto res = http::json_error(req, bh::status::unauthorized, "認証が必要です");
      res.set(bh::field::www_authenticate, "Bearer realm=\"mamori\"");
      respond(std::move(res));
      return;
    }
    if (static_cast<int>(principal->role) < static_cast<int>(min_role)) {
      respond(http::json_error(req, bh::status::forbidden, "この操作を行う権限がありません"));
      return;
    }
    const CallerFrame frame(*principal);
    handler(*principal, req, params, std::move(respond));
  };
}

void run_in_store(store::Database& database, const http::Request& request, http::Responder respond,
                  std::string job_name, std::function<http::Response(pqxx::connection&)> work) {
  if (!database.ready()) {
    respond(http::json_error(request, bh::status::service_unavailable,
                             "データベースに接続できません。しばらくしてから再度お試しください"));
    return;
  }
  // Only what the job needs of the request: its version and keep-alive flag for the answer.
  http::Request head;
  head.version(request.version());
  head.keep_alive(request.keep_alive());
  const std::string scope = current_caller != nullptr ? current_caller->scope_setting() : "*";
  const std::string_view target = request.target();
  const std::string path(target.substr(0, target.find('?')));
  const std::string body = scope != "*" && request.method() != bh::verb::get ? request.body() : "";
  const bool queued = database.submit(job_name, [head, respond, work, job_name, scope, path,
                                                 body](pqxx::connection& c) {
    http::Response res;
    try {
      const store::MunicipalityScope scoped(c, scope);
      if (scope != "*") {
        check_record_scope(c, path);
        check_account_scope(c, path, body);
      }
      res = work(c);
    } catch (const incidents::ActionError& e) {
      res = http::json_error(head, static_cast<bh::status>(e.http_status()), e.what());
    } catch (const std::exception& e) {
      if (store::is_connection_loss(e)) throw;  // the store retries the job after reconnecting
      log::error("api.job_failed", {{"job", job_name}, {"error", store::describe_error(e)}});
      res = http::json_error(head, bh::status::internal_server_error, "内部エラーが発生しました");
    }
    respond(std::move(res));
  });
  if (!queued) {
    respond(http::json_error(request, bh::status::service_unavailable, "処理が混み合っています"));
  }
}

}  // namespace mamori::api
