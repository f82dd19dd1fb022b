#include "daemon/config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "daemon/config/ip_address.h"
#include "daemon/config/toml_reader.h"

namespace mamori::config {
namespace {

using Reader = TomlReader;
using Table = TomlTable;

bool is_http_url(const std::string& s) {
  return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

void check_url(Table& t, std::string_view key, const std::string& value) {
  if (!value.empty() && !is_http_url(value)) {
    t.reader().error(t.get(key), t.key_path(key), "expected an http:// or https:// URL");
  }
}

bool parse_listen(const std::string& text, std::string& host, std::uint16_t& port) {
  std::string h;
  std::string p;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return false;
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
  }
  if (h.empty() || p.empty() || p.size() > 5) return false;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
  }
  const int v = std::stoi(p);
  if (v > 65535) return false;
  host = h;
  port = static_cast<std::uint16_t>(v);
  return true;
}

bool valid_tenant_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char ch = id[i];
    const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (!alnum && (i == 0 || (ch != '-' && ch != '_'))) return false;
  }
  return true;
}

void read_municipality_fields(Table& t, Municipality& m) {
  t.get("alerts");  // its own on-call: read by daemon/alerts/alerts_config.cpp from the same file
  if (t.string("id", m.id) && !valid_tenant_id(m.id)) {
    t.reader().error(t.get("id"), t.key_path("id"),
                     "expected lower-case ASCII letters, digits, '-' or '_' (e.g. \"soma\")");
  }
  t.string("name", m.name, true, "the municipality's name, e.g. \"相馬市\"");
  t.string("name_kana", m.name_kana);
  t.string("name_romaji", m.name_romaji);
  if (t.string("homepage", m.homepage_url)) check_url(t, "homepage", m.homepage_url);
  t.string_array("name_variants", m.name_variants);
  t.string_array("neighbours", m.neighbours);
  if (t.string("official_account_list_url", m.official_account_list_url)) {
    check_url(t, "official_account_list_url", m.official_account_list_url);
  }
  t.string("department", m.department);
  if (t.string("notice_url", m.notice_url)) check_url(t, "notice_url", m.notice_url);
  t.string("contact_phone", m.contact_phone);
  t.string("contact_email", m.contact_email);
  t.string("police_station", m.police_station);
  t.string_array("playbook_overrides", m.playbook_overrides);
  if (t.string("date_style", m.date_style) && m.date_style != "reiwa" &&
      m.date_style != "western") {
    t.reader().error(t.get("date_style"), t.key_path("date_style"),
                     "expected \"reiwa\" or \"western\"");
  }
}

void read_accounts(Table& root, Config& c, const std::string& municipality);

// `[municipality]` (one tenant, accounts in top-level [[accounts]]) or `[[municipalities]]`
// (several, each with its [[municipalities.accounts]]); never both.
void read_municipalities(Table& root, Config& c) {
  auto single = root.table("municipality");
  std::vector<Table> many = root.tables("municipalities");
  if (single && !many.empty()) {
    root.error("municipalities",
               "use either one [municipality] table or [[municipalities]], not both");
    return;
  }
  if (single) {
    Municipality m;
    read_municipality_fields(*single, m);
    single->finish();
    c.municipalities.push_back(std::move(m));
    read_accounts(root, c, c.municipalities.back().id);
  } else if (!many.empty()) {
    if (root.get("accounts") != nullptr) {
      root.error("accounts",
                 "with [[municipalities]] each account belongs under [[municipalities.accounts]]");
    }
    for (Table& t : many) {
      Municipality m;
      m.id.clear();
      read_municipality_fields(t, m);
      if (m.id.empty()) t.missing("id", "a short lower-case key such as \"soma\"");
      for (const Municipality& other : c.municipalities) {
        if (!m.id.empty() && other.id == m.id)
          t.reader().error(t.get("id"), t.key_path("id"), "duplicate municipality id " + m.id);
      }
      c.municipalities.push_back(std::move(m));
      read_accounts(t, c, c.municipalities.back().id);
      t.finish();
    }
  } else {
    root.missing("municipality", "a [municipality] table with at least `name`");
    return;
  }
  c.municipality = c.municipalities.front();
}

void read_server(Table& root, Config& c) {
  auto t = root.table("server");
  if (!t) return;
  std::string listen;
  if (t->string("listen", listen)) {
    if (!parse_listen(listen, c.server.host, c.server.port)) {
      t->reader().error(t->get("listen"), "server.listen",
                        "expected \"HOST:PORT\" such as \"127.0.0.1:8473\" or \"[::1]:8473\"");
    }
  }
  if (t->string("public_url", c.server.public_url))
    check_url(*t, "public_url", c.server.public_url);
  t->integer("max_connections", c.server.max_connections, 1, 100000);
  t->duration("read_timeout", c.server.read_timeout, std::chrono::seconds(1),
              std::chrono::seconds(600));
  t->integer("max_header_bytes", c.server.max_header_bytes, 1024, 1024 * 1024);
  t->integer("max_body_bytes", c.server.max_body_bytes, 1024, 64LL * 1024 * 1024);
  t->duration("drain_timeout", c.server.drain_timeout, std::chrono::seconds(0),
              std::chrono::seconds(300));
  t->integer("max_connections_per_client", c.server.max_connections_per_client, 1, 100000);
  for (const char* key : {"trusted_proxies", "monitoring_allow"}) {
    auto& list = std::string_view(key) == "trusted_proxies" ? c.server.trusted_proxies
                                                            : c.server.monitoring_allow;
    if (!t->string_array(key, list)) continue;
    for (const auto& entry : list) {
      if (!parse_ip_network(entry)) {
        t->error(key,
                 "'" + entry + "' is neither an IP address nor a network such as \"10.0.0.0/8\"");
      }
    }
  }
  t->finish();
}

void read_database(Table& root, Config& c) {
  auto t = root.table("database");
  if (!t) {
    root.missing("database", "a [database] table with `dsn`");
    return;
  }
  t->string("dsn", c.database.dsn, true, "a libpq connection string, e.g. \"dbname=mamori\"");
  if (c.database.dsn.find("password=") != std::string::npos) {
    t->reader().error(t->get("dsn"), "database.dsn",
                      "must not contain a password; use `password = \"file:NAME\"` or a passfile");
  }
  t->credential("password", c.database.password);
  t->integer("queue_capacity", c.database.queue_capacity, 10, 10'000'000);
  t->integer("retention_days", c.database.retention_days, 1, 3650);
  t->duration("max_reconnect_backoff", c.database.max_reconnect_backoff, std::chrono::seconds(1),
              std::chrono::seconds(600));
  t->finish();
}

void read_log(Table& root, Config& c) {
  auto t = root.table("log");
  if (!t) return;
  std::string level;
  if (t->string("level", level) && !log::parse_level(level, c.log_level)) {
    t->reader().error(t->get("level"), "log.level", "expected one of debug, info, warn, error");
  }
  t->finish();
}

void read_http_client(Table& root, Config& c) {
  auto t = root.table("http_client");
  if (!t) return;
  if (t->string("proxy", c.http_client.proxy)) check_url(*t, "proxy", c.http_client.proxy);
  t->duration("timeout", c.http_client.timeout, std::chrono::seconds(1), std::chrono::seconds(600));
  t->integer("max_response_bytes", c.http_client.max_response_bytes, 1024, 512LL * 1024 * 1024);
  t->integer("max_in_flight", c.http_client.max_in_flight, 1, 100000);
  t->string("user_agent", c.http_client.user_agent);
  t->string_array("allowed_hosts", c.http_client.allowed_hosts);
  t->finish();
}

// A platform that cannot be read without a token: enabled needs the credential reference.
void require_credential(Table& t, bool enabled, const std::optional<Credential>& value,
                        std::string_view key, const std::string& what) {
  if (enabled && !value && !t.raw().contains(key)) t.missing(key, what);
}

void read_new_platforms(Table& t, Config& c) {
  if (auto f = t.table("facebook")) {
    auto& fb = c.platforms.facebook;
    f->boolean("enabled", fb.enabled);
    if (f->string("graph_base", fb.graph_base)) check_url(*f, "graph_base", fb.graph_base);
    f->credential("page_access_token", fb.page_access_token);
    f->boolean("page_search", fb.page_search);
    require_credential(*f, fb.enabled, fb.page_access_token, "page_access_token",
                       "the Page access token reference (\"env:NAME\" or \"file:NAME\")");
    f->finish();
  }
  if (auto i = t.table("instagram")) {
    auto& ig = c.platforms.instagram;
    i->boolean("enabled", ig.enabled);
    if (i->string("graph_base", ig.graph_base)) check_url(*i, "graph_base", ig.graph_base);
    i->credential("access_token", ig.access_token);
    require_credential(*i, ig.enabled, ig.access_token, "access_token",
                       "the access token reference (\"env:NAME\" or \"file:NAME\")");
    i->string("ig_user_id", ig.ig_user_id);
    if (ig.enabled && ig.ig_user_id.empty() && !i->raw().contains("ig_user_id")) {
      i->missing("ig_user_id",
                 "the city's Instagram professional account id (business discovery runs on it)");
    } else if (!ig.ig_user_id.empty() &&
               ig.ig_user_id.find_first_not_of("0123456789") != std::string::npos) {
      i->error("ig_user_id", "expected the numeric Instagram user id, e.g. \"17841400000000000\"");
    }
    i->credential("webhook_verify_token", ig.webhook_verify_token);
    i->credential("app_secret", ig.app_secret);
    // One without the other would either accept unsigned deliveries or never be subscribed.
    const bool has_verify = ig.webhook_verify_token || i->raw().contains("webhook_verify_token");
    const bool has_secret = ig.app_secret || i->raw().contains("app_secret");
    if (has_verify && !has_secret) {
      i->missing("app_secret",
                 "the Meta app secret reference (\"env:NAME\" or \"file:NAME\"), which signs "
                 "webhook deliveries; webhook_verify_token alone does not turn the webhook on");
    } else if (has_secret && !has_verify) {
      i->missing("webhook_verify_token",
                 "the webhook verify token reference (\"env:NAME\" or \"file:NAME\"); "
                 "app_secret alone does not turn the webhook on");
    }
    if (ig.webhook_verify_token && ig.webhook_verify_token->value.reveal().size() < 16) {
      i->error("webhook_verify_token",
               "the verify token must be at least 16 characters (anyone who knows it can "
               "subscribe this URL)");
    }
    i->finish();
  }
  if (auto y = t.table("youtube")) {
    auto& yt = c.platforms.youtube;
    y->boolean("enabled", yt.enabled);
    if (y->string("api_base", yt.api_base)) check_url(*y, "api_base", yt.api_base);
    y->credential("api_key", yt.api_key);
    require_credential(*y, yt.enabled, yt.api_key, "api_key",
                       "the YouTube Data API key reference (\"env:NAME\" or \"file:NAME\")");
    y->integer("search_max_results", yt.search_max_results, 1, 50);
    y->integer("daily_quota_units", yt.daily_quota_units, 100, 100'000'000);
    y->integer("search_units_per_day", yt.search_units_per_day, 0, 100'000'000);
    if (yt.search_units_per_day > yt.daily_quota_units) {
      y->error("search_units_per_day",
               "must not exceed daily_quota_units (" + std::to_string(yt.daily_quota_units) + ")");
    }
    y->finish();
  }
}

void read_platforms(Table& root, Config& c) {
  auto t = root.table("platforms");
  if (!t) return;
  if (auto x = t->table("x")) {
    x->boolean("enabled", c.platforms.x.enabled);
    if (x->string("api_base", c.platforms.x.api_base))
      check_url(*x, "api_base", c.platforms.x.api_base);
    x->credential("bearer_token", c.platforms.x.bearer_token);
    if (c.platforms.x.enabled && !c.platforms.x.bearer_token &&
        !x->raw().contains("bearer_token")) {
      x->missing("bearer_token",
                 "X API v2 needs an app bearer token reference (\"env:NAME\" or \"file:NAME\")");
    }
    x->finish();
  }
  if (auto b = t->table("bluesky")) {
    auto& bs = c.platforms.bluesky;
    b->boolean("enabled", bs.enabled);
    if (b->string("api_base", bs.api_base)) check_url(*b, "api_base", bs.api_base);
    if (b->string("pds_base", bs.pds_base)) check_url(*b, "pds_base", bs.pds_base);
    b->string("identifier", bs.identifier);
    b->credential("app_password", bs.app_password);
    if (!bs.identifier.empty() && !bs.app_password && !b->raw().contains("app_password")) {
      b->missing("app_password", "a session for `identifier` needs an app password reference");
    }
    b->finish();
  }
  if (auto m = t->table("mastodon")) {
    auto& ms = c.platforms.mastodon;
    m->boolean("enabled", ms.enabled);
    if (m->string("instance", ms.instance)) check_url(*m, "instance", ms.instance);
    if (ms.enabled && ms.instance.empty() && !m->raw().contains("instance")) {
      m->missing("instance", "the Mastodon server's URL, e.g. \"https://mastodon.social\"");
    }
    m->credential("access_token", ms.access_token);
    m->string("token_account", ms.token_account);
    m->finish();
  }
  read_new_platforms(*t, c);
  t->finish();
}

bool platform_enabled(const Config& c, model::Platform p) {
  switch (p) {
    case model::Platform::x:
      return c.platforms.x.enabled;
    case model::Platform::bluesky:
      return c.platforms.bluesky.enabled;
    case model::Platform::mastodon:
      return c.platforms.mastodon.enabled;
    case model::Platform::facebook:
      return c.platforms.facebook.enabled;
    case model::Platform::instagram:
      return c.platforms.instagram.enabled;
    case model::Platform::youtube:
      return c.platforms.youtube.enabled;
  }
  return false;
}

bool read_platform_key(Table& t, model::Platform& out) {
  std::string p;
  constexpr const char* kPlatforms =
      "one of \"x\", \"bluesky\", \"mastodon\", \"facebook\", \"instagram\", \"youtube\"";
  if (!t.string("platform", p, true, kPlatforms)) return false;
  if (auto parsed = model::platform_from_string(p)) {
    out = *parsed;
    return true;
  }
  t.reader().error(t.get("platform"), t.key_path("platform"),
                   std::string("expected ") + kPlatforms + ", found \"" + p + "\"");
  return false;
}

std::string strip_at(std::string handle) {
  if (!handle.empty() && handle.front() == '@') handle.erase(0, 1);
  return handle;
}

void read_accounts(Table& root, Config& c, const std::string& municipality) {
  for (Table& t : root.tables("accounts")) {
    Account a;
    a.municipality = municipality;
    const bool platform_ok = read_platform_key(t, a.platform);
    if (t.string("handle", a.handle, true, "the account's handle without '@'")) {
      a.handle = strip_at(a.handle);
    }
    t.string("display_name", a.display_name);
    t.string("department", a.department);
    t.string("purpose", a.purpose);
    t.boolean("monitor", a.monitor);
    t.string_array("administrators", a.administrators);
    t.boolean("two_factor", a.two_factor);
    if (platform_ok && !platform_enabled(c, a.platform)) {
      t.reader().error(t.get("platform"), t.key_path("platform"),
                       "platform \"" + std::string(model::to_string(a.platform)) +
                           "\" is not enabled; set [platforms." +
                           std::string(model::to_string(a.platform)) + "] enabled = true");
    }
    for (const Account& other : c.accounts) {
      if (other.platform == a.platform && other.handle == a.handle && !a.handle.empty()) {
        t.reader().error(
            t.get("handle"), t.key_path("handle"),
            "duplicate account " + a.handle + " on " + std::string(model::to_string(a.platform)));
      }
    }
    t.finish();
    c.accounts.push_back(std::move(a));
  }
}

void read_allowlist(Table& root, Config& c) {
  for (Table& t : root.tables("allowlist")) {
    AllowedAccount a;
    read_platform_key(t, a.platform);
    if (t.string("handle", a.handle, true, "the allowed account's handle"))
      a.handle = strip_at(a.handle);
    t.string("note", a.note);
    t.finish();
    c.allowlist.push_back(std::move(a));
  }
}

void read_api_tokens(Table& root, Config& c) {
  for (Table& t : root.tables("api_tokens")) {
    ApiToken a;
    t.string("name", a.name, true, "a name for the client, e.g. \"oncall-script\"");
    if (t.string("role", a.role) && a.role != "viewer" && a.role != "responder" &&
        a.role != "admin") {
      t.reader().error(t.get("role"), t.key_path("role"),
                       "expected one of viewer, responder, admin");
    }
    std::optional<Credential> token;
    if (!t.credential("token", token) && !t.raw().contains("token")) {
      t.missing("token", "a credential reference \"env:NAME\" or \"file:NAME\"");
    }
    if (token) {
      if (token->value.reveal().size() < 32) {
        t.reader().error(t.get("token"), t.key_path("token"),
                         "the token must be at least 32 characters long");
      }
      a.token = std::move(*token);
    }
    if (t.string_array("municipalities", a.municipalities)) {
      for (const std::string& id : a.municipalities) {
        bool known = false;
        for (const Municipality& m : c.municipalities) known = known || m.id == id;
        if (!known)
          t.reader().error(t.get("municipalities"), t.key_path("municipalities"),
                           "unknown municipality id " + id);
      }
    }
    for (const ApiToken& other : c.api_tokens) {
      if (other.name == a.name)
        t.reader().error(t.get("name"), t.key_path("name"), "duplicate name " + a.name);
    }
    t.finish();
    c.api_tokens.push_back(std::move(a));
  }
}

void read_playbooks(Table& root, Config& c) {
  auto t = root.table("playbooks");
  if (!t) return;
  t->string("dir", c.playbooks.dir);
  t->string_array("overrides", c.playbooks.overrides);
  t->duration("check_interval", c.playbooks.check_interval, std::chrono::seconds(1),
              std::chrono::seconds(3600));
  t->duration("homepage_check_interval", c.playbooks.homepage_check_interval,
              std::chrono::seconds(1), std::chrono::seconds(86400));
  t->finish();
}

void read_reminders(Table& root, Config& c) {
  auto t = root.table("reminders");
  if (!t) return;
  using std::chrono::days;
  auto& r = c.reminders;
  t->duration("takedown_response", r.takedown_response, std::chrono::hours(1), days(90));
  // The guidelines' minimums: a shorter period is refused, a longer one is the city's choice.
  if (t->duration("change_notice", r.change_notice, std::chrono::seconds(0), days(365)) &&
      r.change_notice < days(30))
    t->error("change_notice",
             "must be at least 30 days (\"30d\"): the guidelines ask for the notice of a change "
             "or closure at least a month before (相馬市 第4)");
  t->duration("report_before_notice", r.report_before_notice, std::chrono::seconds(0), days(90));
  if (t->duration("keep_after_change", r.keep_after_change, std::chrono::seconds(0), days(3650)) &&
      r.keep_after_change < days(365))
    t->error("keep_after_change",
             "must be at least 365 days (\"365d\"): the guidelines keep the notice of a change up "
             "for a year (相馬市 第4)");
  if (t->duration("keep_after_closure", r.keep_after_closure, std::chrono::seconds(0),
                  days(3650)) &&
      r.keep_after_closure < days(182))
    t->error("keep_after_closure",
             "must be at least 182 days (\"182d\"): the guidelines keep the notice of a closure up "
             "for half a year (相馬市 第4)");
  if (const toml::node* n = t->get("remind_before_days")) {
    const auto* a = n->as_array();
    std::vector<int> out;
    bool ok = a != nullptr && !a->empty() && a->size() <= 10;
    if (a != nullptr) {
      for (const auto& e : *a) {
        const auto* i = e.as_integer();
        if (i == nullptr || i->get() < 1 || i->get() > 365) {
          ok = false;
          break;
        }
        out.push_back(static_cast<int>(i->get()));
      }
    }
    if (ok) {
      std::sort(out.begin(), out.end(), std::greater<>());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      r.remind_before_days = std::move(out);
    } else {
      t->error("remind_before_days",
               "expected 1 to 10 whole days from 1 to 365, e.g. [7, 1] (reminders this many days "
               "before each planned date)");
    }
  }
  t->finish();
}

void read_misinfo(Table& root, Config& c) {
  auto t = root.table("misinfo");
  if (!t) return;
  std::vector<std::string> files;
  if (t->string_array("rumour_files", files)) c.misinfo.rumour_files = std::move(files);
  t->duration("registry_refresh", c.misinfo.registry_refresh, std::chrono::seconds(10),
              std::chrono::seconds(86400));
  t->finish();
}

void read_console(Table& root, Config& c) {
  auto t = root.table("console");
  if (!t) return;
  t->duration("session_idle_timeout", c.console.session_idle_timeout, std::chrono::minutes(1),
              std::chrono::hours(24));
  t->duration("session_absolute_timeout", c.console.session_absolute_timeout,
              std::chrono::minutes(5), std::chrono::hours(24 * 7));
  if (c.console.session_absolute_timeout < c.console.session_idle_timeout) {
    t->error("session_absolute_timeout", "must not be shorter than session_idle_timeout");
  }
  t->integer("login_failures_per_name", c.console.login_failures_per_name, 1, 100);
  t->integer("login_failures_per_address", c.console.login_failures_per_address, 1, 10000);
  if (t->credential("totp_key", c.console.totp_key) && c.console.totp_key &&
      c.console.totp_key->value.reveal().size() < 32) {
    t->error("totp_key", "must be at least 32 bytes (e.g. `openssl rand -hex 32`)");
  }
  t->finish();
}

void read_cluster(Table& root, Config& c) {
  auto t = root.table("cluster");
  if (!t) return;
  if (t->string("instance", c.cluster.instance) &&
      (c.cluster.instance.empty() || c.cluster.instance.size() > 100 ||
       std::any_of(c.cluster.instance.begin(), c.cluster.instance.end(),
                   [](unsigned char ch) { return ch < 0x21 || ch > 0x7e; }))) {
    t->error("instance", "expected 1 to 100 printable ASCII characters without spaces");
  }
  t->duration("lease_period", c.cluster.lease_period, std::chrono::seconds(2),
              std::chrono::seconds(3600));
  t->duration("join_window", c.cluster.join_window, std::chrono::seconds(0),
              std::chrono::seconds(600));
  t->finish();
}

void read_polling(Table& root, Config& c) {
  auto t = root.table("polling");
  if (!t) return;
  const auto read = [](Table& table, PollingIntervals& i) {
    const auto lo = std::chrono::seconds(1);
    const auto hi = std::chrono::seconds(86400);
    table.duration("profiles", i.profiles, lo, hi);
    table.duration("posts", i.posts, lo, hi);
    table.duration("replies", i.replies, lo, hi);
    table.duration("search", i.search, lo, std::chrono::seconds(7 * 86400));
    table.duration("reply_counts", i.reply_counts, std::chrono::seconds(0), hi);
    table.duration("quotes", i.quotes, std::chrono::seconds(0), hi);
    table.duration("tagged", i.tagged, std::chrono::seconds(0), hi);
  };
  read(*t, c.polling);
  for (const model::Platform p : model::kAllPlatforms) {
    auto own = t->table(model::to_string(p));
    if (!own) continue;
    PollingIntervals i = c.polling;  // what the platform's table leaves out
    read(*own, i);
    own->finish();
    c.polling.platforms[p] = i;
  }
  t->finish();
}

// A number >= 0 (integer or float) at `key`; false when absent or wrong (reported).
bool money(Table& t, std::string_view key, double& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return false;
  std::optional<double> v;
  if (const auto* i = n->as_integer()) v = static_cast<double>(i->get());
  if (const auto* f = n->as_floating_point()) v = f->get();
  if (!v || !(*v >= 0) || *v > 1e9) {
    t.error(key, "expected a number of US dollars >= 0, found " + describe_type(*n));
    return false;
  }
  out = *v;
  return true;
}

void read_lookalike(Table& root, Config& c) {
  auto t = root.table("lookalike");
  if (!t) return;
  if (const toml::node* n = t->get("quota_share")) {
    std::optional<double> v;
    if (const auto* i = n->as_integer()) v = static_cast<double>(i->get());
    if (const auto* f = n->as_floating_point()) v = f->get();
    if (!v || !(*v > 0) || *v > 1) {
      t->error("quota_share",
               "expected a share of the rate limit above 0 and at most 1 (e.g. "
               "0.33), found " +
                   (v ? std::to_string(*v) : describe_type(*n)));
    } else {
      c.lookalike.quota_share = *v;
    }
  }
  if (const toml::node* n = t->get("max_lookups_per_round")) {
    const auto* i = n->as_integer();
    if (i == nullptr || i->get() < 1 || i->get() > 1000000) {
      t->error("max_lookups_per_round",
               "expected a number of handles from 1 to 1000000 (e.g. 2000), found " +
                   (i ? std::to_string(i->get()) : describe_type(*n)));
    } else {
      c.lookalike.max_lookups_per_round = static_cast<std::size_t>(i->get());
    }
  }
  t->finish();
}

void read_api_spend(Table& root, Config& c) {
  auto t = root.table("api_spend");
  if (!t) return;
  if (auto b = t->table("budget_usd")) {
    for (const auto& [k, v] : b->raw()) {
      const std::string platform(k.str());
      if (!model::platform_from_string(platform)) {
        b->get(platform);  // reported here, not again as an unknown key
        b->error(platform, "unknown platform '" + platform + "'");
        continue;
      }
      double usd = 0;
      if (money(*b, platform, usd)) c.api_spend.budget_usd[platform] = usd;
    }
    b->finish();
  }
  for (auto& p : t->tables("price")) {
    ApiPrice price;
    p.string("platform", price.platform, true, "a platform name such as \"x\"");
    if (!price.platform.empty() && !model::platform_from_string(price.platform))
      p.error("platform", "unknown platform '" + price.platform + "'");
    p.string("endpoint", price.endpoint, true, "an endpoint name such as \"users/search\"");
    money(p, "usd_per_request", price.usd_per_request);
    money(p, "usd_per_resource", price.usd_per_resource);
    money(p, "usd_per_included_user", price.usd_per_included_user);
    money(p, "usd_per_included_post", price.usd_per_included_post);
    p.integer("units_per_request", price.units_per_request, 0, 1000000);
    p.finish();
    c.api_spend.prices.push_back(std::move(price));
  }
  t->finish();
}

LoadResult parse(std::string_view text, const std::string& source_name,
                 const CredentialSource& credentials) {
  LoadResult result;
  Reader reader(source_name, credentials);
  toml::table doc;
  try {
    doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    Diagnostic d;
    d.file = source_name;
    d.line = static_cast<int>(e.source().begin.line);
    d.column = static_cast<int>(e.source().begin.column);
    d.message = "TOML syntax error: " + std::string(e.description());
    result.errors.push_back(std::move(d));
    return result;
  }
  Config c;
  c.source = source_name;
  Table root(reader, doc, "");
  read_log(root, c);
  read_server(root, c);
  read_database(root, c);
  read_http_client(root, c);
  read_platforms(root, c);       // before accounts: accounts check their platform is enabled
  read_municipalities(root, c);  // with each tenant's accounts
  read_allowlist(root, c);
  if (c.platforms.mastodon.token_account.empty()) {
    const Account* only = nullptr;
    int count = 0;
    for (const auto& a : c.accounts) {
      if (a.platform == model::Platform::mastodon) {
        only = &a;
        ++count;
      }
    }
    if (count == 1) c.platforms.mastodon.token_account = only->handle;
  }
  read_api_tokens(root, c);
  read_polling(root, c);
  read_lookalike(root, c);
  read_api_spend(root, c);
  read_playbooks(root, c);
  read_reminders(root, c);
  read_misinfo(root, c);
  read_console(root, c);
  read_cluster(root, c);
  root.get("alerts");  // read by daemon/alerts/alerts_config.cpp from the same file
  root.finish();
  if (c.server.public_url.empty()) {
    const bool v6 = c.server.host.find(':') != std::string::npos;
    c.server.public_url = "http://" + (v6 ? "[" + c.server.host + "]" : c.server.host) + ":" +
                          std::to_string(c.server.port);
  }
  result.errors = std::move(reader.errors());
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace

const Municipality& Config::tenant(std::string_view id) const {
  for (const Municipality& m : municipalities) {
    if (m.id == id) return m;
  }
  return municipalities.empty() ? municipality : municipalities.front();
}

std::string Diagnostic::text() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

std::string LoadResult::error_text() const {
  std::string out;
  for (const auto& e : errors) out += e.text() + "\n";
  return out;
}

CredentialSource CredentialSource::from_environment() {
  CredentialSource s;
  if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0') {
    s.directory = std::filesystem::path(dir);
  }
  s.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  return s;
}

LoadResult load_string(std::string_view toml, const std::string& source_name,
                       const CredentialSource& credentials) {
  return parse(toml, source_name, credentials);
}

LoadResult load_file(const std::filesystem::path& path, const CredentialSource& credentials) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back({path.string(), 0, 0, "", "cannot open the configuration file"});
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.size() > 4 * 1024 * 1024) {
    LoadResult r;
    r.errors.push_back({path.string(), 0, 0, "", "configuration file larger than 4 MiB"});
    return r;
  }
  return parse(text, path.string(), credentials);
}

}  // namespace mamori::config
