// What every platform parser returns, what it is told about the response, and the endpoint names
// each platform documents (docs/design.md "mamorictl": names without host or version prefix, ids
// as `:id`). Parsers are pure: the body and this context in, observations out; no clock, no I/O.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"

namespace mamori::collectors {

// What the caller knows about the response besides its body.
struct ParseContext {
  // When the response arrived; copied into every observation (parsers never read a clock).
  model::TimePoint observed_at{};
  std::optional<int> http_status;
  // The handles or ids the request named: one for a single lookup, several for a batch lookup.
  // An error body ("Profile not found") or a batch answer that leaves an account out becomes a
  // `gone` observation naming it; Mastodon `statuses/:id/context` uses it as the thread's root.
  std::vector<std::string> requested_refs;
  // Mastodon paginates in the Link header, not the body: pass it to get `next_cursor` (max_id).
  std::string link_header;
};

enum class ParseOutcome {
  ok,              // the endpoint's normal answer (it may still carry gone/error observations)
  platform_error,  // the platform's error document: not found, suspended, unauthorised, 429...
  malformed,       // not JSON, truncated, or not the endpoint's shape: one error observation only
};

std::string_view to_string(ParseOutcome outcome);

// One bucket of a post-count series (X `tweets/counts/recent`: data[].{start, end, tweet_count}).
struct CountBucket {
  model::TimePoint start{};
  model::TimePoint end{};
  std::int64_t count = 0;
};

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::ok;
  std::vector<model::Observation> observations;
  // The next (older) page: X meta.next_token, Bluesky cursor, Mastodon Link rel="next" max_id,
  // Graph API paging.cursors.after, YouTube nextPageToken.
  std::optional<std::string> next_cursor;
  // The newest item id on the page, for the next poll's since_id: X meta.newest_id, Mastodon the
  // highest status (or notification) id. Bluesky has no since_id and leaves it empty.
  std::optional<std::string> newest_id;
  // A counts endpoint's series, oldest first (its observations hold only errors).
  std::vector<CountBucket> counts;
};

enum class XEndpoint {
  user_by_username,      // GET /2/users/by/username/:username
  users_by,              // GET /2/users/by?usernames=
  users_search,          // GET /2/users/search
  user_tweets,           // GET /2/users/:id/tweets
  user_mentions,         // GET /2/users/:id/mentions
  tweets_search_recent,  // GET /2/tweets/search/recent
  tweets_counts_recent,  // GET /2/tweets/counts/recent
  quote_tweets,          // GET /2/tweets/:id/quote_tweets
};

enum class BlueskyEndpoint {
  get_profile,         // app.bsky.actor.getProfile
  get_profiles,        // app.bsky.actor.getProfiles
  search_actors,       // app.bsky.actor.searchActors
  get_author_feed,     // app.bsky.feed.getAuthorFeed
  get_post_thread,     // app.bsky.feed.getPostThread
  search_posts,        // app.bsky.feed.searchPosts
  list_notifications,  // app.bsky.notification.listNotifications
  get_quotes,          // app.bsky.feed.getQuotes
};

enum class MastodonEndpoint {
  accounts_lookup,   // GET /api/v1/accounts/lookup
  accounts_search,   // GET /api/v1/accounts/search
  search,            // GET /api/v2/search
  account_statuses,  // GET /api/v1/accounts/:id/statuses
  status_context,    // GET /api/v1/statuses/:id/context
  notifications,     // GET /api/v1/notifications
  status_quotes,     // GET /api/v1/statuses/:id/quotes (Mastodon 4.5 quote posts)
};

// Facebook Graph API (Pages), named by path with the Graph API's own placeholders.
enum class FacebookEndpoint {
  page,             // GET /{page-id}?fields=...
  page_feed,        // GET /{page-id}/feed
  post_comments,    // GET /{post-id}/comments
  comment_replies,  // GET /{comment-id}/comments
  page_tagged,      // GET /{page-id}/tagged (posts by others tagging the page)
  pages_search,     // GET /pages/search (needs the Page Public Metadata Access feature)
};

// Instagram Graph API (a professional account linked to a Page).
enum class InstagramEndpoint {
  user,                // GET /{ig-user-id}?fields=...
  user_media,          // GET /{ig-user-id}/media
  user_tags,           // GET /{ig-user-id}/tags (media the account is tagged in)
  media_comments,      // GET /{ig-media-id}/comments
  comment_replies,     // GET /{ig-comment-id}/replies
  business_discovery,  // GET /{ig-user-id}?fields=business_discovery.username(...){...}
  // Mentions arrive only by Meta webhook (field `mentions`); these read what they point at.
  mentioned_media,    // GET /{ig-user-id}?fields=mentioned_media.media_id(...){...}
  mentioned_comment,  // GET /{ig-user-id}?fields=mentioned_comment.comment_id(...){...}
};

// YouTube Data API v3, named resource.method.
enum class YoutubeEndpoint {
  channels_list,         // channels.list
  search_list,           // search.list (type=channel)
  playlist_items_list,   // playlistItems.list (the uploads playlist)
  comment_threads_list,  // commentThreads.list
  comments_list,         // comments.list (replies, parentId=)
};

// The documented name ("users/:id/tweets", "app.bsky.feed.getAuthorFeed", "statuses/:id/context").
std::string_view endpoint_name(XEndpoint endpoint);
std::string_view endpoint_name(BlueskyEndpoint endpoint);
std::string_view endpoint_name(MastodonEndpoint endpoint);
std::string_view endpoint_name(FacebookEndpoint endpoint);
std::string_view endpoint_name(InstagramEndpoint endpoint);
std::string_view endpoint_name(YoutubeEndpoint endpoint);

std::optional<XEndpoint> x_endpoint_from_name(std::string_view name);
std::optional<BlueskyEndpoint> bluesky_endpoint_from_name(std::string_view name);
std::optional<MastodonEndpoint> mastodon_endpoint_from_name(std::string_view name);
std::optional<FacebookEndpoint> facebook_endpoint_from_name(std::string_view name);
std::optional<InstagramEndpoint> instagram_endpoint_from_name(std::string_view name);
std::optional<YoutubeEndpoint> youtube_endpoint_from_name(std::string_view name);

// Every endpoint name of a platform, in declaration order (for usage texts and fuzz targets).
std::span<const std::string_view> endpoint_names(model::Platform platform);

// Orders platform ids that are decimal numbers of any length (X snowflakes, Mastodon ids) by
// value; ids that are not all digits fall back to byte order.
bool id_less(std::string_view a, std::string_view b);

}  // namespace mamori::collectors
