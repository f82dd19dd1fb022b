#include "collectors/youtube/youtube_collector.h"

#include <algorithm>

#include "collectors/common/page_walk.h"
#include "collectors/youtube/youtube_parse.h"

namespace mamori::collectors::youtube {
namespace {

std::string paged(std::string q, const Cursor& cursor) {
  if (cursor.page) q += "&pageToken=" + url_encode(*cursor.page);
  return q;
}

struct ShortThread {
  std::string id;
  std::string video;
  std::int64_t total = 0;
};

}  // namespace

// One reply walk after another, then the page.
struct YoutubeCollector::ReplyRun {
  Page page;
  std::vector<ShortThread> threads;  // popped from the back
  PageHandler done;
};

namespace {}  // namespace

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
      YoutubeEndpoint::comment_threads_list, {account.account_id},
      [this, sent = cursor.page, done = std::move(done)](Page page) mutable {
        add_missing_replies(std::move(page), sent, std::move(done));
      });
}

void YoutubeCollector::thread(const AccountRef& /*account*/, const std::string& video_id,
                              const Cursor& cursor, PageHandler done) {
  run(paged("/commentThreads?part=" + url_encode(kCommentThreadParts) +
                "&order=time&maxResults=100&textFormat=plainText&videoId=" + url_encode(video_id),
            cursor),
      YoutubeEndpoint::comment_threads_list, {video_id},
      [this, sent = cursor.page, done = std::move(done)](Page page) mutable {
        add_missing_replies(std::move(page), sent, std::move(done));
      });
}

void YoutubeCollector::add_missing_replies(Page page, const std::optional<std::string>& sent,
                                           PageHandler done) {
  drop_repeated_cursor(model::Platform::youtube, page, sent);
  auto run_state = std::make_shared<ReplyRun>();
  if (page.response.outcome == HttpOutcome::ok && page.result.outcome == ParseOutcome::ok) {
    std::map<std::string, std::int64_t> inlined;
    for (const auto& o : page.result.observations) {
      const auto* p = std::get_if<model::Post>(&o);
      if (p != nullptr && p->in_reply_to_post_id) ++inlined[*p->in_reply_to_post_id];
    }
    for (const auto& o : page.result.observations) {
      const auto* p = std::get_if<model::Post>(&o);
      if (p == nullptr || p->reply_count <= inlined[p->post_id]) continue;
      const auto read = replies_read_->find(p->post_id);
      if (read != replies_read_->end() && read->second == p->reply_count) continue;
      if (static_cast<int>(run_state->threads.size()) >= options_.max_reply_threads) break;
      run_state->threads.push_back(
          {p->post_id, p->conversation_root_id.value_or(std::string()), p->reply_count});
    }
  }
  std::reverse(run_state->threads.begin(), run_state->threads.end());
  run_state->page = std::move(page);
  run_state->done = std::move(done);
  next_replies(run_state);
}

void YoutubeCollector::next_replies(const std::shared_ptr<ReplyRun>& run_state) {
  if (run_state->threads.empty()) {
    run_state->done(std::move(run_state->page));
    return;
  }
  const ShortThread t = run_state->threads.back();
  run_state->threads.pop_back();
  walk_pages(
      model::Platform::youtube,
      [this, t](const std::optional<std::string>& token, PageHandler got) {
        run(paged("/comments?part=" + url_encode(kCommentParts) +
                      "&maxResults=100&textFormat=plainText&parentId=" + url_encode(t.id),
                  Cursor{std::nullopt, token}),
            YoutubeEndpoint::comments_list, {t.id, t.video}, std::move(got));
      },
      std::nullopt, options_.max_reply_pages, nullptr,
      [this, run_state, memory = replies_read_, t](Page replies) {
        auto& obs = replies.result.observations;
        // A failed or cut walk is not remembered: the next poll reads the thread again.
        const bool clean = replies.result.outcome == ParseOutcome::ok &&
                           !replies.result.next_cursor &&
                           std::none_of(obs.begin(), obs.end(), [](const model::Observation& o) {
                             return std::holds_alternative<model::ObservationError>(o);
                           });
        // The replies the thread inlined come again: each post goes out once.
        auto& out = run_state->page.result.observations;
        for (auto& o : obs) {
          if (const auto* p = std::get_if<model::Post>(&o);
              p && has_post(run_state->page, p->post_id)) {
            continue;
          }
          out.push_back(std::move(o));
        }
        if (clean) {
          if (memory->size() > 10000) memory->clear();
          (*memory)[t.id] = t.total;
        }
        next_replies(run_state);
      });
}

void YoutubeCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                                    std::function<void(HttpResponse)> done) {
  // No API key: yt3.ggpht.com is public.
  client_.fetch(avatar_request(url, model::Platform::youtube, options_.timeout, max_bytes),
                std::move(done));
}

}  // namespace mamori::collectors::youtube
