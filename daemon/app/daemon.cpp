#include "daemon/app/daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/api/auth.h"
#include "daemon/api/incident_api.h"
#include "daemon/api/evidence_api.h"
#include "daemon/api/document_api.h"
#include "daemon/console/console_routes.h"
#include "collectors/bluesky/bluesky_collector.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/mastodon/mastodon_collector.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "collectors/x/x_collector.h"
#include "daemon/app/systemd_notify.h"
#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/ack_link_routes.h"
#include "daemon/alerts/channels/channel_factory.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/detection/detection_hub.h"
#include "daemon/integrity/integrity_api.h"
#include "daemon/integrity/observation_fanout.h"
#include "daemon/detection/rumour_source.h"
#include "playbooks/engine/loader.h"
#include "daemon/metrics/collector_metrics.h"
#include "daemon/polling/poller.h"
#include "daemon/app/version.h"
#include "daemon/config/config.h"
#include "daemon/http/client_address.h"
#include "daemon/http/router.h"
#include "daemon/incidents/incident_metrics.h"
#include "daemon/incidents/automatic_check_runner.h"
#include "daemon/http/server.h"
#include "daemon/log/log.h"
#include "daemon/metrics/metrics.h"
#include "daemon/store/database.h"
#include "daemon/store/sync.h"
#include "daemon/signin/accounts_api.h"
#include "daemon/signin/signin_api.h"

namespace mamori::app {
namespace {

namespace asio = boost::asio;
namespace bh = boost::beast::http;

http::ServerLimits limits_from(const config::ServerConfig& s) {
  http::ServerLimits l;
  l.max_connections = s.max_connections;
  l.read_timeout = s.read_timeout;
  l.max_header_bytes = s.max_header_bytes;
  l.max_body_bytes = s.max_body_bytes;
  l.max_connections_per_client = s.max_connections_per_client;
  return l;
}

// /metrics and /readyz answer only [server] monitoring_allow, and only directly: a request a
// reverse proxy passed on (it says so in X-Forwarded-For or Forwarded) is refused, whoever sent it.
http::SyncHandler monitoring_only(std::shared_ptr<const http::AddressList> allow, http::SyncHandler handler) {
  return [allow = std::move(allow), handler = std::move(handler)](const http::Request& req, const http::Params& p) {
    if (http::forwarded(req) || !allow->contains(std::string_view(req[http::kPeerAddressField]))) {
      return http::json_error(req, bh::status::forbidden, "monitoring endpoints are served to [server] monitoring_allow only");
    }
    return handler(req, p);
  };
}

// A start-up step either succeeds or says why not.
struct StepResult {
  bool ok = true;
  std::string reason;
  static StepResult success() { return {}; }
  static StepResult failure(std::string why) { return {false, std::move(why)}; }
};

class Daemon {
 public:
  explicit Daemon(std::filesystem::path config_path)
      : config_path_(std::move(config_path)), metrics_(kVersion), signals_(io_),
        watchdog_timer_(io_), retention_timer_(io_), metrics_timer_(io_), drain_timer_(io_), retired_timer_(io_) {}

  int run() {
    struct Step {
      const char* name;
      std::function<StepResult()> start;
    };
    const std::vector<Step> steps = {
        {"config", [this] { return start_config(); }},
        {"playbooks", [this] { return start_playbooks(); }},
        {"database", [this] { return start_database(); }},
        {"http", [this] { return start_http(); }},
        {"workers", [this] { return start_workers(); }},
    };
    for (const Step& step : steps) {
      StepResult r;
      try {
        r = step.start();
      } catch (const std::exception& e) {
        r = StepResult::failure(e.what());
      }
      if (!r.ok) {
        log::error("startup.failed", {{"step", step.name}, {"reason", r.reason}});
        teardown();
        return config_ ? 1 : 2;
      }
      log::info("startup.step_done", {{"step", step.name}});
    }
    notify_ready("serving on " + config_->server.host + ":" + std::to_string(server_->port()));
    log::info("startup.ready", {{"version", kVersion},
                                {"listen", config_->server.host + ":" + std::to_string(server_->port())}});
    io_.run();
    teardown();
    log::info("shutdown.complete", {{"exit_code", exit_code_}});
    return exit_code_;
  }

 private:
  StepResult start_config() {
    auto result = config::load_file(config_path_);
    if (!result.ok()) {
      for (const auto& d : result.errors) log::error("config.invalid", {{"error", d.text()}});
      return StepResult::failure("configuration " + config_path_.string() + " is invalid");
    }
    auto alerts = alerts::load_alerts_file(config_path_);
    if (!alerts.ok()) {
      for (const auto& d : alerts.errors) log::error("config.invalid", {{"error", d.text()}});
      return StepResult::failure("configuration " + config_path_.string() + " is invalid ([alerts])");
    }
    alerts_config_ = std::move(alerts.config);
    config_ = std::make_shared<const config::Config>(std::move(*result.config));
    log::set_level(config_->log_level);
    log::info("config.loaded", {{"file", config_path_.string()},
                                {"municipality", config_->municipality.name},
                                {"accounts", config_->accounts.size()}});
    return StepResult::success();
  }

  // The playbooks are validated as a whole; an invalid set stops the start (and a reload keeps
  // the running set).
  static playbooks::LoadResult load_playbook_set(const config::Config& c) {
    std::filesystem::path dir = c.playbooks.dir;
    if (dir.empty()) dir = playbooks::find_shipped_playbooks(std::filesystem::read_symlink("/proc/self/exe"));
    std::vector<std::filesystem::path> overrides(c.playbooks.overrides.begin(), c.playbooks.overrides.end());
    return playbooks::load_playbooks(dir, overrides);
  }

  StepResult start_playbooks() {
    auto loaded = load_playbook_set(*config_);
    if (!loaded.ok()) {
      for (const auto& d : loaded.diagnostics) log::error("playbooks.invalid", {{"error", d.text()}});
      return StepResult::failure("playbooks are invalid (" + std::to_string(loaded.error_count()) + " error(s))");
    }
    playbooks_ = loaded.set;
    log::info("playbooks.loaded", {{"playbooks", playbooks_->playbooks.size()}, {"templates", playbooks_->templates.size()}});
    return StepResult::success();
  }

  StepResult start_database() {
    store::DatabaseOptions o;
    o.dsn = config_->database.dsn;
    if (config_->database.password) o.password = config_->database.password->value;
    o.queue_capacity = config_->database.queue_capacity;
    o.max_backoff = config_->database.max_reconnect_backoff;
    database_ = std::make_unique<store::Database>(std::move(o), &metrics_);
    database_->start();
    if (!database_->wait_ready(std::chrono::seconds(10))) {
      if (auto fatal = database_->fatal_error()) return StepResult::failure(*fatal);
      // Keep going: PostgreSQL may come up after us. /readyz says not ready until it does,
      // and writes queue (bounded) until then.
      log::warn("startup.database_unavailable",
                {{"action", "continuing; /readyz reports not ready until connected"}});
    }
    store::sync_configuration(*database_, *config_);
    return StepResult::success();
  }

  StepResult start_http() {
    router_.add(bh::verb::get, "/healthz", "/healthz", [](const http::Request& req, const http::Params&) {
      return http::json_response(req, bh::status::ok, R"({"status":"alive"})");
    });
    const auto monitoring = std::make_shared<const http::AddressList>(config_->server.monitoring_allow);
    router_.add(bh::verb::get, "/readyz", "/readyz", monitoring_only(monitoring, [this](const http::Request& req, const http::Params&) {
      boost::json::array reasons;
      if (shutting_down_) reasons.emplace_back("shutting down");
      if (const auto fatal = database_->fatal_error()) reasons.emplace_back(*fatal);
      else if (!database_->ready()) reasons.emplace_back("database not reachable or not migrated");
      const bool ready = reasons.empty();
      boost::json::object body;
      body["status"] = ready ? "ready" : "not_ready";
      body["database_queue_depth"] = database_->queue_depth();
      if (!ready) body["reasons"] = std::move(reasons);
      return http::json_response(req, ready ? bh::status::ok : bh::status::service_unavailable,
                                 boost::json::serialize(body));
    }));
    router_.add(bh::verb::get, "/metrics", "/metrics", monitoring_only(monitoring, [this](const http::Request& req, const http::Params&) {
      return http::make_response(req, bh::status::ok, metrics_.serialize(),
                                 "text/plain; version=0.0.4; charset=utf-8");
    }));
    signin_ = std::make_unique<signin::ConsoleSignin>(*database_, signin::signin_options_from(*config_));
    auth_.set(signin_->with_tokens(config_->api_tokens));
    // [alerts] as the routes, notices and alert contexts see it; reload() replaces it.
    alerts_live_ = std::make_shared<alerts::LiveAlerts>(alerts::make_alerts_snapshot(
        alerts_config_.value_or(alerts::AlertsConfig{}), config_->server.public_url, config_->municipality.name));
    const auto alert_notices = alerts::status_notice_hook(alerts_live_);
    api::register_incident_routes(router_, *database_, auth_, alert_notices);
    alerts::register_ack_link_routes(router_, *database_, alerts_live_, alert_notices, &metrics_.registry());
    api::register_rumour_routes(router_, *database_, auth_, [this] {
      asio::post(io_, [this] { if (rumours_) rumours_->refresh_now(); });  // the detector sees the change at once
    });
    integrity::register_integrity_routes(router_, *database_, auth_, [this] { return integrity_.get(); });
    signin::register_signin_routes(router_, *database_, *signin_);
    signin::register_account_routes(router_, *database_, auth_, [this] {
      auto health = signin::poll_health_from(metrics_.registry(), governed_ ? &governed_->governor() : nullptr,
                                             config_->polling);
      if (poller_) {
        for (const auto& [key, f] : poller_->failures()) {
          const auto& [platform, handle, job] = key;
          health.failures.try_emplace(
              {platform, handle},
              signin::PollHealth::Failure{
                  job, std::chrono::duration<double>(f.at.time_since_epoch()).count(), f.detail});
        }
      }
      return health;
    });
    api::register_evidence_routes(router_, *database_, auth_);
    api::register_document_routes(router_, *database_, auth_, [this] { return playbooks_; }, [this] { return config_; });
    console::register_console_routes(router_);
    server_ = std::make_unique<http::HttpServer>(io_, router_, limits_from(config_->server), &metrics_);
    server_->listen(config_->server.host, config_->server.port);
    return StepResult::success();
  }

  StepResult start_workers() {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.add(SIGHUP);
    wait_for_signal();
    if (auto interval = watchdog_interval()) {
      watchdog_period_ = std::chrono::duration_cast<std::chrono::milliseconds>(*interval) / 2;
      ping_watchdog();
    }
    schedule_retention(std::chrono::minutes(1));
    incident_metrics_ = std::make_unique<incidents::IncidentMetrics>(metrics_.registry());
    refresh_incident_metrics();
    start_collectors();
    start_automatic_checks();
    return StepResult::success();
  }

  // The platforms' HTTP stack (curl multi on this loop, behind the rate-limit governor), one
  // collector per enabled platform, and the poller that drives them.
  void start_collectors() {
    const auto& c = *config_;
    collectors::CurlClientOptions o;
    o.user_agent = c.http_client.user_agent.empty()
                       ? std::string("mamori/") + kVersion + " (municipal social-media monitoring; " +
                             c.municipality.homepage_url + ")"
                       : c.http_client.user_agent;
    o.proxy = c.http_client.proxy;
    o.max_in_flight = c.http_client.max_in_flight;
    o.max_response_bytes = c.http_client.max_response_bytes;
    for (const auto& h : c.http_client.allowed_hosts) o.allowed_hosts.add(h);
    std::vector<collectors::PlatformCollector*> active;
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.http_client.timeout);
    if (c.platforms.x.enabled) {
      for (const auto& h : collectors::default_platform_hosts(model::Platform::x)) o.allowed_hosts.add(h);
      o.allowed_hosts.add_url_host(c.platforms.x.api_base);
    }
    if (c.platforms.bluesky.enabled) {
      for (const auto& h : collectors::default_platform_hosts(model::Platform::bluesky)) o.allowed_hosts.add(h);
      o.allowed_hosts.add_url_host(c.platforms.bluesky.api_base);
      o.allowed_hosts.add_url_host(c.platforms.bluesky.pds_base);
    }
    if (c.platforms.mastodon.enabled) o.allowed_hosts.add_url_host(c.platforms.mastodon.instance);
    // The compliance audit reads the homepage's official-account list page.
    if (!c.municipality.official_account_list_url.empty()) {
      o.allowed_hosts.add_url_host(c.municipality.official_account_list_url);
    }
    curl_ = std::make_unique<collectors::CurlMultiClient>(io_, o);
    collector_metrics_ = std::make_unique<metrics::CollectorMetrics>(metrics_.registry());
    governed_ = std::make_unique<collectors::GovernedHttpClient>(io_, *curl_, collector_metrics_.get(), clock_);
    if (c.platforms.x.enabled) {
      collectors::x::XCollectorOptions xo;
      xo.api_base = c.platforms.x.api_base;
      if (c.platforms.x.bearer_token) xo.bearer_token = c.platforms.x.bearer_token->value.reveal();
      xo.timeout = timeout;
      xo.max_response_bytes = c.http_client.max_response_bytes;
      platform_collectors_.push_back(std::make_unique<collectors::x::XCollector>(*governed_, xo));
    }
    if (c.platforms.bluesky.enabled) {
      collectors::bluesky::BlueskyCollectorOptions bo;
      bo.api_base = c.platforms.bluesky.api_base;
      bo.pds_base = c.platforms.bluesky.pds_base;
      bo.identifier = c.platforms.bluesky.identifier;
      if (c.platforms.bluesky.app_password) bo.app_password = c.platforms.bluesky.app_password->value.reveal();
      bo.timeout = timeout;
      bo.max_response_bytes = c.http_client.max_response_bytes;
      platform_collectors_.push_back(std::make_unique<collectors::bluesky::BlueskyCollector>(*governed_, bo));
    }
    if (c.platforms.mastodon.enabled) {
      collectors::mastodon::MastodonCollectorOptions mo;
      mo.instance = c.platforms.mastodon.instance;
      if (c.platforms.mastodon.access_token) mo.access_token = c.platforms.mastodon.access_token->value.reveal();
      mo.token_account = c.platforms.mastodon.token_account;
      mo.timeout = timeout;
      mo.max_response_bytes = c.http_client.max_response_bytes;
      platform_collectors_.push_back(std::make_unique<collectors::mastodon::MastodonCollector>(*governed_, mo));
    }
    for (auto& pc : platform_collectors_) active.push_back(pc.get());
    polling::PollerOptions po;
    po.intervals = c.polling;
    // Alerts: their own HTTP client (allow-listed to the channels' hosts), channels, dispatcher;
    // all read [alerts] through alerts_live_, which reload() replaces (apply_alerts).
    alerts::AlertContext alert_context;
    alert_context.public_url = c.server.public_url;
    alert_context.municipality = c.municipality.name;
    alert_context.live = alerts_live_;
    if (alerts_config_) {
      alert_client_options_.user_agent = o.user_agent;
      alert_client_options_.proxy = c.http_client.proxy;
      alert_sinks_ = alerts::channels::make_channel_set(*alerts_config_, io_, alert_client_options_);
      dispatcher_ = std::make_unique<alerts::AlertDispatcher>(
          io_, *database_, alert_sinks_.view(), alerts::dispatcher_options(*alerts_config_), &metrics_.registry());
      dispatcher_->set_context(alert_context);
      dispatcher_->start();
    }
    detection::HubOptions ho;
    ho.public_url = c.server.public_url;
    hub_ = std::make_unique<detection::DetectionHub>(io_, *database_, c, playbooks_, alert_context, dispatcher_.get(), ho,
                                                     &metrics_.registry());
    hub_->enable_avatars(active, &metrics_.registry());
    hub_->start();
    rumours_ = std::make_unique<detection::RumourRefresher>(
        io_, *database_, detection::rumour_source_options(c, std::filesystem::read_symlink("/proc/self/exe")),
        [this](std::vector<detectors::misinfo::Rumour> r) { if (hub_) hub_->set_rumours(std::move(r)); },
        &metrics_.registry());
    rumours_->start();
    integrity_ = std::make_unique<integrity::IntegrityMonitor>(io_, *database_, c, playbooks_, alert_context, dispatcher_.get(),
                                                               curl_.get(), active, integrity::IntegrityOptions{},
                                                               &metrics_.registry());
    integrity_->share_avatar_fetcher(hub_->avatar_fetcher());
    integrity_->start();
    listeners_ = std::make_unique<integrity::ObservationFanout>(
        std::vector<polling::ObservationListener*>{hub_.get(), integrity_.get()});
    poller_ = std::make_unique<polling::Poller>(io_, *database_, active, po, &metrics_.registry(), listeners_.get());
    poller_->start(c.accounts);
  }

  // official_post_since_open, homepage_contains and elapsed (daemon/incidents/automatic_check_runner.h).
  void start_automatic_checks() {
    incidents::CheckRunnerOptions o;
    o.interval = config_->playbooks.check_interval;
    o.homepage_interval = config_->playbooks.homepage_check_interval;
    o.user_agent = std::string("mamori/") + kVersion + " (municipal social-media monitoring; " +
                   config_->municipality.homepage_url + ")";
    check_runner_ = std::make_unique<incidents::AutomaticCheckRunner>(io_, *database_, config_, o);
    check_runner_->start();
  }

  void stop_collectors() {
    if (poller_) poller_->stop();
    if (hub_) hub_->stop();
    if (integrity_) integrity_->stop();
    if (rumours_) rumours_->stop();
    if (dispatcher_) dispatcher_->stop();
    if (check_runner_) check_runner_->stop();
    if (governed_) governed_->shutdown();
    if (curl_) curl_->shutdown();
  }

  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;  // cancelled at shutdown
      if (signo == SIGHUP) {
        reload();
      } else {
        begin_shutdown(signo);
      }
      if (!signals_done_) wait_for_signal();
    });
  }

  void ping_watchdog() {
    notify_watchdog();
    watchdog_timer_.expires_after(watchdog_period_);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !stopped_) ping_watchdog();
    });
  }

  // Observations older than the retention period are deleted unless an incident holds them:
  // replies carry citizens' personal data.
  void schedule_retention(std::chrono::steady_clock::duration after) {
    retention_timer_.expires_after(after);
    retention_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || shutting_down_) return;
      store::submit_retention_purge(*database_, config_->database.retention_days, &metrics_);
      schedule_retention(std::chrono::hours(24));
    });
  }

  void refresh_incident_metrics() {
    if (database_->ready()) {
      database_->submit("incident_metrics", [m = incident_metrics_.get()](pqxx::connection& c) { m->refresh(c); });
    }
    metrics_timer_.expires_after(std::chrono::seconds(15));
    metrics_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !shutting_down_) refresh_incident_metrics();
    });
  }

  void reload() {
    notify_reloading();
    auto result = config::load_file(config_path_);
    if (!result.ok()) {
      metrics_.config_reloads_rejected.Increment();
      for (const auto& d : result.errors) log::warn("config.reload_invalid", {{"error", d.text()}});
      log::warn("config.reload_rejected", {{"file", config_path_.string()},
                                           {"errors", result.errors.size()},
                                           {"action", "keeping the running configuration"}});
      notify_ready("reload rejected; running configuration kept");
      return;
    }
    auto next = std::make_shared<const config::Config>(std::move(*result.config));
    if (next->server.host != config_->server.host || next->server.port != config_->server.port) {
      log::warn("config.reload_partial", {{"key", "server.listen"}, {"note", "takes effect after a restart"}});
    }
    if (next->database.dsn != config_->database.dsn) {
      log::warn("config.reload_partial", {{"key", "database.dsn"}, {"note", "takes effect after a restart"}});
    }
    auto next_playbooks = load_playbook_set(*next);
    if (!next_playbooks.ok()) {
      metrics_.config_reloads_rejected.Increment();
      for (const auto& d : next_playbooks.diagnostics) log::warn("playbooks.reload_invalid", {{"error", d.text()}});
      log::warn("config.reload_rejected", {{"reason", "playbooks invalid"}, {"action", "keeping the running configuration"}});
      notify_ready("reload rejected; running configuration kept");
      return;
    }
    auto next_alerts = alerts::load_alerts_file(config_path_);
    if (!next_alerts.ok()) {
      metrics_.config_reloads_rejected.Increment();
      for (const auto& d : next_alerts.errors) log::warn("config.reload_invalid", {{"error", d.text()}});
      log::warn("config.reload_rejected", {{"reason", "[alerts] invalid"}, {"action", "keeping the running configuration"}});
      notify_ready("reload rejected; running configuration kept");
      return;
    }
    playbooks_ = next_playbooks.set;
    if (hub_) hub_->set_playbooks(playbooks_);
    if (hub_) hub_->update_configuration(*next);
    if (integrity_) {
      integrity_->set_playbooks(playbooks_);
      integrity_->update_configuration(*next);
    }
    if (rumours_) rumours_->set_options(detection::rumour_source_options(*next, std::filesystem::read_symlink("/proc/self/exe")));
    if (poller_) poller_->update_accounts(next->accounts);
    log::set_level(next->log_level);
    server_->set_limits(limits_from(next->server));
    auth_.set(signin_->with_tokens(next->api_tokens));
    if (check_runner_) check_runner_->set_config(next);
    apply_alerts(std::move(*next_alerts.config), *next);
    config_ = std::move(next);
    store::sync_configuration(*database_, *config_);
    metrics_.config_reloads_ok.Increment();
    log::info("config.reloaded", {{"file", config_path_.string()}, {"accounts", config_->accounts.size()}});
    notify_ready("configuration reloaded");
  }

  // [alerts] on reload: alerts claimed from now on go through new channels (and a new HTTP
  // client allow-listed to their hosts); sends already under way finish on the old ones, which
  // are shut down once idle (looked at every few seconds; at the latest at shutdown). On-call, policies, the
  // link signer and the notices follow through alerts_live_.
  void apply_alerts(alerts::AlertsConfig next_alerts, const config::Config& next) {
    alerts_live_->set(alerts::make_alerts_snapshot(next_alerts, next.server.public_url, next.municipality.name));
    alerts_config_ = std::move(next_alerts);
    if (!dispatcher_) return;
    alert_client_options_.proxy = next.http_client.proxy;
    retired_alert_sinks_.push_back(std::move(alert_sinks_));
    alert_sinks_ = alerts::channels::make_channel_set(*alerts_config_, io_, alert_client_options_);
    dispatcher_->replace_channels(alert_sinks_.view(), alerts::dispatcher_options(*alerts_config_));
    sweep_retired_alert_sinks();
    log::info("alerts.reloaded", {{"channels", alerts_config_->channels.size()}, {"retired_sets", retired_alert_sinks_.size()}});
  }

  // Shuts down the retired channel sets no send uses any more; looks again in a few seconds
  // while some are still finishing a send.
  void sweep_retired_alert_sinks() {
    const std::size_t before = retired_alert_sinks_.size();
    std::erase_if(retired_alert_sinks_, [this](alerts::channels::ChannelSet& set) {
      if (dispatcher_->sending_through(set.view()) > 0) return false;
      set.shutdown();  // idle: nothing is queued, so nothing completes later
      return true;
    });
    if (retired_alert_sinks_.size() != before) {
      log::info("alerts.retired_channels_closed", {{"closed", before - retired_alert_sinks_.size()},
                                                   {"still_sending", retired_alert_sinks_.size()}});
    }
    if (retired_alert_sinks_.empty() || shutting_down_) return;
    retired_timer_.expires_after(std::chrono::seconds(5));
    retired_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !shutting_down_) sweep_retired_alert_sinks();
    });
  }

  void begin_shutdown(int signo) {
    if (shutting_down_) {
      log::warn("shutdown.forced", {{"signal", signo}});
      finish_shutdown();
      return;
    }
    shutting_down_ = true;
    notify_stopping();
    log::info("shutdown.begin", {{"signal", signo},
                                 {"drain_timeout_s", static_cast<long long>(config_->server.drain_timeout.count())},
                                 {"busy_connections", server_->busy_connections()},
                                 {"db_queue_depth", database_->queue_depth()}});
    retention_timer_.cancel();
    metrics_timer_.cancel();
    retired_timer_.cancel();
    server_->stop_accepting();
    stop_collectors();
    drain_deadline_ = std::chrono::steady_clock::now() + config_->server.drain_timeout;
    // The store drains on its own thread (it may wait for PostgreSQL); the loop stays free.
    db_drain_ = std::thread([this] {
      database_->drain_and_stop(std::chrono::duration_cast<std::chrono::milliseconds>(config_->server.drain_timeout));
      asio::post(io_, [this] {
        db_drained_ = true;
        check_drained();
      });
    });
    check_drained();
  }

  void check_drained() {
    if (stopped_) return;
    const bool http_idle = server_->busy_connections() == 0;
    const bool deadline_passed = std::chrono::steady_clock::now() >= drain_deadline_;
    if ((http_idle && db_drained_) || (deadline_passed && db_drained_)) {
      if (!http_idle) log::warn("shutdown.http_cut", {{"busy_connections", server_->busy_connections()}});
      finish_shutdown();
      return;
    }
    drain_timer_.expires_after(std::chrono::milliseconds(20));
    drain_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) check_drained();
    });
  }

  // Everything that could produce more work is cancelled; io_context::run then returns.
  void finish_shutdown() {
    if (stopped_) return;
    stopped_ = true;
    signals_done_ = true;
    boost::system::error_code ec;
    signals_.cancel(ec);
    watchdog_timer_.cancel();
    retention_timer_.cancel();
    metrics_timer_.cancel();
    drain_timer_.cancel();
    retired_timer_.cancel();
    if (server_) {
      server_->stop_accepting();
      server_->close_all();
    }
  }

  void teardown() {
    stop_collectors();
    if (server_) {
      server_->stop_accepting();
      server_->close_all();
    }
    if (db_drain_.joinable()) db_drain_.join();
    // Run the handlers the closes above completed, so no session outlives the server.
    io_.restart();
    io_.poll();
    poller_.reset();
    listeners_.reset();
    integrity_.reset();
    hub_.reset();
    check_runner_.reset();
    dispatcher_.reset();
    alert_sinks_.shutdown();  // channels before their HTTP client (the e-mail channel joins its workers)
    for (auto& retired : retired_alert_sinks_) retired.shutdown();
    io_.restart();
    io_.poll();
    alert_sinks_ = {};
    retired_alert_sinks_.clear();
    platform_collectors_.clear();
    governed_.reset();
    curl_.reset();
    io_.restart();
    io_.poll();
    server_.reset();
    signin_.reset();  // its password worker may still queue store jobs: before the store goes
    if (database_) {
      database_->drain_and_stop(std::chrono::milliseconds(0));
      database_.reset();
    }
  }

  std::filesystem::path config_path_;
  std::shared_ptr<const config::Config> config_;
  metrics::DaemonMetrics metrics_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer retention_timer_;
  asio::steady_timer metrics_timer_;
  asio::steady_timer drain_timer_;
  asio::steady_timer retired_timer_;  // sweep_retired_alert_sinks()
  std::unique_ptr<incidents::IncidentMetrics> incident_metrics_;
  std::chrono::milliseconds watchdog_period_{0};
  http::Router router_;
  api::SwappableAuthenticator auth_;
  std::unique_ptr<signin::ConsoleSignin> signin_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<http::HttpServer> server_;
  collectors::SystemClock clock_;
  std::unique_ptr<collectors::CurlMultiClient> curl_;
  std::unique_ptr<metrics::CollectorMetrics> collector_metrics_;
  std::unique_ptr<collectors::GovernedHttpClient> governed_;
  std::vector<std::unique_ptr<collectors::PlatformCollector>> platform_collectors_;
  std::shared_ptr<const playbooks::PlaybookSet> playbooks_;
  std::optional<alerts::AlertsConfig> alerts_config_;
  std::shared_ptr<alerts::LiveAlerts> alerts_live_;
  collectors::CurlClientOptions alert_client_options_;
  alerts::channels::ChannelSet alert_sinks_;
  // Channel sets replaced by a reload, kept until their sends in flight have finished.
  std::vector<alerts::channels::ChannelSet> retired_alert_sinks_;
  std::unique_ptr<alerts::AlertDispatcher> dispatcher_;
  std::unique_ptr<detection::DetectionHub> hub_;
  std::unique_ptr<integrity::IntegrityMonitor> integrity_;
  std::unique_ptr<integrity::ObservationFanout> listeners_;
  std::unique_ptr<detection::RumourRefresher> rumours_;
  std::unique_ptr<incidents::AutomaticCheckRunner> check_runner_;
  std::unique_ptr<polling::Poller> poller_;
  std::thread db_drain_;
  bool shutting_down_ = false;
  bool db_drained_ = false;
  bool stopped_ = false;
  bool signals_done_ = false;
  std::chrono::steady_clock::time_point drain_deadline_{};
  int exit_code_ = 0;
};

}  // namespace

int run_daemon(const std::filesystem::path& config_path) {
  // Signals are handled by the io_context; a write to a closed socket must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  Daemon daemon(config_path);
  return daemon.run();
}

}  // namespace mamori::app
