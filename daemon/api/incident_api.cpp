#include "daemon/api/incident_api.h"

#include "daemon/api/api_support.h"
#include "daemon/incidents/incident_store.h"

namespace mamori::api {

namespace bh = http::beast_http;
using incidents::ActionError;

http::AsyncHandler incident_change(store::Database& db, const Authenticator& auth, std::string job,
                                   IncidentChange change) {
  return guarded(auth, Role::responder,
                 [&db, job, change](const Principal& who, const http::Request& req,
                                    const http::Params& params, http::Responder respond) {
                   std::string error;
                   auto body = json_body(req, error);
                   if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
                   const auto id = path_id(req, params, respond);
                   if (!id) return;
                   run_in_store(
                       db, req, respond, job,
                       [req, id = *id, who, body = std::move(*body), change](pqxx::connection& c) {
                         change(c, id, who, body);
                         auto incident = incidents::get_incident(c, id);
                         if (!incident) throw ActionError(404, "インシデントがありません");
                         return json_reply(req, bh::status::ok, *incident);
                       });
                 });
}

void register_incident_routes(http::Router& router, store::Database& db, const Authenticator& auth,
                              incidents::StatusHook on_status) {
  router.add_async(
      bh::verb::get, "/api/v1/incidents", "/api/v1/incidents",
      guarded(auth, Role::viewer,
              [&db](const Principal&, const http::Request& req, const http::Params&,
                    http::Responder respond) {
                const Query q = parse_query(req.target());
                incidents::IncidentFilter f;
                if (auto it = q.find("type"); it != q.end() && !it->second.empty()) {
                  f.type = model::incident_type_from_string(it->second);
                  if (!f.type)
                    return respond(
                        http::json_error(req, bh::status::bad_request, "type が正しくありません"));
                }
                if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
                  f.status = incidents::status_from_string(it->second);
                  if (!f.status)
                    return respond(http::json_error(req, bh::status::bad_request,
                                                    "status が正しくありません"));
                }
                if (auto it = q.find("severity"); it != q.end() && !it->second.empty()) {
                  f.min_severity = model::severity_from_string(it->second);
                  if (!f.min_severity)
                    return respond(http::json_error(req, bh::status::bad_request,
                                                    "severity が正しくありません"));
                }
                f.live_only = q.count("live") > 0 && q.at("live") != "0";
                try {
                  if (auto it = q.find("limit"); it != q.end())
                    f.limit = std::clamp(std::stoi(it->second), 1, 500);
                  if (auto it = q.find("offset"); it != q.end())
                    f.offset = std::max(0, std::stoi(it->second));
                } catch (const std::exception&) {
                  return respond(http::json_error(req, bh::status::bad_request,
                                                  "limit/offset は整数で指定してください"));
                }
                run_in_store(db, req, respond, "api.list_incidents", [req, f](pqxx::connection& c) {
                  boost::json::object o;
                  o["incidents"] = incidents::list_incidents(c, f);
                  return json_reply(req, bh::status::ok, o);
                });
              }));

  router.add_async(
      bh::verb::get, "/api/v1/incidents/:id", "/api/v1/incidents/:id",
      guarded(auth, Role::viewer,
              [&db](const Principal&, const http::Request& req, const http::Params& params,
                    http::Responder respond) {
                const auto id = path_id(req, params, respond);
                if (!id) return;
                run_in_store(db, req, respond, "api.get_incident",
                             [req, id = *id](pqxx::connection& c) {
                               auto incident = incidents::get_incident(c, id);
                               if (!incident)
                                 throw ActionError(
                                     404, "インシデント " + std::to_string(id) + " はありません");
                               return json_reply(req, bh::status::ok, *incident);
                             });
              }));

  router.add_async(
      bh::verb::get, "/api/v1/incidents/:id/evidence-bundle",
      "/api/v1/incidents/:id/evidence-bundle",
      guarded(auth, Role::viewer,
              [&db](const Principal& who, const http::Request& req, const http::Params& params,
                    http::Responder respond) {
                const auto id = path_id(req, params, respond);
                if (!id) return;
                run_in_store(db, req, respond, "api.evidence_bundle",
                             [req, id = *id, who](pqxx::connection& c) {
                               auto bundle = incidents::evidence_bundle(c, id);
                               if (!bundle)
                                 throw ActionError(
                                     404, "インシデント " + std::to_string(id) + " はありません");
                               auto res = json_reply(req, bh::status::ok, *bundle);
                               res.set(bh::field::content_disposition,
                                       "attachment; filename=\"mamori-incident-" +
                                           std::to_string(id) + "-evidence.json\"");
                               return res;
                             });
              }));

  router.add_async(
      bh::verb::post, "/api/v1/incidents/:id/acknowledge", "/api/v1/incidents/:id/acknowledge",
      incident_change(db, auth, "api.acknowledge",
                      [on_status](pqxx::connection& c, long long id, const Principal& who,
                                  const boost::json::object& b) {
                        incidents::change_status(c, id, incidents::Status::acknowledged, who.name,
                                                 string_member(b, "note"), "", on_status);
                      }));
  router.add_async(
      bh::verb::post, "/api/v1/incidents/:id/status", "/api/v1/incidents/:id/status",
      incident_change(db, auth, "api.status",
                      [on_status](pqxx::connection& c, long long id, const Principal& who,
                                  const boost::json::object& b) {
                        const auto to = incidents::status_from_string(string_member(b, "status"));
                        if (!to)
                          throw ActionError(
                              400,
                              "status には open / acknowledged / mitigating / monitoring / "
                              "resolved / closed のいずれかを指定してください");
                        incidents::change_status(c, id, *to, who.name, string_member(b, "note"),
                                                 string_member(b, "closure_reason"), on_status);
                      }));
  router.add_async(bh::verb::post, "/api/v1/incidents/:id/resolve", "/api/v1/incidents/:id/resolve",
                   incident_change(db, auth, "api.resolve",
                                   [on_status](pqxx::connection& c, long long id,
                                               const Principal& who, const boost::json::object& b) {
                                     incidents::change_status(c, id, incidents::Status::resolved,
                                                              who.name, string_member(b, "note"),
                                                              "", on_status);
                                   }));
  router.add_async(bh::verb::post, "/api/v1/incidents/:id/close", "/api/v1/incidents/:id/close",
                   incident_change(db, auth, "api.close",
                                   [on_status](pqxx::connection& c, long long id,
                                               const Principal& who, const boost::json::object& b) {
                                     incidents::change_status(c, id, incidents::Status::closed,
                                                              who.name, string_member(b, "note"),
                                                              string_member(b, "closure_reason"),
                                                              on_status);
                                   }));
  router.add_async(bh::verb::post, "/api/v1/incidents/:id/assign", "/api/v1/incidents/:id/assign",
                   incident_change(db, auth, "api.assign",
                                   [](pqxx::connection& c, long long id, const Principal& who,
                                      const boost::json::object& b) {
                                     incidents::assign(c, id, string_member(b, "assignee"),
                                                       who.name);
                                   }));
  router.add_async(bh::verb::post, "/api/v1/incidents/:id/notes", "/api/v1/incidents/:id/notes",
                   incident_change(db, auth, "api.note",
                                   [](pqxx::connection& c, long long id, const Principal& who,
                                      const boost::json::object& b) {
                                     incidents::add_note(c, id, who.name, string_member(b, "text"));
                                   }));
  router.add_async(
      bh::verb::post, "/api/v1/incidents/:id/severity", "/api/v1/incidents/:id/severity",
      incident_change(
          db, auth, "api.severity",
          [](pqxx::connection& c, long long id, const Principal& who,
             const boost::json::object& b) {
            const auto sev = model::severity_from_string(string_member(b, "severity"));
            if (!sev)
              throw ActionError(
                  400, "severity には low / medium / high / critical のいずれかを指定してください");
            incidents::change_severity(c, id, *sev, who.name, string_member(b, "reason"));
          }));
  for (const bool skip : {false, true}) {
    const std::string verb = skip ? "skip" : "complete";
    router.add_async(
        bh::verb::post, "/api/v1/incidents/:id/steps/:step/" + verb,
        "/api/v1/incidents/:id/steps/:step/" + verb,
        guarded(auth, Role::responder,
                [&db, skip](const Principal& who, const http::Request& req,
                            const http::Params& params, http::Responder respond) {
                  std::string error;
                  auto body = json_body(req, error);
                  if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
                  const auto id = path_id(req, params, respond);
                  if (!id) return;
                  const std::string step = params.at("step");
                  const std::string note = string_member(*body, "note");
                  run_in_store(db, req, respond, "api.step",
                               [req, id = *id, step, note, skip, who](pqxx::connection& c) {
                                 incidents::complete_step(c, id, step, skip, who.name, note);
                                 return json_reply(req, bh::status::ok,
                                                   *incidents::get_incident(c, id));
                               });
                }));
  }
}

void register_rumour_routes(http::Router& router, store::Database& db, const Authenticator& auth,
                            std::function<void()> on_change) {
  const auto changed = [on_change] {
    if (on_change) on_change();
  };
  router.add_async(
      bh::verb::get, "/api/v1/rumours", "/api/v1/rumours",
      guarded(auth, Role::viewer,
              [&db](const Principal&, const http::Request& req, const http::Params&,
                    http::Responder respond) {
                run_in_store(db, req, respond, "api.list_rumours", [req](pqxx::connection& c) {
                  pqxx::work tx(c);
                  const auto r = tx.exec(
                      "SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM (SELECT id, "
                      "municipality, claim, wordings, correction, correction_url, topic, active,"
                      " created_by, created_at, updated_at FROM rumours"
                      " WHERE mamori_in_scope(municipality)) r");
                  boost::json::object o;
                  o["rumours"] = boost::json::parse(r[0][0].c_str());
                  return json_reply(req, bh::status::ok, o);
                });
              }));

  auto rumour_from_body = [](const boost::json::object& b, std::string& claim,
                             std::string& wordings, std::string& correction, std::string& url,
                             std::string& topic) {
    claim = string_member(b, "claim");
    correction = string_member(b, "correction");
    url = string_member(b, "correction_url");
    topic = string_member(b, "topic");
    if (claim.empty()) throw ActionError(400, "claim（誤った主張の内容）が必要です");
    if (correction.empty()) throw ActionError(400, "correction（正しい情報）が必要です");
    if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
      throw ActionError(400, "correction_url は http:// か https:// で始まる URL にしてください");
    }
    boost::json::array w;
    if (auto it = b.find("wordings"); it != b.end() && it->value().is_array()) {
      for (const auto& v : it->value().as_array()) {
        if (v.is_string()) w.push_back(v);
      }
    }
    wordings = boost::json::serialize(w);
  };

  router.add_async(
      bh::verb::post, "/api/v1/rumours", "/api/v1/rumours",
      guarded(
          auth, Role::responder,
          [&db, rumour_from_body, changed](const Principal& who, const http::Request& req,
                                           const http::Params&, http::Responder respond) {
            std::string error;
            auto body = json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            std::string claim, wordings, correction, url, topic;
            try {
              rumour_from_body(*body, claim, wordings, correction, url, topic);
            } catch (const ActionError& e) {
              return respond(http::json_error(req, bh::status::bad_request, e.what()));
            }
            // Whose rumour: as asked, else the caller's only municipality.
            std::string municipality = string_member(*body, "municipality");
            if (municipality.empty() && who.municipalities.size() == 1)
              municipality = who.municipalities.front();
            if (!municipality.empty() && !who.may_see(municipality))
              return respond(http::json_error(req, bh::status::forbidden,
                                              "この自治体のデマを登録する権限がありません"));
            if (municipality.empty() && !who.sees_all())
              return respond(http::json_error(req, bh::status::bad_request,
                                              "municipality（自治体）を指定してください"));
            run_in_store(db, req, respond, "api.add_rumour", [=](pqxx::connection& c) {
              pqxx::work tx(c);
              const auto r = tx.exec_params(
                  "INSERT INTO rumours (claim, wordings, correction, correction_url, topic, "
                  "created_by, municipality)"
                  " VALUES ($1, ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), $3, $4, $5, $6,"
                  " coalesce(NULLIF($7, ''), 'default'))"
                  " RETURNING row_to_json(rumours)",
                  claim, wordings, correction, url, topic, who.name, municipality);
              tx.commit();
              changed();
              return http::json_response(req, bh::status::created, r[0][0].c_str());
            });
          }));

  router.add_async(
      bh::verb::put, "/api/v1/rumours/:id", "/api/v1/rumours/:id",
      guarded(
          auth, Role::responder,
          [&db, rumour_from_body, changed](const Principal&, const http::Request& req,
                                           const http::Params& params, http::Responder respond) {
            std::string error;
            auto body = json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            const auto id = path_id(req, params, respond);
            if (!id) return;
            std::string claim, wordings, correction, url, topic;
            try {
              rumour_from_body(*body, claim, wordings, correction, url, topic);
            } catch (const ActionError& e) {
              return respond(http::json_error(req, bh::status::bad_request, e.what()));
            }
            const bool active = !body->contains("active") || !(*body)["active"].is_bool() ||
                                (*body)["active"].as_bool();
            run_in_store(db, req, respond, "api.update_rumour", [=, id = *id](pqxx::connection& c) {
              pqxx::work tx(c);
              const auto r = tx.exec_params(
                  "UPDATE rumours SET claim = $2, wordings = ARRAY(SELECT "
                  "jsonb_array_elements_text($3::jsonb)),"
                  " correction = $4, correction_url = $5, topic = $6, active = $7, updated_at = "
                  "now()"
                  " WHERE id = $1 RETURNING row_to_json(rumours)",
                  id, claim, wordings, correction, url, topic, active);
              if (r.empty())
                throw ActionError(404, "登録されたデマ " + std::to_string(id) + " はありません");
              tx.commit();
              changed();
              return http::json_response(req, bh::status::ok, r[0][0].c_str());
            });
          }));

  router.add_async(
      bh::verb::delete_, "/api/v1/rumours/:id", "/api/v1/rumours/:id",
      guarded(auth, Role::responder,
              [&db, changed](const Principal&, const http::Request& req, const http::Params& params,
                             http::Responder respond) {
                const auto id = path_id(req, params, respond);
                if (!id) return;
                // Kept for the record; the detector ignores inactive entries.
                run_in_store(
                    db, req, respond, "api.retire_rumour",
                    [req, id = *id, changed](pqxx::connection& c) {
                      pqxx::work tx(c);
                      const auto r = tx.exec_params(
                          "UPDATE rumours SET active = false, updated_at = now() WHERE id = $1 "
                          "RETURNING id",
                          id);
                      if (r.empty())
                        throw ActionError(404,
                                          "登録されたデマ " + std::to_string(id) + " はありません");
                      tx.commit();
                      changed();
                      return http::json_response(req, bh::status::ok, R"({"retired":true})");
                    });
              }));
}

}  // namespace mamori::api
