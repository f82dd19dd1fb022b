#include "daemon/api/document_api.h"

#include <charconv>

#include "daemon/api/api_support.h"
#include "daemon/incidents/incident_documents.h"
#include "daemon/incidents/incident_store.h"

namespace mamori::api {

namespace bh = http::beast_http;

void register_document_routes(http::Router& router, store::Database& db, const Authenticator& auth,
                              PlaybooksInEffect playbooks, ConfigInEffect config) {
  router.add_async(
      bh::verb::get, "/api/v1/incidents/:id/documents", "/api/v1/incidents/:id/documents",
      guarded(
          auth, Role::viewer,
          [&db, playbooks = std::move(playbooks), config = std::move(config)](
              const Principal&, const http::Request& req, const http::Params& params,
              http::Responder respond) {
            const std::string& text = params.at("id");
            long long id = 0;
            const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
            if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
              return respond(
                  http::json_error(req, bh::status::bad_request, "ID が正しくありません: " + text));
            }
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
                [req, id, set, cfg](pqxx::connection& c) {
                  const auto now =
                      std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
                  const auto data = incidents::load_incident_data(c, id, *cfg, now);
                  if (!data)
                    throw incidents::ActionError(
                        404, "インシデント " + std::to_string(id) + " はありません");
                  return http::json_response(
                      req, bh::status::ok,
                      boost::json::serialize(incidents::render_incident_documents(*set, *data)));
                });
          }));
}

}  // namespace mamori::api
