#include "collectors/instagram/instagram_parse.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/common/graph_api.h"
#include "collectors/common/json_access.h"
#include "collectors/common/text_links.h"

namespace mamori::collectors::instagram {
namespace {

namespace od = simdjson::ondemand;
using json::for_each_element;
using json::for_each_field;
using json::read_string;
using json::time_of;

constexpr model::Platform kPlatform = model::Platform::instagram;

using Page = graph::GraphPage;

void strip_at(std::string& handle) {
  if (!handle.empty() && handle.front() == '@') handle.erase(0, 1);
}

// A media object; returns why it was left out, if it was.
std::optional<std::string> read_media(od::value& v, model::Post& post, const ParseContext& context,
                                      const std::string& default_author) {
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  std::optional<model::TimePoint> created_at;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, post.post_id);
    } else if (key == "caption") {
      read_string(f, post.text);
    } else if (key == "timestamp") {
      created_at = time_of(f);
    } else if (key == "username") {
      read_string(f, post.author_handle);
    } else if (key == "owner") {
      for_each_field(f, [&](std::string_view k, od::value& o) {
        if (k == "id") read_string(o, post.author_id);
      });
    } else if (key == "like_count") {
      post.like_count = json::int_of(f).value_or(0);
    } else if (key == "comments_count") {
      post.reply_count = json::int_of(f).value_or(0);
    }
  });
  if (!is_object) return "not a media object";
  if (post.post_id.empty()) return "media without an id";
  strip_at(post.author_handle);
  if (post.author_id.empty()) post.author_id = default_author;
  post.created_at = created_at.value_or(context.observed_at);
  post.conversation_root_id = post.post_id;
  post.urls = links_in_text(post.text);
  return std::nullopt;
}

void read_media_list(od::value& v, Page& page, const std::string& where,
                     const ParseContext& context, const std::string& default_author) {
  json::expect_array(v, "media");
  for_each_element(v, [&](od::value& item, std::size_t i) {
    model::Post post;
    if (auto why = read_media(item, post, context, default_author)) {
      page.skipped.push_back(where + "[" + std::to_string(i) + "]: " + *why);
    } else {
      page.posts.push_back(std::move(post));
    }
  });
}

// Where a comment sits: what it answers when it does not say (parent_id), and its conversation.
struct Thread {
  std::string answers;
  std::string root;
};

// Where a comment sits in the body ("data[3]", "data[3].replies[0]"), spelled out only for the
// message of a comment that is skipped.
struct Where {
  const Where* comment;  // the comment a nested reply belongs to, if it is one
  std::string_view list;
  std::size_t index;
  std::string str() const {
    std::string out = comment != nullptr ? comment->str() + "." : std::string();
    return out + std::string(list) + "[" + std::to_string(index) + "]";
  }
};

void read_comment(od::value& v, Page& page, const Where& where, const Thread& thread,
                  const ParseContext& context, bool nested);

void read_comment_list(od::value& v, Page& page, const Where* comment, std::string_view list,
                       const Thread& thread, const ParseContext& context, bool nested) {
  json::expect_array(v, "comments");
  for_each_element(v, [&](od::value& item, std::size_t i) {
    read_comment(item, page, Where{comment, list, i}, thread, context, nested);
  });
}

void read_comment(od::value& v, Page& page, const Where& where, const Thread& thread,
                  const ParseContext& context, bool nested) {
  model::Post post;
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  std::optional<model::TimePoint> created_at;
  std::optional<std::string> parent;
  std::string media_id;
  Page reply_page;
  bool has_replies = false;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, post.post_id);
    } else if (key == "text") {
      read_string(f, post.text);
    } else if (key == "timestamp") {
      created_at = time_of(f);
    } else if (key == "username") {
      read_string(f, post.author_handle);
    } else if (key == "from" || key == "user") {
      // `from` {id, username} for any commenter; `user` {id} only for the account's own ones.
      for_each_field(f, [&](std::string_view k, od::value& u) {
        if (k == "id") {
          read_string(u, post.author_id);
        } else if (k == "username" && post.author_handle.empty()) {
          read_string(u, post.author_handle);
        }
      });
    } else if (key == "like_count") {
      post.like_count = json::int_of(f).value_or(0);
    } else if (key == "parent_id") {
      std::string id;
      if (read_string(f, id) && !id.empty()) parent = std::move(id);
    } else if (key == "media") {
      for_each_field(f, [&](std::string_view k, od::value& m) {
        if (k == "id") read_string(m, media_id);
      });
    } else if (key == "replies" && !nested) {
      // Replies expanded into the comment: {"data": [...]}; read after the comment's own id.
      has_replies = true;
      for_each_field(f, [&](std::string_view k, od::value& d) {
        if (k == "data") read_comment_list(d, reply_page, &where, "replies", {}, context, true);
      });
    }
  });
  if (!is_object) {
    page.skipped.push_back(where.str() + ": not a comment object");
    return;
  }
  if (post.post_id.empty()) {
    page.skipped.push_back(where.str() + ": comment without an id");
    return;
  }
  strip_at(post.author_handle);
  post.created_at = created_at.value_or(context.observed_at);
  post.urls = links_in_text(post.text);
  const std::string& root = !thread.root.empty() ? thread.root : media_id;
  if (parent) {
    post.in_reply_to_post_id = std::move(parent);
  } else if (!thread.answers.empty()) {
    post.in_reply_to_post_id = thread.answers;
  } else if (!media_id.empty() && !nested) {
    post.in_reply_to_post_id = media_id;
  }
  if (!root.empty()) post.conversation_root_id = root;
  // The comment, then its replies (answering it, in its conversation unless they say otherwise).
  for (auto& r : reply_page.posts) {
    if (!r.in_reply_to_post_id) r.in_reply_to_post_id = post.post_id;
    if (!r.conversation_root_id && !root.empty()) r.conversation_root_id = root;
  }
  page.posts.push_back(std::move(post));
  if (!has_replies) return;
  for (auto& r : reply_page.posts) page.posts.push_back(std::move(r));
  for (auto& s : reply_page.skipped) page.skipped.push_back(std::move(s));
}

// One comment object (mentioned_comment): its `media` names what it answers and its thread.
void read_single_comment(od::value& v, Page& page, const ParseContext& context) {
  read_comment(v, page, Where{nullptr, "mentioned_comment", 0}, Thread{}, context, false);
}

struct UserFields {
  model::ProfileSnapshot p;
  bool seen_id = false;
  bool has_media = false;
};

// A user field; nested `media` (business discovery) goes to `page`.
void user_field(std::string_view key, od::value& f, UserFields& u, Page& page,
                const ParseContext& context) {
  if (key == "id") {
    u.seen_id = read_string(f, u.p.account_id);
  } else if (key == "username") {
    read_string(f, u.p.handle);
  } else if (key == "name") {
    read_string(f, u.p.display_name);
  } else if (key == "biography") {
    read_string(f, u.p.description);
  } else if (key == "website") {
    read_string(f, u.p.url);
  } else if (key == "profile_picture_url") {
    read_string(f, u.p.avatar_url);
  } else if (key == "followers_count") {
    u.p.followers_count = json::int_of(f);
  } else if (key == "follows_count") {
    u.p.following_count = json::int_of(f);
  } else if (key == "media_count") {
    u.p.posts_count = json::int_of(f);
  } else if (key == "media") {
    u.has_media = true;
    for_each_field(f, [&](std::string_view k, od::value& d) {
      if (k == "data") read_media_list(d, page, "business_discovery.media", context, {});
    });
  }
}

bool add_user(UserFields& u, Page& page, const std::string& where, const ParseContext& context) {
  if (u.p.account_id.empty()) {
    page.skipped.push_back(where + ": account without an id");
    return false;
  }
  u.p.platform = kPlatform;
  u.p.observed_at = context.observed_at;
  strip_at(u.p.handle);
  page.profiles.push_back(std::move(u.p));
  return true;
}

// What a mentioned_media / mentioned_comment answer holds until the whole body is read: the
// root `id` (the mentioned account) may come after the object.
struct Mention {
  std::optional<model::Post> post;
  std::string account_id;
};

// `mentioned_media`: a media whose caption @mentions the account. `mentioned_comment`: a comment
// @mentioning it, answering the media in its `media` field.
void read_mentioned(std::string_view key, od::value& v, InstagramEndpoint endpoint,
                    Mention& mention, Page& page, const ParseContext& context) {
  if (key == "id") {
    read_string(v, mention.account_id);
    return;
  }
  const bool media = endpoint == InstagramEndpoint::mentioned_media;
  if (key != (media ? "mentioned_media" : "mentioned_comment")) return;
  page.has_data = true;
  model::Post post;
  if (media) {
    if (auto why = read_media(v, post, context, {})) {
      page.skipped.push_back(std::string(key) + ": " + *why);
      return;
    }
  } else {
    Page one;
    read_single_comment(v, one, context);
    for (auto& s : one.skipped) page.skipped.push_back(std::move(s));
    if (one.posts.empty()) return;
    post = std::move(one.posts.front());
  }
  mention.post = std::move(post);
}

void read_root(od::document& doc, InstagramEndpoint endpoint, Page& page,
               const ParseContext& context) {
  Mention mention;
  UserFields root_user;
  UserFields discovered;
  bool has_discovery = false;
  const std::string first_ref = context.requested_refs.empty() ? "" : context.requested_refs[0];
  const bool is_object = for_each_field(doc, [&](std::string_view key, od::value& v) {
    if (key == "error") {
      graph::read_error(v, page.error);
      return;
    }
    switch (endpoint) {
      case InstagramEndpoint::user:
        user_field(key, v, root_user, page, context);
        break;
      case InstagramEndpoint::business_discovery:
        if (key == "business_discovery") {
          has_discovery = true;
          if (!for_each_field(v, [&](std::string_view k, od::value& f) {
                user_field(k, f, discovered, page, context);
              })) {
            json::fail_shape("expected business_discovery to be an object, found " +
                             std::string(json::type_name(v)));
          }
        }
        break;
      case InstagramEndpoint::user_media:
      case InstagramEndpoint::user_tags:
        if (key == "data") {
          page.has_data = true;
          // /media lists the account's own media: the author is the requested account.
          read_media_list(v, page, "data", context,
                          endpoint == InstagramEndpoint::user_media ? first_ref : std::string());
        } else if (key == "paging") {
          page.next_cursor = graph::read_next_cursor(v);
        }
        break;
      case InstagramEndpoint::media_comments:
      case InstagramEndpoint::comment_replies:
        if (key == "data") {
          page.has_data = true;
          Thread thread;
          thread.answers = first_ref;
          if (endpoint == InstagramEndpoint::media_comments) {
            thread.root = first_ref;
          } else if (context.requested_refs.size() > 1) {
            thread.root = context.requested_refs[1];
          }
          read_comment_list(v, page, nullptr, "data", thread, context, false);
        } else if (key == "paging") {
          page.next_cursor = graph::read_next_cursor(v);
        }
        break;
      case InstagramEndpoint::mentioned_media:
      case InstagramEndpoint::mentioned_comment:
        read_mentioned(key, v, endpoint, mention, page, context);
        break;
    }
  });
  if (!is_object) {
    json::fail_shape("expected a JSON object, found " + std::string(json::type_name(doc)));
  }
  if (endpoint == InstagramEndpoint::user && root_user.seen_id) {
    page.has_data = true;
    add_user(root_user, page, "account", context);
  }
  if (mention.post) {
    // Addressed to the mentioned account (the root `id`, else the account asked about).
    const std::string& to = !mention.account_id.empty() ? mention.account_id : first_ref;
    if (!to.empty()) mention.post->in_reply_to_account_id = to;
    page.posts.push_back(std::move(*mention.post));
  }
  if (has_discovery) {
    page.has_data = true;
    if (add_user(discovered, page, "business_discovery", context)) {
      const auto& p = page.profiles.back();
      for (auto& post : page.posts) {
        if (post.author_id.empty()) post.author_id = p.account_id;
        if (post.author_handle.empty()) post.author_handle = p.handle;
      }
    }
  }
}

std::optional<std::string> gone_reason(InstagramEndpoint endpoint, const graph::GraphError& e) {
  if (!e.code) return std::nullopt;
  // Business discovery of a username that does not exist or is not a professional account:
  // (#110) "Cannot find User", subcode 2207013.
  if (endpoint == InstagramEndpoint::business_discovery &&
      (*e.code == 110 || e.subcode == 2207013)) {
    return "not_found";
  }
  if (*e.code == 803) return "not_found";
  if (endpoint == InstagramEndpoint::user && *e.code == 100 && e.subcode == 33) return "not_found";
  return std::nullopt;
}

}  // namespace

ParseResult parse(InstagramEndpoint endpoint, std::string_view body, const ParseContext& context) {
  Page page;
  const std::string_view name = endpoint_name(endpoint);
  ParseResult result = json::parse_document(
      kPlatform, name, body, context,
      [&](od::document& doc, ParseResult&) { read_root(doc, endpoint, page, context); });
  if (result.outcome == ParseOutcome::malformed) return result;
  graph::finish(page, kPlatform, name, gone_reason(endpoint, page.error), context, result);
  return result;
}

}  // namespace mamori::collectors::instagram
