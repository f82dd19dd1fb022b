#include "collectors/x/x_parse.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "collectors/common/iso_time.h"
#include "collectors/common/json_access.h"
#include "collectors/common/text_links.h"
#include "model/text.h"

namespace mamori::collectors::x {
namespace {

namespace od = simdjson::ondemand;
using json::for_each_element;
using json::for_each_field;
using json::read_string;

constexpr model::Platform kPlatform = model::Platform::x;

// One entry of `errors[]` (a partial error, or the details of a problem document).
struct Problem {
  std::string value;
  std::string detail;
  std::string title;
  std::string resource_type;
  std::string parameter;
  std::string resource_id;
  std::string type;
  std::string message;  // invalid-request entries carry `message` instead of `detail`
};

// Everything read from one body, turned into observations only once the whole body read cleanly.
struct Page {
  std::vector<model::Post> posts;
  std::vector<model::ProfileSnapshot> users;
  std::vector<CountBucket> counts;  // tweets/counts/recent
  std::optional<std::int64_t> total_count;
  std::unordered_map<std::string, model::ProfileSnapshot> authors;  // includes.users by id
  std::vector<model::Post> included;  // includes.tweets: the posts those in data quote or answer
  std::vector<Problem> problems;
  std::vector<std::string> skipped;  // "data[3]: post without an id"
  std::optional<std::string> next_token;
  std::optional<std::string> newest_id;
  std::string title;  // a problem document's title/detail/type/status
  std::string detail;
  std::string type;
  std::optional<std::int64_t> status;
  bool has_data = false;
  bool has_meta = false;
  bool has_errors = false;
};

std::optional<std::string> nonempty_string(od::value& v) {
  auto s = json::string_of(v);
  if (s && s->empty()) return std::nullopt;
  return s;
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  const auto it =
      std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                  [](char a, char b) { return model::ascii_lower(a) == model::ascii_lower(b); });
  return it != haystack.end();
}

// `entities` of a tweet, note_tweet or user field: the expanded link targets; media links
// (pic.x.com, carrying a media_key) are attachments, not links.
void read_url_entities(od::value& entities, std::vector<std::string>& urls) {
  for_each_field(entities, [&](std::string_view key, od::value& v) {
    if (key != "urls") return;
    for_each_element(v, [&](od::value& item, std::size_t) {
      std::string expanded;
      std::string shortened;
      bool media = false;
      for_each_field(item, [&](std::string_view k, od::value& f) {
        if (k == "expanded_url") {
          read_string(f, expanded);
        } else if (k == "url") {
          read_string(f, shortened);
        } else if (k == "media_key") {
          media = true;
        }
      });
      if (!media) add_unique_link(urls, expanded.empty() ? shortened : expanded);
    });
  });
}

// A user object; returns why it was left out, or nullopt when `p` holds it.
std::optional<std::string> read_user(od::value& v, model::ProfileSnapshot& p,
                                     const ParseContext& context) {
  p.platform = kPlatform;
  p.observed_at = context.observed_at;
  std::string shortened_url;
  std::vector<std::string> profile_urls;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, p.account_id);
    } else if (key == "username") {
      read_string(f, p.handle);
    } else if (key == "name") {
      read_string(f, p.display_name);
    } else if (key == "description") {
      read_string(f, p.description);
    } else if (key == "url") {
      read_string(f, shortened_url);
    } else if (key == "profile_image_url") {
      read_string(f, p.avatar_url);
    } else if (key == "created_at") {
      if (const auto s = json::string_of(f)) p.created_at = parse_datetime(*s);
    } else if (key == "verified") {
      p.verified = json::bool_of(f).value_or(false);
    } else if (key == "protected") {
      p.is_protected = json::bool_of(f).value_or(false);
    } else if (key == "public_metrics") {
      for_each_field(f, [&](std::string_view k, od::value& m) {
        if (k == "followers_count") {
          p.followers_count = json::int_of(m);
        } else if (k == "following_count") {
          p.following_count = json::int_of(m);
        } else if (k == "tweet_count") {
          p.posts_count = json::int_of(m);
        }
      });
    } else if (key == "entities") {
      // entities.url.urls[] expands the profile's website field; entities.description is links
      // inside the bio, which the description text already shows.
      for_each_field(f, [&](std::string_view k, od::value& e) {
        if (k == "url") read_url_entities(e, profile_urls);
      });
    }
  });
  if (!is_object) return "not a user object";
  if (p.account_id.empty()) return "user without an id";
  if (!p.handle.empty() && p.handle.front() == '@') p.handle.erase(0, 1);
  p.url = profile_urls.empty() ? shortened_url : profile_urls.front();
  return std::nullopt;
}

std::optional<std::string> read_tweet(od::value& v, model::Post& post,
                                      const ParseContext& context) {
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  std::optional<model::TimePoint> created_at;
  std::optional<std::string> note_text;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, post.post_id);
    } else if (key == "text") {
      read_string(f, post.text);
    } else if (key == "author_id") {
      read_string(f, post.author_id);
    } else if (key == "created_at") {
      if (const auto s = json::string_of(f)) created_at = parse_datetime(*s);
    } else if (key == "conversation_id") {
      post.conversation_root_id = nonempty_string(f);
    } else if (key == "in_reply_to_user_id") {
      post.in_reply_to_account_id = nonempty_string(f);
    } else if (key == "lang") {
      read_string(f, post.lang);
    } else if (key == "source") {
      read_string(f, post.client);
    } else if (key == "referenced_tweets") {
      for_each_element(f, [&](od::value& ref, std::size_t) {
        std::string type;
        std::optional<std::string> id;
        for_each_field(ref, [&](std::string_view k, od::value& r) {
          if (k == "type") {
            read_string(r, type);
          } else if (k == "id") {
            id = nonempty_string(r);
          }
        });
        if (!id) return;
        if (type == "replied_to") {
          post.in_reply_to_post_id = std::move(id);
        } else if (type == "quoted") {
          post.quoted_post_id = std::move(id);
        } else if (type == "retweeted") {
          post.reposted_post_id = std::move(id);
        }
      });
    } else if (key == "entities") {
      read_url_entities(f, post.urls);
    } else if (key == "note_tweet") {
      // Posts over 280 characters: `text` is cut, note_tweet.text is the whole post.
      for_each_field(f, [&](std::string_view k, od::value& n) {
        if (k == "text") {
          note_text = json::string_of(n);
        } else if (k == "entities") {
          read_url_entities(n, post.urls);
        }
      });
    } else if (key == "public_metrics") {
      for_each_field(f, [&](std::string_view k, od::value& m) {
        if (k == "retweet_count") {
          post.repost_count = json::int_of(m).value_or(0);
        } else if (k == "reply_count") {
          post.reply_count = json::int_of(m).value_or(0);
        } else if (k == "like_count") {
          post.like_count = json::int_of(m).value_or(0);
        } else if (k == "quote_count") {
          post.quote_count = json::int_of(m).value_or(0);
        }
      });
    }
  });
  if (!is_object) return "not a post object";
  if (post.post_id.empty()) return "post without an id";
  if (note_text && !note_text->empty()) post.text = std::move(*note_text);
  // Without a creation time the post is placed when it was first seen.
  post.created_at = created_at.value_or(context.observed_at);
  return std::nullopt;
}

void read_problem(od::value& v, Problem& p) {
  for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "value") {
      read_string(f, p.value);
    } else if (key == "detail") {
      read_string(f, p.detail);
    } else if (key == "title") {
      read_string(f, p.title);
    } else if (key == "resource_type") {
      read_string(f, p.resource_type);
    } else if (key == "parameter") {
      read_string(f, p.parameter);
    } else if (key == "resource_id") {
      read_string(f, p.resource_id);
    } else if (key == "type") {
      read_string(f, p.type);
    } else if (key == "message") {
      read_string(f, p.message);
    }
  });
}

// One entry of a counts answer: {"start": ISO time, "end": ISO time, "tweet_count": n}.
std::optional<std::string> read_count(od::value& v, CountBucket& c) {
  std::optional<model::TimePoint> start;
  std::optional<model::TimePoint> end;
  std::optional<std::int64_t> count;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "start") {
      if (const auto s = json::string_of(f)) start = parse_datetime(*s);
    } else if (key == "end") {
      if (const auto s = json::string_of(f)) end = parse_datetime(*s);
    } else if (key == "tweet_count") {
      count = json::int_of(f);
    }
  });
  if (!is_object) return "count bucket is not an object";
  if (!start || !end) return "count bucket without a valid start and end";
  if (!(*start < *end)) return "count bucket ends before it starts";
  if (!count || *count < 0) return "count bucket without a non-negative tweet_count";
  c.start = *start;
  c.end = *end;
  c.count = *count;
  return std::nullopt;
}

bool users_endpoint(XEndpoint endpoint) {
  return endpoint == XEndpoint::user_by_username || endpoint == XEndpoint::users_by ||
         endpoint == XEndpoint::users_search;
}

void read_data(od::value& v, XEndpoint endpoint, Page& page, const ParseContext& context) {
  od::json_type type;
  if (const auto e = v.type().get(type)) json::fail(e);
  if (endpoint == XEndpoint::user_by_username) {
    if (type != od::json_type::object) {
      json::fail_shape("expected a user object, found " + std::string(json::type_name(v)));
    }
    model::ProfileSnapshot p;
    if (auto why = read_user(v, p, context)) {
      page.skipped.push_back("data: " + *why);
    } else {
      page.users.push_back(std::move(p));
    }
    return;
  }
  if (type != od::json_type::array) {
    json::fail_shape(std::string("expected an array of ") +
                     (endpoint == XEndpoint::tweets_counts_recent ? "counts"
                      : users_endpoint(endpoint)                  ? "users"
                                                                  : "posts") +
                     ", found " + std::string(json::type_name(v)));
  }
  for_each_element(v, [&](od::value& item, std::size_t index) {
    const std::string where = "data[" + std::to_string(index) + "]: ";
    if (endpoint == XEndpoint::tweets_counts_recent) {
      CountBucket c;
      if (auto why = read_count(item, c)) {
        page.skipped.push_back(where + *why);
      } else {
        page.counts.push_back(c);
      }
    } else if (users_endpoint(endpoint)) {
      model::ProfileSnapshot p;
      if (auto why = read_user(item, p, context)) {
        page.skipped.push_back(where + *why);
      } else {
        page.users.push_back(std::move(p));
      }
    } else {
      model::Post post;
      if (auto why = read_tweet(item, post, context)) {
        page.skipped.push_back(where + *why);
      } else {
        page.posts.push_back(std::move(post));
      }
    }
  });
}

void read_root(od::document& doc, XEndpoint endpoint, Page& page, const ParseContext& context) {
  const bool is_object = for_each_field(doc, [&](std::string_view key, od::value& v) {
    if (key == "data") {
      page.has_data = true;
      read_data(v, endpoint, page, context);
    } else if (key == "includes") {
      for_each_field(v, [&](std::string_view k, od::value& inc) {
        if (k == "users") {
          for_each_element(inc, [&](od::value& item, std::size_t) {
            model::ProfileSnapshot p;
            if (!read_user(item, p, context)) {
              std::string id = p.account_id;
              page.authors.insert_or_assign(std::move(id), std::move(p));
            }
          });
        } else if (k == "tweets") {
          for_each_element(inc, [&](od::value& item, std::size_t index) {
            model::Post post;
            if (auto why = read_tweet(item, post, context)) {
              page.skipped.push_back("includes.tweets[" + std::to_string(index) + "]: " + *why);
            } else {
              page.included.push_back(std::move(post));
            }
          });
        }
      });
    } else if (key == "errors") {
      page.has_errors = true;
      for_each_element(v, [&](od::value& item, std::size_t) {
        Problem p;
        read_problem(item, p);
        page.problems.push_back(std::move(p));
      });
    } else if (key == "meta") {
      page.has_meta = true;
      for_each_field(v, [&](std::string_view k, od::value& m) {
        if (k == "next_token") {
          page.next_token = nonempty_string(m);
        } else if (k == "newest_id") {
          page.newest_id = nonempty_string(m);
        } else if (k == "total_tweet_count") {
          page.total_count = json::int_of(m);
        }
      });
    } else if (key == "title") {
      read_string(v, page.title);
    } else if (key == "detail") {
      read_string(v, page.detail);
    } else if (key == "type") {
      read_string(v, page.type);
    } else if (key == "status") {
      page.status = json::int_of(v);
    }
  });
  if (!is_object) {
    json::fail_shape("expected a JSON object, found " + std::string(json::type_name(doc)));
  }
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string problem_text(const Problem& p) {
  std::string text = p.title;
  const std::string& detail = p.detail.empty() ? p.message : p.detail;
  if (!detail.empty()) text += (text.empty() ? "" : ": ") + detail;
  if (text.empty()) text = p.type.empty() ? "unspecified error" : p.type;
  return text;
}

// A partial error about the user the request named: that account is gone. Deleted or protected
// referenced tweets and errors about other users (mentioned, replied to) are normal and dropped.
enum class ProblemKind { account_gone, ignorable, other };

ProblemKind classify(const Problem& p) {
  const bool not_found = ends_with(p.type, "/resource-not-found");
  const bool unauthorized = ends_with(p.type, "/not-authorized-for-resource");
  if (p.resource_type == "user") {
    const bool subject = p.parameter == "username" || p.parameter == "usernames" ||
                         p.parameter == "id" || p.parameter == "ids";
    if (subject && not_found) return ProblemKind::account_gone;
    if (!subject && (not_found || unauthorized)) return ProblemKind::ignorable;
  }
  if (p.resource_type == "tweet" && (not_found || unauthorized)) return ProblemKind::ignorable;
  return ProblemKind::other;
}

void build(ParseResult& result, Page& page, XEndpoint endpoint, const ParseContext& context) {
  const std::string_view name = endpoint_name(endpoint);
  auto& out = result.observations;
  for (auto& user : page.users) out.emplace_back(std::move(user));
  const auto with_author = [&](model::Post& post) {
    if (const auto it = page.authors.find(post.author_id); it != page.authors.end()) {
      post.author_handle = it->second.handle;
      post.author_display_name = it->second.display_name;
      post.author_created_at = it->second.created_at;
      post.author_followers_count = it->second.followers_count;
    }
  };
  std::unordered_set<std::string> listed;
  for (auto& post : page.posts) {
    with_author(post);
    if (!result.newest_id || id_less(*result.newest_id, post.post_id)) {
      result.newest_id = post.post_id;
    }
    listed.insert(post.post_id);
    out.emplace_back(std::move(post));
  }
  // The quoted or replied-to posts X returned with them are posts too (stored, judged, shown as
  // the context of what answers them), but they do not move the cursor: they are not what the
  // endpoint lists, and may be older or newer than the page.
  for (auto& post : page.included) {
    if (!listed.insert(post.post_id).second) continue;
    with_author(post);
    out.emplace_back(std::move(post));
  }
  if (page.newest_id) result.newest_id = page.newest_id;
  result.next_cursor = page.next_token;
  // Counts oldest first, whatever order they came in.
  std::sort(page.counts.begin(), page.counts.end(),
            [](const CountBucket& a, const CountBucket& b) { return a.start < b.start; });
  std::int64_t counted = 0;
  for (const auto& c : page.counts) counted += c.count;
  if (page.total_count && page.skipped.empty() && *page.total_count != counted &&
      !page.next_token) {
    out.emplace_back(
        json::make_error(kPlatform, name,
                         "meta.total_tweet_count " + std::to_string(*page.total_count) +
                             " differs from the buckets' sum " + std::to_string(counted),
                         context));
  }
  result.counts = std::move(page.counts);

  const bool problem_document = !page.has_data && !page.title.empty();
  std::size_t gone = 0;
  std::vector<std::string> other_problems;
  for (const auto& p : page.problems) {
    switch (classify(p)) {
      case ProblemKind::account_gone: {
        model::AccountGone g;
        g.platform = kPlatform;
        g.account_ref = p.value.empty() ? p.resource_id : p.value;
        g.reason = contains_ci(p.detail, "suspended") ? "suspended" : "not_found";
        g.observed_at = context.observed_at;
        out.emplace_back(std::move(g));
        ++gone;
        break;
      }
      case ProblemKind::ignorable:
        break;
      case ProblemKind::other:
        other_problems.push_back(problem_text(p));
        break;
    }
  }
  for (const auto& why : page.skipped) {
    out.emplace_back(json::make_error(kPlatform, name, why + "; skipped", context));
  }

  if (problem_document) {
    // A problem document (401, 403, 429, 503, invalid request): the request failed as a whole.
    std::string message = page.title;
    if (!page.detail.empty()) message += ": " + page.detail;
    for (const auto& p : other_problems) message += "; " + p;
    auto error = json::make_error(kPlatform, name, std::move(message), context);
    if (!error.http_status && page.status) error.http_status = static_cast<int>(*page.status);
    out.emplace_back(std::move(error));
    result.outcome = ParseOutcome::platform_error;
    return;
  }
  for (auto& p : other_problems) {
    out.emplace_back(json::make_error(kPlatform, name, "partial error: " + p, context));
  }
  if (!page.has_data && !page.has_meta && !other_problems.empty() && gone == 0) {
    result.outcome = ParseOutcome::platform_error;  // only errors, none about a missing account
  }
}

}  // namespace

ParseResult parse(XEndpoint endpoint, std::string_view body, const ParseContext& context) {
  Page page;
  ParseResult result = json::parse_document(
      kPlatform, endpoint_name(endpoint), body, context,
      [&](od::document& doc, ParseResult&) { read_root(doc, endpoint, page, context); });
  if (result.outcome == ParseOutcome::malformed) return result;
  if (!page.has_data && !page.has_meta && !page.has_errors && page.title.empty()) {
    result.outcome = ParseOutcome::malformed;
    result.observations.emplace_back(json::make_error(
        kPlatform, endpoint_name(endpoint),
        "unexpected response shape: none of data, errors, meta or title is present", context));
    return result;
  }
  build(result, page, endpoint, context);
  return result;
}

}  // namespace mamori::collectors::x
