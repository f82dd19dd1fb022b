// YouTube Data API v3 shapes (channels.list, search.list type=channel, playlistItems.list,
// commentThreads.list, comments.list parentId=) as recorded in
// tests/data/collectors/youtube/, the API key in X-goog-api-key, and the daily quota: an injected
// 403 fault answers quotaExceeded (world.cpp error_reply), as YouTube does when the day's units
// are spent. A video is a post of the channel's account that answers nothing; a comment thread
// is a post answering a video; replies answer a thread's comment. A thread carries at most
// kInlineReplies of its replies (the API's commentThread holds "a limited number" of them, the
// rest are read with comments.list parentId=). Lists are paged by `maxResults` and `pageToken`,
// answering `nextPageToken` (paging.h).
#include <algorithm>

#include "tests/fakeplatform/paging.h"
#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

constexpr std::size_t kInlineReplies = 5;

// One page of `items` (ids alongside) as a YouTube list response of `kind`; nullopt when the
// pageToken names nothing.
std::optional<boost::json::object> youtube_list(const Query& query, std::string_view kind,
                                                const Listed& items, std::size_t fallback, int cap,
                                                const std::string& fault) {
  const PageCut cut = cut_page(items, query.get("pageToken"), page_size_of(query.get("maxResults")),
                               fallback, cap, fault);
  if (cut.invalid_cursor) return std::nullopt;
  boost::json::array page;
  for (std::size_t i = cut.begin; i < cut.end; ++i) page.push_back(items[i].second);
  boost::json::object out{{"kind", kind}, {"etag", "fake"}};
  if (cut.next) out["nextPageToken"] = *cut.next;
  out["pageInfo"] =
      boost::json::object{{"totalResults", static_cast<std::int64_t>(items.size())},
                          {"resultsPerPage", static_cast<std::int64_t>(cut.end - cut.begin)}};
  out["items"] = std::move(page);
  return out;
}

Reply invalid_page_token() {
  Reply r;
  r.status = 400;
  const std::string message = "The request specifies an invalid page token.";
  boost::json::object reason{
      {"message", message}, {"domain", "youtube.parameter"}, {"reason", "invalidPageToken"}};
  boost::json::object error{
      {"code", 400}, {"message", message}, {"errors", boost::json::array{std::move(reason)}}};
  r.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
  return r;
}

}  // namespace

boost::json::object World::youtube_channel(const Account& a) const {
  const std::string avatar = avatar_url(a);
  return boost::json::object{
      {"kind", "youtube#channel"},
      {"etag", "fake-" + a.id},
      {"id", a.id},
      {"snippet",
       boost::json::object{
           {"title", a.display_name},
           {"description", a.description},
           {"customUrl", "@" + a.handle},
           {"publishedAt", a.created_at},
           {"thumbnails", boost::json::object{{"default", boost::json::object{{"url", avatar}}},
                                              {"high", boost::json::object{{"url", avatar}}}}}}},
      {"statistics", boost::json::object{{"subscriberCount", std::to_string(a.followers)},
                                         {"hiddenSubscriberCount", false}}}};
}

boost::json::object World::youtube_comment(const Post& p, const std::string& video_id) const {
  const Account* author = find_account(Platform::youtube, p.author_handle);
  boost::json::object snippet{
      {"videoId", video_id},
      {"textDisplay", p.text},
      {"textOriginal", p.text},
      {"authorDisplayName", "@" + p.author_handle},
      {"authorChannelId", boost::json::object{{"value", author ? author->id : ""}}},
      {"canRate", true},
      {"viewerRating", "none"},
      {"likeCount", 0},
      {"publishedAt", p.created_at},
      {"updatedAt", p.created_at}};
  if (!p.parent_id.empty() && p.parent_id != video_id) snippet["parentId"] = p.parent_id;
  return boost::json::object{
      {"kind", "youtube#comment"}, {"etag", "fake-" + p.id}, {"id", p.id}, {"snippet", snippet}};
}

Reply World::youtube_api(const Request& request, std::string_view path, double t, LogEntry& entry) {
  std::string endpoint;
  if (path == "channels") {
    endpoint = "channels.list";
  } else if (path == "commentThreads") {
    endpoint = "commentThreads.list";
  } else if (path == "playlistItems") {
    endpoint = "playlistItems.list";
  } else if (path == "search") {
    endpoint = "search.list";
  } else if (path == "comments") {
    endpoint = "comments.list";
  } else {
    entry.endpoint = "unknown";
    return error_reply(Platform::youtube, 404, "Not Found");
  }
  entry.endpoint = endpoint;
  entry.authorized = !request.api_key.empty();
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const Query query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));

  auto fault = apply_fault(Platform::youtube, endpoint, t, entry);
  if (fault && fault->status != -1) return *fault;
  if (request.api_key.empty() || request.api_key != state_.settings.youtube_api_key) {
    return error_reply(Platform::youtube, 400, "API key not valid. Please pass a valid API key.");
  }
  Reply out;
  if (auto limited = rate_limit(Platform::youtube, endpoint, t, out, entry, true)) return *limited;
  auto finish = [&](const boost::json::value& b) {
    out.body = boost::json::serialize(b);
    if (fault) apply_delivery_fault(*fault, out);
    return out;
  };
  auto listed = [&](const Account& a) { return appeared(a, t) && !is_gone(a, t); };
  const int cap = state_.settings.youtube_page_size;
  const std::string paging_fault = fault ? entry.fault : std::string();
  const auto newest_first = [](const Post* a, const Post* b) { return a->seq > b->seq; };

  if (endpoint == "channels.list") {
    boost::json::array items;
    std::string ref = query.get("id").value_or(query.get("forHandle").value_or(""));
    if (!ref.empty() && ref.front() == '@') ref.erase(0, 1);
    if (const Account* a = find_account(Platform::youtube, ref); a != nullptr && listed(*a)) {
      items.push_back(youtube_channel(*a));
    }
    const auto n = static_cast<std::int64_t>(items.size());
    return finish(boost::json::object{
        {"kind", "youtube#channelListResponse"},
        {"etag", "fake"},
        {"pageInfo", boost::json::object{{"totalResults", n}, {"resultsPerPage", 5}}},
        {"items", std::move(items)}});
  }

  if (endpoint == "search.list") {
    // type=channel: channels whose handle or title contains the query (100 units on YouTube).
    Listed items;
    const std::string q = query.get("q").value_or("");
    for (const Account& a : state_.accounts) {
      if (a.platform != Platform::youtube || !listed(a) || q.empty()) continue;
      if (!contains_folded(a.handle, q) && !contains_folded(a.display_name, q)) continue;
      const std::string avatar = avatar_url(a);
      items.emplace_back(
          a.id, boost::json::object{
                    {"kind", "youtube#searchResult"},
                    {"etag", "fake-search-" + a.id},
                    {"id", boost::json::object{{"kind", "youtube#channel"}, {"channelId", a.id}}},
                    {"snippet",
                     boost::json::object{
                         {"publishedAt", a.created_at},
                         {"channelId", a.id},
                         {"title", a.display_name},
                         {"description", a.description},
                         {"thumbnails",
                          boost::json::object{{"default", boost::json::object{{"url", avatar}}},
                                              {"high", boost::json::object{{"url", avatar}}}}},
                         {"channelTitle", a.display_name},
                         {"liveBroadcastContent", "none"}}}});
    }
    auto list = youtube_list(query, "youtube#searchListResponse", items, 5, cap, paging_fault);
    if (!list) return invalid_page_token();
    (*list)["regionCode"] = "JP";
    return finish(*list);
  }

  if (endpoint == "playlistItems.list") {
    // The uploads playlist of channel UCxxx is UUxxx: the channel's videos, newest first.
    std::string playlist = query.get("playlistId").value_or("");
    if (playlist.rfind("UU", 0) != 0) {
      return error_reply(Platform::youtube, 404,
                         "The playlist identified with the request's "
                         "playlistId parameter cannot be found.");
    }
    const Account* owner = find_account(Platform::youtube, "UC" + playlist.substr(2));
    if (owner == nullptr || !listed(*owner)) {
      return error_reply(Platform::youtube, 404,
                         "The playlist identified with the request's "
                         "playlistId parameter cannot be found.");
    }
    std::vector<const Post*> videos;
    for (const Post& p : state_.posts) {
      if (p.platform == Platform::youtube && visible_post(p, t) && p.parent_id.empty() &&
          p.author_handle == owner->handle) {
        videos.push_back(&p);
      }
    }
    std::sort(videos.begin(), videos.end(), newest_first);
    Listed items;
    std::int64_t position = 0;
    for (const Post* v : videos) {
      const auto newline = v->text.find('\n');
      items.emplace_back(
          v->id,
          boost::json::object{
              {"kind", "youtube#playlistItem"},
              {"etag", "fake-item-" + v->id},
              {"id", playlist + "." + v->id},
              {"snippet",
               boost::json::object{
                   {"publishedAt", v->created_at},
                   {"channelId", owner->id},
                   {"title", v->text.substr(0, newline)},
                   {"description", newline == std::string::npos ? std::string()
                                                                : v->text.substr(newline + 1)},
                   {"channelTitle", owner->display_name},
                   {"playlistId", playlist},
                   {"position", position++},
                   {"resourceId",
                    boost::json::object{{"kind", "youtube#video"}, {"videoId", v->id}}},
                   {"videoOwnerChannelTitle", owner->display_name},
                   {"videoOwnerChannelId", owner->id}}},
              {"contentDetails",
               boost::json::object{{"videoId", v->id}, {"videoPublishedAt", v->created_at}}}});
    }
    auto list =
        youtube_list(query, "youtube#playlistItemListResponse", items, 5, cap, paging_fault);
    return list ? finish(*list) : invalid_page_token();
  }

  if (endpoint == "comments.list") {
    // parentId=: the replies to one top-level comment, oldest first.
    const std::string parent = query.get("parentId").value_or("");
    const Post* top = find_post(Platform::youtube, parent);
    if (parent.empty() || top == nullptr || !visible_post(*top, t)) {
      return error_reply(Platform::youtube, 404,
                         "The comment identified by the request's parentId parameter could "
                         "not be found.");
    }
    std::vector<const Post*> replies;
    for (const Post& r : state_.posts) {
      if (r.platform == Platform::youtube && visible_post(r, t) && r.parent_id == top->id) {
        replies.push_back(&r);
      }
    }
    std::sort(replies.begin(), replies.end(),
              [](const Post* a, const Post* b) { return a->seq < b->seq; });
    Listed items;
    for (const Post* r : replies) items.emplace_back(r->id, youtube_comment(*r, top->parent_id));
    auto list = youtube_list(query, "youtube#commentListResponse", items, 20, cap, paging_fault);
    return list ? finish(*list) : invalid_page_token();
  }

  // commentThreads.list: by allThreadsRelatedToChannelId or videoId, newest first.
  const Account* channel = nullptr;
  if (auto id = query.get("allThreadsRelatedToChannelId")) {
    channel = find_account(Platform::youtube, *id);
    if (channel == nullptr || !listed(*channel)) {
      return error_reply(Platform::youtube, 404, "The channel could not be found.");
    }
  }
  const auto video_id = query.get("videoId");
  auto is_video = [&](const Post& p) {
    return p.platform == Platform::youtube && p.parent_id.empty() &&
           (channel == nullptr || p.author_handle == channel->handle) &&
           (!video_id || p.id == *video_id);
  };
  std::vector<const Post*> threads;
  for (const Post& p : state_.posts) {
    if (p.platform != Platform::youtube || !visible_post(p, t) || p.parent_id.empty()) continue;
    const Post* parent = find_post(Platform::youtube, p.parent_id);
    if (parent != nullptr && is_video(*parent)) threads.push_back(&p);
  }
  std::sort(threads.begin(), threads.end(), newest_first);
  Listed items;
  for (const Post* top : threads) {
    boost::json::array replies;
    std::int64_t count = 0;
    for (const Post& r : state_.posts) {
      if (r.platform == Platform::youtube && visible_post(r, t) && r.parent_id == top->id) {
        if (replies.size() < kInlineReplies) replies.push_back(youtube_comment(r, top->parent_id));
        ++count;
      }
    }
    boost::json::object thread{
        {"kind", "youtube#commentThread"},
        {"etag", "fake-thread-" + top->id},
        {"id", top->id},
        {"snippet", boost::json::object{{"channelId", channel ? channel->id : ""},
                                        {"videoId", top->parent_id},
                                        {"topLevelComment", youtube_comment(*top, top->parent_id)},
                                        {"canReply", true},
                                        {"totalReplyCount", count},
                                        {"isPublic", true}}}};
    if (count > 0) thread["replies"] = boost::json::object{{"comments", std::move(replies)}};
    items.emplace_back(top->id, std::move(thread));
  }
  auto list =
      youtube_list(query, "youtube#commentThreadListResponse", items, 20, cap, paging_fault);
  return list ? finish(*list) : invalid_page_token();
}

}  // namespace mamori::fakeplatform
