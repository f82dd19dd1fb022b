// Facebook Graph API (Pages) collector: a Page access token, sent only in the Authorization
// header (Graph accepts "Bearer"), never in URLs. The Graph API version is part of the base URL
// the configuration names (e.g. https://graph.facebook.com/v21.0), so an upgrade is a
// configuration change that can be tried and rolled back.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "collectors/common/collector.h"

namespace mamori::collectors::facebook {

struct FacebookCollectorOptions {
  std::string graph_base = "https://graph.facebook.com/v21.0";
  std::string page_access_token;  // resolved from the configuration's credential reference
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  // Pages of a post's comments (100 each) read in one thread() call: a flood of more new
  // comments than this between two polls is read newest first up to the bound.
  int max_comment_pages = 5;
};

// Builds request paths; exposed so the request shapes are tested without a network.
std::string page_path(const std::vector<std::string>& ids_or_usernames);
std::string feed_path(const std::string& page_id, const Cursor& cursor);
std::string comments_path(const std::string& object_id, const Cursor& cursor);

class FacebookCollector final : public PlatformCollector {
 public:
  FacebookCollector(HttpClient& client, FacebookCollectorOptions options);
  model::Platform platform() const override { return model::Platform::facebook; }
  // One page per request: `?ids=a,b` answers (#803) for the whole batch when one alias does not
  // exist, which would hide a look-alike among generated names that mostly do not.
  std::size_t lookup_batch_size() const override { return 1; }
  void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) override;
  // /pages/search answers only apps Meta approved for Page Public Metadata Access; otherwise
  // the Graph error comes back as the page's error observation.
  void search_accounts(const std::string& query, PageHandler done) override;
  void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  // Comments are read per post (thread()); /tagged lists others' posts tagging the page.
  bool has_mentions(const AccountRef&) const override { return false; }
  bool has_tagged() const override { return true; }
  void replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                            PageHandler done) override;
  // The post's comments and replies (filter=stream), newest first, page after page until the
  // newest comment the previous call saw for this post, at most max_comment_pages pages.
  void thread(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override;

 private:
  void run(const std::string& path_and_query, FacebookEndpoint endpoint,
           std::vector<std::string> refs, PageHandler done);

  HttpClient& client_;
  FacebookCollectorOptions options_;
  // Post id -> the newest comment id its last thread() walk saw (in memory: after a restart
  // the first walk reads up to the page bound again).
  std::shared_ptr<std::map<std::string, std::string>> newest_comment_ =
      std::make_shared<std::map<std::string, std::string>>();
};

}  // namespace mamori::collectors::facebook
