#include "daemon/api/document_api.h"

#include "daemon/api/api_support.h"
#include "daemon/incidents/incident_documents.h"
#include "daemon/incidents/incident_store.h"

namespace mamori::api {

namespace bh = http::beast_http;

void register_document_routes(http::Router& router, store::Database& db,
                              const collectors::Clock& clock, const Authenticator& auth,
                              PlaybooksInEffect playbooks, ConfigInEffect config) {
  router.add_async(
      bh::verb::get, "/api/v1/incidents/:id/documents", "/api/v1/incidents/:id/documents",
      guarded(auth, Role::viewer,
              [&db, &clock, playbooks = std::move(playbooks), config = std::move(config)](
                  const Principal&, const http::Request& req, const http::Params& params,
                  http::Responder respond) {
                const auto id = path_id(req, params, respond);
                if (!id) return;
                // Taken here, on the loop, so the job renders with one consistent set even if a
                // reload swaps it meanwhile.
                auto set = playbooks();
                auto cfg = config();
                if (!set || !cfg) {
                  return respond(http::json_error(req, bh::status::service_unavailable,
                                                  "プレイブックが読み込まれていません"));
                }
                run_in_store(
                    db, req, respond, "api.incident_documents",
                    [req, id = *id, set, cfg, &clock](pqxx::connection& c) {
                      const auto data = incidents::load_incident_data(c, id, *cfg, clock.now());
                      if (!data)
                        throw incidents::ActionError(
                            404, "インシデント " + std::to_string(id) + " はありません");
                      // Its municipality's playbooks (templates) when it has its own.
                      pqxx::nontransaction tx(c);
                      const auto town =
                          tx.exec_params("SELECT municipality FROM incidents WHERE id = $1", id);
                      const auto& in_force = set->of(town.empty() ? "" : town[0][0].c_str());
                      return http::json_response(
                          req, bh::status::ok,
                          boost::json::serialize(
                              incidents::render_incident_documents(in_force, *data)));
                    });
              }));
}

}  // namespace mamori::api
