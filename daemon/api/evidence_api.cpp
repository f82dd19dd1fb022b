#include "daemon/api/evidence_api.h"

#include <charconv>

#include "daemon/api/api_support.h"
#include "daemon/incidents/incident_store.h"

namespace mamori::api {
namespace {

namespace bh = http::beast_http;
using incidents::ActionError;

std::optional<long long> positive_id(const std::string& s) {
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// PNG signature: only bytes that really are a PNG are served as one.
bool looks_like_png(std::string_view bytes) {
  return bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8);
}

}  // namespace

void register_evidence_routes(http::Router& router, store::Database& db,
                              const Authenticator& auth) {
  router.add_async(
      bh::verb::get, "/api/v1/incidents/:id/evidence/:evidence_id",
      "/api/v1/incidents/:id/evidence/:evidence_id",
      guarded(auth, Role::viewer,
              [&db](const Principal&, const http::Request& req, const http::Params& params,
                    http::Responder respond) {
                const auto id = positive_id(params.at("id"));
                const auto evidence_id = positive_id(params.at("evidence_id"));
                if (!id || !evidence_id) {
                  return respond(
                      http::json_error(req, bh::status::bad_request, "ID が正しくありません"));
                }
                run_in_store(
                    db, req, respond, "api.evidence_content",
                    [req, id = *id, evidence_id = *evidence_id](pqxx::connection& c) {
                      pqxx::work tx(c);
                      const pqxx::result r = tx.exec_params(
                          "SELECT kind, content_type, content FROM evidence WHERE incident_id = $1 "
                          "AND id = $2",
                          id, evidence_id);
                      if (r.empty()) {
                        throw ActionError(404, "インシデント " + std::to_string(id) + " に証拠 " +
                                                   std::to_string(evidence_id) + " はありません");
                      }
                      const std::string kind = r[0][0].c_str();
                      const std::string content_type = r[0][1].c_str();
                      const pqxx::binarystring content(r[0][2]);
                      std::string body(content.str());
                      if (kind == "avatar" && content_type == "image/png" && looks_like_png(body)) {
                        auto res =
                            http::make_response(req, bh::status::ok, std::move(body), "image/png");
                        res.set(bh::field::content_disposition,
                                "inline; filename=\"mamori-incident-" + std::to_string(id) +
                                    "-evidence-" + std::to_string(evidence_id) + ".png\"");
                        res.set("Content-Security-Policy", "default-src 'none'; sandbox");
                        return res;
                      }
                      auto res = http::make_response(req, bh::status::ok, std::move(body),
                                                     "application/octet-stream");
                      res.set(bh::field::content_disposition,
                              "attachment; filename=\"mamori-incident-" + std::to_string(id) +
                                  "-evidence-" + std::to_string(evidence_id) + ".bin\"");
                      res.set("Content-Security-Policy", "default-src 'none'; sandbox");
                      return res;
                    });
              }));
}

}  // namespace mamori::api
