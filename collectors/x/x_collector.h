// X API v2 collector: app-only bearer token (sent in the Authorization header, never in URLs).
#pragma once

#include <string>
#include <string_view>

#include "collectors/common/collector.h"

namespace mamori::collectors::x {

struct XCollectorOptions {
  std::string api_base = "https://api.x.com";
  std::string bearer_token;  // resolved from the configuration's credential reference
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
};

// The URL of an avatar to fetch for hashing. X's `profile_image_url` is the 48x48 `_normal`
// variant (developer.x.com "Profile images": the `_normal`, `_bigger`, `_mini` suffixes and the
// original without one); a pbs.twimg.com/profile_images/ URL with one of those suffixes is turned
// into the `_400x400` variant (the size X's own profile pages show), which keeps enough detail for
// perceptual hashing without the unbounded original. Only the file name changes: scheme, host and
// directory stay as received, so the host allow-list applies unchanged. Any other URL is
// returned as it is.
std::string avatar_url_for_hashing(std::string_view url);

// The search query whose counts follow users/:id/mentions for `handle`.
std::string reply_counts_query(std::string_view handle);

class XCollector final : public PlatformCollector {
 public:
  XCollector(HttpClient& client, XCollectorOptions options);
  model::Platform platform() const override { return model::Platform::x; }
  std::size_t lookup_batch_size() const override { return 100; }
  void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) override;
  void search_accounts(const std::string& query, PageHandler done) override;
  void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  bool has_mentions(const AccountRef&) const override { return true; }
  void replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                            PageHandler done) override;
  void thread(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  // tweets/counts/recent for "@handle -from:handle -is:retweet" (what users/:id/mentions
  // returns), granularity=minute, start and end to the second.
  bool has_reply_counts() const override { return true; }
  void reply_counts(const AccountRef& account, model::TimePoint start, model::TimePoint end,
                    PageHandler done) override;
  bool has_quotes() const override { return true; }
  void quotes(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  // Fetches avatar_url_for_hashing(url); if that variant is refused with a 4xx, the URL as
  // received is fetched instead (one retry).
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override;

 private:
  HttpRequest request(std::string path_and_query, XEndpoint endpoint) const;
  void run(HttpRequest r, XEndpoint endpoint, std::vector<std::string> refs, PageHandler done);

  HttpClient& client_;
  XCollectorOptions options_;
};

}  // namespace mamori::collectors::x
