#include "daemon/integrity/change_review.h"

#include "daemon/api/api_support.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/integrity/integrity_store.h"
#include "detectors/integrity/baseline.h"

namespace mamori::integrity {

namespace bh = http::beast_http;
namespace di = detectors::integrity;

boost::json::object reject_change(pqxx::connection& c, long long id, const std::string& actor,
                                  const std::string& note) {
  pqxx::work tx(c);
  const OpenChange change = lock_open_change(tx, id);
  tx.exec_params(
      "UPDATE integrity_observed_changes SET status = 'rejected', resolved_by = $2, resolved_at = "
      "now(),"
      " resolution_note = $3 WHERE id = $1",
      id, actor, note);
  const auto field = di::profile_field_from_string(change.field);
  const std::string label = field ? std::string(di::field_label(*field)) : change.field;
  if (change.incident_id) {
    std::string message = label +
                          "の変更は正規の変更ではないと確認しました（基準は変えず、不正アクセスとし"
                          "て対応を続けます）";
    if (!note.empty()) message += "。メモ: " + note;
    incidents::append_timeline(tx, *change.incident_id, actor, "note", message,
                               {{"integrity_change_id", id}});
  }
  tx.commit();
  return boost::json::object{{"id", id},
                             {"status", "rejected"},
                             {"platform", change.platform},
                             {"handle", change.handle},
                             {"field", change.field}};
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
                     const auto id = api::path_id(req, params, respond);
                     if (!id) return;
                     const std::string note = api::string_member(*body, "note");
                     api::run_in_store(db, req, respond, "api.integrity_reject",
                                       [req, id = *id, who, note](pqxx::connection& c) {
                                         return api::json_reply(
                                             req, bh::status::ok,
                                             reject_change(c, id, who.name, note));
                                       });
                   }));
}

}  // namespace mamori::integrity
