// Mastodon REST shapes (Account, Status, Context, Notification entities), id-based pagination
// with the Link header, and the instance's error bodies.
#include <algorithm>

#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

Reply mastodon_error(int status, const std::string& message) {
  Reply r;
  r.status = status;
  r.body = boost::json::serialize(boost::json::object{{"error", message}});
  return r;
}

}  // namespace

boost::json::object World::mastodon_account(const Account& a, double t) const {
  const bool suspended = is_gone(a, t) && a.gone_kind == GoneKind::suspended;
  const auto statuses = std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& p) {
    return p.platform == Platform::mastodon && p.materialized && p.author_handle == a.handle;
  });
  boost::json::array fields;
  if (!a.url.empty() && !suspended) {
    fields.push_back(boost::json::object{
        {"name", "Website"},
        {"value",
         "<a href=\"" + html_escape(a.url) +
             "\" target=\"_blank\" rel=\"nofollow noopener noreferrer me\" translate=\"no\">" +
             html_escape(a.url) + "</a>"},
        {"verified_at", nullptr}});
  }
  const std::string avatar =
      suspended ? base_url_ + "/avatars/original/missing.png" : avatar_url(a);
  boost::json::object o{
      {"id", a.id},
      {"username", a.handle},
      {"acct", a.handle},
      {"display_name", suspended ? "" : a.display_name},
      {"locked", a.is_protected},
      {"bot", false},
      {"discoverable", true},
      {"group", false},
      {"created_at", a.created_at.substr(0, 10) + "T00:00:00.000Z"},
      {"note",
       suspended || a.description.empty() ? "" : "<p>" + html_escape(a.description) + "</p>"},
      {"url", base_url_ + "/@" + a.handle},
      {"uri", base_url_ + "/users/" + a.handle},
      {"avatar", avatar},
      {"avatar_static", avatar},
      {"header", base_url_ + "/headers/original/missing.png"},
      {"header_static", base_url_ + "/headers/original/missing.png"},
      {"followers_count", suspended ? 0 : a.followers},
      {"following_count", suspended ? 0 : a.following},
      {"statuses_count", suspended ? 0 : statuses},
      {"last_status_at", nullptr},
      {"emojis", boost::json::array{}},
      {"fields", std::move(fields)}};
  if (suspended) o["suspended"] = true;
  // Moved away (Account entity `moved`): the new account, here a remote one of the same name.
  if (is_gone(a, t) && a.gone_kind == GoneKind::moved)
    o["moved"] = boost::json::object{{"id", a.id + "0"},
                                     {"username", a.handle},
                                     {"acct", a.handle + "@moved.example"},
                                     {"display_name", a.display_name},
                                     {"url", "https://moved.example/@" + a.handle},
                                     {"emojis", boost::json::array{}},
                                     {"fields", boost::json::array{}}};
  return o;
}

boost::json::object World::mastodon_status(const Post& p, double t) const {
  const Account* author = find_account(Platform::mastodon, p.author_handle);
  const Post* parent = p.parent_id.empty() ? nullptr : find_post(Platform::mastodon, p.parent_id);
  const Account* parent_author =
      parent != nullptr ? find_account(Platform::mastodon, parent->author_handle) : nullptr;
  // Content is HTML; mentions become h-card links as Mastodon renders them.
  std::string html = "<p>";
  boost::json::array mentions;
  const std::string& text = p.text;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '@') {
      std::size_t j = i + 1;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
        ++j;
      if (const Account* m = j > i + 1
                                 ? find_account(Platform::mastodon, text.substr(i + 1, j - i - 1))
                                 : nullptr) {
        html += "<span class=\"h-card\" translate=\"no\"><a href=\"" + base_url_ + "/@" +
                m->handle + "\" class=\"u-url mention\">@<span>" + html_escape(m->handle) +
                "</span></a></span>";
        mentions.push_back(boost::json::object{{"id", m->id},
                                               {"username", m->handle},
                                               {"url", base_url_ + "/@" + m->handle},
                                               {"acct", m->handle}});
        i = j - 1;
        continue;
      }
    }
    html += html_escape(std::string_view(&text[i], 1));
  }
  html += "</p>";
  const auto replies = std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& q) {
    return q.platform == Platform::mastodon && q.materialized && q.parent_id == p.id;
  });
  const std::string handle = author != nullptr ? author->handle : p.author_handle;
  return boost::json::object{
      {"id", p.id},
      {"created_at", p.created_at},
      {"in_reply_to_id",
       parent != nullptr ? boost::json::value(parent->id) : boost::json::value(nullptr)},
      {"in_reply_to_account_id", parent_author != nullptr ? boost::json::value(parent_author->id)
                                                          : boost::json::value(nullptr)},
      {"sensitive", false},
      {"spoiler_text", ""},
      {"visibility", "public"},
      {"language", p.lang},
      {"uri", base_url_ + "/users/" + handle + "/statuses/" + p.id},
      {"url", base_url_ + "/@" + handle + "/" + p.id},
      {"replies_count", replies},
      {"reblogs_count", p.repost_count},
      {"favourites_count", 0},
      {"edited_at", nullptr},
      {"content", html},
      {"reblog", nullptr},
      // Mastodon 4.5 quote posts: the quoted status's id (ShallowQuote shape).
      {"quote", p.quoted_id.empty()
                    ? boost::json::value(nullptr)
                    : boost::json::value(boost::json::object{{"state", "accepted"},
                                                             {"quoted_status_id", p.quoted_id}})},
      {"quotes_count", std::count_if(state_.posts.begin(), state_.posts.end(),
                                     [&](const Post& q) {
                                       return q.platform == Platform::mastodon && q.materialized &&
                                              q.quoted_id == p.id;
                                     })},
      {"account", author != nullptr ? mastodon_account(*author, t) : boost::json::object{}},
      {"media_attachments", boost::json::array{}},
      {"mentions", std::move(mentions)},
      {"tags", boost::json::array{}},
      {"emojis", boost::json::array{}},
      {"card", nullptr},
      {"poll", nullptr}};
}

Reply World::mastodon_api(const Request& request, std::string_view path, double t,
                          LogEntry& entry) {
  if (path == "v1/reports") return mastodon_report(request, t, entry);
  const auto parts = split(path, '/');
  std::string endpoint;
  std::string arg;
  if (parts.size() == 3 && parts[0] == "v1" && parts[1] == "accounts" &&
      (parts[2] == "lookup" || parts[2] == "search")) {
    endpoint = "accounts/" + parts[2];
  } else if (parts.size() == 2 && parts[0] == "v2" && parts[1] == "search") {
    endpoint = "search";
  } else if (parts.size() == 4 && parts[0] == "v1" && parts[1] == "accounts" &&
             parts[3] == "statuses") {
    endpoint = "accounts/:id/statuses";
    arg = url_decode(parts[2]);
  } else if (parts.size() == 4 && parts[0] == "v1" && parts[1] == "statuses" &&
             (parts[3] == "context" || parts[3] == "quotes")) {
    endpoint = "statuses/:id/" + parts[3];
    arg = url_decode(parts[2]);
  } else if (parts.size() == 2 && parts[0] == "v1" && parts[1] == "notifications") {
    endpoint = "notifications";
  } else {
    entry.endpoint = "unknown";
    return mastodon_error(404, "Record not found");
  }
  entry.endpoint = endpoint;
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const Query query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));

  auto fault = apply_fault(Platform::mastodon, endpoint, t, entry);
  if (fault && fault->status != -1) return *fault;

  const bool has_token = !request.authorization.empty();
  const bool token_ok = !state_.settings.mastodon_token.empty() &&
                        request.authorization == "Bearer " + state_.settings.mastodon_token;
  if (has_token && !token_ok) return mastodon_error(401, "The access token is invalid");
  if (endpoint == "notifications" && !has_token)
    return mastodon_error(401, "This method requires an authenticated user");

  Reply out;
  if (auto limited = rate_limit(Platform::mastodon, endpoint, t, out, entry, true)) return *limited;
  auto finish = [&](const boost::json::value& b) {
    out.body = boost::json::serialize(b);
    if (fault) apply_delivery_fault(*fault, out);
    return out;
  };
  auto limit_of = [&](int def, int hi) {
    int n = def;
    if (auto v = query.get("limit")) n = std::atoi(v->c_str());
    return std::clamp(n <= 0 ? def : n, 1, hi);  // Mastodon clamps rather than refusing
  };
  auto listed = [&](const Account& a) { return appeared(a, t) && !is_gone(a, t); };
  auto search_accounts = [&](const std::string& q, int limit, std::size_t offset) {
    boost::json::array out_accounts;
    std::size_t seen = 0;
    for (const Account& a : state_.accounts) {
      if (a.platform != Platform::mastodon || !listed(a) || q.empty()) continue;
      std::string needle = q;
      if (!needle.empty() && needle.front() == '@') needle.erase(0, 1);
      if (!(contains_folded(a.handle, needle) || contains_folded(a.display_name, needle))) continue;
      if (seen++ < offset) continue;
      if (out_accounts.size() >= static_cast<std::size_t>(limit)) break;
      out_accounts.push_back(mastodon_account(a, t));
    }
    return out_accounts;
  };
  // Statuses newest first, paged by id, with the Link header Mastodon sends.
  auto page = [&](std::vector<const Post*> list, int limit, const std::string& link_base,
                  const std::function<boost::json::value(const Post*)>& render) {
    const auto max_id = query.get("max_id");
    const auto since_id = query.get("since_id");
    const auto min_id = query.get("min_id");
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Post* p) {
                                return (max_id && !id_less(p->id, *max_id)) ||
                                       (since_id && !id_less(*since_id, p->id)) ||
                                       (min_id && !id_less(*min_id, p->id));
                              }),
               list.end());
    if (min_id) {
      // The page right after min_id: the oldest `limit` newer ones, shown newest first.
      std::sort(list.begin(), list.end(),
                [](const Post* a, const Post* b) { return id_less(a->id, b->id); });
      if (list.size() > static_cast<std::size_t>(limit))
        list.resize(static_cast<std::size_t>(limit));
    }
    std::sort(list.begin(), list.end(),
              [](const Post* a, const Post* b) { return id_less(b->id, a->id); });
    if (list.size() > static_cast<std::size_t>(limit)) list.resize(static_cast<std::size_t>(limit));
    boost::json::array arr;
    for (const Post* p : list) arr.push_back(render(p));
    if (!list.empty()) {
      const std::string lim = "limit=" + std::to_string(limit);
      std::string link;
      if (list.size() == static_cast<std::size_t>(limit)) {
        link = "<" + link_base + "?" + lim + "&max_id=" + list.back()->id + ">; rel=\"next\", ";
      }
      link += "<" + link_base + "?" + lim + "&min_id=" + list.front()->id + ">; rel=\"prev\"";
      out.headers.emplace_back("Link", link);
    }
    return finish(arr);
  };

  if (endpoint == "accounts/lookup") {
    std::string acct = query.get("acct").value_or("");
    if (acct.empty()) return mastodon_error(400, "Missing required parameter: acct");
    if (!acct.empty() && acct.front() == '@') acct.erase(0, 1);
    const auto at = acct.find('@');
    if (at != std::string::npos) {
      if (acct.substr(at + 1) != state_.settings.mastodon_domain)
        return mastodon_error(404, "Record not found");
      acct.resize(at);
    }
    const Account* a = find_account(Platform::mastodon, acct);
    if (a == nullptr || !appeared(*a, t) || a->handle != acct)
      return mastodon_error(404, "Record not found");
    if (is_gone(*a, t) && a->gone_kind != GoneKind::suspended && a->gone_kind != GoneKind::moved)
      return mastodon_error(404, "Record not found");
    return finish(mastodon_account(*a, t));
  }
  if (endpoint == "accounts/search") {
    const std::size_t offset = std::strtoul(query.get("offset").value_or("0").c_str(), nullptr, 10);
    return finish(search_accounts(query.get("q").value_or(""), limit_of(40, 80), offset));
  }
  if (endpoint == "search") {
    const std::string q = query.get("q").value_or("");
    const std::string type = query.get("type").value_or("");
    const std::size_t offset = std::strtoul(query.get("offset").value_or("0").c_str(), nullptr, 10);
    const int limit = limit_of(20, 40);
    boost::json::array accounts;
    boost::json::array statuses;
    if (type.empty() || type == "accounts") accounts = search_accounts(q, limit, offset);
    if ((type.empty() || type == "statuses") && token_ok && !q.empty()) {
      for (const Post& p : state_.posts) {
        if (p.platform == Platform::mastodon && visible_post(p, t) && contains_folded(p.text, q) &&
            statuses.size() < static_cast<std::size_t>(limit)) {
          statuses.push_back(mastodon_status(p, t));
        }
      }
    }
    return finish(boost::json::object{{"accounts", std::move(accounts)},
                                      {"statuses", std::move(statuses)},
                                      {"hashtags", boost::json::array{}}});
  }
  if (endpoint == "accounts/:id/statuses") {
    const Account* a = find_account(Platform::mastodon, arg);
    if (a == nullptr || a->id != arg || !appeared(*a, t))
      return mastodon_error(404, "Record not found");
    if (is_gone(*a, t)) {
      if (a->gone_kind == GoneKind::suspended) return finish(boost::json::array{});
      return mastodon_error(404, "Record not found");
    }
    const bool exclude_replies = query.get("exclude_replies").value_or("false") == "true";
    std::vector<const Post*> list;
    for (const Post& p : state_.posts) {
      if (p.platform == Platform::mastodon && p.author_handle == a->handle && visible_post(p, t) &&
          !(exclude_replies && !p.parent_id.empty())) {
        list.push_back(&p);
      }
    }
    return page(std::move(list), limit_of(20, 40),
                base_url_ + "/api/v1/accounts/" + a->id + "/statuses",
                [&](const Post* p) { return boost::json::value(mastodon_status(*p, t)); });
  }
  if (endpoint == "statuses/:id/quotes") {
    // Mastodon 4.5: the statuses quoting this one, newest first, paged like a timeline.
    const Post* post = find_post(Platform::mastodon, arg);
    if (post == nullptr || !visible_post(*post, t)) return mastodon_error(404, "Record not found");
    std::vector<const Post*> list;
    for (const Post& q : state_.posts) {
      if (q.platform == Platform::mastodon && q.quoted_id == post->id && visible_post(q, t))
        list.push_back(&q);
    }
    return page(std::move(list), limit_of(20, 40),
                base_url_ + "/api/v1/statuses/" + post->id + "/quotes",
                [&](const Post* p) { return boost::json::value(mastodon_status(*p, t)); });
  }
  if (endpoint == "statuses/:id/context") {
    const Post* post = find_post(Platform::mastodon, arg);
    if (post == nullptr || !visible_post(*post, t)) return mastodon_error(404, "Record not found");
    boost::json::array ancestors;
    std::vector<const Post*> chain;
    for (const Post* cur = post; !cur->parent_id.empty();) {
      const Post* parent = find_post(Platform::mastodon, cur->parent_id);
      if (parent == nullptr || !visible_post(*parent, t)) break;
      chain.push_back(parent);
      cur = parent;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      ancestors.push_back(mastodon_status(**it, t));
    boost::json::array descendants;
    std::function<void(const Post&)> walk = [&](const Post& parent) {
      for (const Post& q : state_.posts) {
        if (q.platform == Platform::mastodon && q.parent_id == parent.id && visible_post(q, t)) {
          descendants.push_back(mastodon_status(q, t));
          walk(q);
        }
      }
    };
    walk(*post);
    return finish(boost::json::object{{"ancestors", std::move(ancestors)},
                                      {"descendants", std::move(descendants)}});
  }
  // notifications: mentions of (and replies to) the token's account.
  const Account* me = find_account(Platform::mastodon, state_.settings.mastodon_account);
  std::vector<const Post*> list;
  if (me != nullptr) {
    for (const Post& p : state_.posts) {
      if (p.platform != Platform::mastodon || p.author_handle == me->handle || !visible_post(p, t))
        continue;
      const Post* parent =
          p.parent_id.empty() ? nullptr : find_post(Platform::mastodon, p.parent_id);
      if ((parent != nullptr && parent->author_handle == me->handle) ||
          contains_folded(p.text, "@" + me->handle)) {
        list.push_back(&p);
      }
    }
  }
  return page(
      std::move(list), limit_of(40, 80), base_url_ + "/api/v1/notifications", [&](const Post* p) {
        const Account* author = find_account(Platform::mastodon, p->author_handle);
        return boost::json::value(boost::json::object{
            {"id", p->id},
            {"type", "mention"},
            {"created_at", p->created_at},
            {"account", author != nullptr ? mastodon_account(*author, t) : boost::json::object{}},
            {"status", mastodon_status(*p, t)}});
      });
}

}  // namespace mamori::fakeplatform
