// LINE WORKS Bot API against a loopback receiver playing both the auth server and the API:
// the service-account JWT (RS256, verified with the key's public half), token caching,
// refresh before expiry, a retry after 401, and failures that retrying cannot fix.
#include "daemon/alerts/channels/lineworks_channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>

#include "collectors/http/curl_multi_client.h"
#include "tests/daemon/alerts/channel_test_support.h"
#include "tests/daemon/alerts/http_receiver.h"
#include "tests/daemon/alerts/rsa_test_key.h"

namespace mamori::alerts::channels {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using alerts::testing::ReceivedRequest;
using alerts::testing::ReceiverReply;
using alerts::testing::sample_message;
using alerts::testing::send_one;

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_form(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto end = body.find('&', pos);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(pos, end - pos);
    const auto eq = pair.find('=');
    if (eq != std::string::npos)
      out[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
    pos = end + 1;
  }
  return out;
}

class LineWorksTest : public ::testing::Test {
 protected:
  LineWorksTest() : client_(io_, client_options()) {
    pem_ = alerts::testing::generate_rsa_private_pem();
    std::string error;
    auto key = RsaPrivateKey::from_pem(pem_, error);
    EXPECT_TRUE(key) << error;
    if (key) key_ = std::make_shared<const RsaPrivateKey>(std::move(*key));
    receiver_.set_handler([this](const ReceivedRequest& r) { return handle(r); });
  }
  static collectors::CurlClientOptions client_options() {
    collectors::CurlClientOptions o;
    o.allowed_hosts.add("127.0.0.1");
    return o;
  }
  LineWorksChannelOptions options() {
    LineWorksChannelOptions o;
    o.name = "lineworks";
    o.bot_id = "2000001";
    o.client_id = "CLIENTID";
    o.client_secret = config::Secret("CLIENTSECRET");
    o.service_account = "abcde.serviceaccount@city";
    o.private_key = key_;
    o.token_url = receiver_.base_url() + "/oauth2/v2.0/token";
    o.api_base = receiver_.base_url() + "/v1.0";
    return o;
  }

  ReceiverReply handle(const ReceivedRequest& r) {
    ReceiverReply reply;
    reply.content_type = "application/json";
    if (r.target == "/oauth2/v2.0/token") {
      if (token_status_ != 200) {
        reply.status = token_status_;
        reply.body =
            R"({"error":"invalid_client","error_description":"client authentication failed"})";
        return reply;
      }
      const int n = ++tokens_issued_;
      reply.body = R"({"access_token":"AT)" + std::to_string(n) + R"(","refresh_token":"RT)" +
                   std::to_string(n) +
                   R"(","scope":"bot","token_type":"Bearer","expires_in":"86400"})";
      return reply;
    }
    if (api_401_remaining_ > 0) {
      --api_401_remaining_;
      reply.status = 401;
      reply.body = R"({"code":"UNAUTHORIZED","description":"Authentication failed"})";
      return reply;
    }
    reply.status = 201;
    reply.body = "";
    return reply;
  }

  std::vector<ReceivedRequest> token_requests() const {
    std::vector<ReceivedRequest> out;
    for (const auto& r : receiver_.requests()) {
      if (r.target == "/oauth2/v2.0/token") out.push_back(r);
    }
    return out;
  }
  std::vector<ReceivedRequest> api_requests() const {
    std::vector<ReceivedRequest> out;
    for (const auto& r : receiver_.requests()) {
      if (r.target != "/oauth2/v2.0/token") out.push_back(r);
    }
    return out;
  }

  boost::asio::io_context io_;
  alerts::testing::HttpReceiver receiver_;
  collectors::CurlMultiClient client_;
  std::string pem_;
  std::shared_ptr<const RsaPrivateKey> key_;
  collectors::ManualClock clock_{model::TimePoint(std::chrono::seconds(1743444720))};
  std::atomic<int> tokens_issued_{0};
  std::atomic<int> token_status_{200};
  std::atomic<int> api_401_remaining_{0};
};

TEST_F(LineWorksTest, GetsATokenWithASignedJwtAndSendsTheText) {
  LineWorksChannel channel(io_, client_, options(), clock_);
  AlertMessage m = sample_message();
  m.recipient_address = "sato@city";
  const DeliveryResult r = send_one(io_, channel, m);
  EXPECT_TRUE(r.delivered) << r.detail;
  EXPECT_EQ(r.status, 201);

  const auto tokens = token_requests();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].header("content-type"), "application/x-www-form-urlencoded");
  auto form = parse_form(tokens[0].body);
  EXPECT_EQ(form["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer");
  EXPECT_EQ(form["client_id"], "CLIENTID");
  EXPECT_EQ(form["client_secret"], "CLIENTSECRET");
  EXPECT_EQ(form["scope"], "bot");
  const std::string jwt = form["assertion"];
  EXPECT_TRUE(alerts::testing::verify_jwt_rs256(pem_, jwt)) << "RS256 signature must verify";
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 + 1);
  const auto header =
      json::parse(alerts::testing::base64url_decode(jwt.substr(0, dot1))).as_object();
  EXPECT_EQ(header.at("alg").as_string(), "RS256");
  const auto claims =
      json::parse(alerts::testing::base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)))
          .as_object();
  EXPECT_EQ(claims.at("iss").as_string(), "CLIENTID");
  EXPECT_EQ(claims.at("sub").as_string(), "abcde.serviceaccount@city");
  EXPECT_EQ(claims.at("iat").as_int64(), 1743444720);
  EXPECT_EQ(claims.at("exp").as_int64(), 1743444720 + 3600);

  const auto api = api_requests();
  ASSERT_EQ(api.size(), 1u);
  EXPECT_EQ(api[0].target, "/v1.0/bots/2000001/users/sato%40city/messages");
  EXPECT_EQ(api[0].header("authorization"), "Bearer AT1");
  const auto body = json::parse(api[0].body).as_object();
  EXPECT_EQ(body.at("content").at("type").as_string(), "text");
  const std::string text(body.at("content").at("text").as_string());
  EXPECT_NE(text.find("重大度: 緊急"), std::string::npos) << text;
  EXPECT_NE(text.find("最初の対応: プラットフォームへ削除"), std::string::npos) << text;
  EXPECT_NE(text.find("https://mamori.city.example.jp/incidents/42"), std::string::npos) << text;
}

TEST_F(LineWorksTest, CachesTheTokenAndRefreshesItBeforeExpiry) {
  LineWorksChannel channel(io_, client_, options(), clock_);
  AlertMessage m = sample_message();
  m.recipient_address = "channel:room-1";
  EXPECT_TRUE(send_one(io_, channel, m).delivered);
  EXPECT_TRUE(send_one(io_, channel, m).delivered);
  EXPECT_EQ(token_requests().size(), 1u) << "the second send reuses the cached token";
  EXPECT_EQ(channel.token_requests(), 1);
  EXPECT_EQ(api_requests().at(1).target, "/v1.0/bots/2000001/channels/room-1/messages");

  // 23 h 56 min later the token (24 h) is within the 5-minute margin: renew by refresh token.
  clock_.advance(std::chrono::seconds(86400 - 240));
  EXPECT_TRUE(send_one(io_, channel, m).delivered);
  const auto tokens = token_requests();
  ASSERT_EQ(tokens.size(), 2u);
  auto form = parse_form(tokens[1].body);
  EXPECT_EQ(form["grant_type"], "refresh_token");
  EXPECT_EQ(form["refresh_token"], "RT1");
  EXPECT_EQ(form.count("assertion"), 0u);
  EXPECT_EQ(api_requests().back().header("authorization"), "Bearer AT2");
}

TEST_F(LineWorksTest, ConcurrentSendsShareOneTokenRequest) {
  LineWorksChannel channel(io_, client_, options(), clock_);
  AlertMessage m = sample_message();
  m.recipient_address = "sato@city";
  std::vector<DeliveryResult> results;
  for (int i = 0; i < 3; ++i) channel.send(m, [&](DeliveryResult r) { results.push_back(r); });
  alerts::testing::run_until(io_, results, 3);
  for (const auto& r : results) EXPECT_TRUE(r.delivered) << r.detail;
  EXPECT_EQ(token_requests().size(), 1u);
  EXPECT_EQ(api_requests().size(), 3u);
}

TEST_F(LineWorksTest, A401DropsTheTokenAndRetriesOnce) {
  LineWorksChannel channel(io_, client_, options(), clock_);
  AlertMessage m = sample_message();
  m.recipient_address = "sato@city";
  EXPECT_TRUE(send_one(io_, channel, m).delivered);
  api_401_remaining_ = 1;  // the token was revoked
  const DeliveryResult r = send_one(io_, channel, m);
  EXPECT_TRUE(r.delivered) << r.detail;
  EXPECT_EQ(token_requests().size(), 2u);
  EXPECT_EQ(api_requests().back().header("authorization"), "Bearer AT2");

  api_401_remaining_ = 5;  // still refused after a fresh token: give up, not retryable
  const DeliveryResult refused = send_one(io_, channel, m);
  EXPECT_FALSE(refused.delivered);
  EXPECT_FALSE(refused.retryable) << refused.detail;
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.detail.find("UNAUTHORIZED"), std::string::npos) << refused.detail;
}

TEST_F(LineWorksTest, RejectedCredentialsAreNotRetriedAndNotLeaked) {
  token_status_ = 401;
  LineWorksChannel channel(io_, client_, options(), clock_);
  AlertMessage m = sample_message();
  m.recipient_address = "sato@city";
  const DeliveryResult r = send_one(io_, channel, m);
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable) << r.detail;
  EXPECT_NE(r.detail.find("invalid_client"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("CLIENTSECRET"), std::string::npos) << r.detail;
  EXPECT_TRUE(api_requests().empty());

  token_status_ = 503;
  EXPECT_TRUE(send_one(io_, channel, m).retryable) << "an auth server outage is retryable";
}

TEST_F(LineWorksTest, NoRecipientAndNoDefaultIsAClearPermanentFailure) {
  LineWorksChannel channel(io_, client_, options(), clock_);
  const DeliveryResult r = send_one(io_, channel, sample_message());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.detail.find("宛先"), std::string::npos) << r.detail;
  EXPECT_TRUE(receiver_.requests().empty());
}

TEST(RsaPrivateKey, RefusesWhatIsNotAnUnencryptedRsaKey) {
  std::string error;
  EXPECT_FALSE(RsaPrivateKey::from_pem("garbage", error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(RsaPrivateKey::from_pem(
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", error));
  EXPECT_NE(error.find("encrypted"), std::string::npos) << error;
  const std::string small = alerts::testing::generate_rsa_private_pem(1024);
  EXPECT_FALSE(RsaPrivateKey::from_pem(small, error));
  EXPECT_NE(error.find("2048"), std::string::npos) << error;
}

}  // namespace
}  // namespace mamori::alerts::channels
