// Mastodon's report API (POST /api/v1/reports, scope write:reports): the request mamori sends to
// file a takedown report, and the reading of the Report entity it answers with.
#pragma once

#include <string>
#include <string_view>

#include "collectors/common/report.h"
#include "collectors/http/http_client.h"

namespace mamori::collectors::mastodon {

// Mastodon's default limit on a report's comment, in characters.
inline constexpr std::size_t kReportCommentLimit = 1000;

// POST {instance}/api/v1/reports with a JSON body: account_id, status_ids, comment (cut to the
// limit), category (other unless given), forward = true (a remote account's own server gets a
// copy). The token travels only in the Authorization header.
HttpRequest report_request(const std::string& instance, const std::string& access_token,
                           const ReportInput& input);

// The answer: 200 with a Report entity ({"id": "…", "action_taken": false, "created_at": …}) is
// accepted; an error body ({"error": "…"}) or any other shape is not, with the reason.
ReportAnswer parse_report_answer(int http_status, std::string_view body);

}  // namespace mamori::collectors::mastodon
