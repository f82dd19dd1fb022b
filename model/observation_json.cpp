#include "model/observation_json.h"

#include <chrono>
#include <cstdio>
#include <type_traits>

#include "model/time_text.h"

namespace mamori::model {
namespace {

std::string iso8601(TimePoint t) {
  return iso8601_utc(t, true);
}

template <typename T>
void put_optional(boost::json::object& o, std::string_view key, const std::optional<T>& value) {
  if (!value) return;
  if constexpr (std::is_same_v<T, TimePoint>) {
    o[key] = iso8601(*value);
  } else {
    o[key] = *value;
  }
}

void put_common(boost::json::object& o, std::string_view kind, Platform platform) {
  o["kind"] = kind;
  o["platform"] = to_string(platform);
}

boost::json::object profile_json(const ProfileSnapshot& p) {
  boost::json::object o;
  put_common(o, "profile", p.platform);
  o["account_id"] = p.account_id;
  o["handle"] = p.handle;
  o["display_name"] = p.display_name;
  o["description"] = p.description;
  o["url"] = p.url;
  o["avatar_url"] = p.avatar_url;
  put_optional(o, "created_at", p.created_at);
  put_optional(o, "followers_count", p.followers_count);
  put_optional(o, "following_count", p.following_count);
  put_optional(o, "posts_count", p.posts_count);
  o["verified"] = p.verified;
  o["protected"] = p.is_protected;
  o["observed_at"] = iso8601(p.observed_at);
  return o;
}

boost::json::object post_json(const Post& p) {
  boost::json::object o;
  put_common(o, "post", p.platform);
  o["id"] = p.post_id;
  o["author_id"] = p.author_id;
  o["author_handle"] = p.author_handle;
  o["author_display_name"] = p.author_display_name;
  put_optional(o, "author_created_at", p.author_created_at);
  put_optional(o, "author_followers_count", p.author_followers_count);
  o["text"] = p.text;
  o["created_at"] = iso8601(p.created_at);
  put_optional(o, "in_reply_to", p.in_reply_to_post_id);
  put_optional(o, "in_reply_to_account_id", p.in_reply_to_account_id);
  put_optional(o, "conversation_root_id", p.conversation_root_id);
  put_optional(o, "quoted_post_id", p.quoted_post_id);
  put_optional(o, "reposted_post_id", p.reposted_post_id);
  boost::json::array urls;
  for (const auto& u : p.urls) urls.emplace_back(u);
  o["urls"] = std::move(urls);
  o["client"] = p.client;
  o["lang"] = p.lang;
  o["reply_count"] = p.reply_count;
  o["repost_count"] = p.repost_count;
  o["like_count"] = p.like_count;
  o["quote_count"] = p.quote_count;
  o["observed_at"] = iso8601(p.observed_at);
  return o;
}

boost::json::object gone_json(const AccountGone& g) {
  boost::json::object o;
  put_common(o, "gone", g.platform);
  o["account_ref"] = g.account_ref;
  o["reason"] = g.reason;
  o["observed_at"] = iso8601(g.observed_at);
  return o;
}

boost::json::object error_json(const ObservationError& e) {
  boost::json::object o;
  put_common(o, "error", e.platform);
  o["endpoint"] = e.endpoint;
  o["message"] = e.message;
  put_optional(o, "http_status", e.http_status);
  o["observed_at"] = iso8601(e.observed_at);
  return o;
}

}  // namespace

boost::json::object to_json(const Observation& observation) {
  return std::visit(
      [](const auto& o) -> boost::json::object {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, ProfileSnapshot>) {
          return profile_json(o);
        } else if constexpr (std::is_same_v<T, Post>) {
          return post_json(o);
        } else if constexpr (std::is_same_v<T, AccountGone>) {
          return gone_json(o);
        } else {
          return error_json(o);
        }
      },
      observation);
}

std::string to_json_line(const Observation& observation) {
  return boost::json::serialize(to_json(observation));
}

}  // namespace mamori::model
