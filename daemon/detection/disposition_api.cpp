#include "daemon/detection/disposition_api.h"

#include "daemon/api/api_support.h"
#include "daemon/api/incident_api.h"
#include "daemon/detection/candidate_dispositions.h"
#include "daemon/detection/related_accounts.h"

namespace mamori::detection {

namespace bh = http::beast_http;
using api::Principal;
using api::Role;

void register_disposition_routes(http::Router& router, store::Database& db,
                                 const api::Authenticator& auth, incidents::StatusHook on_status,
                                 std::function<void()> on_change) {
  router.add_async(
      bh::verb::post, "/api/v1/incidents/:id/disposition", "/api/v1/incidents/:id/disposition",
      api::incident_change(
          db, auth, "api.disposition",
          [on_status, on_change](pqxx::connection& c, long long id, const Principal& who,
                                 const boost::json::object& body) {
            record_disposition(c, id, api::string_member(body, "disposition"), who.name,
                               api::string_member(body, "note"), on_status);
            if (on_change) on_change();
          }));
  router.add_async(
      bh::verb::get, "/api/v1/impersonation/dispositions", "/api/v1/impersonation/dispositions",
      api::guarded(auth, Role::viewer,
                   [&db](const Principal&, const http::Request& req, const http::Params&,
                         http::Responder respond) {
                     api::run_in_store(
                         db, req, respond, "api.dispositions", [req](pqxx::connection& c) {
                           auto all = load_dispositions(c);
                           std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
                             return a.decided_at > b.decided_at;
                           });
                           boost::json::array items;
                           for (const auto& d : all) items.push_back(to_json(d));
                           boost::json::object o;
                           o["dispositions"] = std::move(items);
                           return api::json_reply(req, bh::status::ok, o);
                         });
                   }));
  router.add_async(bh::verb::get, "/api/v1/impersonation/related", "/api/v1/impersonation/related",
                   api::guarded(auth, Role::viewer,
                                [&db](const Principal&, const http::Request& req,
                                      const http::Params&, http::Responder respond) {
                                  api::run_in_store(db, req, respond, "api.related_accounts",
                                                    [req](pqxx::connection& c) {
                                                      boost::json::object o;
                                                      o["related"] = related_accounts_json(c);
                                                      return api::json_reply(req, bh::status::ok,
                                                                             o);
                                                    });
                                }));
}

}  // namespace mamori::detection
