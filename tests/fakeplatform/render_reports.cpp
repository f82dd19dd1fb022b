// The platforms' report APIs: Mastodon POST /api/v1/reports (a Report entity back) and Bluesky
// com.atproto.moderation.createReport (the createReport output back), with the errors each
// platform documents. Filed reports are listed by GET /_control/reports for the tests.
#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

Reply error_body(int status, boost::json::object body) {
  Reply r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

std::optional<boost::json::object> json_object(const std::string& body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

std::string string_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

Reply World::mastodon_report(const Request& request, double t, LogEntry& entry) {
  entry.endpoint = "reports";
  if (auto fault = apply_fault(Platform::mastodon, "reports", t, entry);
      fault && fault->status != -1)
    return *fault;
  if (request.method != "POST") return error_body(404, {{"error", "Record not found"}});
  if (state_.settings.mastodon_token.empty() ||
      request.authorization != "Bearer " + state_.settings.mastodon_token)
    return error_body(401, {{"error", "The access token is invalid"}});
  const auto in = json_object(request.body);
  if (!in) return error_body(422, {{"error", "Validation failed: body is not JSON"}});
  const std::string account_id = string_at(*in, "account_id");
  const Account* target = find_account(Platform::mastodon, account_id);
  if (account_id.empty() || target == nullptr || !appeared(*target, t))
    return error_body(404, {{"error", "Record not found"}});
  const std::string comment = string_at(*in, "comment");
  if (comment.size() > 4000)
    return error_body(422, {{"error", "Validation failed: Comment is too long"}});
  boost::json::array status_ids;
  if (const auto* s = in->if_contains("status_ids"); s != nullptr && s->is_array())
    status_ids = s->as_array();
  const std::string category =
      string_at(*in, "category").empty() ? "other" : string_at(*in, "category");
  const std::string id = std::to_string(reports_.size() + 1);
  const std::string created_at = model::iso8601_utc(
      start_ + std::chrono::milliseconds(static_cast<std::int64_t>(t * 1000)), true);
  boost::json::object report{{"id", id},
                             {"action_taken", false},
                             {"action_taken_at", nullptr},
                             {"category", category},
                             {"comment", comment},
                             {"forwarded", false},
                             {"created_at", created_at},
                             {"status_ids", status_ids},
                             {"rule_ids", boost::json::array{}},
                             {"target_account", mastodon_account(*target, t)}};
  reports_.push_back(
      boost::json::object{{"platform", "mastodon"}, {"request", *in}, {"answer", report}});
  Reply out;
  out.body = boost::json::serialize(report);
  return out;
}

Reply World::bluesky_report(const Request& request, double t, LogEntry& entry) {
  entry.endpoint = "com.atproto.moderation.createReport";
  if (auto fault = apply_fault(Platform::bluesky, entry.endpoint, t, entry);
      fault && fault->status != -1)
    return *fault;
  if (request.method != "POST")
    return error_body(400, {{"error", "InvalidRequest"}, {"message", "Incorrect HTTP method"}});
  std::string token;
  if (request.authorization.rfind("Bearer ", 0) == 0) token = request.authorization.substr(7);
  const auto session = sessions_.find(token);
  if (token.empty())
    return error_body(401, {{"error", "AuthMissing"}, {"message", "Authentication Required"}});
  if (session == sessions_.end() || session->second.refresh)
    return error_body(400, {{"error", "InvalidToken"}, {"message", "Token could not be verified"}});
  if (t >= session->second.expires)
    return error_body(400, {{"error", "ExpiredToken"}, {"message", "Token has expired"}});
  const auto in = json_object(request.body);
  if (!in)
    return error_body(400, {{"error", "InvalidRequest"}, {"message", "Input must be an object"}});
  const std::string reason_type = string_at(*in, "reasonType");
  const auto* subject = in->if_contains("subject");
  if (reason_type.rfind("com.atproto.moderation.defs#reason", 0) != 0 || subject == nullptr ||
      !subject->is_object())
    return error_body(400,
                      {{"error", "InvalidRequest"},
                       {"message", "Input must have the properties \"reasonType\", \"subject\""}});
  const std::string did = string_at(subject->as_object(), "did");
  const Account* target = find_account(Platform::bluesky, did);
  if (string_at(subject->as_object(), "$type") != "com.atproto.admin.defs#repoRef" ||
      target == nullptr)
    return error_body(400, {{"error", "InvalidRequest"}, {"message", "Subject not found"}});
  const std::int64_t id = static_cast<std::int64_t>(reports_.size()) + 1;
  const std::string created_at = model::iso8601_utc(
      start_ + std::chrono::milliseconds(static_cast<std::int64_t>(t * 1000)), true);
  boost::json::object answer{{"id", id},
                             {"reasonType", reason_type},
                             {"reason", string_at(*in, "reason")},
                             {"subject", subject->as_object()},
                             {"reportedBy", session->second.did},
                             {"createdAt", created_at}};
  reports_.push_back(
      boost::json::object{{"platform", "bluesky"}, {"request", *in}, {"answer", answer}});
  Reply out;
  out.body = boost::json::serialize(answer);
  return out;
}

Reply World::control_reports() const {
  boost::json::array all;
  for (const auto& r : reports_) all.push_back(r);
  Reply out;
  out.body = boost::json::serialize(boost::json::object{{"reports", all}});
  return out;
}

}  // namespace mamori::fakeplatform
