#include "daemon/detection/manual_report_api.h"

#include <sodium.h>

#include <algorithm>

#include "daemon/api/api_support.h"
#include "daemon/detection/manual_report.h"
#include "daemon/incidents/playbook_steps.h"

namespace mamori::detection {
namespace {

namespace bh = http::beast_http;

std::optional<std::string> from_base64(const std::string& text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), " \r\n", &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  out.resize(length);
  return out;
}

// The report in a request body, or a Japanese message naming what is wrong.
std::optional<ManualReport> report_from(const boost::json::object& body, std::string& error) {
  ManualReport r;
  const auto type = model::incident_type_from_string(api::string_member(body, "type"));
  if (!type) {
    error =
        "type には impersonation / flameup / misinformation / account_compromise / "
        "erroneous_post / threat のいずれかを指定してください";
    return std::nullopt;
  }
  r.type = *type;
  const std::string severity = api::string_member(body, "severity", "medium");
  const auto s = model::severity_from_string(severity);
  if (!s) {
    error = "severity には low / medium / high / critical のいずれかを指定してください";
    return std::nullopt;
  }
  r.severity = *s;
  if (const std::string p = api::string_member(body, "platform"); !p.empty()) {
    r.platform = model::platform_from_string(p);
    if (!r.platform) {
      error = "platform が正しくありません（x / bluesky / mastodon など）";
      return std::nullopt;
    }
  }
  r.subject = api::string_member(body, "subject");
  r.summary = api::string_member(body, "summary");
  if (const auto* e = body.if_contains("evidence"); e != nullptr && !e->is_null()) {
    if (!e->is_object()) {
      error = "evidence は {filename, content_type, content_base64} の形で指定してください";
      return std::nullopt;
    }
    const auto& o = e->as_object();
    auto bytes = from_base64(api::string_member(o, "content_base64"));
    if (!bytes) {
      error = "evidence.content_base64 が base64 として読めません";
      return std::nullopt;
    }
    r.evidence = ManualEvidence{api::string_member(o, "filename", "evidence"),
                                api::string_member(o, "content_type"), std::move(*bytes)};
  }
  if (auto problem = check_report(r)) {
    error = *problem;
    return std::nullopt;
  }
  return r;
}

}  // namespace

void register_manual_report_routes(http::Router& router, store::Database& db,
                                   const collectors::Clock& clock, const api::Authenticator& auth,
                                   api::PlaybooksInEffect playbooks,
                                   std::function<alerts::AlertContext()> alert_context,
                                   std::function<void()> wake_dispatcher,
                                   std::function<void()> own_post_flagged) {
  router.add_async(
      bh::verb::post, "/api/v1/incidents", "/api/v1/incidents",
      api::guarded(
          auth, api::Role::responder,
          [&db, &clock, playbooks, alert_context, wake_dispatcher, own_post_flagged](
              const api::Principal& who, const http::Request& req, const http::Params&,
              http::Responder respond) {
            std::string error;
            auto body = api::json_body(req, error);
            if (!body) return respond(http::json_error(req, bh::status::bad_request, error));
            auto report = report_from(*body, error);
            if (!report) return respond(http::json_error(req, bh::status::bad_request, error));
            // Whose incident: as asked, else the reporter's only municipality.
            report->municipality = api::string_member(*body, "municipality");
            if (report->municipality.empty() && who.municipalities.size() == 1)
              report->municipality = who.municipalities.front();
            if (!report->municipality.empty() && !who.may_see(report->municipality))
              return respond(
                  http::json_error(req, bh::status::forbidden,
                                   "この自治体のインシデントを登録する権限がありません"));
            if (report->municipality.empty() && !who.sees_all())
              return respond(http::json_error(req, bh::status::bad_request,
                                              "municipality（自治体）を指定してください"));
            const auto now = clock.now();
            const auto set = playbooks();
            auto steps = incidents::playbook_steps(
                set ? &set->of(report->municipality) : nullptr, report->type, report->severity,
                report->platform.value_or(model::Platform::x), now);
            const auto context = alert_context();
            api::run_in_store(
                db, req, respond, "api.manual_report",
                [req, report = std::move(*report), steps = std::move(steps), context,
                 wake_dispatcher, own_post_flagged, actor = who.name, now](pqxx::connection& c) {
                  std::vector<ManualCheck> checks;
                  const auto r =
                      record_manual_report(c, report, steps, context, actor, now, &checks);
                  if (alerts::wakes_dispatcher(r) && wake_dispatcher) wake_dispatcher();
                  if (report.type == model::IncidentType::erroneous_post && own_post_flagged &&
                      std::any_of(checks.begin(), checks.end(),
                                  [](const ManualCheck& k) { return k.automatic; }))
                    own_post_flagged();
                  return http::json_response(req, r.created ? bh::status::created : bh::status::ok,
                                             boost::json::serialize(boost::json::object{
                                                 {"incident_id", r.incident_id},
                                                 {"created", r.created},
                                                 {"reopened", r.reopened},
                                                 {"automatic_checks", checks_json(checks)}}));
                });
          }));
}

}  // namespace mamori::detection
