// X API v2 collector: app-only bearer token (sent in the Authorization header, never in URLs).
#pragma once

#include <string>

#include "collectors/common/collector.h"

namespace mamori::collectors::x {

struct XCollectorOptions {
  std::string api_base = "https://api.x.com";
  std::string bearer_token;  // resolved from the configuration's credential reference
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
};

class XCollector final : public PlatformCollector {
 public:
  XCollector(HttpClient& client, XCollectorOptions options);
  model::Platform platform() const override { return model::Platform::x; }
  std::size_t lookup_batch_size() const override { return 100; }
  void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) override;
  void search_accounts(const std::string& query, PageHandler done) override;
  void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  bool has_mentions(const AccountRef&) const override { return true; }
  void replies_and_mentions(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  void thread(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override;

 private:
  HttpRequest request(std::string path_and_query, XEndpoint endpoint) const;
  void run(HttpRequest r, XEndpoint endpoint, std::vector<std::string> refs, PageHandler done);

  HttpClient& client_;
  XCollectorOptions options_;
};

}  // namespace mamori::collectors::x
