#include "collectors/mastodon/mastodon_parse.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/common/json_access.h"
#include "collectors/common/text_links.h"
#include "collectors/mastodon/html_text.h"
#include "model/text.h"

namespace mamori::collectors::mastodon {
namespace {

namespace od = simdjson::ondemand;
using json::for_each_element;
using json::for_each_field;
using json::read_string;
using json::time_of;

constexpr model::Platform kPlatform = model::Platform::mastodon;

struct Page {
  std::vector<model::ProfileSnapshot> profiles;
  std::vector<model::AccountGone> gone;
  std::vector<model::Post> posts;
  std::vector<model::Post> ancestors;  // statuses/:id/context
  std::vector<model::Post> descendants;
  std::vector<std::string> skipped;
  std::optional<std::string> newest_id;
  std::string error;  // {"error": "...", "error_description": "..."}
  std::string error_description;
  bool has_main = false;
};

std::string lower_ascii(std::string_view s) {
  return model::ascii_lower(s);
}

bool is_http_url(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

std::optional<std::string> nonempty_string(od::value& v) {
  auto s = json::string_of(v);
  if (s && s->empty()) return std::nullopt;
  return s;
}

bool is_null(od::value& v) {
  od::json_type type;
  if (const auto e = v.type().get(type)) json::fail(e);
  if (type != od::json_type::null) return false;
  json::check_scalar(v);
  return true;
}

void note_newest(std::optional<std::string>& newest, const std::string& id) {
  if (!id.empty() && (!newest || id_less(*newest, id))) newest = id;
}

// The Account entity.
struct AccountFields {
  model::ProfileSnapshot p;
  std::string username;
  std::string note_html;
  std::vector<std::string> verified_links;  // profile field links the server verified (rel=me)
  std::vector<std::string> field_links;
  bool suspended = false;
  bool moved = false;  // `moved`: the profile is inactive, its user moved to another account
};

bool account_field(std::string_view key, od::value& f, AccountFields& a) {
  if (key == "id") {
    read_string(f, a.p.account_id);
  } else if (key == "acct") {
    read_string(f, a.p.handle);
  } else if (key == "username") {
    read_string(f, a.username);
  } else if (key == "display_name") {
    read_string(f, a.p.display_name);
  } else if (key == "note") {
    read_string(f, a.note_html);
  } else if (key == "avatar") {
    read_string(f, a.p.avatar_url);
  } else if (key == "created_at") {
    a.p.created_at = time_of(f);
  } else if (key == "followers_count") {
    a.p.followers_count = json::int_of(f);
  } else if (key == "following_count") {
    a.p.following_count = json::int_of(f);
  } else if (key == "statuses_count") {
    a.p.posts_count = json::int_of(f);
  } else if (key == "locked") {
    a.p.is_protected = json::bool_of(f).value_or(false);
  } else if (key == "suspended") {
    a.suspended = json::bool_of(f).value_or(false);
  } else if (key == "moved") {
    // An Account (the new one), or null; a suspended account's is null (Account entity docs).
    if (!is_null(f)) a.moved = for_each_field(f, [](std::string_view, od::value&) {});
  } else if (key == "fields") {
    for_each_element(f, [&](od::value& field, std::size_t) {
      std::string value_html;
      bool verified = false;
      for_each_field(field, [&](std::string_view k, od::value& x) {
        if (k == "value") {
          read_string(x, value_html);
        } else if (k == "verified_at") {
          verified = json::string_of(x).has_value();
        }
      });
      for (auto& link : html_to_text(value_html).links) {
        add_unique_link(verified ? a.verified_links : a.field_links, std::move(link));
      }
    });
  } else {
    return false;
  }
  return true;
}

void finish_account(AccountFields& a, const ParseContext& context) {
  auto& p = a.p;
  p.platform = kPlatform;
  p.observed_at = context.observed_at;
  if (p.handle.empty()) p.handle = a.username;
  if (!p.handle.empty() && p.handle.front() == '@') p.handle.erase(0, 1);
  HtmlText note = html_to_text(a.note_html);
  p.description = std::move(note.text);
  // Mastodon has no website field: a verified profile-field link, else any field link, else the
  // first link in the bio. "verified" means the server verified such a link (rel="me"); it is
  // not an identity check like X's.
  p.verified = !a.verified_links.empty();
  if (!a.verified_links.empty()) {
    p.url = a.verified_links.front();
  } else if (!a.field_links.empty()) {
    p.url = a.field_links.front();
  } else if (!note.links.empty()) {
    p.url = note.links.front();
  }
}

void add_account(AccountFields& a, Page& page, const std::string& where,
                 const ParseContext& context) {
  if (a.p.account_id.empty()) {
    page.skipped.push_back(where + ": account without an id");
    return;
  }
  finish_account(a, context);
  // Suspended (or deleted by its owner: Mastodon keeps a deleted account as suspended) or moved
  // away: the account as it was no longer answers — the same as a 404 for mamori's checks.
  if (a.suspended || a.moved) {
    model::AccountGone g;
    g.platform = kPlatform;
    g.account_ref = a.p.handle.empty() ? a.p.account_id : a.p.handle;
    g.reason = a.suspended ? "suspended" : "moved";
    g.observed_at = context.observed_at;
    page.gone.push_back(std::move(g));
  } else {
    page.profiles.push_back(std::move(a.p));
  }
}

void read_account(od::value& v, Page& page, const std::string& where, const ParseContext& context) {
  AccountFields a;
  if (!for_each_field(v, [&](std::string_view key, od::value& f) { account_field(key, f, a); })) {
    page.skipped.push_back(where + ": not an account object");
    return;
  }
  add_account(a, page, where, context);
}

void read_author(od::value& v, model::Post& post) {
  std::string username;
  for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, post.author_id);
    } else if (key == "acct") {
      read_string(f, post.author_handle);
    } else if (key == "username") {
      read_string(f, username);
    } else if (key == "display_name") {
      read_string(f, post.author_display_name);
    } else if (key == "created_at") {
      post.author_created_at = time_of(f);
    } else if (key == "followers_count") {
      post.author_followers_count = json::int_of(f);
    }
  });
  if (post.author_handle.empty()) post.author_handle = std::move(username);
  if (!post.author_handle.empty() && post.author_handle.front() == '@') {
    post.author_handle.erase(0, 1);
  }
}

std::string id_of(od::value& v) {
  std::string id;
  for_each_field(v, [&](std::string_view k, od::value& f) {
    if (k == "id") read_string(f, id);
  });
  return id;
}

// A Status entity; appends it (and for a reblog, the reblogged status after it) to `out`.
// Returns why it was left out, if it was.
std::optional<std::string> read_status(od::value& v, std::vector<model::Post>& out,
                                       std::vector<std::string>& skipped, const std::string& where,
                                       bool nested, const ParseContext& context) {
  model::Post post;
  std::string content;
  std::string spoiler;
  std::string card_url;
  std::optional<model::TimePoint> created_at;
  std::vector<model::Post> reblogged;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, post.post_id);
    } else if (key == "created_at") {
      created_at = time_of(f);
    } else if (key == "in_reply_to_id") {
      post.in_reply_to_post_id = nonempty_string(f);
    } else if (key == "in_reply_to_account_id") {
      post.in_reply_to_account_id = nonempty_string(f);
    } else if (key == "content") {
      read_string(f, content);
    } else if (key == "spoiler_text") {
      read_string(f, spoiler);
    } else if (key == "language") {
      read_string(f, post.lang);
    } else if (key == "replies_count") {
      post.reply_count = json::int_of(f).value_or(0);
    } else if (key == "reblogs_count") {
      post.repost_count = json::int_of(f).value_or(0);
    } else if (key == "favourites_count") {
      post.like_count = json::int_of(f).value_or(0);
    } else if (key == "quotes_count") {
      post.quote_count = json::int_of(f).value_or(0);
    } else if (key == "application") {
      for_each_field(f, [&](std::string_view k, od::value& a) {
        if (k == "name") read_string(a, post.client);
      });
    } else if (key == "account") {
      read_author(f, post);
    } else if (key == "reblog") {
      // A reblog of a reblog does not exist; one level is all that is read.
      if (nested || is_null(f)) return;
      if (auto why = read_status(f, reblogged, skipped, where + ".reblog", true, context)) {
        skipped.push_back(where + ".reblog: " + *why);
      }
    } else if (key == "quote") {
      // Quote {state, quoted_status} or ShallowQuote {state, quoted_status_id} (Mastodon 4.5).
      for_each_field(f, [&](std::string_view k, od::value& q) {
        if (k == "quoted_status_id") {
          if (auto id = nonempty_string(q)) post.quoted_post_id = std::move(id);
        } else if (k == "quoted_status") {
          std::string id = id_of(q);
          if (!id.empty()) post.quoted_post_id = std::move(id);
        }
      });
    } else if (key == "card") {
      for_each_field(f, [&](std::string_view k, od::value& c) {
        if (k == "url") read_string(c, card_url);
      });
    }
  });
  if (!is_object) return "not a status object";
  if (post.post_id.empty()) return "status without an id";
  post.platform = kPlatform;
  post.observed_at = context.observed_at;
  post.created_at = created_at.value_or(context.observed_at);
  HtmlText text = html_to_text(content);
  post.text = spoiler.empty() ? std::move(text.text) : spoiler + "\n\n" + text.text;
  post.urls = std::move(text.links);
  if (is_http_url(card_url)) add_unique_link(post.urls, std::move(card_url));
  if (!reblogged.empty()) post.reposted_post_id = reblogged.front().post_id;
  if (!post.in_reply_to_post_id) post.conversation_root_id = post.post_id;
  out.push_back(std::move(post));
  for (auto& r : reblogged) out.push_back(std::move(r));
  return std::nullopt;
}

void read_statuses(od::value& v, std::vector<model::Post>& out, Page& page,
                   const std::string& where, bool track_newest, const ParseContext& context) {
  json::expect_array(v, "statuses");
  for_each_element(v, [&](od::value& item, std::size_t i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const std::size_t before = out.size();
    if (auto why = read_status(item, out, page.skipped, at, false, context)) {
      page.skipped.push_back(at + ": " + *why);
    } else if (track_newest && out.size() > before) {
      note_newest(page.newest_id, out[before].post_id);
    }
  });
}

// A Notification; mentions (which include replies) and quotes of the account are kept.
void read_notification(od::value& v, Page& page, const std::string& where,
                       const ParseContext& context) {
  std::string id;
  std::string type;
  std::vector<model::Post> posts;
  std::optional<std::string> status_problem;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      read_string(f, id);
    } else if (key == "type") {
      read_string(f, type);
    } else if (key == "status") {
      if (is_null(f)) return;
      status_problem = read_status(f, posts, page.skipped, where + ".status", true, context);
    }
  });
  if (!is_object) {
    page.skipped.push_back(where + ": not a notification object");
    return;
  }
  // Every notification counts for since_id, kept or not, so the next poll starts after it.
  note_newest(page.newest_id, id);
  if (type != "mention" && type != "quote") return;
  if (status_problem) {
    page.skipped.push_back(where + ".status: " + *status_problem);
  } else if (posts.empty()) {
    page.skipped.push_back(where + ": " + type + " notification without a status");
  }
  for (auto& p : posts) page.posts.push_back(std::move(p));
}

void read_error_field(std::string_view key, od::value& v, Page& page) {
  if (key == "error") {
    read_string(v, page.error);
  } else if (key == "error_description") {
    read_string(v, page.error_description);
  }
}

void read_root(od::document& doc, MastodonEndpoint endpoint, Page& page, AccountFields& root,
               const ParseContext& context) {
  od::json_type type;
  if (const auto e = doc.type().get(type)) json::fail(e);
  const bool array_endpoint = endpoint == MastodonEndpoint::accounts_search ||
                              endpoint == MastodonEndpoint::account_statuses ||
                              endpoint == MastodonEndpoint::notifications ||
                              endpoint == MastodonEndpoint::status_quotes;
  if (type == od::json_type::array && array_endpoint) {
    page.has_main = true;
    const std::string name = endpoint == MastodonEndpoint::accounts_search ? "accounts"
                             : endpoint == MastodonEndpoint::notifications ? "notifications"
                                                                           : "statuses";
    for_each_element(doc, [&](od::value& item, std::size_t i) {
      const std::string where = name + "[" + std::to_string(i) + "]";
      if (endpoint == MastodonEndpoint::accounts_search) {
        read_account(item, page, where, context);
      } else if (endpoint == MastodonEndpoint::notifications) {
        read_notification(item, page, where, context);
      } else {
        const std::size_t before = page.posts.size();
        if (auto why = read_status(item, page.posts, page.skipped, where, false, context)) {
          page.skipped.push_back(where + ": " + *why);
        } else if (page.posts.size() > before) {
          note_newest(page.newest_id, page.posts[before].post_id);
        }
      }
    });
    return;
  }
  if (type != od::json_type::object) {
    json::fail_shape(std::string("expected a JSON ") + (array_endpoint ? "array" : "object") +
                     ", found " + std::string(json::type_name(doc)));
  }
  for_each_field(doc, [&](std::string_view key, od::value& v) {
    read_error_field(key, v, page);
    switch (endpoint) {
      case MastodonEndpoint::accounts_lookup:
        if (account_field(key, v, root) && key == "id") page.has_main = true;
        break;
      case MastodonEndpoint::search:
        if (key == "accounts") {
          page.has_main = true;
          json::expect_array(v, "accounts");
          for_each_element(v, [&](od::value& item, std::size_t i) {
            read_account(item, page, "accounts[" + std::to_string(i) + "]", context);
          });
        } else if (key == "statuses") {
          page.has_main = true;
          read_statuses(v, page.posts, page, "statuses", false, context);
        }
        break;
      case MastodonEndpoint::status_context:
        if (key == "ancestors") {
          page.has_main = true;
          read_statuses(v, page.ancestors, page, "ancestors", false, context);
        } else if (key == "descendants") {
          page.has_main = true;
          read_statuses(v, page.descendants, page, "descendants", false, context);
        }
        break;
      case MastodonEndpoint::accounts_search:
      case MastodonEndpoint::account_statuses:
      case MastodonEndpoint::notifications:
      case MastodonEndpoint::status_quotes:
        break;  // an object here can only be an error body
    }
  });
}

// An error body about the account the request named: which `gone` reason it means, if any.
std::optional<std::string> gone_reason(MastodonEndpoint endpoint, std::string_view error) {
  const bool names_account = endpoint == MastodonEndpoint::accounts_lookup ||
                             endpoint == MastodonEndpoint::account_statuses;
  if (!names_account) return std::nullopt;
  const std::string e = lower_ascii(error);
  if (e.find("suspended") != std::string::npos) return "suspended";
  if (e.find("not found") != std::string::npos) return "not_found";
  return std::nullopt;
}

// The context endpoint returns the thread around a status: the oldest ancestor is the root when
// it is not itself a reply (a deleted post can cut the chain); with no ancestors the requested
// status is the top of what is visible.
void set_context_roots(Page& page, const ParseContext& context) {
  std::optional<std::string> root;
  if (!page.ancestors.empty()) {
    if (!page.ancestors.front().in_reply_to_post_id) root = page.ancestors.front().post_id;
  } else if (!context.requested_refs.empty() && !context.requested_refs.front().empty()) {
    root = context.requested_refs.front();
  }
  for (auto* list : {&page.ancestors, &page.descendants}) {
    for (auto& post : *list) {
      if (root && !post.reposted_post_id) post.conversation_root_id = root;
      page.posts.push_back(std::move(post));
    }
  }
}

std::string query_value(std::string_view url, std::string_view name) {
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string value;
      const std::string_view raw = pair.substr(eq + 1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto hex = [](char c) -> int {
          if (c >= '0' && c <= '9') return c - '0';
          if (c >= 'a' && c <= 'f') return c - 'a' + 10;
          if (c >= 'A' && c <= 'F') return c - 'A' + 10;
          return -1;
        };
        if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
          value.push_back(static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2])));
          i += 2;
        } else {
          value.push_back(raw[i]);
        }
      }
      return value;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

std::optional<std::string> next_max_id(std::string_view header) {
  std::size_t i = 0;
  while (i < header.size()) {
    const std::size_t open = header.find('<', i);
    if (open == std::string_view::npos) break;
    const std::size_t close = header.find('>', open);
    if (close == std::string_view::npos) break;
    const std::string_view url = header.substr(open + 1, close - open - 1);
    std::size_t end = header.find('<', close);
    if (end == std::string_view::npos) end = header.size();
    const std::string params = lower_ascii(header.substr(close + 1, end - close - 1));
    // rel="next", rel=next or rel="next prev"
    bool next = false;
    for (std::size_t r = params.find("rel="); r != std::string::npos;
         r = params.find("rel=", r + 4)) {
      std::size_t v = r + 4;
      const bool quoted = v < params.size() && params[v] == '"';
      if (quoted) ++v;
      const std::size_t v_end = quoted ? params.find('"', v) : params.find_first_of(";, ", v);
      const std::string_view rels = std::string_view(params).substr(
          v, (v_end == std::string::npos ? params.size() : v_end) - v);
      std::size_t w = 0;
      while (w < rels.size()) {
        const std::size_t sp = rels.find(' ', w);
        if (rels.substr(w, sp - w) == "next") next = true;
        if (sp == std::string_view::npos) break;
        w = sp + 1;
      }
    }
    if (next) {
      std::string id = query_value(url, "max_id");
      if (!id.empty()) return id;
    }
    i = close + 1;
  }
  return std::nullopt;
}

ParseResult parse(MastodonEndpoint endpoint, std::string_view body, const ParseContext& context) {
  Page page;
  AccountFields root_account;
  const std::string_view name = endpoint_name(endpoint);
  ParseResult result =
      json::parse_document(kPlatform, name, body, context, [&](od::document& doc, ParseResult&) {
        read_root(doc, endpoint, page, root_account, context);
      });
  if (result.outcome == ParseOutcome::malformed) return result;
  auto& out = result.observations;

  if (!page.has_main) {
    if (page.error.empty()) {
      result.outcome = ParseOutcome::malformed;
      out.emplace_back(json::make_error(
          kPlatform, name, "unexpected response shape: neither the endpoint's data nor an error",
          context));
      return result;
    }
    result.outcome = ParseOutcome::platform_error;
    std::string message = page.error;
    if (!page.error_description.empty()) message += ": " + page.error_description;
    out.push_back(json::gone_or_error(kPlatform, name, gone_reason(endpoint, page.error),
                                      std::move(message), context));
    return result;
  }

  if (endpoint == MastodonEndpoint::accounts_lookup)
    add_account(root_account, page, "account", context);
  if (endpoint == MastodonEndpoint::status_context) set_context_roots(page, context);
  for (auto& p : page.profiles) out.emplace_back(std::move(p));
  for (auto& g : page.gone) out.emplace_back(std::move(g));
  for (auto& p : page.posts) out.emplace_back(std::move(p));
  for (const auto& why : page.skipped) {
    out.emplace_back(json::make_error(kPlatform, name, why + "; skipped", context));
  }
  if (endpoint == MastodonEndpoint::account_statuses ||
      endpoint == MastodonEndpoint::notifications) {
    result.newest_id = page.newest_id;
  }
  if (!context.link_header.empty()) result.next_cursor = next_max_id(context.link_header);
  return result;
}

}  // namespace mamori::collectors::mastodon
