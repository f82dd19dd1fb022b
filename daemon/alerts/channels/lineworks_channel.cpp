#include "daemon/alerts/channels/lineworks_channel.h"

#include <sodium.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "daemon/alerts/channels/message_text.h"

namespace mamori::alerts::channels {
namespace {

namespace json = boost::json;
using Clock = std::chrono::system_clock;

constexpr std::size_t kTextMax = 2000;  // LINE WORKS text message limit (characters)
constexpr auto kRefreshTokenLifetime = std::chrono::hours(24 * 89);  // documented: 90 days

std::string form_escape(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    }
  }
  return out;
}

std::string form(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += form_escape(k);
    out += '=';
    out += form_escape(v);
  }
  return out;
}

// A JSON string or integer field as seconds (the token endpoint sends expires_in as a string).
std::optional<long long> seconds_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<long long>(v->as_uint64());
  if (v->is_string()) {
    const std::string s(v->as_string());
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(s);
  }
  return std::nullopt;
}

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

struct LineWorksChannel::State : std::enable_shared_from_this<State> {
  boost::asio::io_context& io;
  collectors::HttpClient& http;
  LineWorksChannelOptions options;
  const collectors::Clock& clock;
  std::string access_token;
  Clock::time_point access_expires{};
  std::string refresh_token;
  Clock::time_point refresh_expires{};
  bool token_in_flight = false;
  int token_requests = 0;
  // Sends waiting for the token request in flight: the token, or the failure.
  using TokenWaiter = std::function<void(const std::string* token, const DeliveryResult* failure)>;
  std::vector<TokenWaiter> waiters;

  State(boost::asio::io_context& i, collectors::HttpClient& h, LineWorksChannelOptions o,
        const collectors::Clock& c)
      : io(i), http(h), options(std::move(o)), clock(c) {}

  Clock::time_point now() const { return clock.now(); }

  void with_token(TokenWaiter waiter) {
    if (!access_token.empty() && now() + options.refresh_margin < access_expires) {
      waiter(&access_token, nullptr);
      return;
    }
    waiters.push_back(std::move(waiter));
    if (token_in_flight) return;
    token_in_flight = true;
    const bool can_refresh = !refresh_token.empty() && now() < refresh_expires;
    request_token(can_refresh);
  }

  void request_token(bool use_refresh) {
    ++token_requests;
    collectors::HttpRequest r;
    r.method = "POST";
    r.url = options.token_url;
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    if (use_refresh) {
      r.body = form({{"refresh_token", refresh_token},
                     {"grant_type", "refresh_token"},
                     {"client_id", options.client_id},
                     {"client_secret", options.client_secret.reveal()}});
    } else {
      const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch());
      const json::object claims{{"iss", options.client_id},
                                {"sub", options.service_account},
                                {"iat", iat.count()},
                                {"exp", iat.count() + 3600}};
      std::string assertion;
      try {
        assertion = jwt_rs256(*options.private_key, json::serialize(claims));
      } catch (const std::exception& e) {
        DeliveryResult failure;
        failure.retryable = false;
        failure.detail = std::string("LINE WORKS 認証: JWT に署名できません (") + e.what() + ")";
        boost::asio::post(
            io, [self = shared_from_this(), failure] { self->finish_token(nullptr, &failure); });
        return;
      }
      r.body = form({{"assertion", assertion},
                     {"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                     {"client_id", options.client_id},
                     {"client_secret", options.client_secret.reveal()},
                     {"scope", options.scope}});
    }
    r.timeout = options.timeout;
    r.max_response_bytes = 64 * 1024;
    r.platform = "alerts";
    r.endpoint = "lineworks/token";
    http.fetch(std::move(r),
               [self = shared_from_this(), use_refresh](collectors::HttpResponse resp) {
                 self->on_token(resp, use_refresh);
               });
  }

  void on_token(const collectors::HttpResponse& resp, bool was_refresh) {
    const std::string target = redact_url(options.token_url);
    if (resp.outcome == collectors::HttpOutcome::ok && resp.status == 200) {
      boost::system::error_code ec;
      const json::value doc = json::parse(resp.body, ec);
      if (!ec && doc.is_object()) {
        const json::object& o = doc.as_object();
        std::string token = string_field(o, "access_token");
        const auto expires_in = seconds_field(o, "expires_in");
        if (!token.empty() && expires_in && *expires_in > 0) {
          access_token = std::move(token);
          access_expires = now() + std::chrono::seconds(*expires_in);
          if (std::string rt = string_field(o, "refresh_token"); !rt.empty()) {
            refresh_token = std::move(rt);
            refresh_expires = now() + kRefreshTokenLifetime;
          }
          finish_token(&access_token, nullptr);
          return;
        }
      }
      DeliveryResult bad;
      bad.retryable = true;
      bad.status = resp.status;
      bad.detail = "LINE WORKS 認証: トークン応答を解釈できません (" + target + ")";
      finish_token(nullptr, &bad);
      return;
    }
    if (was_refresh && resp.outcome == collectors::HttpOutcome::ok && resp.status >= 400 &&
        resp.status < 500 && resp.status != 429) {
      // The refresh token was revoked or expired: start over with a new JWT.
      refresh_token.clear();
      request_token(false);
      return;
    }
    DeliveryResult failure = result_from_http(resp, "LINE WORKS 認証", target);
    if (resp.outcome == collectors::HttpOutcome::ok) {
      boost::system::error_code ec;
      const json::value doc = json::parse(resp.body, ec);
      if (!ec && doc.is_object()) {
        const std::string word = short_error_word(string_field(doc.as_object(), "error"));
        if (!word.empty()) failure.detail += " [" + word + "]";
      }
    }
    finish_token(nullptr, &failure);
  }

  void finish_token(const std::string* token, const DeliveryResult* failure) {
    token_in_flight = false;
    std::vector<TokenWaiter> ready;
    ready.swap(waiters);
    for (auto& w : ready) w(token, failure);
  }

  void post_message(std::string path, std::string body, int attempt,
                    std::function<void(DeliveryResult)> done) {
    with_token([self = shared_from_this(), path = std::move(path), body = std::move(body), attempt,
                done = std::move(done)](const std::string* token,
                                        const DeliveryResult* failure) mutable {
      if (failure != nullptr) {
        done(*failure);
        return;
      }
      collectors::HttpRequest r;
      r.method = "POST";
      r.url = self->options.api_base + path;
      r.headers.emplace_back("Authorization", "Bearer " + *token);
      r.headers.emplace_back("Content-Type", "application/json");
      r.body = body;
      r.timeout = self->options.timeout;
      r.max_response_bytes = 64 * 1024;
      r.platform = "alerts";
      r.endpoint = "lineworks/messages";
      const std::string used = *token;
      self->http.fetch(
          std::move(r), [self, path = std::move(path), body = std::move(body), attempt, used,
                         done = std::move(done)](collectors::HttpResponse resp) mutable {
            if (resp.outcome == collectors::HttpOutcome::ok && resp.status == 401 && attempt == 1) {
              // Revoked or expired early: forget it (unless a newer one already replaced it).
              if (self->access_token == used) self->access_token.clear();
              self->post_message(std::move(path), std::move(body), 2, std::move(done));
              return;
            }
            DeliveryResult result =
                result_from_http(resp, "LINE WORKS", redact_url(self->options.api_base));
            if (!result.delivered && resp.outcome == collectors::HttpOutcome::ok) {
              boost::system::error_code ec;
              const json::value doc = json::parse(resp.body, ec);
              if (!ec && doc.is_object()) {
                const std::string word = short_error_word(string_field(doc.as_object(), "code"));
                if (!word.empty()) result.detail += " [" + word + "]";
              }
            }
            done(std::move(result));
          });
    });
  }
};

LineWorksChannel::LineWorksChannel(boost::asio::io_context& io, collectors::HttpClient& http,
                                   LineWorksChannelOptions options, const collectors::Clock& clock)
    : io_(io) {
  if (options.bot_id.empty() || options.client_id.empty() || options.service_account.empty() ||
      !options.private_key) {
    throw std::invalid_argument(
        "LINE WORKS channel needs bot_id, client_id, service_account and a private key");
  }
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  state_ = std::make_shared<State>(io, http, std::move(options), clock);
}

LineWorksChannel::~LineWorksChannel() = default;

std::string_view LineWorksChannel::name() const {
  return state_->options.name;
}

int LineWorksChannel::token_requests() const {
  return state_->token_requests;
}

std::string LineWorksChannel::payload(const AlertMessage& message) {
  const json::object body{
      {"content", {{"type", "text"}, {"text", truncate_chars(plain_text(message), kTextMax)}}}};
  return json::serialize(body);
}

void LineWorksChannel::send(const AlertMessage& message, std::function<void(DeliveryResult)> done) {
  const auto& o = state_->options;
  std::string path = "/bots/" + form_escape(o.bot_id);
  std::string address = single_line(message.recipient_address);
  if (address.rfind("channel:", 0) == 0) {
    path += "/channels/" + form_escape(address.substr(8)) + "/messages";
  } else if (!address.empty()) {
    path += "/users/" + form_escape(address) + "/messages";
  } else if (!o.default_channel_id.empty()) {
    path += "/channels/" + form_escape(o.default_channel_id) + "/messages";
  } else if (!o.default_user_id.empty()) {
    path += "/users/" + form_escape(o.default_user_id) + "/messages";
  } else {
    DeliveryResult r;
    r.retryable = false;
    r.detail = "LINE WORKS: 宛先 (ユーザー ID またはトークルーム) が設定されていません";
    // Posted, like every completion: done never runs inside send().
    boost::asio::post(io_,
                      [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    return;
  }
  state_->post_message(std::move(path), payload(message), 1, std::move(done));
}

}  // namespace mamori::alerts::channels
