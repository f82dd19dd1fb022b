// Observations: normalized facts seen on a platform (docs/design.md "Data flow").
// Collectors produce them, detectors consume them, the store persists them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/platform.h"

namespace mamori::model {

// A profile as the platform showed it at `observed_at`.
struct ProfileSnapshot {
  Platform platform = Platform::x;
  std::string account_id;  // X user id, Bluesky DID, Mastodon account id
  std::string handle;      // without '@'; Mastodon remote accounts keep "user@domain"
  std::string display_name;
  std::string description;
  std::string url;  // the profile's website field (or first link), may be empty
  std::string avatar_url;
  std::optional<TimePoint> created_at;
  std::optional<std::int64_t> followers_count;
  std::optional<std::int64_t> following_count;
  std::optional<std::int64_t> posts_count;
  bool verified = false;
  bool is_protected = false;
  TimePoint observed_at{};
};

// A post, reply, mention or quote.
struct Post {
  Platform platform = Platform::x;
  std::string post_id;  // X tweet id, Bluesky at:// URI, Mastodon status id
  std::string author_id;
  std::string author_handle;  // may be empty when the endpoint does not expand authors
  std::string author_display_name;
  std::optional<TimePoint> author_created_at;
  std::optional<std::int64_t> author_followers_count;
  std::string text;
  TimePoint created_at{};
  std::optional<std::string> in_reply_to_post_id;
  std::optional<std::string> in_reply_to_account_id;
  std::optional<std::string> conversation_root_id;  // X conversation_id, Bluesky root URI
  std::optional<std::string> quoted_post_id;
  std::optional<std::string> reposted_post_id;
  std::vector<std::string> urls;  // expanded link targets found in the post
  std::string client;             // posting client/application when the platform tells
  std::string lang;
  std::int64_t reply_count = 0;
  std::int64_t repost_count = 0;
  std::int64_t like_count = 0;
  std::int64_t quote_count = 0;
  TimePoint observed_at{};
};

// An account that no longer answers: deleted, suspended or deactivated.
struct AccountGone {
  Platform platform = Platform::x;
  std::string account_ref;  // id or handle, whichever the request named
  std::string reason;       // "not_found", "suspended", "deactivated", ...
  TimePoint observed_at{};
};

// A response that could not be turned into observations, with context for the log.
struct ObservationError {
  Platform platform = Platform::x;
  std::string endpoint;
  std::string message;
  std::optional<int> http_status;
  TimePoint observed_at{};
};

using Observation = std::variant<ProfileSnapshot, Post, AccountGone, ObservationError>;

}  // namespace mamori::model
