// The fake platforms' state: accounts, posts and replies that appear over time, accounts that
// disappear, injected faults, rate-limit windows and a request log. Single-threaded (the
// server's io_context); every entry point takes the current time explicitly.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/ratelimit/api_spend.h"
#include "model/platform.h"

namespace mamori::fakeplatform {

using model::Platform;
using WallTime = std::chrono::sys_time<std::chrono::milliseconds>;

// moved: Mastodon only (the account points to a new one); elsewhere read as not_found.
enum class GoneKind { not_found, suspended, deactivated, moved };

struct Account {
  Platform platform = Platform::x;
  std::string id;  // X/Mastodon: numeric string; Bluesky: a DID
  std::string handle;
  std::string display_name;
  std::string description;
  std::string url;
  std::filesystem::path avatar_file;  // served as is when set
  std::string avatar_pattern;         // else a generated image from this seed (default: handle)
  int avatar_tweak = 0;               // pixels changed from the pattern's image (lookalikes)
  int avatar_version = 0;  // > 0: the icon URL carries ?v=N (a CDN URL change, same picture)
  std::string created_at = "2015-04-01T00:00:00.000Z";
  int followers = 0;
  int following = 0;
  bool verified = false;
  bool is_protected = false;
  double appears_at = 0;  // seconds from start (or from its trigger)
  std::string trigger;
  std::optional<double> gone_at;
  GoneKind gone_kind = GoneKind::not_found;
};

struct Post {
  Platform platform = Platform::x;
  std::string key;  // the scenario's name for it (for in_reply_to); defaults to its id
  std::string id;   // X/Mastodon numeric, Bluesky rkey; assigned when it appears unless fixed
  std::string author_handle;
  std::string text;
  std::string lang = "ja";
  std::string in_reply_to;  // key or id of the parent
  std::string quotes;       // key or id of the post it quotes (引用)
  double at = 0;
  std::string trigger;
  std::string fixed_created_at;
  int repost_count = 0;  // set through POST /_control/update_post
  int quote_count = 0;
  // Filled when the post appears:
  bool materialized = false;
  std::string created_at;
  std::string cid;  // Bluesky content id
  std::uint64_t seq = 0;
  std::string parent_id;
  std::string root_id;
  std::string quoted_id;
  WallTime created_wall{};  // when it appeared (the counts endpoint's buckets)
};

struct Fault {
  Platform platform = Platform::x;
  std::string endpoint = "*";  // endpoint name as in the log, or "*"
  // status | slow | stall | stall_body | truncated | invalid_json | oversized | disconnect
  std::string kind = "status";
  int status = 503;
  int count = 1;  // requests it applies to
  double at = 0;
  std::string trigger;
  int delay_ms = 0;         // slow (and stall: how long before closing)
  std::size_t bytes = 0;    // oversized: body size
  double reset_after = 60;  // 429: seconds until the window resets
};

struct RateLimit {
  std::int64_t limit = 0;  // 0: no limit headers at all (like an API without them)
  double window = 900;
};

struct PlatformSettings {
  // X
  std::string x_bearer_token;
  // Bluesky
  std::string bsky_identifier;
  std::string bsky_password;
  double bsky_access_ttl = 7200;
  // Mastodon
  std::string mastodon_token;
  std::string mastodon_account;  // handle whose notifications the token reads
  std::string mastodon_domain = "mastodon.example";
  // YouTube: the API key requests must carry in X-goog-api-key
  std::string youtube_api_key;
  // Facebook: the Page access token (Authorization: Bearer)
  std::string facebook_page_token;
  // Instagram: the access token of the city's professional account
  std::string instagram_token;
  // Graph and YouTube list pages: at most this many items (0: as the client asks), so a
  // scenario can make a few comments span pages (tests/fakeplatform/paging.h).
  int facebook_page_size = 0;
  int instagram_page_size = 0;
  int youtube_page_size = 0;
  // /pages/search answers only apps Meta approved for Page Public Metadata Access.
  bool facebook_page_search = false;
};

struct LogEntry {
  std::uint64_t seq = 0;
  std::int64_t unix_ms = 0;
  double t = 0;  // seconds since start
  std::string platform;
  std::string endpoint;
  std::string method;
  std::string target;  // path and query (credentials never travel there)
  int status = 0;
  std::string fault;
  std::string accept_encoding;
  bool authorized = false;
  bool proxied = false;  // arrived in absolute-form, as a forward proxy sees requests
  std::string user_agent;
  std::optional<std::int64_t> reset_unix_ms;  // advertised on a 429
  // What the platform would charge for this answer (mamori's default price table).
  double usd = 0.0;
  std::int64_t units = 0;
};

// What the HTTP layer does with a reply.
enum class Delivery { normal, slow, stall, stall_body, disconnect };

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  Delivery delivery = Delivery::normal;
  int delay_ms = 0;
  bool compressible = true;
};

struct Request {
  std::string method;
  std::string target;  // origin-form: /path?query
  std::string authorization;
  std::string api_key;  // X-goog-api-key (YouTube)
  std::string accept_encoding;
  std::string user_agent;
  std::string body;
  bool proxied = false;
};

struct Scenario {
  PlatformSettings settings;
  std::map<Platform, RateLimit> rate_limits;
  std::map<std::pair<Platform, std::string>, RateLimit> endpoint_limits;
  std::vector<Account> accounts;
  std::vector<Post> posts;
  std::vector<Fault> faults;
};

// Throws std::runtime_error naming file, line and key on bad input.
Scenario load_scenario(const std::filesystem::path& file);

class World {
 public:
  World(Scenario scenario, std::string base_url);

  Reply handle(const Request& request, WallTime now);

  // Back to the scenario's initial state; the clock restarts at `now`.
  void reset(WallTime now);
  const std::deque<LogEntry>& log() const { return log_; }
  void count_connection() { ++connections_; }

 private:
  struct Window {
    double start = -1;
    std::int64_t used = 0;
    double blocked_until = -1;  // an injected 429 exhausts the window until then
  };
  using WindowKey = std::pair<Platform, std::string>;
  struct Session {
    std::string did;
    double expires = 0;
    bool refresh = false;
  };

  double seconds(WallTime now) const;
  void advance(WallTime now);
  bool triggered(const std::string& trigger, double* fired_at) const;
  bool appeared(const Account& a, double t) const;
  bool is_gone(const Account& a, double t) const;
  bool visible_post(const Post& p, double t) const;
  const Account* find_account(Platform p, std::string_view handle_or_id) const;
  Account* find_account_mut(Platform p, std::string_view handle_or_id);
  const Post* find_post(Platform p, std::string_view id) const;
  std::string next_post_id(Platform p, WallTime when);
  std::string avatar_url(const Account& a) const;

  Reply route(const Request& request, WallTime now, LogEntry& entry);
  Reply control(const Request& request, WallTime now);
  Reply media(std::string_view path, double t);
  Reply x_api(const Request& request, std::string_view path, double t, LogEntry& entry);
  Reply bluesky_api(const Request& request, std::string_view path, double t, LogEntry& entry);
  Reply mastodon_api(const Request& request, std::string_view path, double t, LogEntry& entry);
  Reply youtube_api(const Request& request, std::string_view path, double t, LogEntry& entry);
  Reply graph_api(const Request& request, std::string_view path, double t, LogEntry& entry);
  Reply instagram_graph(const Request& request, const std::vector<std::string>& parts, double t,
                        LogEntry& entry);
  std::optional<Reply> apply_fault(Platform p, const std::string& endpoint, double t,
                                   LogEntry& entry);
  std::vector<std::pair<WindowKey, RateLimit>> windows_for(Platform p, const std::string& endpoint,
                                                           bool authorized) const;
  std::optional<Reply> rate_limit(Platform p, const std::string& endpoint, double t,
                                  Reply& headers_to, LogEntry& entry, bool count);
  void add_rate_headers(Platform p, std::int64_t limit, std::int64_t remaining, double reset_t,
                        double window, Reply& reply) const;
  Reply error_reply(Platform p, int status, const std::string& detail) const;

  // Renderers.
  boost::json::object x_user(const Account& a, const std::vector<std::string>& fields) const;
  boost::json::object x_tweet(const Post& p, const std::vector<std::string>& fields) const;
  boost::json::object x_not_found(const std::string& value, const std::string& parameter,
                                  const Account* gone) const;
  boost::json::object bsky_profile(const Account& a, int detail) const;
  boost::json::object bsky_post(const Post& p) const;
  boost::json::object bsky_thread(const Post& p, int depth, double t) const;
  boost::json::object mastodon_account(const Account& a, double t) const;
  boost::json::object mastodon_status(const Post& p, double t) const;
  std::string bsky_uri(const Post& p) const;
  boost::json::object youtube_channel(const Account& a) const;
  boost::json::object graph_page(const Account& a) const;
  boost::json::object graph_item(const Post& p) const;
  boost::json::object youtube_comment(const Post& p, const std::string& video_id) const;

  Reply control_add_account(const boost::json::object& in, WallTime now);
  // render_reports.cpp: the report APIs and GET /_control/reports.
  Reply mastodon_report(const Request& request, double t, LogEntry& entry);
  Reply bluesky_report(const Request& request, double t, LogEntry& entry);
  Reply control_reports() const;
  // city_pages.cpp: the city's homepage pages and POST /_control/pages.
  Reply city_page(std::string_view path, LogEntry& entry) const;
  Reply control_page(const boost::json::object& in);
  Reply control_add_post(const boost::json::object& in, WallTime now);

  Scenario initial_;
  Scenario state_;
  std::string base_url_;
  WallTime start_{};
  std::map<std::string, double> fired_;  // trigger name -> seconds since start
  std::map<WindowKey, Window> windows_;
  std::map<std::string, Session> sessions_;  // Bluesky tokens
  std::deque<LogEntry> log_;
  std::uint64_t log_seq_ = 0;
  mamori::collectors::PriceTable prices_ = mamori::collectors::PriceTable::defaults();
  double spent_usd_ = 0.0;  // since start or the last reset
  std::uint64_t post_seq_ = 0;
  std::uint64_t connections_ = 0;
  std::uint64_t token_counter_ = 0;
  std::map<Platform, std::int64_t> last_id_;  // per platform: ids only grow
  std::vector<boost::json::object> reports_;  // filed through the report APIs
  std::map<std::string, std::string> pages_;  // the city's homepage pages, by path
};

}  // namespace mamori::fakeplatform
