#include "collectors/mastodon/mastodon_collector.h"

#include "collectors/mastodon/mastodon_parse.h"

namespace mamori::collectors::mastodon {
namespace {

std::string cursor_query(const Cursor& cursor) {
  std::string q;
  if (cursor.since) q += "&since_id=" + url_encode(*cursor.since);
  if (cursor.page) q += "&max_id=" + url_encode(*cursor.page);
  return q;
}

}  // namespace

MastodonCollector::MastodonCollector(HttpClient& client, MastodonCollectorOptions options)
    : client_(client), options_(std::move(options)) {}

HttpRequest MastodonCollector::request(const std::string& path_and_query,
                                       MastodonEndpoint endpoint) const {
  HttpRequest r =
      api_request(options_.instance + path_and_query, model::Platform::mastodon,
                  endpoint_name(endpoint), options_.timeout, options_.max_response_bytes);
  r.headers.emplace_back("Accept", "application/json");
  // Mastodon counts all API calls together: per access token when one is sent, else per IP
  // (shared with everything else behind that address). Reads go with the token when one is
  // configured, so they draw on the account's own budget (issue 20).
  if (!options_.access_token.empty()) {
    r.headers.emplace_back("Authorization", "Bearer " + options_.access_token);
    r.quota_scope = options_.instance + " token";
  } else {
    r.quota_scope = options_.instance + " anonymous";
  }
  return r;
}

void MastodonCollector::run(HttpRequest r, MastodonEndpoint endpoint, std::vector<std::string> refs,
                            PageHandler done) {
  fetch_page(
      client_, std::move(r), model::Platform::mastodon,
      [endpoint](std::string_view body, const ParseContext& c) { return parse(endpoint, body, c); },
      std::move(refs), std::move(done));
}

void MastodonCollector::lookup_profiles(const std::vector<std::string>& handles, PageHandler done) {
  // No batch lookup in the API: the poller sends one handle at a time (lookup_batch_size 1).
  const std::string handle = handles.empty() ? std::string() : handles.front();
  run(request("/api/v1/accounts/lookup?acct=" + url_encode(handle),
              MastodonEndpoint::accounts_lookup),
      MastodonEndpoint::accounts_lookup, {handle}, std::move(done));
}

void MastodonCollector::search_accounts(const std::string& query, PageHandler done) {
  run(request("/api/v2/search?type=accounts&limit=40&q=" + url_encode(query),
              MastodonEndpoint::search),
      MastodonEndpoint::search, {}, std::move(done));
}

void MastodonCollector::recent_posts(const AccountRef& account, const Cursor& cursor,
                                     PageHandler done) {
  run(request("/api/v1/accounts/" + url_encode(account.account_id) +
                  "/statuses?limit=40&exclude_reblogs=true" + cursor_query(cursor),
              MastodonEndpoint::account_statuses),
      MastodonEndpoint::account_statuses, {account.account_id}, std::move(done));
}

void MastodonCollector::replies_and_mentions(const AccountRef& /*account*/, const Cursor& cursor,
                                             PageHandler done) {
  run(request("/api/v1/notifications?limit=40&types%5B%5D=mention" + cursor_query(cursor),
              MastodonEndpoint::notifications),
      MastodonEndpoint::notifications, {}, std::move(done));
}

void MastodonCollector::thread(const AccountRef& /*account*/, const std::string& post_id,
                               const Cursor& /*cursor*/, PageHandler done) {
  run(request("/api/v1/statuses/" + url_encode(post_id) + "/context",
              MastodonEndpoint::status_context),
      MastodonEndpoint::status_context, {post_id}, std::move(done));
}

void MastodonCollector::quotes(const AccountRef& /*account*/, const std::string& post_id,
                               const Cursor& cursor, PageHandler done) {
  run(request("/api/v1/statuses/" + url_encode(post_id) + "/quotes?limit=40" +
                  cursor_query(Cursor{std::nullopt, cursor.page}),
              MastodonEndpoint::status_quotes),
      MastodonEndpoint::status_quotes, {post_id}, std::move(done));
}

void MastodonCollector::fetch_avatar(const std::string& url, std::size_t max_bytes,
                                     std::function<void(HttpResponse)> done) {
  client_.fetch(avatar_request(url, model::Platform::mastodon, options_.timeout, max_bytes),
                std::move(done));
}

}  // namespace mamori::collectors::mastodon
