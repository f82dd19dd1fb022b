// Instagram Graph API collector for a professional account linked to the city's Facebook Page:
// the access token (the Page's, with instagram_basic and instagram_manage_comments) goes only in
// the Authorization header. Instagram has no account search and no lookup by username; other
// professional accounts are checked by exact username through business discovery, which runs
// on the city's own account (`ig_user_id`) — the look-alike handle generator supplies the names.
#pragma once

#include <string>

#include "collectors/common/collector.h"

namespace mamori::collectors::instagram {

struct InstagramCollectorOptions {
  std::string graph_base = "https://graph.facebook.com/v21.0";
  std::string access_token;
  std::string ig_user_id;  // the city's own professional account, which business discovery uses
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  // Pages of a media's comments (50 each) read in one thread() call.
  int max_comment_pages = 5;
};

// /{ig-user-id}?fields=business_discovery.username(NAME){...}
std::string business_discovery_path(const std::string& ig_user_id, const std::string& username);
// /{ig-user-id}?fields=mentioned_media.media_id(ID){...} and mentioned_comment.comment_id(ID){...}
std::string mentioned_media_path(const std::string& ig_user_id, const std::string& media_id);
std::string mentioned_comment_path(const std::string& ig_user_id, const std::string& comment_id);

class InstagramCollector final : public PlatformCollector {
 public:
  InstagramCollector(HttpClient& client, InstagramCollectorOptions options);
  model::Platform platform() const override { return model::Platform::instagram; }
  std::size_t lookup_batch_size() const override { return 1; }
  // Business discovery of the handle (an unknown or personal account comes back `gone`).
  void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) override;
  // No search exists: `query` is looked up as an exact username (business discovery).
  void search_accounts(const std::string& query, PageHandler done) override;
  void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  // Comments are read per media (thread()); /tags lists media others tagged the account in.
  bool has_mentions(const AccountRef&) const override { return false; }
  bool has_tagged() const override { return true; }
  void replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                            PageHandler done) override;
  // The media's comments with their replies expanded, page after page (at most
  // max_comment_pages). Instagram documents no order for this edge, so there is no early stop at
  // comments already read: every call reads up to the bound.
  void thread(const AccountRef& account, const std::string& media_id, const Cursor& cursor,
              PageHandler done) override;
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override;
  // What a Meta `mentions` webhook announced for the professional account `ig_user_id`: the
  // media whose caption @mentions it, or the comment that does (instagram_webhook_parse.h).
  void mentioned_media(const std::string& ig_user_id, const std::string& media_id,
                       PageHandler done);
  void mentioned_comment(const std::string& ig_user_id, const std::string& comment_id,
                         PageHandler done);

 private:
  void run(const std::string& path_and_query, InstagramEndpoint endpoint,
           std::vector<std::string> refs, PageHandler done);

  HttpClient& client_;
  InstagramCollectorOptions options_;
};

}  // namespace mamori::collectors::instagram
