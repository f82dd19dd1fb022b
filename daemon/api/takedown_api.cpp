#include "daemon/api/takedown_api.h"

#include <boost/asio/post.hpp>
#include <memory>

#include "daemon/api/api_support.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/incidents/takedowns.h"
#include "daemon/log/log.h"

namespace mamori::api {
namespace {

namespace bh = http::beast_http;
using incidents::ActionError;

// A request created for a report API, for mamori to send once the store job has recorded it.
struct PendingFiling {
  long long id = 0;
  model::Platform platform = model::Platform::x;
  collectors::ReportInput input;
};

// Request text limits: what the widest report API takes (Bluesky 2,000), with room for a form.
constexpr std::size_t kMaxText = 20000;

}  // namespace

void register_takedown_routes(http::Router& router, store::Database& db,
                              const collectors::Clock& clock, const Authenticator& auth,
                              boost::asio::io_context& io,
                              std::function<incidents::TakedownFiler*()> filer) {
  router.add_async(
      bh::verb::get, "/api/v1/incidents/:id/takedowns", "/api/v1/incidents/:id/takedowns",
      guarded(auth, Role::viewer,
              [&db, &clock, filer](const Principal&, const http::Request& req,
                                   const http::Params& params, http::Responder respond) {
                const auto id = path_id(req, params, respond);
                if (!id) return;
                // Which platforms mamori can file with itself, decided on the loop.
                boost::json::object filing;
                boost::json::object forms;
                incidents::TakedownFiler* f = filer();
                for (const auto p : {model::Platform::x, model::Platform::bluesky,
                                     model::Platform::mastodon, model::Platform::facebook,
                                     model::Platform::instagram, model::Platform::youtube}) {
                  forms[model::to_string(p)] = std::string(incidents::report_form_url(p));
                  filing[model::to_string(p)] =
                      f == nullptr ? std::string("監視がまだ開始していません") : f->unavailable(p);
                }
                run_in_store(db, req, respond, "api.takedowns",
                             [req, id = *id, filing, forms, &clock](pqxx::connection& c) {
                               const auto target = incidents::default_target(c, id);
                               boost::json::object o;
                               o["takedowns"] = incidents::list_takedowns(c, id, clock.now());
                               if (target) {
                                 o["default_target"] = boost::json::object{
                                     {"platform", std::string(model::to_string(target->platform))},
                                     {"account_id", target->account_id},
                                     {"handle", target->handle}};
                               } else {
                                 o["default_target"] = nullptr;
                               }
                               o["filing_unavailable"] = filing;
                               o["form_urls"] = forms;
                               return json_reply(req, bh::status::ok, o);
                             });
              }));

  router.add_async(
      bh::verb::get, "/api/v1/takedowns", "/api/v1/takedowns",
      guarded(auth, Role::viewer,
              [&db, &clock](const Principal&, const http::Request& req, const http::Params&,
                            http::Responder respond) {
                run_in_store(
                    db, req, respond, "api.open_takedowns", [req, &clock](pqxx::connection& c) {
                      return json_reply(req, bh::status::ok,
                                        boost::json::object{{"takedowns", incidents::open_takedowns(
                                                                              c, clock.now())}});
                    });
              }));

  // File a request: mamori sends it where the platform has a report API and answers with the
  // platform's answer; for a form (X) staff record that they sent it, with the receipt number.
  router.add_async(
      bh::verb::post, "/api/v1/incidents/:id/takedowns", "/api/v1/incidents/:id/takedowns",
      guarded(
          auth, Role::responder,
          [&db, &clock, &io, filer](const Principal& who, const http::Request& req,
                                    const http::Params& params, http::Responder respond) {
            std::string error;
            auto body = json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            const auto incident_id = path_id(req, params, respond);
            if (!incident_id) return;
            incidents::NewTakedown n;
            n.incident_id = *incident_id;
            n.text = string_member(*body, "text");
            if (n.text.empty() || n.text.size() > kMaxText)
              return respond(
                  http::json_error(req, bh::status::bad_request,
                                   "text（依頼の文面）を指定してください（20,000 バイトまで）"));
            n.receipt = string_member(*body, "receipt");
            const std::string platform_text = string_member(*body, "platform");
            std::optional<model::Platform> platform;
            if (!platform_text.empty()) {
              platform = model::platform_from_string(platform_text);
              if (!platform)
                return respond(http::json_error(
                    req, bh::status::bad_request,
                    "platform には x / bluesky / mastodon / facebook / instagram / youtube の"
                    "いずれかを指定してください"));
            }
            const std::string account_id = string_member(*body, "account_id");
            std::string handle = string_member(*body, "handle");
            if (!handle.empty() && handle.front() == '@') handle.erase(0, 1);
            if (auto it = body->find("post_ids"); it != body->end() && it->value().is_array()) {
              for (const auto& v : it->value().as_array()) {
                if (v.is_string() && !v.as_string().empty() && v.as_string().size() <= 300)
                  n.post_ids.emplace_back(v.as_string());
              }
            }
            if (auto it = body->find("previous_id"); it != body->end() && it->value().is_int64())
              n.previous_id = it->value().as_int64();
            const std::string category = string_member(*body, "category", "impersonation");
            const bool running = filer() != nullptr;
            if (running) n.own_response_period = filer()->own_response_period();
            const std::string actor = who.name;
            // 1. Record the request (and its target) in one store job; for a report API it
            // leaves the request to send here (written and read on the store's thread).
            auto pending = std::make_shared<std::optional<PendingFiling>>();
            const http::Request head = [&] {
              http::Request h;
              h.version(req.version());
              h.keep_alive(req.keep_alive());
              return h;
            }();
            run_in_store(
                db, req,
                [&db, &clock, &io, filer, respond, head, pending](http::Response res) mutable {
                  if (!*pending) return respond(std::move(res));
                  // 2. Send it (on the loop) and record the answer before answering.
                  boost::asio::post(
                      io, [&db, &clock, filer, f = std::move(**pending), respond, head]() mutable {
                        incidents::TakedownFiler* active = filer();
                        if (active == nullptr)
                          return respond(http::json_error(
                              head, bh::status::service_unavailable,
                              "監視が停止しています。送信中の依頼は再依頼してください"));
                        active->file(
                            f.platform, std::move(f.input),
                            [&db, &clock, id = f.id, respond, head](incidents::FilingResult r) {
                              const bool queued = db.submit(
                                  "api.takedown_answer",
                                  [id, r, respond, head, &clock](pqxx::connection& c) {
                                    incidents::record_filing(c, id, r.answer, r.raw, clock.now());
                                    auto shown = incidents::get_takedown(c, id, clock.now());
                                    respond(json_reply(head,
                                                       r.answer.accepted ? bh::status::created
                                                                         : bh::status::bad_gateway,
                                                       *shown));
                                  });
                              if (!queued)
                                respond(http::json_error(head, bh::status::service_unavailable,
                                                         "処理が混み合っています"));
                            });
                      });
                },
                "api.takedown_create",
                [req, n, platform, account_id, handle, actor, running, category, pending,
                 &clock](pqxx::connection& c) mutable {
                  const auto fallback = incidents::default_target(c, n.incident_id);
                  n.target.platform = platform   ? *platform
                                      : fallback ? fallback->platform
                                                 : model::Platform::x;
                  if (!platform && !fallback)
                    throw ActionError(400,
                                      "platform と account_id（依頼の対象）を指定してください");
                  const bool same = fallback && fallback->platform == n.target.platform;
                  n.target.account_id = !account_id.empty() ? account_id
                                        : same              ? fallback->account_id
                                                            : "";
                  n.target.handle = !handle.empty()              ? handle
                                    : same && account_id.empty() ? fallback->handle
                                                                 : "";
                  if (n.target.account_id.empty() && n.target.handle.empty())
                    throw ActionError(400,
                                      "account_id（依頼の対象のアカウント）を指定してください");
                  const bool api = incidents::has_report_api(n.target.platform);
                  if (api && n.target.account_id.empty())
                    throw ActionError(400, "通報の API には対象のアカウント ID が必要です");
                  if (api && !running) throw ActionError(503, "監視がまだ開始していません");
                  const long long id = incidents::create_takedown(c, n, actor, clock.now());
                  auto shown = incidents::get_takedown(c, id, clock.now());
                  if (api) {
                    collectors::ReportInput input;
                    input.account_id = n.target.account_id;
                    input.post_ids = n.post_ids;
                    input.text = n.text;
                    input.category = category;
                    *pending = PendingFiling{id, n.target.platform, std::move(input)};
                  }
                  return json_reply(req, api ? bh::status::accepted : bh::status::created, *shown);
                });
          }));

  router.add_async(
      bh::verb::post, "/api/v1/takedowns/:id", "/api/v1/takedowns/:id",
      guarded(auth, Role::responder,
              [&db, &clock](const Principal& who, const http::Request& req,
                            const http::Params& params, http::Responder respond) {
                std::string error;
                auto body = json_body(req, error);
                if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
                const auto id = path_id(req, params, respond);
                if (!id) return;
                std::optional<incidents::TakedownStatus> status;
                if (const std::string s = string_member(*body, "status"); !s.empty()) {
                  status = incidents::takedown_status_from_string(s);
                  if (!status)
                    return respond(http::json_error(req, bh::status::bad_request,
                                                    "status には filed / answered / removed / "
                                                    "refused のいずれかを指定してください"));
                }
                std::optional<std::string> receipt;
                if (auto it = body->find("receipt"); it != body->end() && it->value().is_string()) {
                  if (it->value().as_string().size() > 200)
                    return respond(
                        http::json_error(req, bh::status::bad_request, "受付番号が長すぎます"));
                  receipt = std::string(it->value().as_string());
                }
                const std::string note = string_member(*body, "note");
                run_in_store(
                    db, req, respond, "api.takedown_update",
                    [req, id = *id, status, receipt, note, who, &clock](pqxx::connection& c) {
                      incidents::update_takedown(c, id, status, receipt, note, who.name,
                                                 clock.now());
                      return json_reply(req, bh::status::ok,
                                        *incidents::get_takedown(c, id, clock.now()));
                    });
              }));
}

}  // namespace mamori::api
