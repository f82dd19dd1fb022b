#include "collectors/x/x_collector.h"

#include "collectors/x/x_parse.h"

namespace mamori::collectors::x {
namespace {

std::string tweet_query() {
  return "tweet.fields=" + url_encode(kTweetFields) + "&expansions=" + url_encode(kExpansions) +
         "&user.fields=" + url_encode(kUserFields);
}

std::string cursor_query(const Cursor& cursor) {
  std::string q;
  if (cursor.since) q += "&since_id=" + url_encode(*cursor.since);
  if (cursor.page) q += "&pagination_token=" + url_encode(*cursor.page);
  return q;
}

}  // namespace

XCollector::XCollector(HttpClient& client, XCollectorOptions options)
    : client_(client), options_(std::move(options)) {}

HttpRequest XCollector::request(std::string path_and_query, XEndpoint endpoint) const {
  HttpRequest r;
  r.url = options_.api_base + path_and_query;
  r.headers.emplace_back("Authorization", "Bearer " + options_.bearer_token);
  r.headers.emplace_back("Accept", "application/json");
  r.timeout = options_.timeout;
  r.max_response_bytes = options_.max_response_bytes;
  r.platform = "x";
  r.endpoint = std::string(endpoint_name(endpoint));
  return r;
}

void XCollector::run(HttpRequest r, XEndpoint endpoint, std::vector<std::string> refs, PageHandler done) {
  fetch_page(client_, std::move(r), model::Platform::x,
             [endpoint](std::string_view body, const ParseContext& c) { return parse(endpoint, body, c); },
             std::move(refs), std::move(done));
}

void XCollector::lookup_profiles(const std::vector<std::string>& handles, PageHandler done) {
  if (handles.size() == 1) {
    run(request("/2/users/by/username/" + url_encode(handles[0]) + "?user.fields=" + url_encode(kUserFields),
                XEndpoint::user_by_username),
        XEndpoint::user_by_username, handles, std::move(done));
    return;
  }
  std::string list;
  for (const auto& h : handles) list += (list.empty() ? "" : ",") + h;
  run(request("/2/users/by?usernames=" + url_encode(list) + "&user.fields=" + url_encode(kUserFields),
              XEndpoint::users_by),
      XEndpoint::users_by, handles, std::move(done));
}

void XCollector::search_accounts(const std::string& query, PageHandler done) {
  run(request("/2/users/search?query=" + url_encode(query) + "&max_results=100&user.fields=" +
                  url_encode(kUserFields),
              XEndpoint::users_search),
      XEndpoint::users_search, {}, std::move(done));
}

void XCollector::recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) {
  run(request("/2/users/" + url_encode(account.account_id) + "/tweets?max_results=100&" + tweet_query() +
                  cursor_query(cursor),
              XEndpoint::user_tweets),
      XEndpoint::user_tweets, {account.account_id}, std::move(done));
}

void XCollector::replies_and_mentions(const AccountRef& account, const Cursor& cursor, PageHandler done) {
  run(request("/2/users/" + url_encode(account.account_id) + "/mentions?max_results=100&" + tweet_query() +
                  cursor_query(cursor),
              XEndpoint::user_mentions),
      XEndpoint::user_mentions, {account.account_id}, std::move(done));
}

void XCollector::thread(const AccountRef& /*account*/, const std::string& post_id, const Cursor& cursor,
                        PageHandler done) {
  std::string q = "/2/tweets/search/recent?query=" + url_encode("conversation_id:" + post_id) +
                  "&max_results=100&" + tweet_query();
  if (cursor.since) q += "&since_id=" + url_encode(*cursor.since);
  if (cursor.page) q += "&next_token=" + url_encode(*cursor.page);
  run(request(std::move(q), XEndpoint::tweets_search_recent), XEndpoint::tweets_search_recent, {post_id},
      std::move(done));
}

void XCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                              std::function<void(HttpResponse)> done) {
  HttpRequest r;
  r.url = url;  // no Authorization: media hosts are public, and the token stays with the API
  r.timeout = options_.timeout;
  r.max_response_bytes = max_bytes;
  r.platform = "x";
  r.endpoint = "avatar";
  client_.fetch(std::move(r), std::move(done));
}

}  // namespace mamori::collectors::x
