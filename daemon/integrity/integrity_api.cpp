#include "daemon/integrity/integrity_api.h"

#include <charconv>

#include "collectors/common/iso_time.h"
#include "daemon/alerts/record_finding.h"
#include "daemon/api/api_support.h"
#include "daemon/incidents/erroneous_posts.h"
#include "daemon/incidents/incident_store.h"
#include "model/observation_json.h"

namespace mamori::integrity {
namespace {

namespace bh = http::beast_http;
namespace di = detectors::integrity;
using api::Principal;
using api::Role;
using incidents::ActionError;

}  // namespace

void register_integrity_routes(http::Router& router, store::Database& db,
                               const collectors::Clock& clock, const api::Authenticator& auth,
                               std::function<IntegrityMonitor*()> monitor) {
  // The results and the caller's towns with their names (the console groups the accounts by
  // town, each with its own audit button).
  router.add_async(
      bh::verb::get, "/api/v1/compliance", "/api/v1/compliance",
      api::guarded(auth, Role::viewer,
                   [&db, monitor](const Principal& who, const http::Request& req,
                                  const http::Params&, http::Responder respond) {
                     boost::json::array towns;
                     if (IntegrityMonitor* m = monitor()) {
                       for (const auto& [id, name] : m->municipality_names()) {
                         if (who.may_see(id))
                           towns.push_back(boost::json::object{{"id", id}, {"name", name}});
                       }
                     }
                     api::run_in_store(db, req, respond, "api.compliance",
                                       [req, towns = std::move(towns)](pqxx::connection& c) {
                                         auto out = compliance_json(c);
                                         out["municipalities"] = towns;
                                         return api::json_reply(req, bh::status::ok, out);
                                       });
                   }));

  // The audit of one town ({"municipality": id}) or of every town the caller works for (no
  // body): a town's staff start their own town's, the prefecture's staff any or all.
  router.add_async(
      bh::verb::post, "/api/v1/compliance/run", "/api/v1/compliance/run",
      api::guarded(auth, Role::responder,
                   [monitor](const Principal& who, const http::Request& req, const http::Params&,
                             http::Responder respond) {
                     std::string error;
                     const auto body = api::json_body(req, error);
                     if (!body)
                       return respond(http::json_error(req, bh::status::bad_request, error));
                     const std::string asked = api::string_member(*body, "municipality");
                     if (!asked.empty() && !who.may_see(asked)) {
                       return respond(http::json_error(req, bh::status::forbidden,
                                                       "この自治体の監査を行う権限がありません"));
                     }
                     IntegrityMonitor* m = monitor();
                     if (m == nullptr) {
                       return respond(http::json_error(req, bh::status::service_unavailable,
                                                       "監視がまだ開始していません"));
                     }
                     const auto served = m->municipalities();
                     std::vector<std::string> towns;
                     for (const auto& id : served) {
                       if (asked.empty() ? who.may_see(id) : id == asked) towns.push_back(id);
                     }
                     if (!asked.empty() && towns.empty()) {
                       return respond(http::json_error(req, bh::status::not_found,
                                                       "自治体 " + asked + " はありません"));
                     }
                     if (towns.size() == served.size()) {
                       m->remote().audit();  // a full round: the daily schedule runs from it
                     } else {
                       m->remote().audit(towns);
                     }
                     boost::json::array started;
                     for (const auto& id : towns) started.emplace_back(id);
                     log::info("integrity.audit_requested",
                               {{"actor", who.name}, {"municipalities", towns.size()}});
                     respond(api::json_reply(
                         req, bh::status::accepted,
                         boost::json::object{{"status", "started"},
                                             {"municipalities", std::move(started)}}));
                   }));

  router.add_async(
      bh::verb::get, "/api/v1/integrity/changes", "/api/v1/integrity/changes",
      api::guarded(auth, Role::viewer,
                   [&db](const Principal&, const http::Request& req, const http::Params&,
                         http::Responder respond) {
                     const api::Query q = api::parse_query(req.target());
                     std::string status;
                     if (auto it = q.find("status"); it != q.end()) status = it->second;
                     if (!status.empty() && status != "open" && status != "accepted" &&
                         status != "registered" && status != "superseded" && status != "rejected") {
                       return respond(
                           http::json_error(req, bh::status::bad_request,
                                            "status には open / accepted / registered / "
                                            "superseded / rejected のいずれかを指定してください"));
                     }
                     int limit = 100;
                     if (auto it = q.find("limit"); it != q.end()) {
                       const auto [p, ec] = std::from_chars(
                           it->second.data(), it->second.data() + it->second.size(), limit);
                       if (ec != std::errc() || p != it->second.data() + it->second.size()) {
                         return respond(http::json_error(req, bh::status::bad_request,
                                                         "limit は整数で指定してください"));
                       }
                       limit = std::clamp(limit, 1, 500);
                     }
                     api::run_in_store(db, req, respond, "api.integrity_changes",
                                       [req, status, limit](pqxx::connection& c) {
                                         return api::json_reply(req, bh::status::ok,
                                                                list_changes(c, status, limit));
                                       });
                   }));

  router.add_async(
      bh::verb::post, "/api/v1/integrity/changes/:id/accept",
      "/api/v1/integrity/changes/:id/accept",
      api::guarded(auth, Role::responder,
                   [&db, monitor](const Principal& who, const http::Request& req,
                                  const http::Params& params, http::Responder respond) {
                     const auto id = api::path_id(req, params, respond);
                     if (!id) return;
                     IntegrityMonitor* m = monitor();
                     const auto remote = m ? m->remote() : IntegrityMonitor::Remote{};
                     api::run_in_store(db, req, respond, "api.integrity_accept",
                                       [req, id = *id, who, remote](pqxx::connection& c) {
                                         auto out = accept_change(c, id, who.name);
                                         remote.refresh_metrics();
                                         return api::json_reply(req, bh::status::ok, out);
                                       });
                   }));

  router.add_async(bh::verb::get, "/api/v1/integrity/registrations",
                   "/api/v1/integrity/registrations",
                   api::guarded(auth, Role::viewer,
                                [&db](const Principal&, const http::Request& req,
                                      const http::Params&, http::Responder respond) {
                                  api::run_in_store(db, req, respond, "api.integrity_registrations",
                                                    [req](pqxx::connection& c) {
                                                      return api::json_reply(req, bh::status::ok,
                                                                             list_registrations(c));
                                                    });
                                }));

  // A change announced in advance (soma-city.txt 4(2)): when it appears, only the baseline moves.
  router.add_async(
      bh::verb::post, "/api/v1/integrity/registrations", "/api/v1/integrity/registrations",
      api::guarded(
          auth, Role::responder,
          [&db, &clock](const Principal& who, const http::Request& req, const http::Params&,
                        http::Responder respond) {
            std::string error;
            auto body = api::json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            Registration r;
            const auto platform =
                model::platform_from_string(api::string_member(*body, "platform"));
            if (!platform)
              return respond(http::json_error(
                  req, bh::status::bad_request,
                  "platform には x / bluesky / mastodon のいずれかを指定してください"));
            r.platform = *platform;
            r.handle = api::string_member(*body, "handle");
            if (!r.handle.empty() && r.handle.front() == '@') r.handle.erase(0, 1);
            if (r.handle.empty())
              return respond(
                  http::json_error(req, bh::status::bad_request, "handle を指定してください"));
            const auto field = di::profile_field_from_string(api::string_member(*body, "field"));
            if (!field) {
              return respond(
                  http::json_error(req, bh::status::bad_request,
                                   "field には display_name / handle / description / url / avatar "
                                   "/ verified のいずれかを指定してください"));
            }
            r.field = *field;
            r.value = api::string_member(*body, "value");
            r.note = api::string_member(*body, "note");
            const auto now = clock.now();
            r.valid_from = now;
            r.valid_until = now + std::chrono::days(60);
            for (auto [key, out] :
                 {std::pair<const char*, model::TimePoint*>{"valid_from", &r.valid_from},
                  std::pair<const char*, model::TimePoint*>{"valid_until", &r.valid_until}}) {
              const std::string text = api::string_member(*body, key);
              if (text.empty()) continue;
              const auto t = collectors::parse_datetime(text);
              if (!t) {
                return respond(http::json_error(
                    req, bh::status::bad_request,
                    std::string(key) +
                        " は ISO-8601 の日時で指定してください（例: 2025-04-01T00:00:00Z）"));
              }
              *out = *t;
            }
            if (r.valid_until <= r.valid_from) {
              return respond(http::json_error(req, bh::status::bad_request,
                                              "valid_until は valid_from より後にしてください"));
            }
            api::run_in_store(
                db, req, respond, "api.integrity_register", [req, r, who](pqxx::connection& c) {
                  const long long id = register_change(c, r, who.name);
                  return api::json_reply(req, bh::status::created, boost::json::object{{"id", id}});
                });
          }));

  // An own post staff flag as erroneous: the erroneous_post playbook (shiroi-city.txt 4(4)).
  router.add_async(
      bh::verb::post, "/api/v1/posts/erroneous", "/api/v1/posts/erroneous",
      api::guarded(
          auth, Role::responder,
          [&db, monitor](const Principal& who, const http::Request& req, const http::Params&,
                         http::Responder respond) {
            std::string error;
            auto body = api::json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            const auto platform =
                model::platform_from_string(api::string_member(*body, "platform"));
            if (!platform)
              return respond(http::json_error(
                  req, bh::status::bad_request,
                  "platform には x / bluesky / mastodon のいずれかを指定してください"));
            const std::string post_id = api::string_member(*body, "post_id");
            if (post_id.empty() || post_id.size() > 300) {
              return respond(
                  http::json_error(req, bh::status::bad_request, "post_id を指定してください"));
            }
            const std::string note = api::string_member(*body, "note");
            IntegrityMonitor* m = monitor();
            if (m == nullptr)
              return respond(http::json_error(req, bh::status::service_unavailable,
                                              "監視がまだ開始していません"));
            incidents::NewIncident planned;
            m->plan_steps(planned, model::IncidentType::erroneous_post, model::Severity::medium,
                          *platform);
            const auto context = m->alert_context();
            const auto p = *platform;
            const auto remote = m->remote();
            const auto now = m->now();
            api::run_in_store(
                db, req, respond, "api.erroneous_post",
                [req, p, post_id, note, who, planned, context, remote, now](pqxx::connection& c) {
                  const auto own = store::find_own_post(c, p, post_id);
                  if (!own) {
                    throw ActionError(404, "投稿 " + post_id +
                                               " は公式アカウントの投稿として取得されていません（投"
                                               "稿直後の場合は次の取得までお待ちください）");
                  }
                  model::Finding f;
                  f.type = model::IncidentType::erroneous_post;
                  f.subject = std::string(model::to_string(p)) + ":post:" + post_id;
                  f.platform = p;
                  f.score = 1.0;
                  f.severity = model::Severity::medium;
                  f.severity_label = "誤投稿";
                  f.detected_at = now;
                  f.reasons.push_back(who.name + " さんが公式アカウント @" + own->handle +
                                      " の投稿を誤った投稿として登録しました");
                  if (!note.empty()) f.reasons.push_back("メモ: " + note);
                  f.evidence_json =
                      boost::json::serialize(boost::json::object{{"kind", "erroneous_post"},
                                                                 {"post_id", post_id},
                                                                 {"handle", own->handle},
                                                                 {"flagged_by", who.name}});
                  incidents::NewIncident fresh = planned;
                  std::string excerpt = own->post.text.substr(0, 120);
                  while (!excerpt.empty() &&
                         (static_cast<unsigned char>(excerpt.back()) & 0xC0) == 0x80)
                    excerpt.pop_back();
                  if (!excerpt.empty() && static_cast<unsigned char>(excerpt.back()) >= 0xC0)
                    excerpt.pop_back();
                  fresh.title = "誤った投稿への対応: @" + own->handle + " の投稿 " + post_id;
                  fresh.summary = "公式アカウントの投稿「" + excerpt +
                                  (own->post.text.size() > excerpt.size() ? "…" : "") +
                                  "」を誤った投稿として対応します。";
                  fresh.official_handle = own->handle;
                  incidents::EvidenceItem item;
                  item.kind = "post";
                  item.description = "誤った投稿（登録時に保存していた内容）";
                  item.content_type = "application/json";
                  item.content = model::to_json_line(model::Observation(own->post));
                  item.captured_at = now;
                  const auto res = alerts::record_finding(
                      c, f, {item}, fresh, context,
                      [&](pqxx::work& tx, const incidents::RecordResult& r) {
                        incidents::track_erroneous_post(tx, r.incident_id, *own, note, who.name);
                        tx.exec_params(
                            "INSERT INTO incident_timeline (incident_id, actor, kind, message) "
                            "VALUES ($1, 'system:integrity',"
                            " 'note', $2)",
                            r.incident_id,
                            "拡散状況（登録時）: リポスト " +
                                std::to_string(own->post.repost_count) + "件、引用 " +
                                std::to_string(own->post.quote_count) + "件、返信 " +
                                std::to_string(own->post.reply_count) +
                                "件。以後の取得で変化を記録します");
                      });
                  remote.spread_check();
                  if (alerts::wakes_dispatcher(res)) remote.wake_dispatcher();
                  return api::json_reply(req, res.created ? bh::status::created : bh::status::ok,
                                         boost::json::object{{"incident_id", res.incident_id},
                                                             {"created", res.created}});
                });
          }));
}

}  // namespace mamori::integrity
