#include "collectors/x/x_collector.h"

#include <array>
#include <string_view>

#include "collectors/x/x_parse.h"
#include "model/time_text.h"

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
  HttpRequest r =
      api_request(options_.api_base + path_and_query, model::Platform::x, endpoint_name(endpoint),
                  options_.timeout, options_.max_response_bytes);
  r.headers.emplace_back("Authorization", "Bearer " + options_.bearer_token);
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

void XCollector::run(HttpRequest r, XEndpoint endpoint, std::vector<std::string> refs,
                     PageHandler done) {
  fetch_page(
      client_, std::move(r), model::Platform::x,
      [endpoint](std::string_view body, const ParseContext& c) { return parse(endpoint, body, c); },
      std::move(refs), std::move(done));
}

void XCollector::lookup_profiles(const std::vector<std::string>& handles, PageHandler done) {
  if (handles.size() == 1) {
    run(request("/2/users/by/username/" + url_encode(handles[0]) +
                    "?user.fields=" + url_encode(kUserFields),
                XEndpoint::user_by_username),
        XEndpoint::user_by_username, handles, std::move(done));
    return;
  }
  std::string list;
  for (const auto& h : handles) list += (list.empty() ? "" : ",") + h;
  run(request(
          "/2/users/by?usernames=" + url_encode(list) + "&user.fields=" + url_encode(kUserFields),
          XEndpoint::users_by),
      XEndpoint::users_by, handles, std::move(done));
}

void XCollector::search_accounts(const std::string& query, PageHandler done) {
  run(request("/2/users/search?query=" + url_encode(query) +
                  "&max_results=100&user.fields=" + url_encode(kUserFields),
              XEndpoint::users_search),
      XEndpoint::users_search, {}, std::move(done));
}

void XCollector::recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) {
  run(request("/2/users/" + url_encode(account.account_id) + "/tweets?max_results=100&" +
                  tweet_query() + cursor_query(cursor),
              XEndpoint::user_tweets),
      XEndpoint::user_tweets, {account.account_id}, std::move(done));
}

void XCollector::replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                                      PageHandler done) {
  run(request("/2/users/" + url_encode(account.account_id) + "/mentions?max_results=100&" +
                  tweet_query() + cursor_query(cursor),
              XEndpoint::user_mentions),
      XEndpoint::user_mentions, {account.account_id}, std::move(done));
}

void XCollector::thread(const AccountRef& /*account*/, const std::string& post_id,
                        const Cursor& cursor, PageHandler done) {
  std::string q = "/2/tweets/search/recent?query=" + url_encode("conversation_id:" + post_id) +
                  "&max_results=100&" + tweet_query();
  if (cursor.since) q += "&since_id=" + url_encode(*cursor.since);
  if (cursor.page) q += "&next_token=" + url_encode(*cursor.page);
  run(request(std::move(q), XEndpoint::tweets_search_recent), XEndpoint::tweets_search_recent,
      {post_id}, std::move(done));
}

std::string reply_counts_query(std::string_view handle) {
  const std::string h(handle);
  return "@" + h + " -from:" + h + " -is:retweet";
}

void XCollector::reply_counts(const AccountRef& account, model::TimePoint start,
                              model::TimePoint end, PageHandler done) {
  const auto second = [](model::TimePoint t) {
    return model::iso8601_utc(std::chrono::floor<std::chrono::seconds>(t));
  };
  run(request("/2/tweets/counts/recent?query=" + url_encode(reply_counts_query(account.handle)) +
                  "&granularity=minute&start_time=" + url_encode(second(start)) +
                  "&end_time=" + url_encode(second(end)),
              XEndpoint::tweets_counts_recent),
      XEndpoint::tweets_counts_recent, {account.handle}, std::move(done));
}

void XCollector::quotes(const AccountRef& /*account*/, const std::string& post_id,
                        const Cursor& cursor, PageHandler done) {
  // The newest 10 (the endpoint's least): quotes have no since_id, so each run reads again
  // what it read before (X bills a post once a UTC day); a pile-on is new quotes every run.
  std::string q =
      "/2/tweets/" + url_encode(post_id) + "/quote_tweets?max_results=10&" + tweet_query();
  if (cursor.page) q += "&pagination_token=" + url_encode(*cursor.page);
  run(request(std::move(q), XEndpoint::quote_tweets), XEndpoint::quote_tweets, {post_id},
      std::move(done));
}

std::string avatar_url_for_hashing(std::string_view url) {
  static constexpr std::string_view kPrefix = "https://pbs.twimg.com/profile_images/";
  static constexpr std::array<std::string_view, 3> kSizes = {"_normal", "_bigger", "_mini"};
  if (!url.starts_with(kPrefix)) return std::string(url);
  // A query or fragment is not part of X's scheme: leave such a URL alone.
  if (url.find_first_of("?#") != std::string_view::npos) return std::string(url);
  const std::size_t slash = url.rfind('/');
  const std::size_t dot = url.rfind('.');
  const std::size_t stem_end = (dot == std::string_view::npos || dot < slash) ? url.size() : dot;
  const std::string_view stem = url.substr(slash + 1, stem_end - slash - 1);
  for (const std::string_view size : kSizes) {
    // The suffix must follow a non-empty name: "_normal.jpg" alone is not a sized variant.
    if (stem.size() > size.size() && stem.ends_with(size)) {
      std::string out(url.substr(0, stem_end - size.size()));
      out += "_400x400";
      out += url.substr(stem_end);
      return out;
    }
  }
  return std::string(url);
}

void XCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                              std::function<void(HttpResponse)> done) {
  // No Authorization: media hosts are public, the token stays with the API.
  HttpRequest as_received = avatar_request(url, model::Platform::x, options_.timeout, max_bytes);
  HttpRequest larger = as_received;
  larger.url = avatar_url_for_hashing(url);
  if (larger.url == url) {
    client_.fetch(std::move(as_received), std::move(done));
    return;
  }
  // The client outlives the collector's requests (it completes or cancels them on shutdown).
  HttpClient* client = &client_;
  client_.fetch(std::move(larger), [client, fallback = std::move(as_received),
                                    done = std::move(done)](HttpResponse response) mutable {
    if (response.outcome == HttpOutcome::ok && response.status >= 400 && response.status < 500) {
      client->fetch(std::move(fallback), std::move(done));
      return;
    }
    done(std::move(response));
  });
}

}  // namespace mamori::collectors::x
