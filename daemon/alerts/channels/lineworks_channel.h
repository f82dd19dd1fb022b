// LINE WORKS Bot API (API 2.0): a bot sends the alert as a text message to a member
// (POST /bots/{botId}/users/{userId}/messages) or to a talk room
// (POST /bots/{botId}/channels/{channelId}/messages). Authentication is the service-account
// flow: a JWT {iss: client id, sub: service account, iat, exp} signed RS256 with the app's
// private key is exchanged at the token endpoint (grant_type jwt-bearer) for an access token,
// which is cached until shortly before it expires and then renewed with the refresh token
// (falling back to a new JWT). A 401 from the API drops the cached token and retries once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "collectors/http/http_client.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/channel.h"
#include "daemon/alerts/channels/jwt_rs256.h"
#include "daemon/config/config.h"

namespace mamori::alerts::channels {

struct LineWorksChannelOptions {
  std::string name;
  std::string bot_id;     // Developer Console > Bot
  std::string client_id;  // Developer Console > API 2.0 > アプリ
  config::Secret client_secret;
  std::string service_account;  // xxxxx.serviceaccount@example-domain
  std::shared_ptr<const RsaPrivateKey> private_key;
  std::string scope = "bot";
  // Where a message without recipient_address goes: a talk room, else a member.
  std::string default_channel_id;
  std::string default_user_id;
  std::string token_url = "https://auth.worksmobile.com/oauth2/v2.0/token";
  std::string api_base = "https://www.worksapis.com/v1.0";
  std::chrono::milliseconds timeout{10000};
  // Renew this long before the access token expires.
  std::chrono::seconds refresh_margin{300};
};

class LineWorksChannel final : public AlertChannel {
 public:
  // Throws std::invalid_argument when bot_id, client_id, service_account or the key is missing.
  // `clock` (the daemon's one clock) times the tokens and the JWT's iat/exp; it must outlive
  // the channel.
  LineWorksChannel(boost::asio::io_context& io, collectors::HttpClient& http,
                   LineWorksChannelOptions options, const collectors::Clock& clock);
  ~LineWorksChannel() override;
  std::string_view kind() const override { return "lineworks"; }
  std::string_view name() const override;
  // recipient_address: a member's user id or login id (e-mail form), or "channel:<id>" for a
  // talk room; empty uses the defaults above.
  void send(const AlertMessage& message, std::function<void(DeliveryResult)> done) override;

  // The message body: {"content":{"type":"text","text":…}} (text at most 2000 characters).
  static std::string payload(const AlertMessage& message);

  // Token requests made so far (JWT grants and refreshes), for tests and metrics.
  int token_requests() const;

 private:
  struct State;
  boost::asio::io_context& io_;
  std::shared_ptr<State> state_;  // shared with in-flight completions
};

}  // namespace mamori::alerts::channels
