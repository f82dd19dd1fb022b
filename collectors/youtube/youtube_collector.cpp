#include "collectors/youtube/youtube_collector.h"

#include <algorithm>

#include "collectors/youtube/youtube_parse.h"

namespace mamori::collectors::youtube {
namespace {

std::string paged(std::string q, const Cursor& cursor) {
  if (cursor.page) q += "&pageToken=" + url_encode(*cursor.page);
  return q;
}

}  // namespace

bool is_channel_id(std::string_view ref) {
  return ref.size() == 24 && ref.starts_with("UC") &&
         std::all_of(ref.begin(), ref.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

std::string uploads_playlist(std::string_view channel_id) {
  if (!channel_id.starts_with("UC")) return std::string(channel_id);
  return "UU" + std::string(channel_id.substr(2));
}

YoutubeCollector::YoutubeCollector(HttpClient& client, YoutubeCollectorOptions options)
    : client_(client), options_(std::move(options)) {
  options_.search_max_results = std::clamp(options_.search_max_results, 1, 50);
}

void YoutubeCollector::run(const std::string& path_and_query, YoutubeEndpoint endpoint,
                           std::vector<std::string> refs, PageHandler done) {
  HttpRequest r =
      api_request(options_.api_base + path_and_query, model::Platform::youtube,
                  endpoint_name(endpoint), options_.timeout, options_.max_response_bytes);
  r.headers.emplace_back("X-goog-api-key", options_.api_key);
  r.headers.emplace_back("Accept", "application/json");
  r.quota_scope = "youtube project";
  fetch_page(
      client_, std::move(r), model::Platform::youtube,
      [endpoint](std::string_view body, const ParseContext& c) { return parse(endpoint, body, c); },
      std::move(refs), std::move(done));
}

void YoutubeCollector::lookup_profiles(const std::vector<std::string>& handles, PageHandler done) {
  const std::string ref = handles.empty() ? std::string() : handles.front();
  std::string q = "/channels?part=" + url_encode(kChannelParts);
  if (is_channel_id(ref)) {
    q += "&id=" + url_encode(ref);
  } else {
    q += "&forHandle=" + url_encode(ref.starts_with("@") ? ref : "@" + ref);
  }
  run(q, YoutubeEndpoint::channels_list, {ref}, std::move(done));
}

void YoutubeCollector::search_accounts(const std::string& query, PageHandler done) {
  run("/search?part=snippet&type=channel&maxResults=" +
          std::to_string(options_.search_max_results) + "&q=" + url_encode(query),
      YoutubeEndpoint::search_list, {}, std::move(done));
}

void YoutubeCollector::recent_posts(const AccountRef& account, const Cursor& cursor,
                                    PageHandler done) {
  run(paged("/playlistItems?part=" + url_encode(kPlaylistItemParts) +
                "&maxResults=50&playlistId=" + url_encode(uploads_playlist(account.account_id)),
            cursor),
      YoutubeEndpoint::playlist_items_list, {account.account_id}, std::move(done));
}

void YoutubeCollector::replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                                            PageHandler done) {
  run(paged("/commentThreads?part=" + url_encode(kCommentThreadParts) +
                "&order=time&maxResults=100&textFormat=plainText&allThreadsRelatedToChannelId=" +
                url_encode(account.account_id),
            cursor),
      YoutubeEndpoint::comment_threads_list, {account.account_id}, std::move(done));
}

void YoutubeCollector::thread(const AccountRef& /*account*/, const std::string& video_id,
                              const Cursor& cursor, PageHandler done) {
  run(paged("/commentThreads?part=" + url_encode(kCommentThreadParts) +
                "&order=time&maxResults=100&textFormat=plainText&videoId=" + url_encode(video_id),
            cursor),
      YoutubeEndpoint::comment_threads_list, {video_id}, std::move(done));
}

void YoutubeCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                                    std::function<void(HttpResponse)> done) {
  // No API key: yt3.ggpht.com is public.
  client_.fetch(avatar_request(url, model::Platform::youtube, options_.timeout, max_bytes),
                std::move(done));
}

}  // namespace mamori::collectors::youtube
