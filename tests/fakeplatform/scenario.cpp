// Scenario files (TOML): see scenarios/small.toml for every key with a comment.
#include <toml++/toml.h>

#include <set>
#include <sstream>
#include <stdexcept>

#include "tests/fakeplatform/world.h"

namespace mamori::fakeplatform {
namespace {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Reader {
  std::string file;

  [[noreturn]] void fail(const toml::node& node, const std::string& key,
                         const std::string& what) const {
    std::ostringstream out;
    out << file << ":" << node.source().begin.line << ": " << key << ": " << what;
    throw ScenarioError(out.str());
  }

  std::string str(const toml::table& t, const std::string& key, const std::string& where,
                  const std::string& fallback = {}, bool required = false) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) fail(t, where + "." + key, "missing (expected a string)");
      return fallback;
    }
    if (!n->is_string()) fail(*n, where + "." + key, "expected a string");
    return **n->as_string();
  }

  double num(const toml::table& t, const std::string& key, const std::string& where,
             double fallback) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return fallback;
    if (n->is_integer()) return static_cast<double>(**n->as_integer());
    if (n->is_floating_point()) return **n->as_floating_point();
    fail(*n, where + "." + key, "expected a number");
  }

  bool flag(const toml::table& t, const std::string& key, const std::string& where,
            bool fallback) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return fallback;
    if (!n->is_boolean()) fail(*n, where + "." + key, "expected true or false");
    return **n->as_boolean();
  }

  Platform platform(const toml::table& t, const std::string& where) const {
    const std::string p = str(t, "platform", where, {}, true);
    const auto parsed = model::platform_from_string(p);
    if (!parsed) fail(t, where + ".platform", "expected x, bluesky or mastodon, got '" + p + "'");
    return *parsed;
  }

  RateLimit rate_limit(const toml::node& n, const std::string& where) const {
    const toml::table* t = n.as_table();
    if (t == nullptr) fail(n, where, "expected a table {limit = N, window = SECONDS}");
    RateLimit r;
    r.limit = static_cast<std::int64_t>(num(*t, "limit", where, 0));
    r.window = num(*t, "window", where, 900);
    if (r.limit < 0 || r.window <= 0) fail(n, where, "limit must be >= 0 and window > 0");
    return r;
  }

  template <typename F>
  void each(const toml::table& root, const std::string& key, F&& f) const {
    const toml::node* n = root.get(key);
    if (n == nullptr) return;
    const toml::array* arr = n->as_array();
    if (arr == nullptr) fail(*n, key, "expected [[" + key + "]] tables");
    std::size_t i = 0;
    for (const toml::node& item : *arr) {
      const std::string where = key + "[" + std::to_string(i++) + "]";
      const toml::table* t = item.as_table();
      if (t == nullptr) fail(item, where, "expected a table");
      f(*t, where);
    }
  }
};

GoneKind gone_kind(const Reader& r, const toml::table& t, const std::string& where) {
  const std::string k = r.str(t, "gone", where, "not_found");
  if (k == "not_found") return GoneKind::not_found;
  if (k == "suspended") return GoneKind::suspended;
  if (k == "deactivated") return GoneKind::deactivated;
  if (k == "moved") return GoneKind::moved;
  r.fail(t, where + ".gone", "expected not_found, suspended, deactivated or moved");
}

const std::set<std::string> kFaultKinds = {"status", "slow", "stall", "stall_body", "truncated",
                                           "invalid_json", "oversized", "disconnect",
                                           // Graph and YouTube cursors (paging.h)
                                           "repeat_cursor", "bad_cursor"};

}  // namespace

Scenario load_scenario(const std::filesystem::path& file) {
  Reader r{file.string()};
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << file.string() << ":" << e.source().begin.line << ": " << e.description();
    throw std::runtime_error(out.str());
  }
  Scenario s;
  s.rate_limits[Platform::x] = RateLimit{900, 900};
  s.rate_limits[Platform::bluesky] = RateLimit{3000, 300};
  s.rate_limits[Platform::mastodon] = RateLimit{300, 300};

  if (const toml::table* x = root["x"].as_table()) {
    s.settings.x_bearer_token = r.str(*x, "bearer_token", "x");
    if (const toml::node* n = x->get("rate_limit"))
      s.rate_limits[Platform::x] = r.rate_limit(*n, "x.rate_limit");
  }
  if (const toml::table* b = root["bluesky"].as_table()) {
    s.settings.bsky_identifier = r.str(*b, "identifier", "bluesky");
    s.settings.bsky_password = r.str(*b, "password", "bluesky");
    s.settings.bsky_access_ttl = r.num(*b, "access_ttl", "bluesky", 7200);
    if (const toml::node* n = b->get("rate_limit"))
      s.rate_limits[Platform::bluesky] = r.rate_limit(*n, "bluesky.rate_limit");
  }
  if (const toml::table* m = root["mastodon"].as_table()) {
    s.settings.mastodon_token = r.str(*m, "access_token", "mastodon");
    s.settings.mastodon_account = r.str(*m, "account", "mastodon");
    s.settings.mastodon_domain = r.str(*m, "domain", "mastodon", "mastodon.example");
    if (const toml::node* n = m->get("rate_limit"))
      s.rate_limits[Platform::mastodon] = r.rate_limit(*n, "mastodon.rate_limit");
  }
  if (const toml::table* y = root["youtube"].as_table()) {
    s.settings.youtube_api_key = r.str(*y, "api_key", "youtube");
    s.settings.youtube_page_size = static_cast<int>(r.num(*y, "page_size", "youtube", 0));
  }
  if (const toml::table* f = root["facebook"].as_table()) {
    s.settings.facebook_page_token = r.str(*f, "page_access_token", "facebook");
    s.settings.facebook_page_size = static_cast<int>(r.num(*f, "page_size", "facebook", 0));
    s.settings.facebook_page_search = r.flag(*f, "page_search", "facebook", false);
  }
  if (const toml::table* i = root["instagram"].as_table()) {
    s.settings.instagram_token = r.str(*i, "access_token", "instagram");
    s.settings.instagram_page_size = static_cast<int>(r.num(*i, "page_size", "instagram", 0));
  }
  r.each(root, "limit", [&](const toml::table& t, const std::string& where) {
    const Platform p = r.platform(t, where);
    const std::string endpoint = r.str(t, "endpoint", where, {}, true);
    RateLimit l;
    l.limit = static_cast<std::int64_t>(r.num(t, "limit", where, 0));
    l.window = r.num(t, "window", where, 900);
    if (l.limit < 0 || l.window <= 0) r.fail(t, where, "limit must be >= 0 and window > 0");
    s.endpoint_limits[{p, endpoint}] = l;
  });

  std::set<std::pair<Platform, std::string>> handles;
  r.each(root, "account", [&](const toml::table& t, const std::string& where) {
    Account a;
    a.platform = r.platform(t, where);
    a.handle = r.str(t, "handle", where, {}, true);
    if (a.handle.empty()) r.fail(t, where + ".handle", "must not be empty");
    if (!handles.insert({a.platform, a.handle}).second) {
      r.fail(t, where + ".handle", "duplicate handle '" + a.handle + "' on this platform");
    }
    a.id = r.str(t, "id", where);
    a.display_name = r.str(t, "display_name", where, a.handle);
    a.description = r.str(t, "description", where);
    a.url = r.str(t, "url", where);
    const std::string avatar = r.str(t, "avatar", where);
    if (!avatar.empty()) {
      a.avatar_file = file.parent_path() / avatar;
      if (!std::filesystem::exists(a.avatar_file)) {
        r.fail(t, where + ".avatar", "no such file: " + a.avatar_file.string());
      }
    }
    a.avatar_pattern = r.str(t, "avatar_pattern", where, a.handle);
    a.avatar_tweak = static_cast<int>(r.num(t, "avatar_tweak", where, 0));
    a.created_at = r.str(t, "created_at", where, a.created_at);
    a.followers = static_cast<int>(r.num(t, "followers", where, 0));
    a.following = static_cast<int>(r.num(t, "following", where, 0));
    a.verified = r.flag(t, "verified", where, false);
    a.is_protected = r.flag(t, "protected", where, false);
    a.appears_at = r.num(t, "appears_at", where, 0);
    a.trigger = r.str(t, "trigger", where);
    if (t.get("gone_at") != nullptr) a.gone_at = r.num(t, "gone_at", where, 0);
    a.gone_kind = gone_kind(r, t, where);
    s.accounts.push_back(std::move(a));
  });

  std::set<std::string> keys;
  r.each(root, "post", [&](const toml::table& t, const std::string& where) {
    Post p;
    p.platform = r.platform(t, where);
    p.author_handle = r.str(t, "author", where, {}, true);
    if (handles.count({p.platform, p.author_handle}) == 0) {
      r.fail(t, where + ".author", "no [[account]] '" + p.author_handle + "' on this platform");
    }
    p.text = r.str(t, "text", where, {}, true);
    p.id = r.str(t, "id", where);
    p.key = r.str(t, "key", where, p.id);
    if (!p.key.empty() && !keys.insert(p.key).second) {
      r.fail(t, where + ".key", "duplicate post key '" + p.key + "'");
    }
    p.lang = r.str(t, "lang", where, "ja");
    p.in_reply_to = r.str(t, "in_reply_to", where);
    if (!p.in_reply_to.empty() && keys.count(p.in_reply_to) == 0) {
      r.fail(t, where + ".in_reply_to", "no earlier post with key '" + p.in_reply_to + "'");
    }
    p.quotes = r.str(t, "quotes", where);
    if (!p.quotes.empty() && keys.count(p.quotes) == 0) {
      r.fail(t, where + ".quotes", "no earlier post with key '" + p.quotes + "'");
    }
    p.at = r.num(t, "at", where, 0);
    p.trigger = r.str(t, "trigger", where);
    p.fixed_created_at = r.str(t, "created_at", where);
    s.posts.push_back(std::move(p));
  });

  r.each(root, "fault", [&](const toml::table& t, const std::string& where) {
    Fault f;
    f.platform = r.platform(t, where);
    f.endpoint = r.str(t, "endpoint", where, "*");
    f.kind = r.str(t, "kind", where, "status");
    if (kFaultKinds.count(f.kind) == 0) {
      r.fail(t, where + ".kind",
             "expected one of status, slow, stall, stall_body, truncated, "
             "invalid_json, oversized, disconnect, repeat_cursor, bad_cursor");
    }
    f.status = static_cast<int>(r.num(t, "status", where, 503));
    if (f.status < 100 || f.status > 599) r.fail(t, where + ".status", "expected an HTTP status");
    f.count = static_cast<int>(r.num(t, "count", where, 1));
    f.at = r.num(t, "at", where, 0);
    f.trigger = r.str(t, "trigger", where);
    f.delay_ms = static_cast<int>(r.num(t, "delay_ms", where, f.kind == "stall" ? 600000 : 2000));
    f.bytes = static_cast<std::size_t>(r.num(t, "bytes", where, 16 * 1024 * 1024));
    f.reset_after = r.num(t, "reset_after", where, 60);
    s.faults.push_back(std::move(f));
  });
  return s;
}

}  // namespace mamori::fakeplatform
