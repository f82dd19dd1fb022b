#include "daemon/api/account_change_api.h"

#include "collectors/common/iso_time.h"
#include "collectors/http/host_allow_list.h"
#include "daemon/api/api_support.h"
#include "daemon/incidents/account_changes.h"
#include "daemon/incidents/automatic_check_runner.h"
#include "daemon/incidents/playbook_steps.h"

namespace mamori::api {
namespace {

namespace bh = http::beast_http;
using incidents::ActionError;

}  // namespace

void register_account_change_routes(http::Router& router, store::Database& db,
                                    const collectors::Clock& clock, const Authenticator& auth,
                                    PlaybooksInEffect playbooks, ConfigInEffect config) {
  router.add_async(
      bh::verb::get, "/api/v1/account-changes", "/api/v1/account-changes",
      guarded(auth, Role::viewer,
              [&db](const Principal&, const http::Request& req, const http::Params&,
                    http::Responder respond) {
                run_in_store(db, req, respond, "api.account_changes", [req](pqxx::connection& c) {
                  return json_reply(
                      req, bh::status::ok,
                      boost::json::object{{"account_changes", incidents::list_account_changes(c)}});
                });
              }));

  router.add_async(
      bh::verb::post, "/api/v1/account-changes", "/api/v1/account-changes",
      guarded(
          auth, Role::responder,
          [&db, &clock, playbooks, config](const Principal& who, const http::Request& req,
                                           const http::Params&, http::Responder respond) {
            std::string error;
            auto body = json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            auto bad = [&](const std::string& message) {
              respond(http::json_error(req, bh::status::bad_request, message));
            };
            incidents::AccountChangePlan plan;
            const auto platform = model::platform_from_string(string_member(*body, "platform"));
            if (!platform)
              return bad("platform には x / bluesky / mastodon のいずれかを指定してください");
            plan.platform = *platform;
            plan.handle = string_member(*body, "handle");
            if (!plan.handle.empty() && plan.handle.front() == '@') plan.handle.erase(0, 1);
            if (plan.handle.empty()) return bad("handle（対象の公式アカウント）を指定してください");
            const std::string kind = string_member(*body, "kind");
            if (kind != "change" && kind != "closure")
              return bad("kind には change（変更）か closure（廃止）を指定してください");
            plan.closure = kind == "closure";
            plan.what = string_member(*body, "what");
            if (plan.what.empty() || plan.what.size() > 2000)
              return bad("what（変更・廃止の内容）を指定してください");
            const auto planned = collectors::parse_datetime(string_member(*body, "planned_at"));
            if (!planned)
              return bad(
                  "planned_at は ISO-8601 の日時で指定してください（例: "
                  "2026-04-01T00:00:00+09:00）");
            plan.planned_at = *planned;
            const auto cfg = config();
            std::string municipality;  // the account's
            for (const auto& a : cfg->accounts) {
              if (a.platform == plan.platform && a.handle == plan.handle)
                municipality = a.municipality;
            }
            plan.notice_url =
                string_member(*body, "notice_url", cfg->tenant(municipality).notice_url);
            plan.periods = cfg->reminders;
            // The notice names the account: its handle is what the homepage check looks for.
            plan.notice_text = string_member(*body, "notice_text", plan.handle);
            const auto url = collectors::parse_http_url(plan.notice_url);
            if (!url || !incidents::homepage_hosts(*cfg).allows(url->host)) {
              return bad(
                  "notice_url（お知らせを掲載するページ）は、設定されたホームページのホスト上の "
                  "http(s) の URL にしてください");
            }
            const auto set = playbooks();
            const auto now = clock.now();
            auto steps = incidents::account_change_steps(
                incidents::playbook_steps(set ? &set->of(municipality) : nullptr,
                                          model::IncidentType::account_change, model::Severity::low,
                                          plan.platform, now),
                plan, now);
            if (steps.empty())
              return respond(
                  http::json_error(req, bh::status::internal_server_error,
                                   "account_change のプレイブックが読み込まれていません"));
            run_in_store(db, req, respond, "api.account_change_register",
                         [req, plan, steps, who, now](pqxx::connection& c) {
                           const auto r =
                               incidents::register_account_change(c, plan, steps, who.name, now);
                           boost::json::array warnings;
                           for (const auto& w : r.warnings) warnings.emplace_back(w);
                           return json_reply(req, r.created ? bh::status::created : bh::status::ok,
                                             boost::json::object{{"incident_id", r.incident_id},
                                                                 {"created", r.created},
                                                                 {"warnings", warnings}});
                         });
          }));
}

}  // namespace mamori::api
