#include "collectors/common/parse_result.h"

#include <array>
#include <cstddef>

namespace mamori::collectors {
namespace {

// Indexed by the enums' values; the order must match their declarations.
constexpr std::array<std::string_view, 8> kXNames = {
    "users/by/username/:username",
    "users/by",
    "users/search",
    "users/:id/tweets",
    "users/:id/mentions",
    "tweets/search/recent",
    "tweets/counts/recent",
    "tweets/:id/quote_tweets",
};

constexpr std::array<std::string_view, 8> kBlueskyNames = {
    "app.bsky.actor.getProfile",
    "app.bsky.actor.getProfiles",
    "app.bsky.actor.searchActors",
    "app.bsky.feed.getAuthorFeed",
    "app.bsky.feed.getPostThread",
    "app.bsky.feed.searchPosts",
    "app.bsky.notification.listNotifications",
    "app.bsky.feed.getQuotes",
};

constexpr std::array<std::string_view, 7> kMastodonNames = {
    "accounts/lookup",       "accounts/search",      "search",
    "accounts/:id/statuses", "statuses/:id/context", "notifications",
    "statuses/:id/quotes",
};

constexpr std::array<std::string_view, 6> kFacebookNames = {
    "/{page-id}",        "/{page-id}/feed", "/{post-id}/comments", "/{comment-id}/comments",
    "/{page-id}/tagged", "/pages/search",
};

constexpr std::array<std::string_view, 8> kInstagramNames = {
    "/{ig-user-id}",           "/{ig-user-id}/media",      "/{ig-user-id}/tags",
    "/{ig-media-id}/comments", "/{ig-comment-id}/replies", "business_discovery",
    "mentioned_media",         "mentioned_comment",
};

constexpr std::array<std::string_view, 5> kYoutubeNames = {
    "channels.list", "search.list", "playlistItems.list", "commentThreads.list", "comments.list",
};

template <typename Enum, std::size_t N>
std::optional<Enum> find_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ParseOutcome outcome) {
  switch (outcome) {
    case ParseOutcome::ok:
      return "ok";
    case ParseOutcome::platform_error:
      return "platform_error";
    case ParseOutcome::malformed:
      return "malformed";
  }
  return "unknown";
}

std::string_view endpoint_name(XEndpoint endpoint) {
  return kXNames.at(static_cast<std::size_t>(endpoint));
}
std::string_view endpoint_name(BlueskyEndpoint endpoint) {
  return kBlueskyNames.at(static_cast<std::size_t>(endpoint));
}
std::string_view endpoint_name(MastodonEndpoint endpoint) {
  return kMastodonNames.at(static_cast<std::size_t>(endpoint));
}

std::string_view endpoint_name(FacebookEndpoint endpoint) {
  return kFacebookNames.at(static_cast<std::size_t>(endpoint));
}
std::string_view endpoint_name(InstagramEndpoint endpoint) {
  return kInstagramNames.at(static_cast<std::size_t>(endpoint));
}
std::string_view endpoint_name(YoutubeEndpoint endpoint) {
  return kYoutubeNames.at(static_cast<std::size_t>(endpoint));
}

std::optional<XEndpoint> x_endpoint_from_name(std::string_view name) {
  return find_name<XEndpoint>(kXNames, name);
}
std::optional<BlueskyEndpoint> bluesky_endpoint_from_name(std::string_view name) {
  return find_name<BlueskyEndpoint>(kBlueskyNames, name);
}
std::optional<MastodonEndpoint> mastodon_endpoint_from_name(std::string_view name) {
  return find_name<MastodonEndpoint>(kMastodonNames, name);
}
std::optional<FacebookEndpoint> facebook_endpoint_from_name(std::string_view name) {
  return find_name<FacebookEndpoint>(kFacebookNames, name);
}
std::optional<InstagramEndpoint> instagram_endpoint_from_name(std::string_view name) {
  return find_name<InstagramEndpoint>(kInstagramNames, name);
}
std::optional<YoutubeEndpoint> youtube_endpoint_from_name(std::string_view name) {
  return find_name<YoutubeEndpoint>(kYoutubeNames, name);
}

std::span<const std::string_view> endpoint_names(model::Platform platform) {
  switch (platform) {
    case model::Platform::x:
      return kXNames;
    case model::Platform::bluesky:
      return kBlueskyNames;
    case model::Platform::mastodon:
      return kMastodonNames;
    case model::Platform::facebook:
      return kFacebookNames;
    case model::Platform::instagram:
      return kInstagramNames;
    case model::Platform::youtube:
      return kYoutubeNames;
  }
  return {};
}

bool id_less(std::string_view a, std::string_view b) {
  const auto all_digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (all_digits(a) && all_digits(b)) {
    while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
    while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
    if (a.size() != b.size()) return a.size() < b.size();
  }
  return a < b;
}

}  // namespace mamori::collectors
