#include "collectors/facebook/facebook_collector.h"

#include <algorithm>

#include "collectors/common/page_walk.h"
#include "collectors/facebook/facebook_parse.h"

namespace mamori::collectors::facebook {
namespace {

// A cursor is either a Graph `after` cursor or, for time-paged edges, the `next` query the
// parser kept (credentials already removed): that query is the whole request.
std::string with_cursor(const std::string& path, std::string_view fields, std::string_view extra,
                        const Cursor& cursor) {
  if (cursor.page && cursor.page->find('=') != std::string::npos) return path + "?" + *cursor.page;
  std::string q = path + "?fields=" + url_encode(fields) + std::string(extra);
  if (cursor.page) q += "&after=" + url_encode(*cursor.page);
  return q;
}

}  // namespace

std::string page_path(const std::vector<std::string>& ids) {
  if (ids.size() == 1) return "/" + url_encode(ids.front()) + "?fields=" + url_encode(kPageFields);
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
  return "/?ids=" + url_encode(list) + "&fields=" + url_encode(kPageFields);
}

std::string feed_path(const std::string& page_id, const Cursor& cursor) {
  return with_cursor("/" + url_encode(page_id) + "/feed", kPostFields, "&limit=25", cursor);
}

std::string comments_path(const std::string& object_id, const Cursor& cursor) {
  return with_cursor("/" + url_encode(object_id) + "/comments", kCommentFields,
                     "&filter=stream&order=reverse_chronological&limit=100", cursor);
}

FacebookCollector::FacebookCollector(HttpClient& client, FacebookCollectorOptions options)
    : client_(client), options_(std::move(options)) {}

void FacebookCollector::run(const std::string& path_and_query, FacebookEndpoint endpoint,
                            std::vector<std::string> refs, PageHandler done) {
  HttpRequest r =
      api_request(options_.graph_base + path_and_query, model::Platform::facebook,
                  endpoint_name(endpoint), options_.timeout, options_.max_response_bytes);
  r.headers.emplace_back("Authorization", "Bearer " + options_.page_access_token);
  r.headers.emplace_back("Accept", "application/json");
  // Graph usage (X-App-Usage, X-Page-Usage) counts every call of the app together.
  r.quota_scope = "graph app";
  fetch_page(
      client_, std::move(r), model::Platform::facebook,
      [endpoint](std::string_view body, const ParseContext& c) { return parse(endpoint, body, c); },
      std::move(refs), std::move(done));
}

void FacebookCollector::lookup_profiles(const std::vector<std::string>& handles, PageHandler done) {
  run(page_path(handles), FacebookEndpoint::page, handles, std::move(done));
}

void FacebookCollector::search_accounts(const std::string& query, PageHandler done) {
  run("/pages/search?q=" + url_encode(query) + "&fields=" + url_encode(kPageFields) + "&limit=50",
      FacebookEndpoint::pages_search, {}, std::move(done));
}

void FacebookCollector::recent_posts(const AccountRef& account, const Cursor& cursor,
                                     PageHandler done) {
  run(feed_path(account.account_id, cursor), FacebookEndpoint::page_feed, {account.account_id},
      [done = std::move(done), sent = cursor.page](Page page) {
        drop_repeated_cursor(model::Platform::facebook, page, sent);
        done(std::move(page));
      });
}

void FacebookCollector::replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                                             PageHandler done) {
  run(with_cursor("/" + url_encode(account.account_id) + "/tagged", kPostFields, "&limit=25",
                  cursor),
      FacebookEndpoint::page_tagged, {account.account_id},
      [done = std::move(done), sent = cursor.page](Page page) {
        drop_repeated_cursor(model::Platform::facebook, page, sent);
        done(std::move(page));
      });
}

void FacebookCollector::thread(const AccountRef& /*account*/, const std::string& post_id,
                               const Cursor& cursor, PageHandler done) {
  auto memory = newest_comment_;
  std::string known;
  if (auto it = memory->find(post_id); it != memory->end()) known = it->second;
  walk_pages(
      model::Platform::facebook,
      [this, post_id](const std::optional<std::string>& page, PageHandler next) {
        run(comments_path(post_id, Cursor{std::nullopt, page}), FacebookEndpoint::post_comments,
            {post_id, post_id}, std::move(next));
      },
      cursor.page, options_.max_comment_pages,
      [known](const Page& page) { return !known.empty() && has_post(page, known); },
      [memory, post_id, done = std::move(done)](Page page) {
        // Remembered only after a walk without errors: a page that failed is read again.
        const auto& obs = page.result.observations;
        const bool clean = page.result.outcome == ParseOutcome::ok &&
                           std::none_of(obs.begin(), obs.end(), [](const model::Observation& o) {
                             return std::holds_alternative<model::ObservationError>(o);
                           });
        for (const auto& o : obs) {
          const auto* p = std::get_if<model::Post>(&o);
          if (!clean || p == nullptr) continue;
          if (memory->size() > 10000) memory->clear();  // posts age out of the thread window
          (*memory)[post_id] = p->post_id;              // newest first: the first one
          break;
        }
        done(std::move(page));
      });
}

void FacebookCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                                     std::function<void(HttpResponse)> done) {
  // No Authorization: the CDN is public, the token stays with the API.
  client_.fetch(avatar_request(url, model::Platform::facebook, options_.timeout, max_bytes),
                std::move(done));
}

}  // namespace mamori::collectors::facebook
