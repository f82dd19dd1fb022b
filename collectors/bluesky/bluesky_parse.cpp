#include "collectors/bluesky/bluesky_parse.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/common/json_access.h"
#include "collectors/common/text_links.h"
#include "model/text.h"

namespace mamori::collectors::bluesky {
namespace {

namespace od = simdjson::ondemand;
using json::expect_array;
using json::for_each_element;
using json::for_each_field;
using json::read_string;
using json::time_of;

constexpr model::Platform kPlatform = model::Platform::bluesky;
constexpr std::string_view kPostCollection = "/app.bsky.feed.post/";

struct Page {
  std::vector<model::ProfileSnapshot> profiles;
  std::vector<model::Post> posts;
  std::vector<std::string> skipped;
  std::optional<std::string> cursor;
  std::string error;  // XRPC error document
  std::string message;
  bool has_main = false;  // the endpoint's own top-level key was present
  bool thread_truncated = false;
};

bool is_post_uri(std::string_view uri) {
  return uri.starts_with("at://") && uri.find(kPostCollection) != std::string_view::npos;
}

std::string lower_ascii(std::string_view s) {
  return model::ascii_lower(s);
}

// Bluesky profiles have no website field: the first http(s) link written in the description.
std::string first_link(std::string_view text) {
  std::size_t best = std::string_view::npos;
  for (std::string_view scheme : {"https://", "http://"}) {
    best = std::min(best, text.find(scheme));
  }
  if (best == std::string_view::npos) return {};
  std::size_t end = best;
  while (end < text.size() && text[end] != ' ' && text[end] != '\n' && text[end] != '\t' &&
         text[end] != '\r' && static_cast<unsigned char>(text[end]) < 0x80) {
    ++end;
  }
  return std::string(text.substr(best, end - best));
}

// One field of a profileView / profileViewBasic / profileViewDetailed; false if not one of them.
bool profile_field(std::string_view key, od::value& f, model::ProfileSnapshot& p) {
  if (key == "did") {
    read_string(f, p.account_id);
  } else if (key == "handle") {
    read_string(f, p.handle);
  } else if (key == "displayName") {
    read_string(f, p.display_name);
  } else if (key == "description") {
    read_string(f, p.description);
  } else if (key == "avatar") {
    read_string(f, p.avatar_url);
  } else if (key == "createdAt") {
    p.created_at = time_of(f);
  } else if (key == "followersCount") {
    p.followers_count = json::int_of(f);
  } else if (key == "followsCount") {
    p.following_count = json::int_of(f);
  } else if (key == "postsCount") {
    p.posts_count = json::int_of(f);
  } else if (key == "verification") {
    for_each_field(f, [&](std::string_view k, od::value& v) {
      if (k == "verifiedStatus") p.verified = json::string_of(v).value_or("") == "valid";
    });
  } else {
    return false;
  }
  return true;
}

void finish_profile(model::ProfileSnapshot& p, const ParseContext& context) {
  p.platform = kPlatform;
  p.observed_at = context.observed_at;
  if (!p.handle.empty() && p.handle.front() == '@') p.handle.erase(0, 1);
  p.url = first_link(p.description);
}

std::optional<std::string> read_profile(od::value& v, model::ProfileSnapshot& p,
                                        const ParseContext& context) {
  const bool is_object =
      for_each_field(v, [&](std::string_view key, od::value& f) { profile_field(key, f, p); });
  if (!is_object) return "not a profile object";
  if (p.account_id.empty()) return "profile without a did";
  finish_profile(p, context);
  return std::nullopt;
}

// The author of a post: profileViewBasic.
void read_author(od::value& v, model::Post& post) {
  for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "did") {
      read_string(f, post.author_id);
    } else if (key == "handle") {
      read_string(f, post.author_handle);
    } else if (key == "displayName") {
      read_string(f, post.author_display_name);
    } else if (key == "createdAt") {
      post.author_created_at = time_of(f);
    } else if (key == "followersCount") {
      post.author_followers_count = json::int_of(f);
    }
  });
  if (!post.author_handle.empty() && post.author_handle.front() == '@') {
    post.author_handle.erase(0, 1);
  }
}

// What an app.bsky.feed.post record says; the record is the author's own data, so every field
// is checked like the rest.
struct Record {
  std::string type;
  std::optional<model::TimePoint> created_at;
};

std::string uri_of_ref(od::value& v) {
  std::string uri;
  for_each_field(v, [&](std::string_view k, od::value& f) {
    if (k == "uri") read_string(f, uri);
  });
  return uri;
}

void read_embed(od::value& v, model::Post& post) {
  std::string type;
  std::string record_uri;
  std::string nested_record_uri;
  std::string external_uri;
  for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "$type") {
      read_string(f, type);
    } else if (key == "record") {
      // app.bsky.embed.record: {"record": strongRef}; recordWithMedia: {"record": {"record": ...}}
      for_each_field(f, [&](std::string_view k, od::value& r) {
        if (k == "uri") {
          read_string(r, record_uri);
        } else if (k == "record") {
          nested_record_uri = uri_of_ref(r);
        }
      });
    } else if (key == "external") {
      external_uri = uri_of_ref(f);
    }
  });
  std::string quoted;
  if (type == "app.bsky.embed.record") {
    quoted = record_uri;
  } else if (type == "app.bsky.embed.recordWithMedia") {
    quoted = nested_record_uri;
  } else if (type == "app.bsky.embed.external") {
    if (external_uri.starts_with("https://") || external_uri.starts_with("http://")) {
      add_unique_link(post.urls, std::move(external_uri));
    }
  }
  // A record embed may also be a feed generator or list; only posts are quotes.
  if (is_post_uri(quoted)) post.quoted_post_id = std::move(quoted);
}

void read_facets(od::value& v, model::Post& post) {
  for_each_element(v, [&](od::value& facet, std::size_t) {
    for_each_field(facet, [&](std::string_view key, od::value& f) {
      if (key != "features") return;
      for_each_element(f, [&](od::value& feature, std::size_t) {
        std::string type;
        std::string uri;
        for_each_field(feature, [&](std::string_view k, od::value& x) {
          if (k == "$type") {
            read_string(x, type);
          } else if (k == "uri") {
            read_string(x, uri);
          }
        });
        if (type == "app.bsky.richtext.facet#link") add_unique_link(post.urls, std::move(uri));
      });
    });
  });
}

void read_record(od::value& v, model::Post& post, Record& record) {
  for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "$type") {
      read_string(f, record.type);
    } else if (key == "text") {
      read_string(f, post.text);
    } else if (key == "createdAt") {
      record.created_at = time_of(f);
    } else if (key == "langs") {
      for_each_element(f, [&](od::value& lang, std::size_t i) {
        if (i == 0) read_string(lang, post.lang);
      });
    } else if (key == "reply") {
      for_each_field(f, [&](std::string_view k, od::value& r) {
        if (k == "root") {
          std::string uri = uri_of_ref(r);
          if (!uri.empty()) post.conversation_root_id = std::move(uri);
        } else if (k == "parent") {
          std::string uri = uri_of_ref(r);
          if (!uri.empty()) post.in_reply_to_post_id = std::move(uri);
        }
      });
    } else if (key == "facets") {
      read_facets(f, post);
    } else if (key == "embed") {
      read_embed(f, post);
    }
  });
}

// Completes a post once all its fields are read; returns why it is left out, if it is.
std::optional<std::string> finish_post(model::Post& post, const Record& record,
                                       std::optional<model::TimePoint> indexed_at,
                                       const ParseContext& context) {
  if (post.post_id.empty()) return "post without a uri";
  if (!record.type.empty() && record.type != "app.bsky.feed.post") {
    return "record of type " + record.type + " is not a post";
  }
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  // indexedAt is the AppView's clock; createdAt is whatever the author's client claimed.
  post.created_at = indexed_at ? *indexed_at : record.created_at.value_or(context.observed_at);
  if (post.in_reply_to_post_id) {
    const std::string_view authority = at_uri_authority(*post.in_reply_to_post_id);
    if (authority.starts_with("did:")) post.in_reply_to_account_id = std::string(authority);
  }
  if (!post.conversation_root_id) {
    // A top-level post is the root of its own thread; a reply without a root ref stays unknown.
    if (!post.in_reply_to_post_id) post.conversation_root_id = post.post_id;
  }
  return std::nullopt;
}

std::optional<std::string> read_post_view(od::value& v, model::Post& post,
                                          const ParseContext& context) {
  Record record;
  std::optional<model::TimePoint> indexed_at;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "uri") {
      read_string(f, post.post_id);
    } else if (key == "author") {
      read_author(f, post);
    } else if (key == "record") {
      read_record(f, post, record);
    } else if (key == "replyCount") {
      post.reply_count = json::int_of(f).value_or(0);
    } else if (key == "repostCount") {
      post.repost_count = json::int_of(f).value_or(0);
    } else if (key == "likeCount") {
      post.like_count = json::int_of(f).value_or(0);
    } else if (key == "quoteCount") {
      post.quote_count = json::int_of(f).value_or(0);
    } else if (key == "indexedAt") {
      indexed_at = time_of(f);
    }
  });
  if (!is_object) return "not a post object";
  return finish_post(post, record, indexed_at, context);
}

void add_post(Page& page, std::string where, model::Post post, std::optional<std::string> why) {
  if (why) {
    page.skipped.push_back(std::move(where) + ": " + *why);
  } else {
    page.posts.push_back(std::move(post));
  }
}

// feedViewPost: the post, and for a repost (reasonRepost) the repost itself when it has a uri.
void read_feed_item(od::value& v, Page& page, const std::string& where,
                    const ParseContext& context) {
  model::Post post;
  std::optional<std::string> why = "not a feed item";
  std::string reason_type;
  model::Post repost;
  std::optional<model::TimePoint> repost_indexed_at;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "post") {
      why = read_post_view(f, post, context);
    } else if (key == "reason") {
      for_each_field(f, [&](std::string_view k, od::value& r) {
        if (k == "$type") {
          read_string(r, reason_type);
        } else if (k == "by") {
          read_author(r, repost);
        } else if (k == "uri") {
          read_string(r, repost.post_id);
        } else if (k == "indexedAt") {
          repost_indexed_at = time_of(r);
        }
      });
    }
  });
  if (!is_object) why = "not a feed item";
  const bool reposted = !why && reason_type == "app.bsky.feed.defs#reasonRepost";
  const std::string reposted_uri = post.post_id;
  add_post(page, where, std::move(post), std::move(why));
  // Older AppViews send reasonRepost without the repost's uri; without an id it cannot be
  // stored uniquely, so only the reposted post is kept then.
  if (reposted && !repost.post_id.empty()) {
    repost.reposted_post_id = reposted_uri;
    repost.platform = kPlatform;
    repost.observed_at = context.observed_at;
    repost.created_at = repost_indexed_at.value_or(context.observed_at);
    page.posts.push_back(std::move(repost));
  }
}

void read_thread_node(od::value& v, Page& page, const std::string& where, int depth,
                      const ParseContext& context) {
  if (depth > kMaxThreadDepth) {
    page.thread_truncated = true;
    return;  // left unread: simdjson skips it
  }
  for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "post") {
      // threadViewPost; notFoundPost and blockedPost carry no post and add nothing.
      model::Post post;
      auto why = read_post_view(f, post, context);
      add_post(page, where, std::move(post), std::move(why));
    } else if (key == "parent") {
      read_thread_node(f, page, where + ".parent", depth + 1, context);
    } else if (key == "replies") {
      for_each_element(f, [&](od::value& reply, std::size_t i) {
        read_thread_node(reply, page, where + ".replies[" + std::to_string(i) + "]", depth + 1,
                         context);
      });
    }
  });
}

// A notification: only replies, mentions and quotes are posts addressed to the account.
void read_notification(od::value& v, Page& page, const std::string& where,
                       const ParseContext& context) {
  model::Post post;
  Record record;
  std::string reason;
  std::optional<model::TimePoint> indexed_at;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "uri") {
      read_string(f, post.post_id);
    } else if (key == "author") {
      read_author(f, post);
    } else if (key == "reason") {
      read_string(f, reason);
    } else if (key == "record") {
      read_record(f, post, record);
    } else if (key == "indexedAt") {
      indexed_at = time_of(f);
    }
  });
  if (!is_object) {
    page.skipped.push_back(where + ": not a notification object");
    return;
  }
  if (reason != "reply" && reason != "mention" && reason != "quote") return;
  auto why = finish_post(post, record, indexed_at, context);
  add_post(page, where, std::move(post), std::move(why));
}

std::string_view main_key(BlueskyEndpoint endpoint) {
  switch (endpoint) {
    case BlueskyEndpoint::get_profile:
      return "did";
    case BlueskyEndpoint::get_profiles:
      return "profiles";
    case BlueskyEndpoint::search_actors:
      return "actors";
    case BlueskyEndpoint::get_author_feed:
      return "feed";
    case BlueskyEndpoint::get_post_thread:
      return "thread";
    case BlueskyEndpoint::search_posts:
    case BlueskyEndpoint::get_quotes:  // {uri, cid, cursor, posts: [postView]}
      return "posts";
    case BlueskyEndpoint::list_notifications:
      return "notifications";
  }
  return "";
}

void read_main(od::value& v, BlueskyEndpoint endpoint, Page& page, const ParseContext& context) {
  const std::string key(main_key(endpoint));
  switch (endpoint) {
    case BlueskyEndpoint::get_profile:
      break;  // handled field by field at the root
    case BlueskyEndpoint::get_profiles:
    case BlueskyEndpoint::search_actors:
      expect_array(v, "profiles");
      for_each_element(v, [&](od::value& item, std::size_t i) {
        model::ProfileSnapshot p;
        if (auto why = read_profile(item, p, context)) {
          page.skipped.push_back(key + "[" + std::to_string(i) + "]: " + *why);
        } else {
          page.profiles.push_back(std::move(p));
        }
      });
      break;
    case BlueskyEndpoint::get_author_feed:
      expect_array(v, "feed items");
      for_each_element(v, [&](od::value& item, std::size_t i) {
        read_feed_item(item, page, key + "[" + std::to_string(i) + "]", context);
      });
      break;
    case BlueskyEndpoint::get_post_thread: {
      od::json_type type;
      if (const auto e = v.type().get(type)) json::fail(e);
      if (type != od::json_type::object) {
        json::fail_shape("expected a thread object, found " + std::string(json::type_name(v)));
      }
      read_thread_node(v, page, key, 0, context);
      break;
    }
    case BlueskyEndpoint::search_posts:
    case BlueskyEndpoint::get_quotes:
      expect_array(v, "posts");
      for_each_element(v, [&](od::value& item, std::size_t i) {
        model::Post post;
        auto why = read_post_view(item, post, context);
        add_post(page, key + "[" + std::to_string(i) + "]", std::move(post), std::move(why));
      });
      break;
    case BlueskyEndpoint::list_notifications:
      expect_array(v, "notifications");
      for_each_element(v, [&](od::value& item, std::size_t i) {
        read_notification(item, page, key + "[" + std::to_string(i) + "]", context);
      });
      break;
  }
}

void read_root(od::document& doc, BlueskyEndpoint endpoint, Page& page,
               model::ProfileSnapshot& root_profile, const ParseContext& context) {
  const std::string_view main = main_key(endpoint);
  const bool is_object = for_each_field(doc, [&](std::string_view key, od::value& v) {
    if (key == "error") {
      read_string(v, page.error);
    } else if (key == "message") {
      read_string(v, page.message);
    } else if (key == "cursor") {
      std::string cursor;
      if (read_string(v, cursor) && !cursor.empty()) page.cursor = std::move(cursor);
    } else if (endpoint == BlueskyEndpoint::get_profile) {
      if (key == main) page.has_main = true;
      profile_field(key, v, root_profile);
    } else if (key == main) {
      page.has_main = true;
      read_main(v, endpoint, page, context);
    }
  });
  if (!is_object) {
    json::fail_shape("expected a JSON object, found " + std::string(json::type_name(doc)));
  }
}

// An XRPC error body about the requested account: which `gone` reason it means, if any.
std::optional<std::string> gone_reason(BlueskyEndpoint endpoint, const std::string& error,
                                       const std::string& message) {
  if (error == "AccountTakedown") return "suspended";
  if (error == "AccountDeactivated") return "deactivated";
  const bool names_one_actor =
      endpoint == BlueskyEndpoint::get_profile || endpoint == BlueskyEndpoint::get_author_feed;
  if (!names_one_actor) return std::nullopt;
  const std::string m = lower_ascii(message);
  if (m.find("taken down") != std::string::npos || m.find("suspended") != std::string::npos) {
    return "suspended";
  }
  if (m.find("deactivated") != std::string::npos) return "deactivated";
  if (m.find("profile not found") != std::string::npos ||
      m.find("actor not found") != std::string::npos ||
      m.find("could not find") != std::string::npos) {
    return "not_found";
  }
  return std::nullopt;
}

std::string normalized_ref(std::string_view ref) {
  if (!ref.empty() && ref.front() == '@') ref.remove_prefix(1);
  return lower_ascii(ref);
}

}  // namespace

std::string_view at_uri_authority(std::string_view uri) {
  constexpr std::string_view kScheme = "at://";
  if (!uri.starts_with(kScheme)) return {};
  uri.remove_prefix(kScheme.size());
  return uri.substr(0, uri.find('/'));
}

ParseResult parse(BlueskyEndpoint endpoint, std::string_view body, const ParseContext& context) {
  Page page;
  model::ProfileSnapshot root_profile;
  const std::string_view name = endpoint_name(endpoint);
  ParseResult result =
      json::parse_document(kPlatform, name, body, context, [&](od::document& doc, ParseResult&) {
        read_root(doc, endpoint, page, root_profile, context);
      });
  if (result.outcome == ParseOutcome::malformed) return result;
  auto& out = result.observations;

  if (!page.has_main) {
    if (page.error.empty()) {
      result.outcome = ParseOutcome::malformed;
      out.emplace_back(json::make_error(kPlatform, name,
                                        "unexpected response shape: neither '" +
                                            std::string(main_key(endpoint)) +
                                            "' nor an XRPC error is present",
                                        context));
      return result;
    }
    result.outcome = ParseOutcome::platform_error;
    std::string message = page.error;
    if (!page.message.empty()) message += ": " + page.message;
    out.push_back(json::gone_or_error(kPlatform, name,
                                      gone_reason(endpoint, page.error, page.message),
                                      std::move(message), context));
    return result;
  }

  if (endpoint == BlueskyEndpoint::get_profile) {
    if (root_profile.account_id.empty()) {
      result.outcome = ParseOutcome::malformed;
      out.emplace_back(json::make_error(
          kPlatform, name, "unexpected response shape: profile without a did", context));
      return result;
    }
    finish_profile(root_profile, context);
    page.profiles.push_back(std::move(root_profile));
  }

  std::vector<std::string> seen;
  for (auto& p : page.profiles) {
    seen.push_back(normalized_ref(p.account_id));
    seen.push_back(normalized_ref(p.handle));
    out.emplace_back(std::move(p));
  }
  for (auto& post : page.posts) out.emplace_back(std::move(post));
  if (endpoint == BlueskyEndpoint::get_profiles) {
    // getProfiles leaves out actors it cannot show (deleted, deactivated, taken down) silently.
    for (const auto& ref : context.requested_refs) {
      if (std::find(seen.begin(), seen.end(), normalized_ref(ref)) != seen.end()) continue;
      model::AccountGone g;
      g.platform = kPlatform;
      g.account_ref = ref;
      g.reason = "not_found";
      g.observed_at = context.observed_at;
      out.emplace_back(std::move(g));
    }
  }
  for (const auto& why : page.skipped) {
    out.emplace_back(json::make_error(kPlatform, name, why + "; skipped", context));
  }
  if (page.thread_truncated) {
    out.emplace_back(json::make_error(
        kPlatform, name,
        "thread deeper than " + std::to_string(kMaxThreadDepth) + " levels; deeper posts not read",
        context));
  }
  result.next_cursor = page.cursor;
  return result;
}

}  // namespace mamori::collectors::bluesky
