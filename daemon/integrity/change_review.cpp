#include "daemon/integrity/change_review.h"

#include <charconv>

#include "daemon/api/api_support.h"
#include "daemon/incidents/incident_store.h"
#include "detectors/integrity/baseline.h"

namespace mamori::integrity {

namespace bh = http::beast_http;
namespace di = detectors::integrity;
using incidents::ActionError;

boost::json::object reject_change(pqxx::connection& c, long long id, const std::string& actor,
                                  const std::string& note) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT platform, handle, field, after_value, status, incident_id FROM "
      "integrity_observed_changes"
      " WHERE id = $1 FOR UPDATE",
      id);
  if (r.empty()) throw ActionError(404, "変更 " + std::to_string(id) + " はありません");
  if (std::string_view(r[0][4].c_str()) != "open")
    throw ActionError(409,
                      "この変更は既に処理されています（" + std::string(r[0][4].c_str()) + "）");
  tx.exec_params(
      "UPDATE integrity_observed_changes SET status = 'rejected', resolved_by = $2, resolved_at = "
      "now(),"
      " resolution_note = $3 WHERE id = $1",
      id, actor, note);
  const auto field = di::profile_field_from_string(r[0][2].c_str());
  const std::string label =
      field ? std::string(di::field_label(*field)) : std::string(r[0][2].c_str());
  if (!r[0][5].is_null()) {
    std::string message = label +
                          "の変更は正規の変更ではないと確認しました（基準は変えず、不正アクセスとし"
                          "て対応を続けます）";
    if (!note.empty()) message += "。メモ: " + note;
    tx.exec_params(
        "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail)"
        " VALUES ($1, $2, 'note', $3, jsonb_build_object('integrity_change_id', $4::bigint))",
        r[0][5].as<long long>(), actor, message, id);
    tx.exec_params("UPDATE incidents SET updated_at = now() WHERE id = $1",
                   r[0][5].as<long long>());
  }
  tx.commit();
  return boost::json::object{{"id", id},
                             {"status", "rejected"},
                             {"platform", r[0][0].c_str()},
                             {"handle", r[0][1].c_str()},
                             {"field", r[0][2].c_str()}};
}

void register_change_review_routes(http::Router& router, store::Database& db,
                                   const api::Authenticator& auth) {
  router.add_async(
      bh::verb::post, "/api/v1/integrity/changes/:id/reject",
      "/api/v1/integrity/changes/:id/reject",
      api::guarded(auth, api::Role::responder,
                   [&db](const api::Principal& who, const http::Request& req,
                         const http::Params& params, http::Responder respond) {
                     std::string error;
                     auto body = api::json_body(req, error);
                     if (!body)
                       return respond(http::json_error(req, bh::status::bad_request, error));
                     const std::string& s = params.at("id");
                     long long id = 0;
                     const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
                     if (ec != std::errc() || ptr != s.data() + s.size() || id <= 0)
                       return respond(http::json_error(req, bh::status::bad_request,
                                                       "ID が正しくありません: " + s));
                     const std::string note = api::string_member(*body, "note");
                     api::run_in_store(
                         db, req, respond, "api.integrity_reject",
                         [req, id, who, note](pqxx::connection& c) {
                           return http::json_response(
                               req, bh::status::ok,
                               boost::json::serialize(reject_change(c, id, who.name, note)));
                         });
                   }));
}

}  // namespace mamori::integrity
