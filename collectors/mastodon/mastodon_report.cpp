#include "collectors/mastodon/mastodon_report.h"

#include <boost/json.hpp>

#include "collectors/common/json_access.h"

namespace mamori::collectors::mastodon {

namespace od = simdjson::ondemand;

HttpRequest report_request(const std::string& instance, const std::string& access_token,
                           const ReportInput& input) {
  HttpRequest r;
  r.method = "POST";
  std::string base = instance;
  while (!base.empty() && base.back() == '/') base.pop_back();
  r.url = base + "/api/v1/reports";
  r.platform = "mastodon";
  r.endpoint = "reports";
  r.quota_scope = "token";
  r.headers.emplace_back("Authorization", "Bearer " + access_token);
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", "application/json");
  boost::json::array status_ids;
  for (const auto& id : input.post_ids) status_ids.emplace_back(id);
  r.body = boost::json::serialize(
      boost::json::object{{"account_id", input.account_id},
                          {"status_ids", std::move(status_ids)},
                          {"comment", truncate_code_points(input.text, kReportCommentLimit)},
                          {"category", input.category.empty() ? "other" : input.category},
                          {"forward", true}});
  return r;
}

ReportAnswer parse_report_answer(int http_status, std::string_view body) {
  ReportAnswer a;
  std::string id;
  std::string created_at;
  std::string error;
  bool action_taken = false;
  bool is_object = false;
  const std::string problem =
      json::read_object(body, is_object, [&](std::string_view key, od::value& v) {
        if (key == "id") {
          // Mastodon sends ids as strings; a number is accepted as well.
          if (auto s = json::string_of(v)) {
            id = *s;
          } else if (auto n = json::int_of(v)) {
            id = std::to_string(*n);
          }
        } else if (key == "created_at") {
          if (auto s = json::string_of(v)) created_at = *s;
        } else if (key == "action_taken") {
          action_taken = json::bool_of(v).value_or(false);
        } else if (key == "error") {
          if (auto s = json::string_of(v)) error = *s;
        }
      });
  if (!problem.empty()) {
    a.error = "HTTP " + std::to_string(http_status) + ": " + problem;
    return a;
  }
  if (http_status < 200 || http_status >= 300) {
    a.error = "HTTP " + std::to_string(http_status) + (error.empty() ? "" : ": " + error);
    return a;
  }
  if (!is_object || id.empty()) {
    a.error = "HTTP " + std::to_string(http_status) + ": the answer is not a Report (no id)";
    return a;
  }
  a.accepted = true;
  a.report_id = std::move(id);
  a.created_at = std::move(created_at);
  a.action_taken = action_taken;
  return a;
}

}  // namespace mamori::collectors::mastodon
