// One interface for the three platforms' collectors: each turns "what mamori wants to know"
// (profiles, account search, an account's posts, replies and mentions, a thread, an avatar)
// into the platform's requests, sends them through the (rate-governed) HttpClient, and hands
// back the parsed page. Pagination cursors go in and come out; the poller persists them.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collectors/common/parse_result.h"
#include "collectors/http/http_client.h"

namespace mamori::collectors {

struct AccountRef {
  std::string handle;
  std::string account_id;  // X user id, Bluesky DID, Mastodon id; empty until looked up
};

// One response: the transport result (status, headers, raw body kept as evidence) and what the
// parser made of it. A transport failure has outcome != ok and an error observation.
struct Page {
  std::string endpoint;  // the documented endpoint name
  std::string url;       // as requested (no credentials are ever put in URLs)
  HttpResponse response;
  ParseResult result;
};
using PageHandler = std::function<void(Page)>;

// Where to continue: `since` is the newest id already seen (X/Mastodon since_id), `page` the
// cursor of the next older page (X next_token, Bluesky cursor, Mastodon max_id).
struct Cursor {
  std::optional<std::string> since;
  std::optional<std::string> page;
};

class PlatformCollector {
 public:
  virtual ~PlatformCollector() = default;
  virtual model::Platform platform() const = 0;
  // The largest number of handles lookup_profiles() sends in one request.
  virtual std::size_t lookup_batch_size() const = 0;
  virtual void lookup_profiles(const std::vector<std::string>& handles, PageHandler done) = 0;
  virtual void search_accounts(const std::string& query, PageHandler done) = 0;
  virtual void recent_posts(const AccountRef& account, const Cursor& cursor, PageHandler done) = 0;
  // True when replies_and_mentions() is available for this account (X always; Bluesky when the
  // session is this account's; Mastodon when the access token is). Otherwise the poller walks
  // the threads of the account's recent posts.
  virtual bool has_mentions(const AccountRef& account) const = 0;
  virtual void replies_and_mentions(const AccountRef& account, const Cursor& cursor,
                                    PageHandler done) = 0;
  virtual void thread(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
                      PageHandler done) = 0;
  // The reply-rate series without reading the replies: per-minute counts of the posts addressed
  // to the account in [start, end) (X `tweets/counts/recent`, priced per request whatever the
  // volume). Only asked when has_reply_counts(); the default answers with an error page.
  virtual bool has_reply_counts() const { return false; }
  virtual void reply_counts(const AccountRef& account, model::TimePoint start, model::TimePoint end,
                            PageHandler done);
  // Quote posts (引用) of one of the account's posts (X `tweets/:id/quote_tweets`, Bluesky
  // `app.bsky.feed.getQuotes`). Only asked when has_quotes(); the default answers with an error.
  virtual bool has_quotes() const { return false; }
  virtual void quotes(const AccountRef& account, const std::string& post_id, const Cursor& cursor,
                      PageHandler done);
  // Others' posts that tag the account, listed apart from the comments the poller reads per post
  // (Facebook /{page-id}/tagged, Instagram /{ig-user-id}/tags): replies_and_mentions() answers
  // them even where has_mentions() is false, and the poller reads them as the "tagged" job.
  virtual bool has_tagged() const { return false; }
  // Avatars only from the platform's media hosts (the HTTP client's allow-list), size-capped.
  virtual void fetch_avatar(const std::string& url, std::size_t max_bytes,
                            std::function<void(HttpResponse)> done) = 0;
};

// RFC 3986 percent-encoding of a query value (unreserved characters kept).
std::string url_encode(std::string_view value);

// A request to a platform's API: the URL, the platform and the documented endpoint name (the
// governor, metrics and logs key on them), and the time and size limits. The caller adds its
// headers; credentials go only there, never into the URL.
HttpRequest api_request(std::string url, model::Platform platform, std::string_view endpoint,
                        std::chrono::milliseconds timeout, std::size_t max_response_bytes);

// A profile picture from a platform's public media host: no credentials, `max_bytes` at most.
HttpRequest avatar_request(std::string url, model::Platform platform,
                           std::chrono::milliseconds timeout, std::size_t max_bytes);

using BodyParser = std::function<ParseResult(std::string_view body, const ParseContext&)>;

// Runs `request`, parses the body with `parse` and calls `done` with the page. A transport
// failure becomes an error observation naming the endpoint and outcome.
void fetch_page(HttpClient& client, HttpRequest request, model::Platform platform, BodyParser parse,
                std::vector<std::string> requested_refs, PageHandler done);

// What fetch_page makes of the answer to a request for `endpoint` at `url`, for a collector that
// sends the request some other way (Bluesky's calls that need the session).
Page page_from_response(std::string endpoint, std::string url, model::Platform platform,
                        const BodyParser& parse, std::vector<std::string> requested_refs,
                        HttpResponse response);

}  // namespace mamori::collectors
