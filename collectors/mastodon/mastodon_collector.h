// Mastodon collector: every call with the account's access token when one is configured (its own
// rate budget rather than the per-IP one), sent only in the Authorization header; without a
// token, public endpoints anonymously and no notifications.
#pragma once

#include <string>

#include "collectors/common/collector.h"

namespace mamori::collectors::mastodon {

struct MastodonCollectorOptions {
  std::string instance;       // https://mastodon.example
  std::string access_token;   // optional; resolved from the configuration's credential reference
  std::string token_account;  // the handle whose notifications the token reads
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
};

class MastodonCollector final : public PlatformCollector {
 public:
  MastodonCollector(HttpClient& client, MastodonCollectorOptions options);
  model::Platform platform() const override { return model::Platform::mastodon; }
  std::size_t lookup_batch_size() const override { return 1; }
  void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) override;
  void search_accounts(const std::string& query, PageHandler done) override;
  void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  bool has_mentions(const AccountRef& account) const override {
    return !options_.access_token.empty() && options_.token_account == account.handle;
  }
  void replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                            PageHandler done) override;
  void thread(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  // Quote posts (Mastodon 4.5: GET /api/v1/statuses/:id/quotes, an array of Status, paged by
  // the Link header). Asked with the account's token; a server without quote posts answers 404,
  // which the poller reports as the quotes job's failure.
  bool has_quotes() const override { return !options_.access_token.empty(); }
  void quotes(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override;

 private:
  HttpRequest request(const std::string& path_and_query, MastodonEndpoint endpoint) const;
  void run(HttpRequest r, MastodonEndpoint endpoint, std::vector<std::string> refs,
           PageHandler done);

  HttpClient& client_;
  MastodonCollectorOptions options_;
};

}  // namespace mamori::collectors::mastodon
