#include "collectors/youtube/youtube_parse.h"

#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/common/json_access.h"
#include "collectors/common/text_links.h"
#include "model/text.h"

namespace mamori::collectors::youtube {
namespace {

namespace od = simdjson::ondemand;
using json::for_each_element;
using json::for_each_field;
using json::read_string;
using json::time_of;

constexpr model::Platform kPlatform = model::Platform::youtube;

struct ApiError {
  std::optional<std::int64_t> code;
  std::string message;
  std::string status;
  std::vector<std::string> reasons;
  bool present = false;
};

struct Page {
  std::vector<model::ProfileSnapshot> profiles;
  std::vector<model::Post> posts;
  std::vector<std::string> skipped;
  std::optional<std::string> next_cursor;
  ApiError error;
  bool has_items = false;
};

// Statistics are 64-bit counts sent as JSON strings ("subscriberCount": "2300000").
std::optional<std::int64_t> count_of(od::value& v) {
  if (auto n = json::int_of(v)) return n;
  const auto s = json::string_of(v);
  if (!s || s->empty()) return std::nullopt;
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
  if (ec != std::errc() || ptr != s->data() + s->size() || n < 0) return std::nullopt;
  return n;
}

// thumbnails {default, medium, high, standard, maxres}: the largest that channels have (high).
std::string best_thumbnail(od::value& v) {
  std::string best;
  int rank = -1;
  for_each_field(v, [&](std::string_view k, od::value& t) {
    const int r = k == "default" ? 0 : k == "medium" ? 1 : k == "high" ? 2 : -1;
    if (r <= rank) return;
    std::string url;
    for_each_field(t, [&](std::string_view k2, od::value& u) {
      if (k2 == "url") read_string(u, url);
    });
    if (!url.empty()) {
      best = std::move(url);
      rank = r;
    }
  });
  return best;
}

void strip_at(std::string& handle) {
  if (!handle.empty() && handle.front() == '@') handle.erase(0, 1);
}

std::string value_of(od::value& v) {
  std::string out;
  for_each_field(v, [&](std::string_view k, od::value& f) {
    if (k == "value") read_string(f, out);
  });
  return out;
}

// channels.list item.
std::optional<std::string> read_channel(od::value& v, model::ProfileSnapshot& p,
                                        const ParseContext& context) {
  p.platform = kPlatform;
  p.observed_at = context.observed_at;
  bool hidden_subscribers = false;
  std::optional<std::int64_t> subscribers;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, p.account_id);
    } else if (key == "snippet") {
      for_each_field(f, [&](std::string_view k, od::value& s) {
        if (k == "title") {
          read_string(s, p.display_name);
        } else if (k == "description") {
          read_string(s, p.description);
        } else if (k == "customUrl") {
          read_string(s, p.handle);
        } else if (k == "publishedAt") {
          p.created_at = time_of(s);
        } else if (k == "thumbnails") {
          p.avatar_url = best_thumbnail(s);
        }
      });
    } else if (key == "statistics") {
      for_each_field(f, [&](std::string_view k, od::value& s) {
        if (k == "subscriberCount") {
          subscribers = count_of(s);
        } else if (k == "hiddenSubscriberCount") {
          hidden_subscribers = json::bool_of(s).value_or(false);
        } else if (k == "videoCount") {
          p.posts_count = count_of(s);
        }
      });
    }
  });
  if (!is_object) return "not a channel object";
  if (p.account_id.empty()) return "channel without an id";
  strip_at(p.handle);
  if (!hidden_subscribers) p.followers_count = subscribers;
  // Channels have no website field in the API; a link in the description stands in for it.
  const auto links = links_in_text(p.description);
  if (!links.empty()) p.url = links.front();
  return std::nullopt;
}

// search.list item; nullopt and an empty id for results that are not channels.
std::optional<std::string> read_search_result(od::value& v, model::ProfileSnapshot& p,
                                              const ParseContext& context) {
  p.platform = kPlatform;
  p.observed_at = context.observed_at;
  std::string kind;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      for_each_field(f, [&](std::string_view k, od::value& i) {
        if (k == "kind") {
          read_string(i, kind);
        } else if (k == "channelId") {
          read_string(i, p.account_id);
        }
      });
    } else if (key == "snippet") {
      for_each_field(f, [&](std::string_view k, od::value& s) {
        if (k == "title") {
          read_string(s, p.display_name);
        } else if (k == "description") {
          read_string(s, p.description);
        } else if (k == "publishedAt") {
          p.created_at = time_of(s);
        } else if (k == "thumbnails") {
          p.avatar_url = best_thumbnail(s);
        }
      });
    }
  });
  if (!is_object) return "not a search result object";
  if (kind != "youtube#channel") {
    p.account_id.clear();
    return std::nullopt;
  }
  if (p.account_id.empty()) return "channel result without a channelId";
  return std::nullopt;
}

// playlistItems.list item: one video of the uploads playlist.
std::optional<std::string> read_playlist_item(od::value& v, model::Post& post,
                                              const ParseContext& context) {
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  std::string title;
  std::string description;
  std::string channel_id;
  std::string channel_title;
  std::optional<model::TimePoint> added_at;
  std::optional<model::TimePoint> published_at;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "snippet") {
      for_each_field(f, [&](std::string_view k, od::value& s) {
        if (k == "title") {
          read_string(s, title);
        } else if (k == "description") {
          read_string(s, description);
        } else if (k == "publishedAt") {
          added_at = time_of(s);
        } else if (k == "channelId") {
          read_string(s, channel_id);
        } else if (k == "channelTitle") {
          read_string(s, channel_title);
        } else if (k == "videoOwnerChannelId") {
          read_string(s, post.author_id);
        } else if (k == "videoOwnerChannelTitle") {
          read_string(s, post.author_display_name);
        } else if (k == "resourceId") {
          for_each_field(s, [&](std::string_view k2, od::value& r) {
            if (k2 == "videoId" && post.post_id.empty()) read_string(r, post.post_id);
          });
        }
      });
    } else if (key == "contentDetails") {
      for_each_field(f, [&](std::string_view k, od::value& c) {
        if (k == "videoId") {
          read_string(c, post.post_id);
        } else if (k == "videoPublishedAt") {
          published_at = time_of(c);
        }
      });
    }
  });
  if (!is_object) return "not a playlist item object";
  if (post.post_id.empty()) return "playlist item without a videoId";
  if (post.author_id.empty()) post.author_id = std::move(channel_id);
  if (post.author_display_name.empty()) post.author_display_name = std::move(channel_title);
  post.text = description.empty() ? title : title + "\n\n" + description;
  post.urls = links_in_text(description);
  post.created_at = published_at.value_or(added_at.value_or(context.observed_at));
  post.conversation_root_id = post.post_id;
  return std::nullopt;
}

// A comment resource (top-level or reply). `video` is the thread's video when known.
std::optional<std::string> read_comment(od::value& v, model::Post& post,
                                        const ParseContext& context, std::string& video) {
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  std::string text_display;
  std::string author_name;
  std::optional<model::TimePoint> created_at;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, post.post_id);
    } else if (key == "snippet") {
      for_each_field(f, [&](std::string_view k, od::value& s) {
        if (k == "textOriginal") {
          read_string(s, post.text);
        } else if (k == "textDisplay") {
          read_string(s, text_display);
        } else if (k == "authorDisplayName") {
          read_string(s, author_name);
        } else if (k == "authorChannelId") {
          post.author_id = value_of(s);
        } else if (k == "parentId") {
          std::string id;
          if (read_string(s, id) && !id.empty()) post.in_reply_to_post_id = std::move(id);
        } else if (k == "videoId") {
          std::string id;
          if (read_string(s, id) && !id.empty()) video = std::move(id);
        } else if (k == "likeCount") {
          post.like_count = count_of(s).value_or(0);
        } else if (k == "publishedAt") {
          created_at = time_of(s);
        }
      });
    }
  });
  if (!is_object) return "not a comment object";
  if (post.post_id.empty()) return "comment without an id";
  // textDisplay may be HTML; it is only the fallback when textOriginal was not returned.
  if (post.text.empty()) post.text = std::move(text_display);
  if (author_name.size() > 1 && author_name.front() == '@')
    post.author_handle = author_name.substr(1);
  post.author_display_name = std::move(author_name);
  post.created_at = created_at.value_or(context.observed_at);
  post.urls = links_in_text(post.text);
  return std::nullopt;
}

// "items[3]": where an item sits, for the message when it is skipped.
std::string item_where(std::size_t index) {
  return "items[" + std::to_string(index) + "]";
}

void read_thread(od::value& v, Page& page, std::size_t index, const ParseContext& context) {
  model::Post top;
  std::optional<std::string> top_problem;
  std::string video;
  std::int64_t total_replies = 0;
  std::vector<model::Post> replies;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "snippet") {
      for_each_field(f, [&](std::string_view k, od::value& s) {
        if (k == "videoId") {
          std::string id;
          if (read_string(s, id) && !id.empty()) video = std::move(id);
        } else if (k == "topLevelComment") {
          top_problem = read_comment(s, top, context, video);
          if (top_problem) top.post_id.clear();
        } else if (k == "totalReplyCount") {
          total_replies = json::int_of(s).value_or(0);
        }
      });
    } else if (key == "replies") {
      for_each_field(f, [&](std::string_view k, od::value& r) {
        if (k != "comments") return;
        for_each_element(r, [&](od::value& c, std::size_t i) {
          model::Post reply;
          std::string reply_video;
          if (auto why = read_comment(c, reply, context, reply_video)) {
            page.skipped.push_back(item_where(index) + ".replies.comments[" + std::to_string(i) +
                                   "]: " + *why);
          } else {
            replies.push_back(std::move(reply));
          }
        });
      });
    }
  });
  if (!is_object) {
    page.skipped.push_back(item_where(index) + ": not a comment thread object");
    return;
  }
  if (top.post_id.empty()) {
    page.skipped.push_back(item_where(index) + ": " +
                           top_problem.value_or("thread without a top-level comment"));
    return;
  }
  top.reply_count = total_replies;
  if (!video.empty()) top.in_reply_to_post_id = video;
  // A thread on the channel itself (no video) is its own conversation.
  top.conversation_root_id = video.empty() ? top.post_id : video;
  for (auto& r : replies) {
    if (!r.in_reply_to_post_id) r.in_reply_to_post_id = top.post_id;
    r.conversation_root_id = top.conversation_root_id;
  }
  page.posts.push_back(std::move(top));
  for (auto& r : replies) page.posts.push_back(std::move(r));
}

void read_error(od::value& v, ApiError& error) {
  error.present = true;
  for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "code") {
      error.code = json::int_of(f);
    } else if (key == "message") {
      read_string(f, error.message);
    } else if (key == "status") {
      read_string(f, error.status);
    } else if (key == "errors") {
      for_each_element(f, [&](od::value& e, std::size_t) {
        for_each_field(e, [&](std::string_view k, od::value& r) {
          std::string reason;
          if (k == "reason" && read_string(r, reason) && !reason.empty()) {
            error.reasons.push_back(std::move(reason));
          }
        });
      });
    }
  });
}

void read_items(od::value& v, YoutubeEndpoint endpoint, Page& page, const ParseContext& context) {
  json::expect_array(v, "items");
  for_each_element(v, [&](od::value& item, std::size_t i) {
    std::optional<std::string> why;
    switch (endpoint) {
      case YoutubeEndpoint::channels_list: {
        model::ProfileSnapshot p;
        why = read_channel(item, p, context);
        if (!why) page.profiles.push_back(std::move(p));
        break;
      }
      case YoutubeEndpoint::search_list: {
        model::ProfileSnapshot p;
        why = read_search_result(item, p, context);
        if (!why && !p.account_id.empty()) page.profiles.push_back(std::move(p));
        break;
      }
      case YoutubeEndpoint::playlist_items_list: {
        model::Post post;
        why = read_playlist_item(item, post, context);
        if (!why) page.posts.push_back(std::move(post));
        break;
      }
      case YoutubeEndpoint::comment_threads_list:
        read_thread(item, page, i, context);
        break;
      case YoutubeEndpoint::comments_list: {
        model::Post post;
        std::string video;
        why = read_comment(item, post, context, video);
        if (!why) {
          if (!post.in_reply_to_post_id && !context.requested_refs.empty()) {
            post.in_reply_to_post_id = context.requested_refs[0];
          }
          if (context.requested_refs.size() > 1 && !context.requested_refs[1].empty()) {
            post.conversation_root_id = context.requested_refs[1];
          } else if (!video.empty()) {
            post.conversation_root_id = video;
          }
          page.posts.push_back(std::move(post));
        }
        break;
      }
    }
    if (why) page.skipped.push_back(item_where(i) + ": " + *why);
  });
}

void read_root(od::document& doc, YoutubeEndpoint endpoint, Page& page,
               const ParseContext& context) {
  const bool is_object = for_each_field(doc, [&](std::string_view key, od::value& v) {
    if (key == "items") {
      page.has_items = true;
      read_items(v, endpoint, page, context);
    } else if (key == "nextPageToken") {
      std::string token;
      if (read_string(v, token) && !token.empty()) page.next_cursor = std::move(token);
    } else if (key == "kind") {
      // "youtube#channelListResponse": a list answer even when `items` is left out (no results).
      std::string kind;
      if (read_string(v, kind) && kind.ends_with("ListResponse")) page.has_items = true;
    } else if (key == "error") {
      read_error(v, page.error);
    }
  });
  if (!is_object) {
    json::fail_shape("expected a JSON object, found " + std::string(json::type_name(doc)));
  }
}

// channels.list answers 200 without the channels it does not know.
void add_missing_channels(Page& page, std::vector<model::Observation>& out,
                          const ParseContext& context) {
  for (std::string ref : context.requested_refs) {
    if (ref.empty()) continue;
    const std::string_view bare = std::string_view(ref).substr(ref.front() == '@' ? 1 : 0);
    bool found = false;
    for (const auto& p : page.profiles) {
      if (p.account_id == bare || model::iequals_ascii(p.handle, bare)) found = true;
    }
    if (found) continue;
    model::AccountGone g;
    g.platform = kPlatform;
    g.account_ref = std::move(ref);
    g.reason = "not_found";
    g.observed_at = context.observed_at;
    out.emplace_back(std::move(g));
  }
}

std::optional<std::string> gone_reason(YoutubeEndpoint endpoint, const ApiError& e) {
  for (const auto& r : e.reasons) {
    if (r == "channelSuspended") return "suspended";
    if (r == "channelClosed") return "deactivated";
    if (r == "channelNotFound") return "not_found";
    if (r == "playlistNotFound" && endpoint == YoutubeEndpoint::playlist_items_list) {
      return "not_found";
    }
  }
  return std::nullopt;
}

std::string describe(const ApiError& e) {
  std::string out = "YouTube API error";
  if (e.code) out += " " + std::to_string(*e.code);
  if (!e.reasons.empty()) {
    out += " (";
    for (std::size_t i = 0; i < e.reasons.size(); ++i) out += (i ? ", " : "") + e.reasons[i];
    out += ")";
  } else if (!e.status.empty()) {
    out += " (" + e.status + ")";
  }
  if (!e.message.empty()) out += ": " + e.message;
  return out;
}

}  // namespace

ParseResult parse(YoutubeEndpoint endpoint, std::string_view body, const ParseContext& context) {
  Page page;
  const std::string_view name = endpoint_name(endpoint);
  ParseResult result = json::parse_document(
      kPlatform, name, body, context,
      [&](od::document& doc, ParseResult&) { read_root(doc, endpoint, page, context); });
  if (result.outcome == ParseOutcome::malformed) return result;
  auto& out = result.observations;
  if (page.error.present && !page.has_items) {
    result.outcome = ParseOutcome::platform_error;
    auto o = json::gone_or_error(kPlatform, name, gone_reason(endpoint, page.error),
                                 describe(page.error), context);
    if (auto* e = std::get_if<model::ObservationError>(&o);
        e && !e->http_status && page.error.code) {
      e->http_status = static_cast<int>(*page.error.code);
    }
    out.push_back(std::move(o));
    return result;
  }
  if (!page.has_items) {
    result.outcome = ParseOutcome::malformed;
    out.emplace_back(json::make_error(
        kPlatform, name, "unexpected response shape: neither items nor an error", context));
    return result;
  }
  // Profiles first, then what is gone (matched against the profiles before they move out).
  std::vector<model::Observation> gone;
  if (endpoint == YoutubeEndpoint::channels_list) add_missing_channels(page, gone, context);
  for (auto& p : page.profiles) out.emplace_back(std::move(p));
  for (auto& g : gone) out.push_back(std::move(g));
  for (auto& p : page.posts) out.emplace_back(std::move(p));
  for (const auto& why : page.skipped) {
    out.emplace_back(json::make_error(kPlatform, name, why + "; skipped", context));
  }
  result.next_cursor = std::move(page.next_cursor);
  return result;
}

}  // namespace mamori::collectors::youtube
