// Facebook Graph API (Pages) shapes as recorded in tests/data/collectors/facebook/: a page by id
// or username, its feed, the posts of others that tag it (`/tagged`: a post naming "@page"),
// `/pages/search` (only with the scenario's `page_search = true`, as Meta answers only approved
// apps), and a post's comments with `filter=stream` (replies name their `parent`), newest first;
// the Page token in `Authorization: Bearer`. Every list is cursor-paged (`limit`, `after`;
// `paging.cursors` and `paging.next`, paging.h). Errors are Graph `error` objects (world.cpp
// error_reply): an injected 401 is an expired token (190/463), a page that is gone answers 100/33.
#include <algorithm>

#include "tests/fakeplatform/paging.h"
#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

// Graph writes times as 2024-05-20T01:30:00+0000.
std::string graph_time(const std::string& iso) {
  return iso.size() >= 19 ? iso.substr(0, 19) + "+0000" : iso;
}

Query query_of(const Request& request) {
  const std::string_view target = request.target;
  const auto q = target.find('?');
  return Query(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1));
}

// Graph's answer to a cursor that names nothing (an `after` from elsewhere or made up).
Reply invalid_cursor() {
  Reply r;
  r.status = 400;
  boost::json::object error{{"message", "(#100) The after cursor is not valid for this edge"},
                            {"type", "OAuthException"},
                            {"code", 100},
                            {"fbtrace_id", "AQt_fakeplatform"}};
  r.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
  return r;
}

// One page of `items` (ids alongside, in the edge's order) as Graph answers it: `data` and,
// when the page is not empty, `paging.cursors` and (unless it is the last page) `paging.next`.
std::optional<boost::json::object> graph_list(const Request& request, const std::string& base_url,
                                              const Listed& items, std::size_t default_limit,
                                              int cap, const std::string& fault) {
  const Query query = query_of(request);
  const PageCut cut = cut_page(items, query.get("after"), page_size_of(query.get("limit")),
                               default_limit, cap, fault);
  if (cut.invalid_cursor) return std::nullopt;
  boost::json::array data;
  for (std::size_t i = cut.begin; i < cut.end; ++i) data.push_back(items[i].second);
  boost::json::object out{{"data", std::move(data)}};
  if (cut.end > cut.begin || cut.next) {
    boost::json::object cursors{
        {"before", base64url("before:" + (cut.end > cut.begin ? items[cut.begin].first : ""))}};
    boost::json::object paging;
    if (cut.next) {
      cursors["after"] = *cut.next;
      paging["next"] = base_url + with_query_value(request.target, "after", *cut.next);
    }
    paging["cursors"] = std::move(cursors);
    out["paging"] = std::move(paging);
  }
  return out;
}

}  // namespace

boost::json::object World::graph_page(const Account& a) const {
  return boost::json::object{
      {"id", a.id},
      {"name", a.display_name},
      {"username", a.handle},
      {"about", a.description},
      {"website", a.url},
      {"followers_count", a.followers},
      {"verification_status", a.verified ? "blue_verified" : "not_verified"},
      {"picture", boost::json::object{{"data", boost::json::object{{"url", avatar_url(a)},
                                                                   {"is_silhouette", false}}}}}};
}

boost::json::object World::graph_item(const Post& p) const {
  const Account* author = find_account(Platform::facebook, p.author_handle);
  boost::json::object o{{"id", p.id},
                        {"message", p.text},
                        {"created_time", graph_time(p.created_at)},
                        {"from", boost::json::object{{"name", author ? author->display_name : ""},
                                                     {"id", author ? author->id : ""}}}};
  if (!p.parent_id.empty() && p.parent_id != p.root_id) {
    o["parent"] = boost::json::object{{"id", p.parent_id}};
  }
  return o;
}

Reply World::graph_api(const Request& request, std::string_view path, double t, LogEntry& entry) {
  const auto parts = split(path, '/');
  // Instagram is served by the same Graph host: its objects are Instagram accounts and media.
  if (!parts.empty() && (find_account(Platform::instagram, url_decode(parts[0])) != nullptr ||
                         find_post(Platform::instagram, url_decode(parts[0])) != nullptr)) {
    entry.platform = "instagram";
    return instagram_graph(request, parts, t, entry);
  }
  std::string endpoint;
  if (parts.size() == 2 && parts[0] == "pages" && parts[1] == "search") {
    endpoint = "/pages/search";
  } else if (parts.size() == 1 && !parts[0].empty()) {
    endpoint = "/{page-id}";
  } else if (parts.size() == 2 && parts[1] == "feed") {
    endpoint = "/{page-id}/feed";
  } else if (parts.size() == 2 && parts[1] == "tagged") {
    endpoint = "/{page-id}/tagged";
  } else if (parts.size() == 2 && parts[1] == "comments") {
    endpoint = "/{post-id}/comments";
  } else {
    entry.endpoint = "unknown";
    return error_reply(Platform::facebook, 400, "Unknown path components");
  }
  entry.endpoint = endpoint;
  entry.authorized = !request.authorization.empty();
  const std::string object = url_decode(parts[0]);

  auto fault = apply_fault(Platform::facebook, endpoint, t, entry);
  if (fault && fault->status != -1) return *fault;
  if (request.authorization != "Bearer " + state_.settings.facebook_page_token) {
    return error_reply(Platform::facebook, 401,
                       "Invalid OAuth access token - Cannot parse access token");
  }
  Reply out;
  if (auto limited = rate_limit(Platform::facebook, endpoint, t, out, entry, true)) return *limited;
  auto finish = [&](const boost::json::value& b) {
    out.body = boost::json::serialize(b);
    if (fault) apply_delivery_fault(*fault, out);
    return out;
  };
  const auto not_found = [&] {
    return error_reply(Platform::facebook, 404,
                       "(#100) Unsupported get request. Object with ID '" + object +
                           "' does not exist, cannot be loaded due to missing permissions, or "
                           "does not support this operation");
  };

  const int cap = state_.settings.facebook_page_size;
  const std::string paging_fault = fault ? entry.fault : std::string();
  const auto newest_first = [](const Post* a, const Post* b) { return a->seq > b->seq; };

  if (endpoint == "/pages/search") {
    if (!state_.settings.facebook_page_search) {
      Reply r;
      r.status = 400;
      boost::json::object error{
          {"message",
           "(#10) This endpoint requires the 'Page Public Metadata Access' feature. Refer to "
           "https://developers.facebook.com/docs/apps/review/feature for details."},
          {"type", "OAuthException"},
          {"code", 10},
          {"fbtrace_id", "AQt_fakeplatform"}};
      r.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
      return r;
    }
    const std::string q = query_of(request).get("q").value_or("");
    Listed found;
    for (const Account& a : state_.accounts) {
      if (a.platform != Platform::facebook || q.empty() || !appeared(a, t) || is_gone(a, t)) {
        continue;
      }
      if (contains_folded(a.handle, q) || contains_folded(a.display_name, q)) {
        found.emplace_back(a.id, graph_page(a));
      }
    }
    auto list = graph_list(request, base_url_, found, 25, cap, paging_fault);
    return list ? finish(*list) : invalid_cursor();
  }

  if (endpoint != "/{post-id}/comments") {
    const Account* page = find_account(Platform::facebook, object);
    if (page == nullptr || !appeared(*page, t) || is_gone(*page, t)) return not_found();
    if (endpoint == "/{page-id}") return finish(graph_page(*page));
    // The feed: the page's own posts; /tagged: others' posts that tag it ("@handle").
    const bool tagged = endpoint == "/{page-id}/tagged";
    std::vector<const Post*> posts;
    for (const Post& p : state_.posts) {
      if (p.platform != Platform::facebook || !visible_post(p, t) || !p.parent_id.empty()) {
        continue;
      }
      if (tagged ? p.author_handle != page->handle && contains_folded(p.text, "@" + page->handle)
                 : p.author_handle == page->handle) {
        posts.push_back(&p);
      }
    }
    std::sort(posts.begin(), posts.end(), newest_first);
    Listed items;
    for (const Post* p : posts) items.emplace_back(p->id, graph_item(*p));
    auto list = graph_list(request, base_url_, items, 25, cap, paging_fault);
    return list ? finish(*list) : invalid_cursor();
  }

  const Post* target = find_post(Platform::facebook, object);
  if (target == nullptr || !visible_post(*target, t)) return not_found();
  // filter=stream: every comment in the post's conversation, replies included, newest first.
  std::vector<const Post*> comments;
  for (const Post& p : state_.posts) {
    if (p.platform == Platform::facebook && visible_post(p, t) && !p.parent_id.empty() &&
        (p.root_id == target->id || (p.parent_id == target->id))) {
      comments.push_back(&p);
    }
  }
  std::sort(comments.begin(), comments.end(), newest_first);
  Listed items;
  for (const Post* p : comments) items.emplace_back(p->id, graph_item(*p));
  const auto total = static_cast<std::int64_t>(items.size());
  auto list = graph_list(request, base_url_, items, 25, cap, paging_fault);
  if (!list) return invalid_cursor();
  (*list)["summary"] = boost::json::object{
      {"order", "reverse_chronological"}, {"total_count", total}, {"can_comment", true}};
  return finish(*list);
}

// Instagram Graph API: business discovery of another professional account by exact username,
// an account's media, the media of others it is tagged in (`/tags`: a caption naming
// "@username"), a media's comments with their replies expanded (tests/data/collectors/instagram/).
// The lists are cursor-paged like Facebook's.
Reply World::instagram_graph(const Request& request, const std::vector<std::string>& parts,
                             double t, LogEntry& entry) {
  const std::string object = url_decode(parts[0]);
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const Query query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));
  const std::string fields = query.get("fields").value_or("");
  constexpr std::string_view kDiscovery = "business_discovery.username(";
  constexpr std::string_view kMentionedMedia = "mentioned_media.media_id(";
  constexpr std::string_view kMentionedComment = "mentioned_comment.comment_id(";
  std::string endpoint;
  if (parts.size() == 1 && fields.rfind(kDiscovery, 0) == 0) {
    endpoint = "business_discovery";
  } else if (parts.size() == 1 && fields.rfind(kMentionedMedia, 0) == 0) {
    endpoint = "mentioned_media";
  } else if (parts.size() == 1 && fields.rfind(kMentionedComment, 0) == 0) {
    endpoint = "mentioned_comment";
  } else if (parts.size() == 2 && parts[1] == "media") {
    endpoint = "/{ig-user-id}/media";
  } else if (parts.size() == 2 && parts[1] == "tags") {
    endpoint = "/{ig-user-id}/tags";
  } else if (parts.size() == 2 && parts[1] == "comments") {
    endpoint = "/{ig-media-id}/comments";
  } else {
    entry.endpoint = "unknown";
    return error_reply(Platform::instagram, 400, "Unsupported request");
  }
  entry.endpoint = endpoint;
  entry.authorized = !request.authorization.empty();
  auto fault = apply_fault(Platform::instagram, endpoint, t, entry);
  if (fault && fault->status != -1) return *fault;
  if (request.authorization != "Bearer " + state_.settings.instagram_token) {
    return error_reply(Platform::instagram, 401, "Invalid OAuth access token");
  }
  Reply out;
  if (auto limited = rate_limit(Platform::instagram, endpoint, t, out, entry, true))
    return *limited;
  auto finish = [&](const boost::json::value& b) {
    out.body = boost::json::serialize(b);
    if (fault) apply_delivery_fault(*fault, out);
    return out;
  };
  const auto listed = [&](const Account& a) { return appeared(a, t) && !is_gone(a, t); };
  const auto comment_json = [&](const Post& p) {
    const Account* author = find_account(Platform::instagram, p.author_handle);
    return boost::json::object{{"id", p.id},
                               {"text", p.text},
                               {"timestamp", graph_time(p.created_at)},
                               {"username", p.author_handle},
                               {"from", boost::json::object{{"id", author ? author->id : ""},
                                                            {"username", p.author_handle}}},
                               {"like_count", 0}};
  };

  if (endpoint == "business_discovery") {
    std::string name = fields.substr(kDiscovery.size());
    name = name.substr(0, name.find(')'));
    const Account* a = find_account(Platform::instagram, name);
    if (a == nullptr || !listed(*a)) {
      boost::json::object error{
          {"message", "Invalid user id"},
          {"type", "OAuthException"},
          {"code", 110},
          {"error_subcode", 2207013},
          {"error_user_title", "Cannot find User"},
          {"error_user_msg", "The user with username: " + name + " cannot be found."},
          {"fbtrace_id", "AQt_fakeplatform"}};
      Reply r;
      r.status = 400;
      r.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
      return r;
    }
    return finish(boost::json::object{
        {"business_discovery", boost::json::object{{"id", a->id},
                                                   {"username", a->handle},
                                                   {"name", a->display_name},
                                                   {"biography", a->description},
                                                   {"website", a->url},
                                                   {"profile_picture_url", avatar_url(*a)},
                                                   {"followers_count", a->followers},
                                                   {"follows_count", a->following}}},
        {"id", object}});
  }

  // What a Meta `mentions` webhook pointed at (the tests deliver the webhook themselves): a
  // media or comment of the scenario that names "@username" of the account asked about.
  if (endpoint == "mentioned_media" || endpoint == "mentioned_comment") {
    const bool media = endpoint == "mentioned_media";
    const std::string_view prefix = media ? kMentionedMedia : kMentionedComment;
    std::string id = fields.substr(prefix.size());
    id = id.substr(0, id.find(')'));
    const Account* account = find_account(Platform::instagram, object);
    const Post* p = find_post(Platform::instagram, id);
    if (account == nullptr || p == nullptr || !visible_post(*p, t) ||
        (media ? !p->parent_id.empty() : p->parent_id.empty()) ||
        !contains_folded(p->text, "@" + account->handle)) {
      boost::json::object error{{"message", "Unsupported get request. Object with ID '" + id +
                                                "' does not exist, cannot be loaded due to "
                                                "missing permissions, or does not support this "
                                                "operation."},
                                {"type", "GraphMethodException"},
                                {"code", 100},
                                {"error_subcode", 33},
                                {"fbtrace_id", "AQt_fakeplatform"}};
      Reply r;
      r.status = 400;
      r.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
      return r;
    }
    if (media) {
      return finish(boost::json::object{
          {"mentioned_media", boost::json::object{{"id", p->id},
                                                  {"caption", p->text},
                                                  {"timestamp", graph_time(p->created_at)},
                                                  {"username", p->author_handle},
                                                  {"like_count", 0},
                                                  {"comments_count", 0},
                                                  {"media_type", "IMAGE"}}},
          {"id", object}});
    }
    return finish(boost::json::object{
        {"mentioned_comment",
         boost::json::object{{"id", p->id},
                             {"text", p->text},
                             {"timestamp", graph_time(p->created_at)},
                             {"like_count", 0},
                             {"username", p->author_handle},
                             {"media", boost::json::object{{"id", p->root_id}}}}},
        {"id", object}});
  }

  const Account* owner = find_account(Platform::instagram, object);
  const bool media_list = endpoint != "/{ig-media-id}/comments";
  std::vector<const Post*> items;
  for (const Post& p : state_.posts) {
    if (p.platform != Platform::instagram || !visible_post(p, t)) continue;
    bool wanted = false;
    if (endpoint == "/{ig-user-id}/media") {
      wanted = p.parent_id.empty() && owner != nullptr && p.author_handle == owner->handle;
    } else if (endpoint == "/{ig-user-id}/tags") {
      wanted = p.parent_id.empty() && owner != nullptr && p.author_handle != owner->handle &&
               contains_folded(p.text, "@" + owner->handle);
    } else {
      wanted = p.parent_id == object;
    }
    if (wanted) items.push_back(&p);
  }
  std::sort(items.begin(), items.end(),
            [](const Post* a, const Post* b) { return a->seq > b->seq; });
  Listed data;
  for (const Post* p : items) {
    if (media_list) {
      data.emplace_back(p->id, boost::json::object{{"id", p->id},
                                                   {"caption", p->text},
                                                   {"timestamp", graph_time(p->created_at)},
                                                   {"username", p->author_handle},
                                                   {"like_count", 0},
                                                   {"media_type", "IMAGE"}});
      continue;
    }
    boost::json::object c = comment_json(*p);
    boost::json::array replies;
    for (const Post& r : state_.posts) {
      if (r.platform == Platform::instagram && visible_post(r, t) && r.parent_id == p->id) {
        replies.push_back(comment_json(r));
      }
    }
    if (!replies.empty()) c["replies"] = boost::json::object{{"data", std::move(replies)}};
    data.emplace_back(p->id, std::move(c));
  }
  auto list = graph_list(request, base_url_, data, 25, state_.settings.instagram_page_size,
                         fault ? entry.fault : std::string());
  return list ? finish(*list) : invalid_cursor();
}

}  // namespace mamori::fakeplatform
