// YouTube Data API v3 collector with an API key, sent in the X-goog-api-key header (never in
// URLs). Every call costs quota units from one daily budget per Google Cloud project (list
// calls 1 unit, search.list 100), so all endpoints share one quota scope; a 403 quotaExceeded
// holds them all until the quota renews at midnight Pacific time (platform_quota.h).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "collectors/common/collector.h"

namespace mamori::collectors::youtube {

struct YoutubeCollectorOptions {
  std::string api_base = "https://www.googleapis.com/youtube/v3";
  std::string api_key;
  // search.list results per look-alike search: 100 units each whatever the size, so a larger
  // page finds more for the same cost (at most 50).
  int search_max_results = 50;
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  // A commentThread carries only some of its replies; the rest are read with comments.list
  // parentId= (1 unit a page) for at most this many threads of a page, at most
  // max_reply_pages pages (100 replies) each.
  int max_reply_threads = 20;
  int max_reply_pages = 5;
};

// A channel id ("UC" and 22 characters) rather than a handle.
bool is_channel_id(std::string_view ref);
// The channel's uploads playlist: its id with "UU" for "UC".
std::string uploads_playlist(std::string_view channel_id);

class YoutubeCollector final : public PlatformCollector {
 public:
  YoutubeCollector(HttpClient& client, YoutubeCollectorOptions options);
  model::Platform platform() const override { return model::Platform::youtube; }
  std::size_t lookup_batch_size() const override { return 1; }
  // channels.list by id, or by handle (forHandle).
  void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) override;
  // search.list type=channel (100 quota units).
  void search_accounts(const std::string& query, PageHandler done) override;
  // The uploads playlist (playlistItems.list).
  void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) override;
  // commentThreads.list allThreadsRelatedToChannelId: every comment on the channel's videos in
  // one walk, so threads need not be read video by video. A thread whose replies are not all
  // inlined has them read with comments.list, only when its totalReplyCount changed since the
  // last read (in memory), so a busy thread does not spend units every poll.
  bool has_mentions(const AccountRef&) const override { return true; }
  void replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                            PageHandler done) override;
  // One video's threads.
  void thread(const AccountRef& account, const std::string& video_id, const Cursor& cursor,
              PageHandler done) override;
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override;

 private:
  void run(const std::string& path_and_query, YoutubeEndpoint endpoint,
           std::vector<std::string> refs, PageHandler done);
  struct ReplyRun;
  // Adds to a commentThreads page the replies its threads did not inline.
  void add_missing_replies(Page page, const std::optional<std::string>& sent, PageHandler done);
  // Reads the next thread's replies of the run, or hands the page on when none is left.
  void next_replies(const std::shared_ptr<ReplyRun>& run);

  HttpClient& client_;
  YoutubeCollectorOptions options_;
  // Thread id -> its totalReplyCount when its replies were last read in full.
  std::shared_ptr<std::map<std::string, std::int64_t>> replies_read_ =
      std::make_shared<std::map<std::string, std::int64_t>>();
};

}  // namespace mamori::collectors::youtube
