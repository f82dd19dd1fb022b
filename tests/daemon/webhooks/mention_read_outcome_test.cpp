// What a mention read's answer does to the queued row (webhooks/mention_reader.h): stored,
// settled as unavailable, or read again later. Never settled on a passing failure.
#include <gtest/gtest.h>

#include "collectors/instagram/instagram_parse.h"
#include "daemon/webhooks/mention_reader.h"

namespace mamori::webhooks {
namespace {

collectors::Page answered(
    int status, const std::string& body,
    collectors::InstagramEndpoint endpoint = collectors::InstagramEndpoint::mentioned_comment) {
  collectors::Page page;
  page.response.outcome = collectors::HttpOutcome::ok;
  page.response.status = status;
  collectors::ParseContext context;
  context.http_status = status;
  context.requested_refs = {"17841400000000001", "17900000000000002"};
  page.result = collectors::instagram::parse(endpoint, body, context);
  return page;
}

std::string graph_error(int code, int subcode = 0) {
  return R"j({"error":{"message":"(#) test","type":"OAuthException","code":)j" +
         std::to_string(code) +
         (subcode ? R"(,"error_subcode":)" + std::to_string(subcode) : std::string()) + "}}";
}

TEST(MentionReadOutcome, ACommentReadIsStored) {
  std::string reason;
  EXPECT_EQ(
      classify_mention_page(
          answered(200, R"({"mentioned_comment":{"id":"179","text":"@soma_city ダム"},"id":"1"})"),
          reason),
      MentionReadOutcome::stored);
}

TEST(MentionReadOutcome, AnObjectThatIsNotThereIsSettled) {
  std::string reason;
  EXPECT_EQ(classify_mention_page(answered(400, graph_error(100, 33)), reason),
            MentionReadOutcome::unavailable);
  EXPECT_NE(reason.find("HTTP 400"), std::string::npos) << reason;
  EXPECT_EQ(classify_mention_page(answered(400, graph_error(10)), reason),
            MentionReadOutcome::unavailable);
  // An answer naming the comment but without anything to store.
  EXPECT_EQ(classify_mention_page(answered(200, R"({"mentioned_comment":{"text":"x"},"id":"1"})"),
                                  reason),
            MentionReadOutcome::unavailable);
  EXPECT_NE(reason.find("no media or comment"), std::string::npos) << reason;
}

TEST(MentionReadOutcome, PassingFailuresAreReadAgain) {
  std::string reason;
  // An expired token, Meta's rate limits, its server, a broken body, the network.
  for (const auto& [status, body] : std::vector<std::pair<int, std::string>>{
           {400, graph_error(190)},
           {400, graph_error(4)},
           {403, graph_error(613)},
           {500, graph_error(2)},
           {502, "<html>Bad gateway</html>"},
           {200, R"({"mentioned_comment":)"},
           {200, R"({"id":"1"})"}}) {  // not the answer asked for: read again, not settled
    EXPECT_EQ(classify_mention_page(answered(status, body), reason), MentionReadOutcome::retry)
        << status << " " << body;
  }
  collectors::Page timeout;
  timeout.response.outcome = collectors::HttpOutcome::timeout;
  EXPECT_EQ(classify_mention_page(timeout, reason), MentionReadOutcome::retry);
  EXPECT_EQ(reason.rfind("timeout", 0), 0u) << reason;
  collectors::Page throttled;
  throttled.response.outcome = collectors::HttpOutcome::rate_limited;
  EXPECT_EQ(classify_mention_page(throttled, reason), MentionReadOutcome::retry);
}

}  // namespace
}  // namespace mamori::webhooks
