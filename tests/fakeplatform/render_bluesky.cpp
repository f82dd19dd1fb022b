// Bluesky XRPC shapes (app.bsky.* lexicons): profiles, search, author feed, threads,
// notifications, and com.atproto.server sessions with JWT-shaped tokens that expire.
#include <algorithm>

#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

Reply xrpc_error(int status, const std::string& error, const std::string& message) {
  Reply r;
  r.status = status;
  r.body = boost::json::serialize(boost::json::object{{"error", error}, {"message", message}});
  return r;
}

int clamp_limit(const Query& q, int def, int hi, bool* bad) {
  auto v = q.get("limit");
  if (!v) return def;
  try {
    const int n = std::stoi(*v);
    if (n < 1 || n > hi) *bad = true;
    return n;
  } catch (const std::exception&) {
    *bad = true;
    return def;
  }
}

}  // namespace

std::string World::bsky_uri(const Post& p) const {
  const Account* a = find_account(Platform::bluesky, p.author_handle);
  return "at://" + (a != nullptr ? a->id : std::string("did:plc:unknown")) +
         "/app.bsky.feed.post/" + p.id;
}

// detail: 0 basic (post authors), 1 profileView (search, notifications), 2 detailed.
boost::json::object World::bsky_profile(const Account& a, int detail) const {
  boost::json::object o{{"did", a.id},
                        {"handle", a.handle},
                        {"displayName", a.display_name},
                        {"avatar", avatar_url(a)},
                        {"labels", boost::json::array{}},
                        {"createdAt", a.created_at}};
  if (detail >= 1) {
    o["description"] = a.url.empty() ? a.description : a.description + "\n" + a.url;
    o["indexedAt"] = a.created_at;
  }
  if (detail >= 2) {
    const auto posts = std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& p) {
      return p.platform == Platform::bluesky && p.materialized && p.author_handle == a.handle;
    });
    o["followersCount"] = a.followers;
    o["followsCount"] = a.following;
    o["postsCount"] = posts;
    o["associated"] =
        boost::json::object{{"lists", 0}, {"feedgens", 0}, {"starterPacks", 0}, {"labeler", false}};
  }
  return o;
}

boost::json::object World::bsky_post(const Post& p) const {
  const Account* author = find_account(Platform::bluesky, p.author_handle);
  boost::json::object record{{"$type", "app.bsky.feed.post"},
                             {"createdAt", p.created_at},
                             {"langs", boost::json::array{boost::json::value(p.lang)}},
                             {"text", p.text}};
  if (!p.parent_id.empty()) {
    const Post* parent = find_post(Platform::bluesky, p.parent_id);
    const Post* root = find_post(Platform::bluesky, p.root_id);
    if (parent != nullptr && root != nullptr) {
      record["reply"] = boost::json::object{
          {"parent", boost::json::object{{"cid", parent->cid}, {"uri", bsky_uri(*parent)}}},
          {"root", boost::json::object{{"cid", root->cid}, {"uri", bsky_uri(*root)}}}};
    }
  }
  // Mentions are facets with UTF-8 byte offsets.
  boost::json::array facets;
  for (std::size_t i = 0; i < p.text.size(); ++i) {
    if (p.text[i] != '@') continue;
    std::size_t j = i + 1;
    while (j < p.text.size() && (std::isalnum(static_cast<unsigned char>(p.text[j])) ||
                                 p.text[j] == '.' || p.text[j] == '-'))
      ++j;
    while (j > i + 1 && p.text[j - 1] == '.') --j;
    if (const Account* m = find_account(Platform::bluesky, p.text.substr(i + 1, j - i - 1))) {
      facets.push_back(boost::json::object{
          {"$type", "app.bsky.richtext.facet"},
          {"index", boost::json::object{{"byteStart", i}, {"byteEnd", j}}},
          {"features", boost::json::array{boost::json::object{
                           {"$type", "app.bsky.richtext.facet#mention"}, {"did", m->id}}}}});
    }
    i = j - 1;
  }
  if (!facets.empty()) record["facets"] = std::move(facets);
  if (!p.quoted_id.empty()) {
    if (const Post* quoted = find_post(Platform::bluesky, p.quoted_id)) {
      record["embed"] = boost::json::object{
          {"$type", "app.bsky.embed.record"},
          {"record", boost::json::object{{"cid", quoted->cid}, {"uri", bsky_uri(*quoted)}}}};
    }
  }
  const auto quotes = std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& q) {
    return q.platform == Platform::bluesky && q.materialized && q.quoted_id == p.id;
  });
  const auto replies = std::count_if(state_.posts.begin(), state_.posts.end(), [&](const Post& q) {
    return q.platform == Platform::bluesky && q.materialized && q.parent_id == p.id;
  });
  boost::json::object o{
      {"uri", bsky_uri(p)},
      {"cid", p.cid},
      {"author", author != nullptr ? bsky_profile(*author, 0) : boost::json::object{}},
      {"record", std::move(record)},
      {"replyCount", replies},
      {"repostCount", p.repost_count},
      {"likeCount", 0},
      {"quoteCount", p.quote_count + quotes},
      {"indexedAt", p.created_at},
      {"labels", boost::json::array{}}};
  return o;
}

boost::json::object World::bsky_thread(const Post& p, int depth, double t) const {
  boost::json::object node{{"$type", "app.bsky.feed.defs#threadViewPost"}, {"post", bsky_post(p)}};
  if (depth > 0) {
    boost::json::array replies;
    for (const Post& q : state_.posts) {
      if (q.platform == Platform::bluesky && q.parent_id == p.id && visible_post(q, t)) {
        replies.push_back(bsky_thread(q, depth - 1, t));
      }
    }
    node["replies"] = std::move(replies);
  }
  return node;
}

Reply World::bluesky_api(const Request& request, std::string_view path, double t, LogEntry& entry) {
  static const std::vector<std::string> kMethods = {
      "app.bsky.actor.getProfile",        "app.bsky.actor.getProfiles",
      "app.bsky.actor.searchActors",      "app.bsky.feed.getAuthorFeed",
      "app.bsky.feed.getPostThread",      "app.bsky.feed.searchPosts",
      "app.bsky.feed.getQuotes",          "app.bsky.notification.listNotifications",
      "com.atproto.server.createSession", "com.atproto.server.refreshSession"};
  const std::string method(path);
  if (method == "com.atproto.moderation.createReport") return bluesky_report(request, t, entry);
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
    entry.endpoint = "unknown";
    return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented");
  }
  entry.endpoint = method;
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const Query query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));

  auto fault = apply_fault(Platform::bluesky, method, t, entry);
  if (fault && fault->status != -1) return *fault;

  const bool is_procedure = method.rfind("com.atproto.server.", 0) == 0;
  if (is_procedure != (request.method == "POST")) {
    return xrpc_error(400, "InvalidRequest",
                      std::string("Incorrect HTTP method (") + request.method + ") expected " +
                          (is_procedure ? "POST" : "GET"));
  }

  // Authorization: optional on public reads, required for notifications and refresh.
  const Session* session = nullptr;
  std::string token;
  if (request.authorization.rfind("Bearer ", 0) == 0) token = request.authorization.substr(7);
  if (!token.empty()) {
    auto it = sessions_.find(token);
    if (it == sessions_.end())
      return xrpc_error(400, "InvalidToken", "Token could not be verified");
    if (t >= it->second.expires) return xrpc_error(400, "ExpiredToken", "Token has expired");
    session = &it->second;
    if (session->refresh != (method == "com.atproto.server.refreshSession")) {
      return xrpc_error(400, "InvalidToken", "Invalid token type");
    }
  }
  if ((method == "app.bsky.notification.listNotifications" ||
       method == "com.atproto.server.refreshSession") &&
      session == nullptr) {
    return xrpc_error(401, "AuthMissing", "Authentication Required");
  }

  Reply out;
  if (auto limited = rate_limit(Platform::bluesky, method, t, out, entry, true)) return *limited;
  auto finish = [&](const boost::json::object& b) {
    out.body = boost::json::serialize(b);
    if (fault) apply_delivery_fault(*fault, out);
    return out;
  };
  auto new_session = [&](const std::string& did, const std::string& handle) {
    auto jwt = [&](const char* scope, double ttl) {
      const std::int64_t now_s =
          (start_.time_since_epoch().count() + static_cast<std::int64_t>(t * 1000)) / 1000;
      const std::string header = base64url(R"({"typ":"at+jwt","alg":"ES256K"})");
      const std::string payload = base64url(boost::json::serialize(
          boost::json::object{{"scope", scope},
                              {"sub", did},
                              {"iat", now_s},
                              {"exp", now_s + static_cast<std::int64_t>(ttl)},
                              {"jti", std::to_string(++token_counter_)}}));
      return header + "." + payload + "." +
             base64url("signature-" + std::to_string(token_counter_));
    };
    const std::string access = jwt("com.atproto.access", state_.settings.bsky_access_ttl);
    const std::string refresh = jwt("com.atproto.refresh", 90 * 86400);
    sessions_[access] = Session{did, t + state_.settings.bsky_access_ttl, false};
    sessions_[refresh] = Session{did, t + 90 * 86400, true};
    return boost::json::object{{"did", did},
                               {"handle", handle},
                               {"accessJwt", access},
                               {"refreshJwt", refresh},
                               {"active", true}};
  };

  if (method == "com.atproto.server.createSession") {
    boost::system::error_code ec;
    auto v = boost::json::parse(request.body, ec);
    if (ec || !v.is_object())
      return xrpc_error(400, "InvalidRequest", "Request body must be a JSON object");
    const auto* id = v.as_object().if_contains("identifier");
    const auto* pw = v.as_object().if_contains("password");
    if (id == nullptr || !id->is_string())
      return xrpc_error(400, "InvalidRequest", "Input must have the property \"identifier\"");
    if (pw == nullptr || !pw->is_string())
      return xrpc_error(400, "InvalidRequest", "Input must have the property \"password\"");
    if (state_.settings.bsky_identifier.empty() ||
        std::string(id->as_string()) != state_.settings.bsky_identifier ||
        std::string(pw->as_string()) != state_.settings.bsky_password) {
      return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password");
    }
    const Account* a = find_account(Platform::bluesky, state_.settings.bsky_identifier);
    const std::string did =
        a != nullptr ? a->id : "did:plc:" + base32_lower(state_.settings.bsky_identifier, 24);
    boost::json::object b = new_session(did, state_.settings.bsky_identifier);
    b["emailConfirmed"] = true;
    return finish(b);
  }
  if (method == "com.atproto.server.refreshSession") {
    const std::string did = session->did;
    sessions_.erase(token);  // a refresh token is single-use
    const Account* a = find_account(Platform::bluesky, did);
    return finish(new_session(did, a != nullptr ? a->handle : state_.settings.bsky_identifier));
  }

  auto actor_error = [&](const Account* a) -> std::optional<Reply> {
    if (a == nullptr || !appeared(*a, t))
      return xrpc_error(400, "InvalidRequest", "Profile not found");
    if (!is_gone(*a, t)) return std::nullopt;
    switch (a->gone_kind) {
      case GoneKind::suspended:
        return xrpc_error(400, "AccountTakedown", "Account has been suspended");
      case GoneKind::deactivated:
        return xrpc_error(400, "AccountDeactivated", "Account is deactivated");
      case GoneKind::not_found:
      case GoneKind::moved:
        break;
    }
    return xrpc_error(400, "InvalidRequest", "Profile not found");
  };
  auto require = [&](const char* name) -> std::optional<Reply> {
    if (query.has(name)) return std::nullopt;
    return xrpc_error(400, "InvalidRequest",
                      std::string("Error: Params must have the property \"") + name + "\"");
  };
  bool bad_limit = false;

  if (method == "app.bsky.actor.getProfile") {
    if (auto e = require("actor")) return *e;
    const Account* a = find_account(Platform::bluesky, *query.get("actor"));
    if (auto e = actor_error(a)) return *e;
    return finish(bsky_profile(*a, 2));
  }
  if (method == "app.bsky.actor.getProfiles") {
    const auto actors = query.all("actors");
    if (actors.empty())
      return xrpc_error(400, "InvalidRequest", "Error: Params must have the property \"actors\"");
    if (actors.size() > 25)
      return xrpc_error(400, "InvalidRequest", "Error: actors must not have more than 25 elements");
    boost::json::array profiles;
    for (const auto& name : actors) {
      const Account* a = find_account(Platform::bluesky, name);
      if (a != nullptr && appeared(*a, t) && !is_gone(*a, t))
        profiles.push_back(bsky_profile(*a, 2));
    }
    return finish(boost::json::object{{"profiles", std::move(profiles)}});
  }
  if (method == "app.bsky.actor.searchActors") {
    const std::string q = query.get("q").value_or(query.get("term").value_or(""));
    const int limit = clamp_limit(query, 25, 100, &bad_limit);
    if (bad_limit)
      return xrpc_error(400, "InvalidRequest", "Error: limit must be between 1 and 100");
    const std::size_t offset = std::strtoul(query.get("cursor").value_or("0").c_str(), nullptr, 10);
    std::vector<const Account*> hits;
    for (const Account& a : state_.accounts) {
      if (a.platform != Platform::bluesky || !appeared(a, t) || is_gone(a, t) || q.empty())
        continue;
      if (contains_folded(a.handle, q) || contains_folded(a.display_name, q) ||
          contains_folded(a.description, q))
        hits.push_back(&a);
    }
    boost::json::array actors;
    for (std::size_t i = offset; i < hits.size() && actors.size() < static_cast<std::size_t>(limit);
         ++i) {
      actors.push_back(bsky_profile(*hits[i], 1));
    }
    boost::json::object b{{"actors", std::move(actors)}};
    if (offset + static_cast<std::size_t>(limit) < hits.size())
      b["cursor"] = std::to_string(offset + static_cast<std::size_t>(limit));
    return finish(b);
  }

  // Feeds: newest first; the cursor is the sequence number of the last item returned.
  auto page = [&](std::vector<const Post*> list, int limit) {
    std::sort(list.begin(), list.end(),
              [](const Post* a, const Post* b) { return a->seq > b->seq; });
    if (auto c = query.get("cursor")) {
      const std::uint64_t below = std::strtoull(c->c_str(), nullptr, 10);
      list.erase(
          std::remove_if(list.begin(), list.end(), [&](const Post* p) { return p->seq >= below; }),
          list.end());
    }
    std::optional<std::string> cursor;
    if (list.size() > static_cast<std::size_t>(limit)) {
      list.resize(static_cast<std::size_t>(limit));
      cursor = std::to_string(list.back()->seq);
    }
    return std::make_pair(list, cursor);
  };

  if (method == "app.bsky.feed.getAuthorFeed") {
    if (auto e = require("actor")) return *e;
    const Account* a = find_account(Platform::bluesky, *query.get("actor"));
    if (auto e = actor_error(a)) return *e;
    const int limit = clamp_limit(query, 50, 100, &bad_limit);
    if (bad_limit)
      return xrpc_error(400, "InvalidRequest", "Error: limit must be between 1 and 100");
    const std::string filter = query.get("filter").value_or("posts_with_replies");
    std::vector<const Post*> list;
    for (const Post& p : state_.posts) {
      if (p.platform != Platform::bluesky || p.author_handle != a->handle || !visible_post(p, t))
        continue;
      if (filter == "posts_no_replies" && !p.parent_id.empty()) continue;
      list.push_back(&p);
    }
    auto [items, cursor] = page(std::move(list), limit);
    boost::json::array feed;
    for (const Post* p : items) {
      boost::json::object item{{"post", bsky_post(*p)}};
      if (!p->parent_id.empty()) {
        const Post* parent = find_post(Platform::bluesky, p->parent_id);
        const Post* root = find_post(Platform::bluesky, p->root_id);
        auto view = [&](const Post* q) -> boost::json::value {
          if (q != nullptr && visible_post(*q, t)) {
            boost::json::object v = bsky_post(*q);
            v["$type"] = "app.bsky.feed.defs#postView";
            return v;
          }
          return boost::json::object{{"$type", "app.bsky.feed.defs#notFoundPost"},
                                     {"uri", q != nullptr ? bsky_uri(*q) : std::string()},
                                     {"notFound", true}};
        };
        item["reply"] = boost::json::object{{"root", view(root)}, {"parent", view(parent)}};
      }
      feed.push_back(std::move(item));
    }
    boost::json::object b{{"feed", std::move(feed)}};
    if (cursor) b["cursor"] = *cursor;
    return finish(b);
  }
  if (method == "app.bsky.feed.getQuotes") {
    if (auto e = require("uri")) return *e;
    const std::string uri = *query.get("uri");
    const int limit = clamp_limit(query, 50, 100, &bad_limit);
    if (bad_limit)
      return xrpc_error(400, "InvalidRequest", "Error: limit must be between 1 and 100");
    // Quotes of a post that does not exist are simply none.
    const auto parts = split(uri, '/');
    const Post* quoted = parts.size() == 5 ? find_post(Platform::bluesky, parts[4]) : nullptr;
    std::vector<const Post*> list;
    for (const Post& p : state_.posts) {
      if (quoted != nullptr && p.platform == Platform::bluesky && visible_post(p, t) &&
          p.quoted_id == quoted->id)
        list.push_back(&p);
    }
    auto [items, cursor] = page(std::move(list), limit);
    boost::json::array posts;
    for (const Post* p : items) posts.push_back(bsky_post(*p));
    boost::json::object b{{"uri", uri}, {"posts", std::move(posts)}};
    if (quoted != nullptr) b["cid"] = quoted->cid;
    if (cursor) b["cursor"] = *cursor;
    return finish(b);
  }
  if (method == "app.bsky.feed.getPostThread") {
    if (auto e = require("uri")) return *e;
    const std::string uri = *query.get("uri");
    // at://<did or handle>/app.bsky.feed.post/<rkey>
    const auto parts = split(uri, '/');
    const Post* post = nullptr;
    if (uri.rfind("at://", 0) == 0 && parts.size() == 5 && parts[3] == "app.bsky.feed.post") {
      const Account* author = find_account(Platform::bluesky, parts[2]);
      const Post* p = find_post(Platform::bluesky, parts[4]);
      if (author != nullptr && p != nullptr && p->author_handle == author->handle &&
          visible_post(*p, t))
        post = p;
    }
    if (post == nullptr) return xrpc_error(400, "NotFound", "Post not found: " + uri);
    int depth = 6;
    if (auto d = query.get("depth")) depth = std::clamp(std::atoi(d->c_str()), 0, 1000);
    boost::json::object thread = bsky_thread(*post, depth, t);
    // Parents up to the root (parentHeight defaults to 80).
    boost::json::object* cursor_node = &thread;
    const Post* cur = post;
    for (int h = 0; h < 80 && !cur->parent_id.empty(); ++h) {
      const Post* parent = find_post(Platform::bluesky, cur->parent_id);
      if (parent == nullptr) break;
      if (!visible_post(*parent, t)) {
        (*cursor_node)["parent"] = boost::json::object{{"$type", "app.bsky.feed.defs#notFoundPost"},
                                                       {"uri", bsky_uri(*parent)},
                                                       {"notFound", true}};
        break;
      }
      (*cursor_node)["parent"] = boost::json::object{{"$type", "app.bsky.feed.defs#threadViewPost"},
                                                     {"post", bsky_post(*parent)}};
      cursor_node = &(*cursor_node)["parent"].as_object();
      cur = parent;
    }
    return finish(boost::json::object{{"thread", std::move(thread)}});
  }
  if (method == "app.bsky.feed.searchPosts") {
    if (auto e = require("q")) return *e;
    const int limit = clamp_limit(query, 25, 100, &bad_limit);
    if (bad_limit)
      return xrpc_error(400, "InvalidRequest", "Error: limit must be between 1 and 100");
    std::vector<std::string> words;
    std::string from;
    for (const auto& w : split(*query.get("q"), ' ')) {
      if (w.rfind("from:", 0) == 0) {
        from = w.substr(5);
      } else if (!w.empty()) {
        words.push_back(w);
      }
    }
    std::vector<const Post*> list;
    for (const Post& p : state_.posts) {
      if (p.platform != Platform::bluesky || !visible_post(p, t)) continue;
      if (!from.empty() && model::ascii_lower(p.author_handle) != model::ascii_lower(from))
        continue;
      if (std::all_of(words.begin(), words.end(),
                      [&](const std::string& w) { return contains_folded(p.text, w); }))
        list.push_back(&p);
    }
    const auto total = static_cast<std::int64_t>(list.size());
    auto [items, cursor] = page(std::move(list), limit);
    boost::json::array posts;
    for (const Post* p : items) posts.push_back(bsky_post(*p));
    boost::json::object b{{"posts", std::move(posts)}, {"hitsTotal", total}};
    if (cursor) b["cursor"] = *cursor;
    return finish(b);
  }
  // app.bsky.notification.listNotifications: replies to and mentions of the session's account.
  const int limit = clamp_limit(query, 50, 100, &bad_limit);
  if (bad_limit) return xrpc_error(400, "InvalidRequest", "Error: limit must be between 1 and 100");
  const Account* me = find_account(Platform::bluesky, session->did);
  std::vector<const Post*> list;
  std::vector<std::string> reasons;
  for (const Post& p : state_.posts) {
    if (p.platform != Platform::bluesky || me == nullptr || p.author_handle == me->handle ||
        !visible_post(p, t))
      continue;
    const Post* parent = p.parent_id.empty() ? nullptr : find_post(Platform::bluesky, p.parent_id);
    if ((parent != nullptr && parent->author_handle == me->handle) ||
        contains_folded(p.text, "@" + me->handle)) {
      list.push_back(&p);
    }
  }
  auto [items, cursor] = page(std::move(list), limit);
  boost::json::array notifications;
  for (const Post* p : items) {
    const Post* parent =
        p->parent_id.empty() ? nullptr : find_post(Platform::bluesky, p->parent_id);
    const bool reply = parent != nullptr && parent->author_handle == me->handle;
    const Account* author = find_account(Platform::bluesky, p->author_handle);
    boost::json::object post = bsky_post(*p);
    boost::json::object n{
        {"uri", bsky_uri(*p)},
        {"cid", p->cid},
        {"author", author != nullptr ? bsky_profile(*author, 1) : boost::json::object{}},
        {"reason", reply ? "reply" : "mention"},
        {"record", post["record"]},
        {"isRead", false},
        {"indexedAt", p->created_at},
        {"labels", boost::json::array{}}};
    if (reply) n["reasonSubject"] = bsky_uri(*parent);
    notifications.push_back(std::move(n));
  }
  boost::json::object b{{"notifications", std::move(notifications)}, {"priority", false}};
  if (cursor) b["cursor"] = *cursor;
  return finish(b);
}

}  // namespace mamori::fakeplatform
