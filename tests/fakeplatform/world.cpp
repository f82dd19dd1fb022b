// Request routing, faults, rate limits and the control API of the fake platform server.
// The platform renderers live in render_x.cpp, render_bluesky.cpp and render_mastodon.cpp.
#include "tests/fakeplatform/world.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "tests/fakeplatform/util.h"

namespace mamori::fakeplatform {
namespace {

constexpr std::size_t kMaxLog = 200000;

std::string reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

Reply json_reply(int status, const boost::json::value& v) {
  Reply r;
  r.status = status;
  r.body = boost::json::serialize(v);
  return r;
}

std::string platform_name(Platform p) {
  return std::string(model::to_string(p));
}

std::optional<std::string> field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

double number_field(const boost::json::object& o, std::string_view key, double fallback) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return fallback;
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  if (v->is_double()) return v->as_double();
  return fallback;
}

Reply control_error(const std::string& message) {
  return json_reply(400, boost::json::object{{"error", message}});
}

}  // namespace

World::World(Scenario scenario, std::string base_url)
    : initial_(std::move(scenario)), state_(initial_), base_url_(std::move(base_url)) {
  // Account ids are fixed at load time; posts get theirs when they appear.
  std::uint64_t n = 0;
  for (auto* list : {&state_.accounts}) {
    for (Account& a : *list) {
      ++n;
      if (!a.id.empty()) continue;
      switch (a.platform) {
        case Platform::x:
          a.id = std::to_string(1500000000000000000ULL + fnv1a(a.handle) % 100000000000ULL);
          break;
        case Platform::bluesky:
          a.id = "did:plc:" + base32_lower(a.handle, 24);
          break;
        case Platform::mastodon:
          a.id = std::to_string(109000000000000000ULL + fnv1a(a.handle) % 1000000000000ULL);
          break;
        case Platform::facebook:
          a.id = std::to_string(100000000000000ULL + fnv1a(a.handle) % 10000000000000ULL);
          break;
        case Platform::instagram:
          a.id = std::to_string(17841400000000000ULL + fnv1a(a.handle) % 100000000000ULL);
          break;
        case Platform::youtube:
          a.id = "UC" + base32_lower(a.handle, 22);
          break;
      }
    }
  }
  initial_.accounts = state_.accounts;
}

void World::reset(WallTime now) {
  state_ = initial_;
  start_ = now;
  fired_.clear();
  windows_.clear();
  sessions_.clear();
  log_.clear();
  spent_usd_ = 0.0;
  post_seq_ = 0;
  last_id_.clear();
  reports_.clear();
  pages_.clear();
}

double World::seconds(WallTime now) const {
  return std::chrono::duration<double>(now - start_).count();
}

bool World::triggered(const std::string& trigger, double* fired_at) const {
  if (trigger.empty()) {
    *fired_at = 0;
    return true;
  }
  auto it = fired_.find(trigger);
  if (it == fired_.end()) return false;
  *fired_at = it->second;
  return true;
}

bool World::appeared(const Account& a, double t) const {
  double base = 0;
  return triggered(a.trigger, &base) && t >= base + a.appears_at;
}

bool World::is_gone(const Account& a, double t) const {
  return a.gone_at && t >= *a.gone_at;
}

bool World::visible_post(const Post& p, double t) const {
  if (!p.materialized) return false;
  const Account* author = find_account(p.platform, p.author_handle);
  return author != nullptr && appeared(*author, t) && !is_gone(*author, t);
}

const Account* World::find_account(Platform p, std::string_view key) const {
  for (const Account& a : state_.accounts) {
    if (a.platform == p && (a.id == key || model::ascii_lower(a.handle) == model::ascii_lower(key)))
      return &a;
  }
  return nullptr;
}

Account* World::find_account_mut(Platform p, std::string_view key) {
  return const_cast<Account*>(static_cast<const World*>(this)->find_account(p, key));
}

const Post* World::find_post(Platform p, std::string_view id) const {
  for (const Post& post : state_.posts) {
    if (post.platform == p && post.materialized && post.id == id) return &post;
  }
  return nullptr;
}

std::string World::next_post_id(Platform p, WallTime when) {
  const std::int64_t ms = when.time_since_epoch().count();
  switch (p) {
    case Platform::x: {
      // Snowflake: milliseconds since X's epoch, shifted past worker and sequence bits.
      std::int64_t v = (ms - 1288834974657LL) << 22;
      v = std::max(v, last_id_[p] + 1);
      last_id_[p] = v;
      return std::to_string(v);
    }
    case Platform::facebook: {
      // Graph ids of posts and comments carry an underscore ("{object}_{n}"), so they never
      // equal an Instagram id on the same Graph host.
      std::int64_t v = ms << 16;
      v = std::max(v, last_id_[p] + 1);
      last_id_[p] = v;
      return std::to_string(v >> 24) + "_" + std::to_string(v);
    }
    case Platform::mastodon:
    case Platform::instagram:
    case Platform::youtube: {
      // Increasing decimal ids.
      std::int64_t v = ms << 16;
      v = std::max(v, last_id_[p] + 1);
      last_id_[p] = v;
      return std::to_string(v);
    }
    case Platform::bluesky: {
      // A TID: microseconds since the epoch and a clock id, base32-sortable.
      std::int64_t v = (ms * 1000) << 10;
      v = std::max(v, last_id_[p] + 1);
      last_id_[p] = v;
      return base32_sortable(static_cast<std::uint64_t>(v), 13);
    }
  }
  return "0";
}

// Posts appear in the order of their appearance time; each gets its id then, so ids grow with
// time exactly as on the real platforms (since_id cursors depend on it).
void World::advance(WallTime now) {
  const double t = seconds(now);
  std::vector<std::pair<double, Post*>> due;
  for (Post& p : state_.posts) {
    if (p.materialized) continue;
    double base = 0;
    if (!triggered(p.trigger, &base)) continue;
    if (t >= base + p.at) due.emplace_back(base + p.at, &p);
  }
  std::stable_sort(due.begin(), due.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [when_s, p] : due) {
    const WallTime when =
        start_ + std::chrono::milliseconds(static_cast<std::int64_t>(when_s * 1000));
    if (p->id.empty()) p->id = next_post_id(p->platform, when);
    if (p->key.empty()) p->key = p->id;
    p->created_at =
        p->fixed_created_at.empty() ? model::iso8601_utc(when, true) : p->fixed_created_at;
    p->seq = ++post_seq_;
    p->cid = "bafyrei" + base32_lower(p->id + p->text, 52);
    p->created_wall = when;
    if (!p->quotes.empty()) {
      for (const Post& quoted : state_.posts) {
        if (quoted.platform == p->platform && quoted.materialized &&
            (quoted.key == p->quotes || quoted.id == p->quotes)) {
          p->quoted_id = quoted.id;
          break;
        }
      }
    }
    if (!p->in_reply_to.empty()) {
      for (const Post& parent : state_.posts) {
        if (parent.platform == p->platform && parent.materialized &&
            (parent.key == p->in_reply_to || parent.id == p->in_reply_to)) {
          p->parent_id = parent.id;
          p->root_id = parent.root_id.empty() ? parent.id : parent.root_id;
          // On X a reply's text starts with the @handle it answers.
          if (p->platform == Platform::x && (p->text.empty() || p->text.front() != '@')) {
            p->text = "@" + parent.author_handle + " " + p->text;
          }
          break;
        }
      }
    }
    p->materialized = true;
  }
}

std::string World::avatar_url(const Account& a) const {
  const std::string url =
      base_url_ + "/media/" + platform_name(a.platform) + "/" + url_encode(a.id) + ".png";
  return a.avatar_version > 0 ? url + "?v=" + std::to_string(a.avatar_version) : url;
}

Reply World::error_reply(Platform p, int status, const std::string& detail) const {
  switch (p) {
    case Platform::x:
      return json_reply(
          status, boost::json::object{{"title", reason_phrase(status)},
                                      {"detail", detail.empty() ? reason_phrase(status) : detail},
                                      {"type", "about:blank"},
                                      {"status", status}});
    case Platform::bluesky: {
      std::string error = "InternalServerError";
      if (status == 429) error = "RateLimitExceeded";
      if (status == 502 || status == 503 || status == 504) error = "UpstreamFailure";
      if (status == 400) error = "InvalidRequest";
      if (status == 401) error = "AuthenticationRequired";
      return json_reply(status, boost::json::object{
                                    {"error", error},
                                    {"message", detail.empty() ? reason_phrase(status) : detail}});
    }
    case Platform::mastodon:
      if (status == 502 || status == 503 || status == 504) {
        // Mastodon sits behind nginx: gateway errors come as its HTML page.
        Reply r;
        r.status = status;
        r.content_type = "text/html";
        r.body = "<html>\r\n<head><title>" + std::to_string(status) + " " + reason_phrase(status) +
                 "</title></head>\r\n<body>\r\n<center><h1>" + std::to_string(status) + " " +
                 reason_phrase(status) +
                 "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        return r;
      }
      if (status == 429)
        return json_reply(status, boost::json::object{{"error", "Too many requests"}});
      return json_reply(
          status, boost::json::object{{"error", detail.empty() ? reason_phrase(status) : detail}});
    case Platform::facebook:
    case Platform::instagram: {
      // The Graph API error object (tests/data/collectors/facebook/error_*.json).
      // 401: an expired token (190/463); 404: an object that does not exist (100/33).
      boost::json::object error{{"message", detail.empty() ? reason_phrase(status) : detail},
                                {"type", "OAuthException"},
                                {"code", status == 429   ? 4
                                         : status == 401 ? 190
                                         : status == 404 ? 100
                                                         : 1},
                                {"fbtrace_id", "AQt_fakeplatform"}};
      if (status == 401) error["error_subcode"] = 463;
      if (status == 404) error["error_subcode"] = 33;
      return json_reply(status, boost::json::object{{"error", std::move(error)}});
    }
    case Platform::youtube: {
      // The Google API error (tests/data/collectors/youtube/error_*.json).
      const std::string message = detail.empty() ? reason_phrase(status) : detail;
      boost::json::object reason{{"message", message},
                                 {"domain", "global"},
                                 {"reason", status == 404   ? "notFound"
                                            : status == 403 ? "quotaExceeded"
                                                            : "backendError"}};
      boost::json::object error{{"code", status},
                                {"message", message},
                                {"errors", boost::json::array{std::move(reason)}}};
      return json_reply(status, boost::json::object{{"error", std::move(error)}});
    }
  }
  return json_reply(status, boost::json::object{});
}

void World::add_rate_headers(Platform p, std::int64_t limit, std::int64_t remaining, double reset_t,
                             double window, Reply& reply) const {
  const WallTime reset =
      start_ + std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(reset_t * 1000)));
  const std::int64_t reset_ms = reset.time_since_epoch().count();
  auto& h = reply.headers;
  switch (p) {
    case Platform::x:
      h.emplace_back("x-rate-limit-limit", std::to_string(limit));
      h.emplace_back("x-rate-limit-remaining", std::to_string(remaining));
      // Rounded up: the window is open again at that second.
      h.emplace_back("x-rate-limit-reset", std::to_string((reset_ms + 999) / 1000));
      break;
    case Platform::bluesky:
      h.emplace_back("RateLimit-Limit", std::to_string(limit));
      h.emplace_back("RateLimit-Remaining", std::to_string(remaining));
      // Rounded down, as the AppView and PDS do.
      h.emplace_back("RateLimit-Reset", std::to_string(reset_ms / 1000));
      h.emplace_back("RateLimit-Policy", std::to_string(limit) + ";w=" +
                                             std::to_string(static_cast<std::int64_t>(window)));
      break;
    case Platform::mastodon:
      h.emplace_back("X-RateLimit-Limit", std::to_string(limit));
      h.emplace_back("X-RateLimit-Remaining", std::to_string(remaining));
      h.emplace_back("X-RateLimit-Reset", model::iso8601_utc(reset, true));
      break;
    case Platform::facebook:
    case Platform::instagram: {
      // Usage as a percentage of the budget (collectors/ratelimit/platform_quota.h).
      const std::int64_t used = limit > 0 ? 100 - remaining * 100 / limit : 0;
      h.emplace_back("X-App-Usage", "{\"call_count\":" + std::to_string(used) +
                                        ",\"total_time\":0,\"total_cputime\":0}");
      break;
    }
    case Platform::youtube:
      break;  // no rate-limit headers: a spent quota is a 403 quotaExceeded
  }
}

// The windows a request counts against, as the platforms count them: X one per endpoint;
// Bluesky one per client IP for every route; Mastodon one per access token (or, without one, per
// IP) for every route. A [[limit]] for an endpoint is that endpoint's own window — instead of the
// platform's on X, in addition to it elsewhere (Bluesky's createSession, Mastodon's media).
std::vector<std::pair<World::WindowKey, RateLimit>> World::windows_for(Platform p,
                                                                       const std::string& endpoint,
                                                                       bool authorized) const {
  std::vector<std::pair<WindowKey, RateLimit>> out;
  const auto platform_limit = state_.rate_limits.find(p);
  const RateLimit shared =
      platform_limit == state_.rate_limits.end() ? RateLimit{} : platform_limit->second;
  const auto own = state_.endpoint_limits.find({p, endpoint});
  switch (p) {
    case Platform::x:
      out.emplace_back(WindowKey{p, endpoint},
                       own == state_.endpoint_limits.end() ? shared : own->second);
      return out;
    case Platform::bluesky:
      out.emplace_back(WindowKey{p, "*ip"}, shared);
      break;
    case Platform::mastodon:
      out.emplace_back(WindowKey{p, authorized ? "*token" : "*ip"}, shared);
      break;
    case Platform::facebook:
    case Platform::instagram:
    case Platform::youtube:
      // One budget per app (Graph) or API project (YouTube) for every route.
      out.emplace_back(WindowKey{p, "*app"}, shared);
      break;
  }
  if (own != state_.endpoint_limits.end()) out.emplace_back(WindowKey{p, endpoint}, own->second);
  return out;
}

// Counts the request against its windows; a 429 reply when one of them is spent. The headers
// describe the window closest to its limit, as the platforms' own rate limiters report.
std::optional<Reply> World::rate_limit(Platform p, const std::string& endpoint, double t,
                                       Reply& out, LogEntry& entry, bool count) {
  struct Counted {
    Window* window;
    RateLimit limit;
  };
  std::vector<Counted> counted;
  for (const auto& [key, limit] : windows_for(p, endpoint, entry.authorized)) {
    Window& w = windows_[key];
    if (w.start < 0 || t >= w.start + limit.window) {
      w.start = t;
      w.used = 0;
    }
    counted.push_back({&w, limit});
  }
  // A blocked or spent window refuses the request; of several, the one that opens last.
  const Counted* refusing = nullptr;
  double refusing_reset = 0;
  for (const Counted& c : counted) {
    const bool blocked = t < c.window->blocked_until;
    const bool spent = c.limit.limit > 0 && c.window->used >= c.limit.limit;
    if (!blocked && !spent) continue;
    const double reset_t = blocked ? c.window->blocked_until : c.window->start + c.limit.window;
    if (refusing == nullptr || reset_t > refusing_reset) {
      refusing = &c;
      refusing_reset = reset_t;
    }
  }
  if (refusing != nullptr) {
    const std::int64_t shown_limit = std::max<std::int64_t>(refusing->limit.limit, 1);
    Reply r = error_reply(p, 429, "Too Many Requests");
    add_rate_headers(p, shown_limit, 0, refusing_reset, refusing->limit.window, r);
    for (const auto& [k, v] : r.headers) {
      const std::string name = model::ascii_lower(k);
      if (name == "x-rate-limit-reset" || name == "ratelimit-reset")
        entry.reset_unix_ms = std::stoll(v) * 1000;
    }
    if (p == Platform::mastodon) {
      const WallTime reset =
          start_ +
          std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(refusing_reset * 1000)));
      entry.reset_unix_ms = reset.time_since_epoch().count();
    }
    return r;
  }
  const Counted* closest = nullptr;
  for (const Counted& c : counted) {
    if (c.limit.limit == 0) continue;  // this API sends no limit headers
    if (count) ++c.window->used;
    if (closest == nullptr ||
        c.limit.limit - c.window->used < closest->limit.limit - closest->window->used) {
      closest = &c;
    }
  }
  if (closest != nullptr) {
    add_rate_headers(p, closest->limit.limit, closest->limit.limit - closest->window->used,
                     closest->window->start + closest->limit.window, closest->limit.window, out);
  }
  return std::nullopt;
}

std::optional<Reply> World::apply_fault(Platform p, const std::string& endpoint, double t,
                                        LogEntry& entry) {
  for (Fault& f : state_.faults) {
    if (f.platform != p || f.count <= 0) continue;
    if (f.endpoint != "*" && f.endpoint != endpoint) continue;
    double base = 0;
    if (!triggered(f.trigger, &base) || t < base + f.at) continue;
    --f.count;
    entry.fault = f.kind;
    Reply r;
    if (f.kind == "status") {
      if (f.status == 429) {
        // The platform's own limit ran out: its shared window where it counts routes together.
        Window& w = windows_[windows_for(p, endpoint, entry.authorized).front().first];
        w.blocked_until = std::max(w.blocked_until, t + f.reset_after);
        Reply dummy;
        if (auto limited = rate_limit(p, endpoint, t, dummy, entry, false)) return limited;
      }
      return error_reply(p, f.status, "");
    }
    // The other kinds act on the normal reply; the caller reads entry.fault and this marker.
    r.status = -1;
    r.delay_ms = f.delay_ms;
    r.body = f.kind;
    r.headers.emplace_back("x-fault-bytes", std::to_string(f.bytes));
    return r;
  }
  return std::nullopt;
}

Reply World::media(std::string_view path, double t) {
  // /media/<platform>/<id>.png
  const auto parts = split(path, '/');
  if (parts.size() != 4) return error_reply(Platform::x, 404, "no such media");
  const auto platform = model::platform_from_string(parts[2]);
  std::string name = url_decode(parts[3]);
  if (!platform || name.size() < 5 || name.substr(name.size() - 4) != ".png") {
    return error_reply(Platform::x, 404, "no such media");
  }
  name.resize(name.size() - 4);
  Reply r;
  r.content_type = "image/png";
  r.compressible = false;
  if (name == "missing") {
    r.body = generate_avatar_png("missing", 0);
    return r;
  }
  const Account* a = find_account(*platform, name);
  if (a == nullptr || !appeared(*a, t) || is_gone(*a, t)) {
    Reply nf;
    nf.status = 404;
    nf.content_type = "text/plain";
    nf.body = "Not Found";
    return nf;
  }
  if (!a->avatar_file.empty()) {
    std::ifstream in(a->avatar_file, std::ios::binary);
    r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (a->avatar_file.extension() == ".jpg" || a->avatar_file.extension() == ".jpeg")
      r.content_type = "image/jpeg";
  } else {
    r.body = generate_avatar_png(a->avatar_pattern, a->avatar_tweak);
  }
  return r;
}

Reply World::handle(const Request& request, WallTime now) {
  if (start_ == WallTime{}) start_ = now;
  advance(now);
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.substr(0, 10) == "/_control/") return control(request, now);

  LogEntry entry;
  entry.seq = ++log_seq_;
  entry.unix_ms = now.time_since_epoch().count();
  entry.t = seconds(now);
  entry.method = request.method;
  entry.target = request.target;
  entry.accept_encoding = request.accept_encoding;
  entry.authorized = !request.authorization.empty();
  entry.proxied = request.proxied;
  entry.user_agent = request.user_agent;
  Reply r = route(request, now, entry);
  entry.status = r.status;
  if (const auto* price = prices_.find(entry.platform, entry.endpoint)) {
    const auto cost = mamori::collectors::price_response(*price, r.status, r.body);
    entry.usd = cost.usd;
    entry.units = cost.units;
    spent_usd_ += cost.usd;
  }
  log_.push_back(std::move(entry));
  if (log_.size() > kMaxLog) log_.pop_front();
  return r;
}

Reply World::route(const Request& request, WallTime now, LogEntry& entry) {
  const double t = seconds(now);
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.substr(0, 7) == "/media/") {
    const auto parts = split(path, '/');
    entry.platform = parts.size() > 2 ? parts[2] : "";
    entry.endpoint = "media";
    if (const auto p = model::platform_from_string(entry.platform)) {
      auto fault = apply_fault(*p, "media", t, entry);
      if (fault && fault->status != -1) return *fault;
      Reply r = media(path, t);
      if (fault) apply_delivery_fault(*fault, r);
      return r;
    }
    return media(path, t);
  }
  if (path == "/avatars/original/missing.png" || path == "/headers/original/missing.png") {
    // Mastodon's placeholder images for accounts without (or suspended from) their own.
    entry.platform = "mastodon";
    entry.endpoint = "media";
    Reply r;
    r.content_type = "image/png";
    r.compressible = false;
    r.body = generate_avatar_png("missing", 0);
    return r;
  }
  if (path.substr(0, 6) == "/city/") return city_page(path, entry);
  if (path.substr(0, 3) == "/2/") {
    entry.platform = "x";
    return x_api(request, path.substr(3), t, entry);
  }
  if (path.substr(0, 6) == "/xrpc/") {
    entry.platform = "bluesky";
    return bluesky_api(request, path.substr(6), t, entry);
  }
  if (path.substr(0, 5) == "/api/") {
    entry.platform = "mastodon";
    return mastodon_api(request, path.substr(5), t, entry);
  }
  if (path.size() > 4 && path.substr(0, 2) == "/v" && path.find('/', 2) != std::string_view::npos &&
      path.substr(2, path.find('/', 2) - 2).find_first_not_of("0123456789.") ==
          std::string_view::npos) {
    // The versioned Graph API: /v21.0/{id}, /v21.0/{id}/feed, /v21.0/{id}/comments.
    entry.platform = "facebook";
    return graph_api(request, path.substr(path.find('/', 2) + 1), t, entry);
  }
  if (path.substr(0, 12) == "/youtube/v3/") {
    entry.platform = "youtube";
    return youtube_api(request, path.substr(12), t, entry);
  }
  Reply r;
  r.status = 404;
  r.content_type = "text/plain";
  r.body = "Not Found";
  return r;
}

// ---- control API ----

Reply World::control_add_account(const boost::json::object& in, WallTime now) {
  Account a;
  const auto platform = model::platform_from_string(field(in, "platform").value_or(""));
  if (!platform) return control_error("platform: expected x, bluesky or mastodon");
  a.platform = *platform;
  a.handle = field(in, "handle").value_or("");
  if (a.handle.empty()) return control_error("handle: required");
  if (find_account(a.platform, a.handle) != nullptr) return control_error("handle: already exists");
  a.display_name = field(in, "display_name").value_or(a.handle);
  a.description = field(in, "description").value_or("");
  a.url = field(in, "url").value_or("");
  a.avatar_pattern = field(in, "avatar_pattern").value_or(a.handle);
  a.avatar_tweak = static_cast<int>(number_field(in, "avatar_tweak", 0));
  a.followers = static_cast<int>(number_field(in, "followers", 0));
  a.created_at = model::iso8601_utc(now, true);
  a.appears_at = seconds(now);
  a.id = field(in, "id").value_or("");
  if (a.id.empty()) {
    switch (a.platform) {
      case Platform::x:
        a.id = std::to_string(1600000000000000000ULL + fnv1a(a.handle) % 100000000000ULL);
        break;
      case Platform::bluesky:
        a.id = "did:plc:" + base32_lower(a.handle, 24);
        break;
      case Platform::mastodon:
        a.id = std::to_string(110000000000000000ULL + fnv1a(a.handle) % 1000000000000ULL);
        break;
      case Platform::facebook:
        a.id = std::to_string(110000000000000ULL + fnv1a(a.handle) % 10000000000000ULL);
        break;
      case Platform::instagram:
        a.id = std::to_string(17841410000000000ULL + fnv1a(a.handle) % 100000000000ULL);
        break;
      case Platform::youtube:
        a.id = "UC" + base32_lower(a.handle + "/added", 22);
        break;
    }
  }
  state_.accounts.push_back(a);
  return json_reply(
      200, boost::json::object{{"id", a.id}, {"handle", a.handle}, {"avatar_url", avatar_url(a)}});
}

Reply World::control_add_post(const boost::json::object& in, WallTime now) {
  Post p;
  const auto platform = model::platform_from_string(field(in, "platform").value_or(""));
  if (!platform) return control_error("platform: expected x, bluesky or mastodon");
  p.platform = *platform;
  p.author_handle = field(in, "author").value_or("");
  const Account* author = find_account(p.platform, p.author_handle);
  if (author == nullptr) return control_error("author: no such account on this platform");
  p.author_handle = author->handle;
  p.text = field(in, "text").value_or("");
  p.lang = field(in, "lang").value_or("ja");
  p.in_reply_to = field(in, "in_reply_to").value_or("");
  p.quotes = field(in, "quotes").value_or("");
  p.key = field(in, "key").value_or("");
  p.id = field(in, "id").value_or("");
  p.at = seconds(now);
  state_.posts.push_back(p);
  advance(now);
  const Post& added = state_.posts.back();
  boost::json::object out{{"id", added.id}, {"created_at", added.created_at}};
  if (added.platform == Platform::bluesky) out["uri"] = bsky_uri(added);
  if (!added.parent_id.empty()) out["parent_id"] = added.parent_id;
  return json_reply(200, out);
}

Reply World::control(const Request& request, WallTime now) {
  const std::string_view target = request.target;
  const auto q = target.find('?');
  const std::string path(target.substr(0, q));
  const Query query(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1));
  const std::string what = path.substr(10);

  boost::json::object in;
  if (request.method == "POST" && !request.body.empty()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(request.body, ec);
    if (ec || !v.is_object()) return control_error("body: expected a JSON object");
    in = v.as_object();
  }
  if (what == "health") return json_reply(200, boost::json::object{{"ok", true}});
  if (what == "reports") return control_reports();
  if (what == "pages") return control_page(in);
  if (what == "stats") {
    return json_reply(200, boost::json::object{{"connections", connections_},
                                               {"requests", log_seq_},
                                               {"t", seconds(now)},
                                               {"spent_usd", spent_usd_}});
  }
  if (what == "log") {
    const std::uint64_t since = std::stoull(query.get("since").value_or("0"));
    boost::json::array out;
    for (const LogEntry& e : log_) {
      if (e.seq <= since) continue;
      boost::json::object o{{"seq", e.seq},
                            {"unix_ms", e.unix_ms},
                            {"t", e.t},
                            {"platform", e.platform},
                            {"endpoint", e.endpoint},
                            {"method", e.method},
                            {"target", e.target},
                            {"status", e.status},
                            {"fault", e.fault},
                            {"accept_encoding", e.accept_encoding},
                            {"authorized", e.authorized},
                            {"proxied", e.proxied},
                            {"user_agent", e.user_agent},
                            {"usd", e.usd},
                            {"units", e.units}};
      if (e.reset_unix_ms) o["reset_unix_ms"] = *e.reset_unix_ms;
      out.push_back(std::move(o));
    }
    return json_reply(200, boost::json::object{{"requests", std::move(out)}, {"last", log_seq_}});
  }
  if (request.method != "POST") return control_error("use POST for " + path);
  if (what == "reset") {
    const auto connections = connections_;
    reset(now);
    connections_ = connections;
    return json_reply(200, boost::json::object{{"ok", true}});
  }
  if (what == "accounts") return control_add_account(in, now);
  if (what == "posts") return control_add_post(in, now);
  if (what == "remove_account") {
    const auto platform = model::platform_from_string(field(in, "platform").value_or(""));
    if (!platform) return control_error("platform: expected x, bluesky or mastodon");
    Account* a = find_account_mut(*platform, field(in, "handle").value_or(""));
    if (a == nullptr) return control_error("handle: no such account");
    const std::string kind = field(in, "kind").value_or("not_found");
    a->gone_kind = kind == "suspended"     ? GoneKind::suspended
                   : kind == "deactivated" ? GoneKind::deactivated
                   : kind == "moved"       ? GoneKind::moved
                                           : GoneKind::not_found;
    a->gone_at = seconds(now);
    return json_reply(200, boost::json::object{{"ok", true}});
  }
  if (what == "update_account") {
    // The account owner (or a hijacker) edits the profile: only the fields given change.
    const auto platform = model::platform_from_string(field(in, "platform").value_or(""));
    if (!platform) return control_error("platform: expected x, bluesky or mastodon");
    Account* a = find_account_mut(*platform, field(in, "handle").value_or(""));
    if (a == nullptr) return control_error("handle: no such account");
    if (auto v = field(in, "display_name")) a->display_name = *v;
    if (auto v = field(in, "description")) a->description = *v;
    if (auto v = field(in, "url")) a->url = *v;
    if (auto v = field(in, "avatar_pattern")) a->avatar_pattern = *v;
    if (in.contains("avatar_tweak"))
      a->avatar_tweak = static_cast<int>(number_field(in, "avatar_tweak", 0));
    if (in.contains("avatar_version"))
      a->avatar_version = static_cast<int>(number_field(in, "avatar_version", 0));
    return json_reply(200, boost::json::object{{"ok", true}});
  }
  if (what == "remove_post") {
    // The owner deletes a post: it is no longer on any timeline.
    const auto platform = model::platform_from_string(field(in, "platform").value_or(""));
    const std::string id = field(in, "id").value_or("");
    const auto before = state_.posts.size();
    std::erase_if(state_.posts, [&](const Post& p) {
      return platform && p.platform == *platform && p.materialized && (p.id == id || p.key == id);
    });
    if (state_.posts.size() == before) return control_error("id: no such post");
    return json_reply(200, boost::json::object{{"ok", true}});
  }
  if (what == "update_post") {
    // Others repost or quote the post: only the counts given change.
    const auto platform = model::platform_from_string(field(in, "platform").value_or(""));
    if (!platform) return control_error("platform: expected x, bluesky or mastodon");
    const std::string id = field(in, "id").value_or("");
    for (Post& p : state_.posts) {
      if (p.platform != *platform || !p.materialized || (p.id != id && p.key != id)) continue;
      p.repost_count = static_cast<int>(number_field(in, "reposts", p.repost_count));
      p.quote_count = static_cast<int>(number_field(in, "quotes", p.quote_count));
      return json_reply(200, boost::json::object{{"ok", true}});
    }
    return control_error("id: no such post");
  }
  if (what == "faults") {
    Fault f;
    const auto platform = model::platform_from_string(field(in, "platform").value_or(""));
    if (!platform) return control_error("platform: expected x, bluesky or mastodon");
    f.platform = *platform;
    f.endpoint = field(in, "endpoint").value_or("*");
    f.kind = field(in, "kind").value_or("status");
    f.status = static_cast<int>(number_field(in, "status", 503));
    f.count = static_cast<int>(number_field(in, "count", 1));
    f.delay_ms = static_cast<int>(number_field(in, "delay_ms", f.kind == "stall" ? 600000 : 2000));
    f.bytes = static_cast<std::size_t>(number_field(in, "bytes", 16 * 1024 * 1024));
    f.reset_after = number_field(in, "reset_after", 60);
    f.at = seconds(now);
    state_.faults.push_back(f);
    return json_reply(200, boost::json::object{{"ok", true}});
  }
  if (what == "trigger") {
    const std::string name = field(in, "name").value_or("");
    if (name.empty()) return control_error("name: required");
    fired_.emplace(name, seconds(now));
    advance(now);
    return json_reply(200, boost::json::object{{"ok", true}});
  }
  return json_reply(404, boost::json::object{{"error", "unknown control endpoint " + path}});
}

}  // namespace mamori::fakeplatform

namespace mamori::fakeplatform {

void apply_delivery_fault(const Reply& marker, Reply& reply) {
  const std::string& kind = marker.body;
  if (kind == "slow") {
    reply.delivery = Delivery::slow;
    reply.delay_ms = marker.delay_ms;
  } else if (kind == "stall") {
    reply.delivery = Delivery::stall;
    reply.delay_ms = marker.delay_ms;
  } else if (kind == "stall_body") {
    reply.delivery = Delivery::stall_body;
    reply.delay_ms = marker.delay_ms;
  } else if (kind == "disconnect") {
    reply.delivery = Delivery::disconnect;
  } else if (kind == "truncated") {
    // A complete HTTP response whose JSON stops halfway.
    reply.body.resize(reply.body.size() / 2);
  } else if (kind == "invalid_json") {
    reply.body = "{\"data\": [{\"id\": \"1\", \"text\": \"unterminated \x01\x02 <html><body>oops";
  } else if (kind == "oversized") {
    std::size_t bytes = 16 * 1024 * 1024;
    for (const auto& [k, v] : marker.headers) {
      if (k == "x-fault-bytes") bytes = static_cast<std::size_t>(std::stoull(v));
    }
    // Still valid JSON: padding inside the top-level object or array.
    std::string& b = reply.body;
    if (b.size() >= bytes || b.empty()) return;
    const char close = b.back();
    b.pop_back();
    const bool empty_container = !b.empty() && (b.back() == '{' || b.back() == '[');
    std::string pad = close == '}' ? std::string(empty_container ? "" : ",") + "\"padding\":\""
                                   : std::string(empty_container ? "" : ",") + "\"";
    const std::size_t fill =
        bytes > b.size() + pad.size() + 2 ? bytes - b.size() - pad.size() - 2 : 0;
    b += pad;
    b.append(fill, 'x');
    b += '"';
    b += close;
  }
}

}  // namespace mamori::fakeplatform
