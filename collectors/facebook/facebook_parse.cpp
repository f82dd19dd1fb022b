#include "collectors/facebook/facebook_parse.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/common/graph_api.h"
#include "collectors/common/json_access.h"
#include "collectors/common/text_links.h"

namespace mamori::collectors::facebook {
namespace {

namespace od = simdjson::ondemand;
using json::for_each_element;
using json::for_each_field;
using json::read_string;
using json::time_of;

constexpr model::Platform kPlatform = model::Platform::facebook;

using Page = graph::GraphPage;

// `{"summary": {"total_count": N}}` of comments/reactions, `{"count": N}` of shares.
std::int64_t count_in(od::value& v, std::string_view outer, std::string_view inner) {
  std::int64_t n = 0;
  for_each_field(v, [&](std::string_view k, od::value& f) {
    if (outer.empty() && k == inner) {
      n = json::int_of(f).value_or(0);
    } else if (k == outer) {
      for_each_field(f, [&](std::string_view k2, od::value& g) {
        if (k2 == inner) n = json::int_of(g).value_or(0);
      });
    }
  });
  return n;
}

bool facebook_host(std::string_view url) {
  std::string_view s = url;
  if (const auto p = s.find("://"); p != std::string_view::npos) s.remove_prefix(p + 3);
  s = s.substr(0, s.find_first_of("/?#"));
  return s == "facebook.com" || s.ends_with(".facebook.com") || s == "fb.me" ||
         s.ends_with(".fbcdn.net");
}

// One attachment: its outside link when it has one (photos and videos point back into Facebook).
void read_attachment(od::value& v, std::vector<std::string>& urls) {
  std::string unshimmed;
  std::string url;
  for_each_field(v, [&](std::string_view k, od::value& f) {
    if (k == "unshimmed_url") {
      read_string(f, unshimmed);
    } else if (k == "url") {
      read_string(f, url);
    }
  });
  std::string link = unshimmed.empty() ? url : unshimmed;
  if (!link.empty() && !facebook_host(link)) add_unique_link(urls, std::move(link));
}

void read_from(od::value& v, model::Post& post) {
  for_each_field(v, [&](std::string_view k, od::value& f) {
    if (k == "id") {
      read_string(f, post.author_id);
    } else if (k == "name") {
      read_string(f, post.author_display_name);
    }
  });
}

// A post of a feed, or a comment. Returns why it was left out, if it was.
std::optional<std::string> read_item(od::value& v, model::Post& post, bool comment,
                                     const ParseContext& context) {
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  std::optional<model::TimePoint> created_at;
  std::string story;
  std::optional<std::string> parent;
  std::vector<std::string> attachment_urls;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, post.post_id);
    } else if (key == "message") {
      read_string(f, post.text);
    } else if (key == "story") {
      read_string(f, story);
    } else if (key == "created_time") {
      created_at = time_of(f);
    } else if (key == "from") {
      read_from(f, post);
    } else if (key == "parent") {
      std::string id;
      for_each_field(f, [&](std::string_view k, od::value& p) {
        if (k == "id") read_string(p, id);
      });
      if (!id.empty()) parent = std::move(id);
    } else if (key == "attachments") {
      for_each_field(f, [&](std::string_view k, od::value& d) {
        if (k != "data") return;
        for_each_element(d,
                         [&](od::value& a, std::size_t) { read_attachment(a, attachment_urls); });
      });
    } else if (key == "attachment") {
      read_attachment(f, attachment_urls);
    } else if (key == "comment_count") {
      post.reply_count = json::int_of(f).value_or(0);
    } else if (key == "like_count") {
      post.like_count = json::int_of(f).value_or(0);
    } else if (key == "comments") {
      post.reply_count = count_in(f, "summary", "total_count");
    } else if (key == "reactions") {
      post.like_count = count_in(f, "summary", "total_count");
    } else if (key == "shares") {
      post.repost_count = count_in(f, "", "count");
    }
  });
  if (!is_object) return comment ? "not a comment object" : "not a post object";
  if (post.post_id.empty()) return comment ? "comment without an id" : "post without an id";
  if (post.text.empty()) post.text = std::move(story);
  post.created_at = created_at.value_or(context.observed_at);
  post.urls = links_in_text(post.text);
  for (auto& u : attachment_urls) add_unique_link(post.urls, std::move(u));
  if (comment) {
    // filter=stream lists replies next to top-level comments, each naming its parent.
    const std::string* object =
        context.requested_refs.empty() ? nullptr : &context.requested_refs[0];
    if (parent) {
      post.in_reply_to_post_id = std::move(parent);
    } else if (object && !object->empty()) {
      post.in_reply_to_post_id = *object;
    }
    if (context.requested_refs.size() > 1 && !context.requested_refs[1].empty()) {
      post.conversation_root_id = context.requested_refs[1];
    } else if (object && !object->empty()) {
      post.conversation_root_id = *object;
    }
  } else {
    post.conversation_root_id = post.post_id;
    // A page post's id is "{page-id}_{post-id}": the author when `from` was not requested.
    if (post.author_id.empty()) {
      const auto underscore = post.post_id.find('_');
      if (underscore != std::string::npos) post.author_id = post.post_id.substr(0, underscore);
    }
  }
  return std::nullopt;
}

struct PageFields {
  model::ProfileSnapshot p;
  std::string about;
  std::string description;
  std::string website;
  std::optional<std::int64_t> fans;
  std::optional<bool> published;
  bool seen_id = false;
};

bool page_field(std::string_view key, od::value& f, PageFields& page) {
  if (key == "id") {
    page.seen_id = read_string(f, page.p.account_id);
  } else if (key == "name") {
    read_string(f, page.p.display_name);
  } else if (key == "username") {
    read_string(f, page.p.handle);
  } else if (key == "about") {
    read_string(f, page.about);
  } else if (key == "description") {
    read_string(f, page.description);
  } else if (key == "website") {
    read_string(f, page.website);
  } else if (key == "picture") {
    // {"data": {"url": "...", "is_silhouette": false}}
    for_each_field(f, [&](std::string_view k, od::value& d) {
      if (k != "data") return;
      for_each_field(d, [&](std::string_view k2, od::value& u) {
        if (k2 == "url") read_string(u, page.p.avatar_url);
      });
    });
  } else if (key == "followers_count") {
    page.p.followers_count = json::int_of(f);
  } else if (key == "fan_count") {
    page.fans = json::int_of(f);
  } else if (key == "verification_status") {
    std::string status;
    read_string(f, status);
    page.p.verified = status == "blue_verified" || status == "gray_verified";
  } else if (key == "is_published") {
    page.published = json::bool_of(f);
  } else {
    return false;
  }
  return true;
}

void add_page(PageFields& page, Page& out, const std::string& where, const ParseContext& context) {
  auto& p = page.p;
  if (p.account_id.empty()) {
    out.skipped.push_back(where + ": page without an id");
    return;
  }
  p.platform = kPlatform;
  p.observed_at = context.observed_at;
  p.description = page.about.empty() ? std::move(page.description) : std::move(page.about);
  // `website` may hold several addresses separated by spaces or new lines: the first counts.
  const auto links = links_in_text(page.website);
  p.url = links.empty() ? std::string() : links.front();
  if (!p.followers_count) p.followers_count = page.fans;
  if (page.published == false) {
    model::AccountGone g;
    g.platform = kPlatform;
    g.account_ref = p.handle.empty() ? p.account_id : p.handle;
    g.reason = "unpublished";
    g.observed_at = context.observed_at;
    out.gone.push_back(std::move(g));
    return;
  }
  out.profiles.push_back(std::move(p));
}

void read_items(od::value& v, FacebookEndpoint endpoint, Page& page, const ParseContext& context) {
  const bool comments =
      endpoint == FacebookEndpoint::post_comments || endpoint == FacebookEndpoint::comment_replies;
  json::expect_array(v, comments ? "comments" : "posts");
  for_each_element(v, [&](od::value& item, std::size_t i) {
    model::Post post;
    if (auto why = read_item(item, post, comments, context)) {
      page.skipped.push_back("data[" + std::to_string(i) + "]: " + *why);
    } else {
      page.posts.push_back(std::move(post));
    }
  });
}

void read_root(od::document& doc, FacebookEndpoint endpoint, Page& page,
               const ParseContext& context) {
  PageFields single;
  std::vector<std::pair<std::string, PageFields>> batch;
  const bool is_object = for_each_field(doc, [&](std::string_view key, od::value& v) {
    if (key == "error") {
      graph::read_error(v, page.error);
      return;
    }
    if (endpoint == FacebookEndpoint::page) {
      if (page_field(key, v, single)) return;
      // `?ids=a,b`: {"a": {page}, "b": {page}}
      PageFields entry;
      std::string name(key);
      // Other object fields of a single page (cover, engagement...) have no id.
      for_each_field(v, [&](std::string_view k, od::value& f) { page_field(k, f, entry); });
      if (entry.seen_id) batch.emplace_back(std::move(name), std::move(entry));
      return;
    }
    if (key == "data" && endpoint == FacebookEndpoint::pages_search) {
      page.has_data = true;
      // Search results are pages: {"id", "name", "link"} and whatever fields were asked for.
      for_each_element(v, [&](od::value& item, std::size_t i) {
        PageFields entry;
        if (!for_each_field(item,
                            [&](std::string_view k, od::value& f) { page_field(k, f, entry); })) {
          page.skipped.push_back("data[" + std::to_string(i) + "]: not a page object");
          return;
        }
        add_page(entry, page, "data[" + std::to_string(i) + "]", context);
      });
    } else if (key == "data") {
      page.has_data = true;
      read_items(v, endpoint, page, context);
    } else if (key == "paging") {
      page.next_cursor = graph::read_next_cursor(v);
    }
  });
  if (!is_object) {
    json::fail_shape("expected a JSON object, found " + std::string(json::type_name(doc)));
  }
  if (endpoint != FacebookEndpoint::page) return;
  if (single.seen_id) {
    page.has_data = true;
    add_page(single, page, "page", context);
    return;
  }
  for (auto& [name, entry] : batch) {
    page.has_data = true;
    add_page(entry, page, name, context);
  }
}

// A Graph error about the object the request named: which `gone` reason it means, if any.
std::optional<std::string> gone_reason(FacebookEndpoint endpoint, const graph::GraphError& e) {
  if (!e.code) return std::nullopt;
  // (#803) Some of the aliases you requested do not exist.
  if (*e.code == 803) return "not_found";
  // (#100) Unsupported get request. Object with ID '...' does not exist, cannot be loaded due to
  // missing permissions, or does not support this operation. With the page's own token the
  // permission reading does not apply: the page was deleted or unpublished.
  const bool names_page = endpoint == FacebookEndpoint::page ||
                          endpoint == FacebookEndpoint::page_feed ||
                          endpoint == FacebookEndpoint::page_tagged;
  if (names_page && *e.code == 100 && e.subcode == 33) return "not_found";
  return std::nullopt;
}

}  // namespace

ParseResult parse(FacebookEndpoint endpoint, std::string_view body, const ParseContext& context) {
  Page page;
  const std::string_view name = endpoint_name(endpoint);
  ParseResult result = json::parse_document(
      kPlatform, name, body, context,
      [&](od::document& doc, ParseResult&) { read_root(doc, endpoint, page, context); });
  if (result.outcome == ParseOutcome::malformed) return result;
  graph::finish(page, kPlatform, name, gone_reason(endpoint, page.error), context, result);
  return result;
}

}  // namespace mamori::collectors::facebook
