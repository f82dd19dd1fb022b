// The HTTP channels against a real receiver on loopback (Beast, port 0), through the real
// curl-multi client: payload shapes, the webhook HMAC, and which failures are retryable.
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "collectors/http/curl_multi_client.h"
#include "daemon/alerts/channels/message_text.h"
#include "daemon/alerts/channels/pagerduty_channel.h"
#include "daemon/alerts/channels/slack_channel.h"
#include "daemon/alerts/channels/teams_channel.h"
#include "daemon/alerts/channels/webhook_channel.h"
#include "tests/daemon/alerts/channel_test_support.h"
#include "tests/daemon/alerts/http_receiver.h"

namespace mamori::alerts::channels {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using alerts::testing::HttpReceiver;
using alerts::testing::ReceivedRequest;
using alerts::testing::ReceiverReply;
using alerts::testing::sample_message;
using alerts::testing::send_one;

class WebhookChannels : public ::testing::Test {
 protected:
  WebhookChannels() : client_(io_, options()) {}
  static collectors::CurlClientOptions options() {
    collectors::CurlClientOptions o;
    o.allowed_hosts.add("127.0.0.1");
    return o;
  }
  // The path carries the secret, as in a real Slack/Teams webhook URL.
  std::string secret_url() const { return receiver_.base_url() + "/services/T000/B000/SECRETPATH"; }
  void reply_with(int status, std::string body = "ok") {
    receiver_.set_handler([status, body](const ReceivedRequest&) {
      ReceiverReply r;
      r.status = status;
      r.body = body;
      return r;
    });
  }
  json::object only_body() {
    const auto reqs = receiver_.requests();
    EXPECT_EQ(reqs.size(), 1u);
    return reqs.empty() ? json::object{} : json::parse(reqs.front().body).as_object();
  }

  boost::asio::io_context io_;
  HttpReceiver receiver_;
  collectors::CurlMultiClient client_;
};

TEST_F(WebhookChannels, SlackPostsBlockKitWithFallbackAndEscapesPlatformText) {
  SlackChannel slack(client_, {"slack-kouhou", config::Secret(secret_url()), 5000ms});
  const DeliveryResult r = send_one(io_, slack, sample_message());
  EXPECT_TRUE(r.delivered) << r.detail;
  EXPECT_EQ(r.status, 200);
  const auto reqs = receiver_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/services/T000/B000/SECRETPATH");
  EXPECT_NE(reqs[0].header("content-type").find("application/json"), std::string::npos);
  const auto body = json::parse(reqs[0].body).as_object();
  const std::string text(body.at("text").as_string());
  EXPECT_NE(text.find("【緊急】成りすましの疑い"), std::string::npos) << text;
  EXPECT_NE(text.find("最初の対応: プラットフォームへ削除"), std::string::npos) << text;
  EXPECT_EQ(text.find("<!channel>"), std::string::npos) << "a mention must not survive: " << text;
  EXPECT_NE(text.find("&lt;!channel&gt;"), std::string::npos) << text;
  const auto& blocks = body.at("blocks").as_array();
  EXPECT_EQ(blocks.at(0).at("type").as_string(), "header");
  EXPECT_EQ(blocks.at(0).at("text").at("type").as_string(), "plain_text");
  bool severity = false;
  bool summary = false;
  bool first_step = false;
  std::vector<std::string> urls;
  for (const auto& b : blocks) {
    const auto& o = b.as_object();
    if (o.contains("fields")) {
      for (const auto& f : o.at("fields").as_array()) {
        severity |= std::string(f.at("text").as_string()) == "*重大度*\n緊急";
      }
    }
    if (o.contains("text") && o.at("type").as_string() == "section") {
      const std::string t(o.at("text").at("text").as_string());
      summary |= t.find("*概要*\n表示名が公式と一致") == 0;
      first_step |= t == "*最初の対応*\nプラットフォームへ削除 (凍結) を申請する";
    }
    if (o.at("type").as_string() == "actions") {
      for (const auto& e : o.at("elements").as_array()) urls.emplace_back(e.at("url").as_string());
    }
  }
  EXPECT_TRUE(severity);
  EXPECT_TRUE(summary);
  EXPECT_TRUE(first_step);
  EXPECT_EQ(urls, (std::vector<std::string>{"https://mamori.city.example.jp/incidents/42",
                                            "https://mamori.city.example.jp/ack/42?sig=abc"}));
}

TEST_F(WebhookChannels, RetryableAndPermanentFailuresAndNoSecretInTheDetail) {
  SlackChannel slack(client_, {"slack", config::Secret(secret_url()), 5000ms});
  struct Case {
    int status;
    const char* body;
    bool retryable;
  };
  for (const Case c :
       {Case{500, "rollup_error", true}, Case{503, "", true}, Case{429, "", true},
        Case{400, "invalid_payload", false}, Case{404, "no_service", false},
        Case{410, "channel_is_archived", false}, Case{403, "action_prohibited", false}}) {
    reply_with(c.status, c.body);
    const DeliveryResult r = send_one(io_, slack, sample_message());
    EXPECT_FALSE(r.delivered) << c.status;
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.retryable, c.retryable) << c.status << " " << r.detail;
    EXPECT_NE(r.detail.find("HTTP " + std::to_string(c.status)), std::string::npos) << r.detail;
    EXPECT_NE(r.detail.find("(http://127.0.0.1)"), std::string::npos)
        << "scheme and host only: " << r.detail;
    EXPECT_EQ(r.detail.find("SECRETPATH"), std::string::npos) << r.detail;
    if (*c.body != '\0') {
      EXPECT_NE(r.detail.find(c.body), std::string::npos) << r.detail;
    }
  }
}

TEST_F(WebhookChannels, AReceiverThatIsDownOrSilentIsRetryable) {
  const std::string down =
      "http://127.0.0.1:" + std::to_string(alerts::testing::closed_port()) + "/hook/SECRETPATH";
  SlackChannel slack(client_, {"slack", config::Secret(down), 5000ms});
  DeliveryResult r = send_one(io_, slack, sample_message());
  EXPECT_FALSE(r.delivered);
  EXPECT_TRUE(r.retryable) << r.detail;
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.detail.find("SECRETPATH"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("接続できません"), std::string::npos) << r.detail;

  receiver_.set_handler([](const ReceivedRequest&) {
    ReceiverReply reply;
    reply.hang = true;
    return reply;
  });
  TeamsChannel teams(client_, {"teams", config::Secret(secret_url()), 300ms});
  r = send_one(io_, teams, sample_message());
  EXPECT_FALSE(r.delivered);
  EXPECT_TRUE(r.retryable) << r.detail;
  EXPECT_NE(r.detail.find("タイムアウト"), std::string::npos) << r.detail;
}

TEST_F(WebhookChannels, AHostOffTheAllowListIsRefusedWithoutRetry) {
  SlackChannel slack(
      client_,
      {"slack", config::Secret("https://hooks.slack.com/services/T/B/SECRETPATH"), 5000ms});
  const DeliveryResult r = send_one(io_, slack, sample_message());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable) << r.detail;
  EXPECT_NE(r.detail.find("https://hooks.slack.com"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("SECRETPATH"), std::string::npos) << r.detail;
  EXPECT_TRUE(receiver_.requests().empty());
}

TEST_F(WebhookChannels, TeamsPostsAnAdaptiveCardInTheWorkflowsEnvelope) {
  reply_with(202, "");
  TeamsChannel teams(client_, {"teams-kouhou", config::Secret(secret_url()), 5000ms});
  const DeliveryResult r = send_one(io_, teams, sample_message());
  EXPECT_TRUE(r.delivered) << r.detail;
  EXPECT_EQ(r.status, 202);
  const auto body = only_body();
  EXPECT_EQ(body.at("type").as_string(), "message");
  const auto& att = body.at("attachments").as_array();
  ASSERT_EQ(att.size(), 1u);
  EXPECT_EQ(att[0].at("contentType").as_string(), "application/vnd.microsoft.card.adaptive");
  const auto& card = att[0].at("content").as_object();
  EXPECT_EQ(card.at("type").as_string(), "AdaptiveCard");
  EXPECT_EQ(card.at("version").as_string(), "1.4");
  const auto& items = card.at("body").as_array();
  const std::string title(items.at(0).at("text").as_string());
  EXPECT_NE(title.find("【緊急】成りすましの疑い"), std::string::npos);
  EXPECT_EQ(title.find("[公式]"), std::string::npos)
      << "no markdown link from platform text: " << title;
  EXPECT_NE(title.find("［公式］"), std::string::npos) << title;
  EXPECT_EQ(items.at(0).at("color").as_string(), "Attention");
  bool severity = false;
  bool step = false;
  for (const auto& item : items) {
    if (item.at("type").as_string() == "FactSet") {
      for (const auto& f : item.at("facts").as_array()) {
        severity |= f.at("title").as_string() == "重大度" && f.at("value").as_string() == "緊急";
      }
    }
    if (item.at("type").as_string() == "TextBlock") {
      step |= item.at("text").as_string() == "プラットフォームへ削除 (凍結) を申請する";
    }
  }
  EXPECT_TRUE(severity);
  EXPECT_TRUE(step);
  const auto& actions = card.at("actions").as_array();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].at("type").as_string(), "Action.OpenUrl");
  EXPECT_EQ(actions[0].at("url").as_string(), "https://mamori.city.example.jp/incidents/42");
  EXPECT_EQ(actions[1].at("url").as_string(), "https://mamori.city.example.jp/ack/42?sig=abc");
}

TEST_F(WebhookChannels, PagerDutyTriggersAcknowledgesAndResolvesOneDedupKey) {
  reply_with(
      202, R"({"status":"success","message":"Event processed","dedup_key":"mamori-incident-42"})");
  PagerDutyChannelOptions o;
  o.name = "pagerduty";
  o.routing_key = config::Secret("R0UTINGKEYSECRET0000000000000000");
  o.events_url = receiver_.base_url() + "/v2/enqueue";
  PagerDutyChannel pd(client_, o);
  AlertMessage m = sample_message();
  EXPECT_TRUE(send_one(io_, pd, m).delivered);
  m.kind = AlertKind::escalate;
  m.escalation_level = 2;
  EXPECT_TRUE(send_one(io_, pd, m).delivered);
  m.kind = AlertKind::acknowledge;
  EXPECT_TRUE(send_one(io_, pd, m).delivered);
  m.kind = AlertKind::resolve;
  EXPECT_TRUE(send_one(io_, pd, m).delivered);

  const auto reqs = receiver_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  std::vector<std::string> actions;
  for (const auto& req : reqs) {
    EXPECT_EQ(req.target, "/v2/enqueue");
    const auto e = json::parse(req.body).as_object();
    EXPECT_EQ(e.at("routing_key").as_string(), "R0UTINGKEYSECRET0000000000000000");
    EXPECT_EQ(e.at("dedup_key").as_string(), "mamori-incident-42");
    actions.emplace_back(e.at("event_action").as_string());
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"trigger", "trigger", "acknowledge", "resolve"}));
  const auto trigger = json::parse(reqs[0].body).as_object();
  const auto& payload = trigger.at("payload").as_object();
  EXPECT_EQ(payload.at("severity").as_string(), "critical");
  EXPECT_EQ(payload.at("source").as_string(), "相馬市");
  EXPECT_NE(std::string(payload.at("summary").as_string()).find("成りすましの疑い"),
            std::string::npos);
  EXPECT_EQ(payload.at("custom_details").at("最初の対応").as_string(),
            "プラットフォームへ削除 (凍結) を申請する");
  EXPECT_EQ(trigger.at("links").at(0).at("href").as_string(),
            "https://mamori.city.example.jp/incidents/42");
  const auto escalation = json::parse(reqs[1].body).as_object();
  EXPECT_NE(std::string(escalation.at("payload").at("summary").as_string()).find("未確認・第2段階"),
            std::string::npos);
  EXPECT_FALSE(json::parse(reqs[2].body).as_object().contains("payload"));

  reply_with(400,
             R"({"status":"invalid event","message":"Event object is invalid","errors":["x"]})");
  DeliveryResult bad = send_one(io_, pd, sample_message());
  EXPECT_FALSE(bad.retryable);
  EXPECT_EQ(bad.detail.find("R0UTINGKEY"), std::string::npos) << bad.detail;
  reply_with(
      429,
      R"({"status":"throttle event","message":"Requests for this service are arriving too quickly."})");
  EXPECT_TRUE(send_one(io_, pd, sample_message()).retryable);
}

std::string hmac_hex(const std::string& key, const std::string& data) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : mac) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

TEST_F(WebhookChannels, GenericWebhookIsSignedOverTimestampAndBody) {
  const std::string secret(40, 's');
  WebhookChannelOptions o;
  o.name = "soc";
  o.url = config::Secret(receiver_.base_url() + "/hooks/mamori");
  o.secret = config::Secret(secret);
  const collectors::ManualClock clock(model::TimePoint(std::chrono::seconds(1743444720)));
  WebhookChannel hook(client_, o, clock);
  const DeliveryResult r = send_one(io_, hook, sample_message());
  EXPECT_TRUE(r.delivered) << r.detail;
  const auto reqs = receiver_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const std::string sig = reqs[0].header("x-mamori-signature");
  ASSERT_EQ(sig.rfind("t=1743444720,v1=", 0), 0u) << sig;
  const std::string v1 = sig.substr(std::string("t=1743444720,v1=").size());
  EXPECT_EQ(v1.size(), 64u);
  // The receiver's check: HMAC-SHA256(secret, "<t>.<body>").
  EXPECT_EQ(v1, hmac_hex(secret, "1743444720." + reqs[0].body));
  EXPECT_NE(v1, hmac_hex(secret, "1743444721." + reqs[0].body)) << "the timestamp is signed";
  EXPECT_NE(v1, hmac_hex(std::string(40, 't'), "1743444720." + reqs[0].body));
  EXPECT_EQ(reqs[0].header("x-mamori-idempotency-key"), "alert-7-trigger");
  EXPECT_EQ(reqs[0].header("x-mamori-event"), "trigger");
  const auto body = json::parse(reqs[0].body).as_object();
  EXPECT_EQ(body.at("idempotency_key").as_string(), "alert-7-trigger");
  EXPECT_EQ(body.at("kind").as_string(), "trigger");
  EXPECT_EQ(body.at("incident").at("id").as_int64(), 42);
  EXPECT_EQ(body.at("incident").at("severity_label").as_string(), "緊急");
  EXPECT_EQ(body.at("incident").at("first_step").as_string(),
            "プラットフォームへ削除 (凍結) を申請する");
  EXPECT_EQ(body.at("incident").at("acknowledge_url").as_string(),
            "https://mamori.city.example.jp/ack/42?sig=abc");
  EXPECT_EQ(reqs[0].body.find(secret), std::string::npos);
}

TEST(MessageText, InvalidUtf8AndControlCharactersAreCleaned) {
  EXPECT_EQ(sanitize_utf8("ok\xff\xfe"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(sanitize_utf8("a\x01"
                          "b\r\nc"),
            "a b\nc");
  EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")
      << "a surrogate is invalid";
  EXPECT_EQ(truncate_chars("相馬市役所", 3), "相馬…");
  EXPECT_EQ(truncate_chars("相馬市", 3), "相馬市");
  EXPECT_EQ(redact_url("https://hooks.slack.com/services/T/B/X?y=1"), "https://hooks.slack.com");
  EXPECT_EQ(redact_url("not a url"), "(invalid URL)");
}

TEST(MessageText, PlainTextCarriesWhatWhenHowAndWhere) {
  const std::string t = plain_text(sample_message());
  EXPECT_EQ(t.rfind("[mamori] 相馬市の公式SNSアカウントでインシデントが発生しました。", 0), 0u)
      << t;
  EXPECT_NE(t.find("重大度: 緊急"), std::string::npos);
  EXPECT_NE(t.find("最初の対応: プラットフォームへ削除 (凍結) を申請する"), std::string::npos);
  EXPECT_NE(t.find("インシデントを開く: https://mamori.city.example.jp/incidents/42"),
            std::string::npos);
  EXPECT_NE(t.find("確認した (ワンクリック): https://mamori.city.example.jp/ack/42?sig=abc"),
            std::string::npos);
  AlertMessage resolved = sample_message();
  resolved.kind = AlertKind::resolve;
  const std::string r = plain_text(resolved);
  EXPECT_NE(r.find("解決しました"), std::string::npos);
  EXPECT_EQ(r.find("ワンクリック"), std::string::npos) << "nothing to acknowledge once resolved";
  EXPECT_EQ(headline(resolved).rfind("【解決】", 0), 0u) << headline(resolved);
}

}  // namespace
}  // namespace mamori::alerts::channels
