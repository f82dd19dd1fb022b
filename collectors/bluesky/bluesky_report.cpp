#include "collectors/bluesky/bluesky_report.h"

#include <boost/json.hpp>

#include "collectors/common/json_access.h"

namespace mamori::collectors::bluesky {

namespace od = simdjson::ondemand;

HttpRequest report_request(const std::string& pds_base, const ReportInput& input) {
  HttpRequest r;
  r.method = "POST";
  std::string base = pds_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  r.url = base + "/xrpc/com.atproto.moderation.createReport";
  r.platform = "bluesky";
  r.endpoint = "com.atproto.moderation.createReport";
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", "application/json");
  r.headers.emplace_back("atproto-proxy", std::string(kModerationService));
  const std::string_view reason =
      input.category == "impersonation" ? kReasonMisleading : kReasonOther;
  r.body = boost::json::serialize(boost::json::object{
      {"reasonType", reason},
      {"reason", truncate_code_points(input.text, kReportReasonLimit)},
      {"subject", boost::json::object{{"$type", "com.atproto.admin.defs#repoRef"},
                                      {"did", input.account_id}}}});
  return r;
}

ReportAnswer parse_report_answer(int http_status, std::string_view body) {
  ReportAnswer a;
  std::string id;
  std::string created_at;
  std::string error;
  std::string message;
  bool is_object = false;
  const std::string problem =
      json::read_object(body, is_object, [&](std::string_view key, od::value& v) {
        if (key == "id") {
          if (auto n = json::int_of(v)) id = std::to_string(*n);
        } else if (key == "createdAt") {
          if (auto s = json::string_of(v)) created_at = *s;
        } else if (key == "error") {
          if (auto s = json::string_of(v)) error = *s;
        } else if (key == "message") {
          if (auto s = json::string_of(v)) message = *s;
        }
      });
  if (!problem.empty()) {
    a.error = "HTTP " + std::to_string(http_status) + ": " + problem;
    return a;
  }
  if (http_status < 200 || http_status >= 300) {
    a.error = "HTTP " + std::to_string(http_status);
    if (!error.empty()) a.error += ": " + error;
    if (!message.empty()) a.error += " (" + message + ")";
    return a;
  }
  if (!is_object || id.empty()) {
    a.error = "HTTP " + std::to_string(http_status) + ": the answer is not a report (no id)";
    return a;
  }
  a.accepted = true;
  a.report_id = std::move(id);
  a.created_at = std::move(created_at);
  return a;
}

}  // namespace mamori::collectors::bluesky
