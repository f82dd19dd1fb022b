// Mastodon's report API: the request mamori sends and how it reads the answer.
#include "collectors/mastodon/mastodon_report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mamori::collectors::mastodon {
namespace {

std::string header(const HttpRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(MastodonReport, RequestCarriesTheDocumentedFieldsAndCutsTheComment) {
  ReportInput in;
  in.account_id = "10987";
  in.post_ids = {"111", "222"};
  in.text = std::string(1200, 'a') + "\"\n";
  const HttpRequest r = report_request("https://mastodon.example/", "secret-token", in);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://mastodon.example/api/v1/reports");
  EXPECT_EQ(header(r, "Authorization"), "Bearer secret-token");
  EXPECT_EQ(r.url.find("secret"), std::string::npos);
  const auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("account_id").as_string(), "10987");
  ASSERT_EQ(body.at("status_ids").as_array().size(), 2u);
  EXPECT_EQ(body.at("category").as_string(), "other");
  EXPECT_TRUE(body.at("forward").as_bool());
  EXPECT_EQ(body.at("comment").as_string().size(), kReportCommentLimit);
}

TEST(MastodonReport, CommentIsCutOnCharactersNotBytes) {
  ReportInput in;
  in.account_id = "1";
  std::string text;
  for (int i = 0; i < 1100; ++i) text += "あ";
  in.text = text;
  const auto body =
      boost::json::parse(report_request("https://m.example", "t", in).body).as_object();
  const std::string comment(body.at("comment").as_string());
  EXPECT_EQ(comment.size(), kReportCommentLimit * 3);  // 1,000 characters of 3 bytes each
}

TEST(MastodonReport, ReportEntityIsAccepted) {
  const auto a = parse_report_answer(
      200,
      R"({"id":"48914","action_taken":false,"action_taken_at":null,"category":"other",)"
      R"("comment":"c","forwarded":true,"created_at":"2025-05-01T02:03:04.000Z","status_ids":["1"],)"
      R"("rule_ids":null,"target_account":{"id":"10987","username":"soma_clty"}})");
  EXPECT_TRUE(a.accepted) << a.error;
  EXPECT_EQ(a.report_id, "48914");
  EXPECT_EQ(a.created_at, "2025-05-01T02:03:04.000Z");
  EXPECT_FALSE(a.action_taken);
}

TEST(MastodonReport, ErrorsAndOtherShapesAreNotAccepted) {
  auto a = parse_report_answer(404, R"({"error":"Record not found"})");
  EXPECT_FALSE(a.accepted);
  EXPECT_EQ(a.error, "HTTP 404: Record not found");
  a = parse_report_answer(200, R"({"action_taken":false})");
  EXPECT_FALSE(a.accepted);
  EXPECT_NE(a.error.find("no id"), std::string::npos);
  a = parse_report_answer(200, R"(["id"])");
  EXPECT_FALSE(a.accepted);
  a = parse_report_answer(502, "<html>Bad gateway</html>");
  EXPECT_FALSE(a.accepted);
  EXPECT_NE(a.error.find("HTTP 502"), std::string::npos);
  a = parse_report_answer(200, R"({"id":"1", )");
  EXPECT_FALSE(a.accepted);
}

}  // namespace
}  // namespace mamori::collectors::mastodon
