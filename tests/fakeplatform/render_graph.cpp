// Facebook Graph API (Pages) shapes as recorded in tests/data/collectors/facebook/: a page by id
// or username, its feed, and a post's comments with `filter=stream` (replies name their
// `parent`), newest first; the Page token in `Authorization: Bearer`. Errors are Graph `error`
// objects (world.cpp error_reply): an injected 401 is an expired token (190/463), a page that is
// gone answers 100/33.
#include <algorithm>

#include "tests/fakeplatform/util.h"
#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

// Graph writes times as 2024-05-20T01:30:00+0000.
std::string graph_time(const std::string& iso) {
  return iso.size() >= 19 ? iso.substr(0, 19) + "+0000" : iso;
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
  if (parts.size() == 1 && !parts[0].empty()) {
    endpoint = "/{page-id}";
  } else if (parts.size() == 2 && parts[1] == "feed") {
    endpoint = "/{page-id}/feed";
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

  if (endpoint != "/{post-id}/comments") {
    const Account* page = find_account(Platform::facebook, object);
    if (page == nullptr || !appeared(*page, t) || is_gone(*page, t)) return not_found();
    if (endpoint == "/{page-id}") return finish(graph_page(*page));
    boost::json::array data;
    std::vector<const Post*> posts;
    for (const Post& p : state_.posts) {
      if (p.platform == Platform::facebook && visible_post(p, t) && p.parent_id.empty() &&
          p.author_handle == page->handle) {
        posts.push_back(&p);
      }
    }
    std::sort(posts.begin(), posts.end(),
              [](const Post* a, const Post* b) { return a->seq > b->seq; });
    for (const Post* p : posts) data.push_back(graph_item(*p));
    return finish(boost::json::object{{"data", std::move(data)}});
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
  std::sort(comments.begin(), comments.end(),
            [](const Post* a, const Post* b) { return a->seq > b->seq; });
  boost::json::array data;
  for (const Post* p : comments) data.push_back(graph_item(*p));
  const auto total = static_cast<std::int64_t>(data.size());
  return finish(boost::json::object{
      {"data", std::move(data)},
      {"summary",
       boost::json::object{
           {"order", "reverse_chronological"}, {"total_count", total}, {"can_comment", true}}}});
}

// Instagram Graph API: business discovery of another professional account by exact username,
// an account's media, a media's comments with their replies expanded
// (tests/data/collectors/instagram/).
Reply World::instagram_graph(const Request& request, const std::vector<std::string>& parts,
                             double t, LogEntry& entry) {
  const std::string object = url_decode(parts[0]);
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const Query query(qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));
  const std::string fields = query.get("fields").value_or("");
  constexpr std::string_view kDiscovery = "business_discovery.username(";
  std::string endpoint;
  if (parts.size() == 1 && fields.rfind(kDiscovery, 0) == 0) {
    endpoint = "business_discovery";
  } else if (parts.size() == 2 && parts[1] == "media") {
    endpoint = "/{ig-user-id}/media";
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

  const Account* owner = find_account(Platform::instagram, object);
  std::vector<const Post*> items;
  for (const Post& p : state_.posts) {
    if (p.platform != Platform::instagram || !visible_post(p, t)) continue;
    const bool wanted =
        endpoint == "/{ig-user-id}/media"
            ? p.parent_id.empty() && owner != nullptr && p.author_handle == owner->handle
            : p.parent_id == object;
    if (wanted) items.push_back(&p);
  }
  std::sort(items.begin(), items.end(),
            [](const Post* a, const Post* b) { return a->seq > b->seq; });
  boost::json::array data;
  for (const Post* p : items) {
    if (endpoint == "/{ig-user-id}/media") {
      data.push_back(boost::json::object{{"id", p->id},
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
    data.push_back(std::move(c));
  }
  return finish(boost::json::object{{"data", std::move(data)}});
}

}  // namespace mamori::fakeplatform
