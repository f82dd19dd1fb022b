#include "daemon/detection/disposition_api.h"

#include <charconv>

#include "daemon/api/api_support.h"
#include "daemon/detection/candidate_dispositions.h"
#include "daemon/detection/related_accounts.h"

namespace mamori::detection {

namespace bh = http::beast_http;
using api::Principal;
using api::Role;
using incidents::ActionError;

void register_disposition_routes(http::Router& router, store::Database& db,
                                 const api::Authenticator& auth, incidents::StatusHook on_status,
                                 std::function<void()> on_change) {
  router.add_async(
      bh::verb::post, "/api/v1/incidents/:id/disposition", "/api/v1/incidents/:id/disposition",
      api::guarded(
          auth, Role::responder,
          [&db, on_status, on_change](const Principal& who, const http::Request& req,
                                      const http::Params& params, http::Responder respond) {
            std::string error;
            auto body = api::json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            const std::string& s = params.at("id");
            long long id = 0;
            const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
            if (ec != std::errc() || ptr != s.data() + s.size() || id <= 0) {
              return respond(
                  http::json_error(req, bh::status::bad_request, "ID が正しくありません"));
            }
            const std::string disposition = api::string_member(*body, "disposition");
            const std::string note = api::string_member(*body, "note");
            api::run_in_store(
                db, req, respond, "api.disposition",
                [req, id, who, disposition, note, on_status, on_change](pqxx::connection& c) {
                  record_disposition(c, id, disposition, who.name, note, on_status);
                  if (on_change) on_change();
                  auto incident = incidents::get_incident(c, id);
                  if (!incident) throw ActionError(404, "インシデントがありません");
                  return http::json_response(req, bh::status::ok,
                                             boost::json::serialize(*incident));
                });
          }));
  router.add_async(
      bh::verb::get, "/api/v1/impersonation/dispositions", "/api/v1/impersonation/dispositions",
      api::guarded(
          auth, Role::viewer,
          [&db](const Principal&, const http::Request& req, const http::Params&,
                http::Responder respond) {
            api::run_in_store(db, req, respond, "api.dispositions", [req](pqxx::connection& c) {
              auto all = load_dispositions(c);
              std::sort(all.begin(), all.end(),
                        [](const auto& a, const auto& b) { return a.decided_at > b.decided_at; });
              boost::json::array items;
              for (const auto& d : all) items.push_back(to_json(d));
              boost::json::object o;
              o["dispositions"] = std::move(items);
              return http::json_response(req, bh::status::ok, boost::json::serialize(o));
            });
          }));
  router.add_async(
      bh::verb::get, "/api/v1/impersonation/related", "/api/v1/impersonation/related",
      api::guarded(
          auth, Role::viewer,
          [&db](const Principal&, const http::Request& req, const http::Params&,
                http::Responder respond) {
            api::run_in_store(db, req, respond, "api.related_accounts", [req](pqxx::connection& c) {
              boost::json::object o;
              o["related"] = related_accounts_json(c);
              return http::json_response(req, bh::status::ok, boost::json::serialize(o));
            });
          }));
}

}  // namespace mamori::detection
