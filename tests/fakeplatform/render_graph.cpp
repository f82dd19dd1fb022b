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

}  // namespace mamori::fakeplatform
