#include "daemon/webhooks/meta_webhook_routes.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "collectors/instagram/instagram_webhook_parse.h"
#include "collectors/ratelimit/token_bucket.h"
#include "daemon/api/api_support.h"
#include "daemon/log/log.h"
#include "daemon/webhooks/mention_queue.h"
#include "daemon/webhooks/meta_signature.h"

namespace mamori::webhooks {
namespace {

namespace bh = http::beast_http;
constexpr std::string_view kRoute = "/webhooks/meta";

// Requests allowed per second over every caller, with a burst (handlers may run on several
// threads).
class RequestRate {
 public:
  explicit RequestRate(WebhookRate rate) : bucket_(rate.per_second, rate.burst) {}
  bool admit() {
    std::lock_guard lock(mutex_);
    return bucket_.take(std::chrono::steady_clock::now());
  }

 private:
  std::mutex mutex_;
  collectors::TokenBucket bucket_;
};

struct MetaWebhook : std::enable_shared_from_this<MetaWebhook> {
  MetaWebhook(store::Database& db, MetaWebhookOptions o, prometheus::Registry* registry,
              std::function<void()> queued)
      : database(db),
        options(o),
        secrets(std::make_shared<MetaWebhookSecrets>(std::move(o.verify_token),
                                                     std::move(o.app_secret))),
        verify_rate(options.verifications),
        deliver_rate(options.deliveries),
        on_queued(std::move(queued)) {
    // The secrets live in `secrets` only (replaced by a reload).
    options.verify_token = config::Secret();
    options.app_secret = config::Secret();
    if (registry != nullptr) {
      results = &prometheus::BuildCounter()
                     .Name("mamori_webhook_requests_total")
                     .Help("Requests to Meta's webhook (/webhooks/meta) by result")
                     .Register(*registry);
      mentions = &prometheus::BuildCounter()
                      .Name("mamori_instagram_mentions_received_total")
                      .Help(
                          "Instagram @mentions announced by Meta's webhook: queued (new) or "
                          "repeated (already queued)")
                      .Register(*registry);
    }
  }

  void count(std::string_view result) {
    if (results != nullptr) results->Add({{"result", std::string(result)}}).Increment();
  }

  http::Response text(const http::Request& req, bh::status status, std::string body) {
    return http::make_response(req, status, std::move(body), "text/plain; charset=utf-8");
  }

  // A refusal: counted, logged once per request without anything secret.
  http::Response refuse(const http::Request& req, bh::status status, std::string_view result,
                        std::string_view reason) {
    count(result);
    log::warn("webhook.refused", {{"route", kRoute},
                                  {"method", std::string(req.method_string())},
                                  {"result", result},
                                  {"reason", reason},
                                  {"peer", std::string(req[http::kPeerAddressField])},
                                  {"body_bytes", static_cast<unsigned long>(req.body().size())}});
    return text(req, status, std::string(reason) + "\n");
  }

  http::Response too_many(const http::Request& req) {
    count("rate_limited");  // not logged: a flood would flood the log too
    auto res = text(req, bh::status::too_many_requests, "too many requests\n");
    res.set(bh::field::retry_after, "1");
    return res;
  }

  http::Response verify(const http::Request& req) {
    if (!verify_rate.admit()) return too_many(req);  // the verify token is not to be guessed
    const auto q = api::parse_query(req.target());
    const auto get = [&](std::string_view k) {
      const auto it = q.find(k);
      return it == q.end() ? std::string() : it->second;
    };
    const std::string mode = get("hub.mode");
    const std::string challenge = get("hub.challenge");
    if (mode != "subscribe" || challenge.empty())
      return refuse(req, bh::status::bad_request, "bad_request", "not a subscription request");
    // The challenge is echoed back: only as plain text, and only a short token of safe
    // characters (Meta sends digits), so the URL cannot be made to serve a page.
    const bool safe =
        challenge.size() <= 256 && std::all_of(challenge.begin(), challenge.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 c == '-' || c == '_' || c == '.';
        });
    if (!safe) return refuse(req, bh::status::bad_request, "bad_request", "unexpected challenge");
    if (!verify_token_matches(secrets->verify_token().reveal(), get("hub.verify_token")))
      return refuse(req, bh::status::forbidden, "verify_refused", "verify token does not match");
    count("verified");
    log::info("webhook.subscription_verified", {{"route", kRoute}});
    return text(req, bh::status::ok, challenge);
  }

  void deliver(const http::Request& req, http::Responder respond) {
    if (!deliver_rate.admit()) {
      respond(too_many(req));
      return;
    }
    if (req.body().size() > options.max_body_bytes) {
      respond(refuse(req, bh::status::payload_too_large, "too_large", "body too large"));
      return;
    }
    // The raw bytes as received, before anything reads them.
    const auto header = req["X-Hub-Signature-256"];
    if (header.empty()) {
      respond(refuse(req, bh::status::forbidden, "unsigned", "missing signature"));
      return;
    }
    if (!signature_matches(secrets->app_secret().reveal(), req.body(), header)) {
      respond(refuse(req, bh::status::forbidden, "bad_signature", "signature does not match"));
      return;
    }
    auto parsed = collectors::instagram::parse_mention_webhook(req.body());
    if (!parsed.ok()) {
      respond(refuse(req, bh::status::bad_request, "bad_body", "not a webhook delivery"));
      return;
    }
    if (!parsed.skipped.empty()) {
      log::warn("webhook.items_skipped",
                {{"route", kRoute},
                 {"skipped", static_cast<unsigned long>(parsed.skipped.size())},
                 {"first", parsed.skipped.front()}});
    }
    if (parsed.mentions.empty()) {
      count("no_mentions");
      respond(text(req, bh::status::ok, "ok\n"));
      return;
    }
    const auto added = std::make_shared<std::size_t>(0);
    auto events = std::make_shared<std::vector<collectors::instagram::MentionEvent>>(
        std::move(parsed.mentions));
    const auto ok = text(req, bh::status::ok, "ok\n");
    const auto unavailable = text(req, bh::status::service_unavailable, "try again later\n");
    const bool submitted = database.submit(
        "webhooks.enqueue_mentions",
        [events, added](pqxx::connection& c) { *added = enqueue_mentions(c, *events); },
        [self = shared_from_this(), events, added, respond, ok,
         unavailable](std::exception_ptr error) {
          auto& me = *self;
          if (error) {
            me.count("store_failed");
            log::error("webhook.queue_failed",
                       {{"route", kRoute},
                        {"mentions", static_cast<unsigned long>(events->size())},
                        {"action", "answered 503; Meta delivers again later"}});
            respond(unavailable);
            return;
          }
          me.count("queued");
          if (me.mentions != nullptr) {
            me.mentions->Add({{"result", "queued"}}).Increment(static_cast<double>(*added));
            me.mentions->Add({{"result", "repeated"}})
                .Increment(static_cast<double>(events->size() - *added));
          }
          log::info("webhook.mentions_queued",
                    {{"route", kRoute},
                     {"mentions", static_cast<unsigned long>(events->size())},
                     {"new", static_cast<unsigned long>(*added)}});
          respond(ok);
          if (*added > 0 && me.on_queued) me.on_queued();
        });
    if (!submitted) {
      count("store_failed");
      respond(unavailable);
    }
  }

  store::Database& database;
  MetaWebhookOptions options;
  std::shared_ptr<MetaWebhookSecrets> secrets;
  RequestRate verify_rate;
  RequestRate deliver_rate;
  std::function<void()> on_queued;
  prometheus::Family<prometheus::Counter>* results = nullptr;
  prometheus::Family<prometheus::Counter>* mentions = nullptr;
};

}  // namespace

MetaWebhookSecrets::MetaWebhookSecrets(config::Secret verify_token, config::Secret app_secret)
    : verify_token_(std::move(verify_token)), app_secret_(std::move(app_secret)) {}

void MetaWebhookSecrets::replace(config::Secret verify_token, config::Secret app_secret) {
  std::lock_guard lock(mutex_);
  verify_token_ = std::move(verify_token);
  app_secret_ = std::move(app_secret);
}

config::Secret MetaWebhookSecrets::verify_token() const {
  std::lock_guard lock(mutex_);
  return verify_token_;
}

config::Secret MetaWebhookSecrets::app_secret() const {
  std::lock_guard lock(mutex_);
  return app_secret_;
}

std::shared_ptr<MetaWebhookSecrets> register_meta_webhook_routes(http::Router& router,
                                                                 store::Database& database,
                                                                 MetaWebhookOptions options,
                                                                 prometheus::Registry* registry,
                                                                 std::function<void()> on_queued) {
  auto hook =
      std::make_shared<MetaWebhook>(database, std::move(options), registry, std::move(on_queued));
  router.add(bh::verb::get, std::string(kRoute), std::string(kRoute),
             [hook](const http::Request& req, const http::Params&) { return hook->verify(req); });
  router.add_async(bh::verb::post, std::string(kRoute), std::string(kRoute),
                   [hook](const http::Request& req, const http::Params&, http::Responder respond) {
                     hook->deliver(req, std::move(respond));
                   });
  return hook->secrets;
}

}  // namespace mamori::webhooks
