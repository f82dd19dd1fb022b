// Bluesky's createReport: the request mamori sends to its PDS and how it reads the answer.
#include "collectors/bluesky/bluesky_report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mamori::collectors::bluesky {
namespace {

TEST(BlueskyReport, RequestNamesTheAccountAndIsProxiedToTheModerationService) {
  ReportInput in;
  in.account_id = "did:plc:impostor";
  in.text = "成りすましです";
  in.category = "impersonation";
  const HttpRequest r = report_request("https://pds.example/", in);
  EXPECT_EQ(r.url, "https://pds.example/xrpc/com.atproto.moderation.createReport");
  EXPECT_EQ(r.method, "POST");
  bool proxied = false;
  for (const auto& [k, v] : r.headers)
    proxied = proxied || (k == "atproto-proxy" && v == kModerationService);
  EXPECT_TRUE(proxied);
  const auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("reasonType").as_string(), kReasonMisleading);
  EXPECT_EQ(body.at("reason").as_string(), "成りすましです");
  EXPECT_EQ(body.at("subject").at("$type").as_string(), "com.atproto.admin.defs#repoRef");
  EXPECT_EQ(body.at("subject").at("did").as_string(), "did:plc:impostor");
  in.category = "other";
  EXPECT_EQ(boost::json::parse(report_request("https://p", in).body).at("reasonType").as_string(),
            kReasonOther);
}

TEST(BlueskyReport, OutputIsAccepted) {
  const auto a = parse_report_answer(
      200, R"({"id":1234,"reasonType":"com.atproto.moderation.defs#reasonMisleading","reason":"r",)"
           R"("subject":{"$type":"com.atproto.admin.defs#repoRef","did":"did:plc:x"},)"
           R"("reportedBy":"did:plc:me","createdAt":"2025-05-01T00:00:00.000Z"})");
  EXPECT_TRUE(a.accepted) << a.error;
  EXPECT_EQ(a.report_id, "1234");
  EXPECT_EQ(a.created_at, "2025-05-01T00:00:00.000Z");
}

TEST(BlueskyReport, XrpcErrorsAreNotAccepted) {
  auto a = parse_report_answer(400, R"({"error":"InvalidRequest","message":"Subject not found"})");
  EXPECT_FALSE(a.accepted);
  EXPECT_EQ(a.error, "HTTP 400: InvalidRequest (Subject not found)");
  a = parse_report_answer(200, R"({"id":"not-a-number"})");
  EXPECT_FALSE(a.accepted);
  a = parse_report_answer(200, "");
  EXPECT_FALSE(a.accepted);
}

}  // namespace
}  // namespace mamori::collectors::bluesky
