// mamori's configuration: TOML parsed once into typed structs with defaults and validated as a
// whole (docs/design.md "Fixed names"). Errors name file, line, key and what was expected.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/log/log.h"
#include "model/platform.h"

namespace mamori::config {

// A resolved credential. It has no stream operator and no conversion to string on purpose:
// the only way to the value is reveal(), at the point of use (HTTP header, libpq).
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

// `env:NAME` (environment variable) or `file:NAME` (a file in $CREDENTIALS_DIRECTORY, as
// systemd's LoadCredential= provides). The reference itself is safe to log.
struct CredentialRef {
  enum class Kind { env, file };
  Kind kind = Kind::env;
  std::string name;
  std::string text() const { return (kind == Kind::env ? "env:" : "file:") + name; }
};

struct Credential {
  CredentialRef ref;
  Secret value;
};

// One municipality served by this mamorid (a tenant). A single `[municipality]` table is one
// tenant with id "default"; `[[municipalities]]` lists several, each with its own accounts.
struct Municipality {
  std::string id = "default";  // lower-case ASCII key stored with its data (incidents...)
  std::string name;            // 相馬市
  std::string name_kana;       // そうまし
  std::string name_romaji;     // Soma City
  std::string homepage_url;
  std::vector<std::string> name_variants;  // further spellings staff want searched
  std::vector<std::string> neighbours;     // different entities that look close (南相馬市)
  // The homepage page listing the official accounts (special-ward.txt 5(5)ア): named in drafted
  // documents, and fetched by the compliance audit (its host joins the HTTP allow-list).
  std::string official_account_list_url;
  // For drafted documents (playbooks/templates) and the homepage_contains check.
  std::string department;  // office named in documents (秘書課広報広聴係)
  std::string notice_url;  // where notices are published; default: homepage_url
  std::string contact_phone;
  std::string contact_email;
  std::string police_station;        // 相談先 (○○警察署 生活安全課)
  std::string date_style = "reiwa";  // reiwa (令和7年11月25日) or western (2025年11月25日)
  // The municipality's own playbook override directories, applied after [playbooks] overrides
  // to its incidents only (playbooks::PlaybookSet::of).
  std::vector<std::string> playbook_overrides;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8473;
  std::string public_url;  // base of links in alerts; default http://host:port
  std::size_t max_connections = 256;
  std::chrono::seconds read_timeout{15};
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds drain_timeout{10};  // SIGTERM: how long in-flight work may finish
  // Connections one client address (IPv6: one /64) may hold; the rest are refused, so one
  // client cannot take every slot.
  std::size_t max_connections_per_client = 64;
  // Reverse proxies whose X-Forwarded-For is believed (addresses or networks such as
  // "10.0.0.0/8"); the client is the rightmost entry none of them wrote.
  std::vector<std::string> trusted_proxies{"127.0.0.1", "::1"};
  // Who may read /metrics and /readyz (addresses or networks), and only directly: a request
  // passed on by a proxy (X-Forwarded-For or Forwarded) is refused.
  std::vector<std::string> monitoring_allow{"127.0.0.1", "::1"};
};

struct DatabaseConfig {
  std::string dsn;  // libpq connection string; a password belongs in `password` or a passfile
  std::optional<Credential> password;
  std::size_t queue_capacity = 10000;
  int retention_days = 90;
  std::chrono::seconds max_reconnect_backoff{30};
};

struct HttpClientConfig {
  std::string proxy;  // e.g. http://proxy.city.example.jp:8080; empty = direct
  std::chrono::seconds timeout{30};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  std::size_t max_in_flight = 64;
  std::string user_agent;  // default "mamori/<version> (+homepage)"
  // Hosts besides the platforms' API and media hosts that fetches may go to (e.g. a Mastodon
  // instance's separate media host "files.mastodon.example", or "*.cdn.example").
  std::vector<std::string> allowed_hosts;
};

struct XPlatform {
  bool enabled = false;
  std::string api_base = "https://api.x.com";
  std::optional<Credential> bearer_token;
};

struct BlueskyPlatform {
  bool enabled = false;
  std::string api_base = "https://public.api.bsky.app";  // AppView for public reads
  std::string pds_base = "https://bsky.social";          // for createSession / notifications
  std::string identifier;                                // handle for a session (optional)
  std::optional<Credential> app_password;
};

struct MastodonPlatform {
  bool enabled = false;
  std::string instance;  // https://mastodon.example
  std::optional<Credential> access_token;
  std::string token_account;  // whose notifications the token reads (default: the only account)
};

// Facebook Graph API (Pages). The Graph version is part of graph_base, so an upgrade is a
// configuration change that can be tried and rolled back.
struct FacebookPlatform {
  bool enabled = false;
  std::string graph_base = "https://graph.facebook.com/v21.0";
  std::optional<Credential> page_access_token;  // pages_read_engagement, pages_read_user_content
  // /pages/search answers only apps Meta approved for Page Public Metadata Access; without it
  // look-alike pages are found by looking up generated names only.
  bool page_search = false;
};

// Instagram Graph API for the professional account linked to the city's Page.
struct InstagramPlatform {
  bool enabled = false;
  std::string graph_base = "https://graph.facebook.com/v21.0";
  std::optional<Credential> access_token;  // instagram_basic, instagram_manage_comments
  std::string ig_user_id;  // the city's own professional account; business discovery runs on it
  // Meta's webhook for @mentions (POST /webhooks/meta, daemon/webhooks/): served only when both
  // are set. The verify token is the text typed into the app dashboard's webhook form; the app
  // secret signs every delivery (X-Hub-Signature-256).
  std::optional<Credential> webhook_verify_token;
  std::optional<Credential> app_secret;
  bool webhook_enabled() const { return webhook_verify_token && app_secret; }
};

// YouTube Data API v3 with an API key. Every call spends units of one daily quota per Google
// Cloud project (search.list 100, the list calls 1); look-alike searches are spaced so they
// spend at most `search_units_per_day`.
struct YoutubePlatform {
  bool enabled = false;
  std::string api_base = "https://www.googleapis.com/youtube/v3";
  std::optional<Credential> api_key;
  int search_max_results = 50;
  long long daily_quota_units = 10000;    // the project's quota (Google Cloud console)
  long long search_units_per_day = 5000;  // the part look-alike searches may spend
};

struct Platforms {
  XPlatform x;
  BlueskyPlatform bluesky;
  MastodonPlatform mastodon;
  FacebookPlatform facebook;
  InstagramPlatform instagram;
  YoutubePlatform youtube;
};

// One of the municipality's own accounts.
struct Account {
  std::string municipality = "default";  // the tenant (Municipality::id) the account belongs to
  model::Platform platform = model::Platform::x;
  std::string handle;
  std::string display_name;
  std::string department;  // 運用所属 (e.g. 秘書広報課)
  std::string purpose;     // main / disaster / tourism / department ...
  bool monitor = true;     // poll its replies/mentions (false: only allow-listed)
  std::vector<std::string> administrators;
  bool two_factor = false;
};

// Accounts never to be flagged (the city's partners, neighbouring towns' real accounts).
struct AllowedAccount {
  model::Platform platform = model::Platform::x;
  std::string handle;
  std::string note;
};

// A machine client of the REST API (scripts, the on-call tool). Staff use the web console.
struct ApiToken {
  std::string name;             // shown as the actor in incident timelines
  std::string role = "viewer";  // viewer / responder / admin
  Credential token;
  // Tenants (Municipality::id) the client may see and act on; empty: all of them.
  std::vector<std::string> municipalities;
};

struct PollingIntervals {
  std::chrono::seconds profiles{300};
  std::chrono::seconds posts{120};
  std::chrono::seconds replies{60};
  std::chrono::seconds search{600};
  // The reply-rate series also from counts (X tweets/counts/recent, one request per account per
  // interval whatever the volume); 0: off. While the counts stay near the account's baseline the
  // texts are read every `replies` (calm texts cost little: X charges what is returned); once
  // they rise, only a sample is read (one page after each count) and the counts carry the rate.
  std::chrono::seconds reply_counts{0};
  // Quote posts of the account's recent posts (X quote_tweets, Bluesky getQuotes); 0: off.
  std::chrono::seconds quotes{0};
  // Others' posts that tag the account where the platform lists them apart from comments
  // (Facebook /{page-id}/tagged, Instagram /{ig-user-id}/tags); 0: off. Graph reads are free
  // (rate-limited by call count), so every 5 minutes by default.
  std::chrono::seconds tagged{300};
};

// [polling] and, per platform, [polling.x], [polling.bluesky]...: a platform's own table
// replaces the keys it names and keeps the [polling] value of the others (X's paid reads want
// slow profile and search rounds, Bluesky and Mastodon cost nothing per read).
struct PollingConfig : PollingIntervals {
  std::map<model::Platform, PollingIntervals> platforms;
  const PollingIntervals& of(model::Platform p) const {
    const auto it = platforms.find(p);
    if (it == platforms.end()) return *this;
    return it->second;
  }
};

// [api_spend]: what the platforms' APIs cost and how much a month may be spent
// (collectors/ratelimit/api_spend.h holds the published default prices and their date).
struct ApiPrice {
  std::string platform;  // "x", "youtube"...
  std::string endpoint;  // the collectors' endpoint name, e.g. "users/search"
  double usd_per_request = 0.0;
  double usd_per_resource = 0.0;
  double usd_per_included_user = 0.0;
  double usd_per_included_post = 0.0;
  std::int64_t units_per_request = 0;
};

struct ApiSpendConfig {
  std::map<std::string, double> budget_usd;  // platform -> monthly budget; absent: none
  std::vector<ApiPrice> prices;              // [[api_spend.price]]: replace a default entry
};

struct PlaybooksConfig {
  std::string dir;                     // empty: the shipped playbooks (/usr/share/mamori/playbooks)
  std::vector<std::string> overrides;  // the city's own directories, applied in order
  // How often the automatic checks run (official posts, elapsed) and the notice pages are fetched.
  std::chrono::seconds check_interval{60};
  std::chrono::seconds homepage_check_interval{300};
};

// Reminder and guideline periods for takedown requests and planned account changes (issue 19;
// daemon/incidents/takedowns.h, account_changes.h). Defaults are the guidelines'.
struct RemindersConfig {
  // How long mamori waits for a platform that no law obliges to answer before it reminds staff to
  // ask again. Platforms designated under 情報流通プラットフォーム対処法 keep the law's 7 days.
  std::chrono::seconds takedown_response{std::chrono::days(3)};
  // Notice on the account and the homepage at least this long before a change or closure
  // (相馬市 第4: 一月以上前); at least 30 days.
  std::chrono::seconds change_notice{std::chrono::days(30)};
  // The report to the 統括情報管理者 this long before the notices are due.
  std::chrono::seconds report_before_notice{std::chrono::days(7)};
  // Keep the notice this long after a change (1 年) / a closure (半年); at least that.
  std::chrono::seconds keep_after_change{std::chrono::days(365)};
  std::chrono::seconds keep_after_closure{std::chrono::days(183)};
  // Reminders this many days before each planned date (and once when it passed).
  std::vector<int> remind_before_days{7, 1};
};

// The misinformation detector's rumour registry (besides the rows staff manage over the API).
struct MisinfoConfig {
  // Rumour files (format: deploy/rumours/starter.toml). Unset: the shipped starter set
  // (/usr/share/mamori/rumours/starter.toml); an empty list loads no file.
  std::optional<std::vector<std::string>> rumour_files;
  // How often the registry table is re-read (the API also triggers a re-read at once).
  std::chrono::seconds registry_refresh{300};
};

// [console]: the web console's sign-in sessions.
struct ConsoleConfig {
  std::chrono::seconds session_idle_timeout{std::chrono::minutes(30)};
  std::chrono::seconds session_absolute_timeout{std::chrono::hours(12)};
  // Sign-in throttling: failed attempts allowed before waits start (doubling from 2 s / 1 s up
  // to 15 min), per user name and per client address (an office behind one proxy shares one).
  int login_failures_per_name = 5;
  int login_failures_per_address = 20;
  // Key (a credential, at least 32 bytes) the users' TOTP secrets are encrypted with in the
  // database (daemon/signin/totp_vault.h). Without it they are stored unencrypted.
  std::optional<Credential> totp_key;
};

// [cluster]: several mamorid on one database (daemon/polling/leases.h). Each official account is
// polled by the instance holding its lease; a lease not renewed for `lease_period` is taken over.
struct ClusterConfig {
  std::string instance;  // this instance's name in leases, logs and metrics; empty: host:pid
  std::chrono::seconds lease_period{60};
  // Instances started together (a cold start: none alive before) take no lease until this long
  // after the first of them started, then each its share of the instances alive by then, so the
  // first one up does not take every account only to hand most back. 0: take at once.
  std::chrono::seconds join_window{0};
};

// [lookalike]: direct look-ups of generated look-alike handles and flagged candidates at each
// search round (daemon/polling/lookup_budget.h).
struct LookalikeConfig {
  // The share of a platform's look-up rate limit, over one search interval, that a round may
  // spend after the accounts' own polls in the same rate-limit scope (0 < share <= 1).
  double quota_share = 1.0 / 3.0;
  // The most handles one round of a platform looks up, whatever the quota allows (flagged
  // candidates keep their one request a round above it): a round's look-ups and stores stay
  // bounded, and a pass the quota would allow at once is spread over rounds instead. 2,000 at
  // the default 10-minute search interval is ~290,000 handles a day per platform: 2,000
  // accounts' 60 look-alikes each (~40,000 per platform) in ~3.5 hours.
  std::size_t max_lookups_per_round = 2000;
};

struct Config {
  std::filesystem::path source;  // file it was read from
  log::Level log_level = log::Level::info;
  // Every tenant, in configuration order; never empty once loaded. `municipality` is the first
  // of them: the single-municipality form, and what tenant-unaware code still reads.
  std::vector<Municipality> municipalities;
  Municipality municipality;
  ServerConfig server;
  DatabaseConfig database;
  HttpClientConfig http_client;
  Platforms platforms;
  std::vector<Account> accounts;
  std::vector<AllowedAccount> allowlist;
  std::vector<ApiToken> api_tokens;
  PollingConfig polling;
  LookalikeConfig lookalike;
  ApiSpendConfig api_spend;
  PlaybooksConfig playbooks;
  RemindersConfig reminders;
  MisinfoConfig misinfo;
  ConsoleConfig console;
  ClusterConfig cluster;

  // The tenant with this id; the first one for an empty or unknown id.
  const Municipality& tenant(std::string_view id) const;
};

struct Diagnostic {
  std::string file;
  int line = 0;  // 0 when not tied to a line
  int column = 0;
  std::string key;  // dotted path, e.g. "server.listen" or "accounts[2].platform"
  std::string message;
  std::string text() const;  // "FILE:LINE:COL: KEY: message"
};

struct LoadResult {
  std::optional<Config> config;
  std::vector<Diagnostic> errors;
  bool ok() const { return config.has_value() && errors.empty(); }
  std::string error_text() const;  // one diagnostic per line
};

// Where file: credentials are read from, and how env: ones are looked up (injectable for tests).
struct CredentialSource {
  std::optional<std::filesystem::path> directory;  // $CREDENTIALS_DIRECTORY
  std::function<std::optional<std::string>(const std::string&)> getenv;
  static CredentialSource from_environment();
};

LoadResult load_file(const std::filesystem::path& path,
                     const CredentialSource& credentials = CredentialSource::from_environment());
LoadResult load_string(std::string_view toml, const std::string& source_name,
                       const CredentialSource& credentials = CredentialSource::from_environment());

}  // namespace mamori::config
