// Bluesky collector: public reads from the AppView (no credentials); notifications, which
// need the account's session, from its PDS with an app password (createSession, refreshed on
// ExpiredToken). Tokens travel only in the Authorization header.
#pragma once

#include <deque>
#include <string>

#include "collectors/common/collector.h"

namespace mamori::collectors::bluesky {

struct BlueskyCollectorOptions {
  std::string api_base = "https://public.api.bsky.app";
  std::string pds_base = "https://bsky.social";
  std::string identifier;    // handle for the session; empty = no session (no notifications)
  std::string app_password;  // resolved from the configuration's credential reference
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
};

class BlueskyCollector final : public PlatformCollector {
 public:
  BlueskyCollector(HttpClient& client, BlueskyCollectorOptions options);
  model::Platform platform() const override { return model::Platform::bluesky; }
  std::size_t lookup_batch_size() const override { return 25; }
  void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) override;
  void search_accounts(const std::string& query, PageHandler done) override;
  void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  bool has_mentions(const AccountRef& account) const override {
    return !options_.identifier.empty() && options_.identifier == account.handle;
  }
  void replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                            PageHandler done) override;
  void thread(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  // app.bsky.feed.getQuotes on the public AppView (post_id is the post's at:// URI).
  bool has_quotes() const override { return true; }
  void quotes(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
              PageHandler done) override;
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override;
  // Sends `r` (to the PDS) with the session's access token, creating or refreshing the session
  // first; an ExpiredToken answer refreshes once and repeats the request. For the notifications
  // and procedures such as createReport (bluesky_report.h). Defined in bluesky_session_fetch.cpp.
  void fetch_with_session(HttpRequest r, std::function<void(HttpResponse)> done);

 private:
  HttpRequest request(const std::string& base, const std::string& method_and_query,
                      BlueskyEndpoint endpoint) const;
  void run(HttpRequest r, BlueskyEndpoint endpoint, std::vector<std::string> refs,
           PageHandler done);
  // Runs `then` with a valid access token (creating or refreshing the session first), or
  // with an empty string and the failure when no session could be had.
  void with_session(std::function<void(const std::string& error)> then);
  void session_request(bool refresh, std::function<void(const std::string& error)> then);

  HttpClient& client_;
  BlueskyCollectorOptions options_;
  std::string access_jwt_;
  std::string refresh_jwt_;
  bool session_pending_ = false;
  std::deque<std::function<void(const std::string&)>> waiting_for_session_;
};

}  // namespace mamori::collectors::bluesky
