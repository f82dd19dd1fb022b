// Bluesky's report procedure (com.atproto.moderation.createReport): sent to the account's PDS
// with the session's access token and proxied by the PDS to Bluesky's moderation service (the
// atproto-proxy header). The subject is the reported account (com.atproto.admin.defs#repoRef).
#pragma once

#include <string>
#include <string_view>

#include "collectors/common/report.h"
#include "collectors/http/http_client.h"

namespace mamori::collectors::bluesky {

// The lexicon's limit on `reason`, in graphemes (counted here as code points, which is never
// more than the graphemes: a text within it is within the limit).
inline constexpr std::size_t kReportReasonLimit = 2000;
// Bluesky's own moderation service, as the official app addresses it.
inline constexpr std::string_view kModerationService =
    "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler";

// Reason types of com.atproto.moderation.defs. Impersonation is "misleading" (misleading identity
// or affiliation).
inline constexpr std::string_view kReasonMisleading =
    "com.atproto.moderation.defs#reasonMisleading";
inline constexpr std::string_view kReasonOther = "com.atproto.moderation.defs#reasonOther";

// POST {pds}/xrpc/com.atproto.moderation.createReport; the caller adds the Authorization header
// (BlueskyCollector::fetch_with_session). `input.category` "impersonation" maps to
// reasonMisleading, anything else to reasonOther.
HttpRequest report_request(const std::string& pds_base, const ReportInput& input);

// The answer: 200 with {"id": <integer>, "reasonType", "subject", "reportedBy", "createdAt"} is
// accepted; an XRPC error ({"error": "InvalidRequest", "message": "…"}) or another shape is not.
ReportAnswer parse_report_answer(int http_status, std::string_view body);

}  // namespace mamori::collectors::bluesky
