// GET and POST /webhooks/meta: Meta's webhook for Instagram @mentions (issue 22). Meta calls it
// from the internet, so it sits outside the console's sign-in and answers nothing but:
//  * GET  ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C -> C as text/plain when T is
//    [platforms.instagram] webhook_verify_token, else 403;
//  * POST with `X-Hub-Signature-256` over the raw body keyed by [platforms.instagram] app_secret
//    -> 200 once the mentions it announces are queued (daemon/webhooks/mention_queue.h), before
//    any platform call; 403 for a missing or wrong signature (nothing parsed, nothing stored),
//    413 above 512 KiB, 429 above the request rate, 400 for a signed body that is not a
//    delivery, 503 when the queue cannot be written (Meta delivers again later).
// GET and POST have a rate limit each, so a flood of handshakes (guessing the verify token)
// never refuses Meta's deliveries, nor a flood of forged deliveries a handshake.
// Registered only when both secrets are configured: otherwise the path is unknown (404). The
// secrets can be replaced while it runs (a configuration reload): see MetaWebhookSecrets.
// Every answer moves mamori_webhook_requests_total{result}; refusals are logged without the
// body, the signature or any secret.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>

#include "daemon/config/config.h"
#include "daemon/http/router.h"
#include "daemon/store/database.h"

namespace prometheus {
class Registry;
}

namespace mamori::webhooks {

// Requests allowed per second over all callers, with a burst (collectors/ratelimit/
// token_bucket.h).
struct WebhookRate {
  double per_second = 20.0;
  double burst = 40.0;
};

struct MetaWebhookOptions {
  config::Secret verify_token;
  config::Secret app_secret;
  std::size_t max_body_bytes = 512 * 1024;
  WebhookRate verifications;  // GET: Meta verifies once per subscription change
  WebhookRate deliveries;     // POST: Meta batches; a flood is not Meta
};

// The verify token and app secret the routes check, replaced as a whole by a reload while
// requests are served (any thread).
class MetaWebhookSecrets {
 public:
  MetaWebhookSecrets(config::Secret verify_token, config::Secret app_secret);
  void replace(config::Secret verify_token, config::Secret app_secret);
  config::Secret verify_token() const;
  config::Secret app_secret() const;

 private:
  mutable std::mutex mutex_;
  config::Secret verify_token_;
  config::Secret app_secret_;
};

// `on_queued` runs (on the store's worker thread) after a delivery queued new mentions, so the
// reader looks at once instead of at its next round. Returns the secrets the routes check.
std::shared_ptr<MetaWebhookSecrets> register_meta_webhook_routes(http::Router& router,
                                                                 store::Database& database,
                                                                 MetaWebhookOptions options,
                                                                 prometheus::Registry* registry,
                                                                 std::function<void()> on_queued);

}  // namespace mamori::webhooks
