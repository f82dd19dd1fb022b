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
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "collectors/bluesky/bluesky_collector.h"
#include "collectors/instagram/instagram_collector.h"
#include "daemon/alerts/ack_link_routes.h"
#include "daemon/alerts/alert_service.h"
#include "daemon/alerts/alerts_config.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/api/account_change_api.h"
#include "daemon/api/auth.h"
#include "daemon/api/document_api.h"
#include "daemon/api/evidence_api.h"
#include "daemon/api/incident_api.h"
#include "daemon/api/takedown_api.h"
#include "daemon/app/api_spend_keeper.h"
#include "daemon/app/platforms.h"
#include "daemon/app/poll_health.h"
#include "daemon/app/settings.h"
#include "daemon/app/systemd_notify.h"
#include "daemon/app/version.h"
#include "daemon/config/config.h"
#include "daemon/console/console_routes.h"
#include "daemon/detection/detection_hub.h"
#include "daemon/detection/disposition_api.h"
#include "daemon/detection/manual_report_api.h"
#include "daemon/detection/rumour_source.h"
#include "daemon/http/client_address.h"
#include "daemon/http/router.h"
#include "daemon/http/server.h"
#include "daemon/incidents/automatic_check_runner.h"
#include "daemon/incidents/incident_metrics.h"
#include "daemon/incidents/reminder_rounds.h"
#include "daemon/incidents/takedown_filer.h"
#include "daemon/integrity/change_review.h"
#include "daemon/integrity/integrity_api.h"
#include "daemon/integrity/observation_fanout.h"
#include "daemon/log/log.h"
#include "daemon/metrics/event_loop_meter.h"
#include "daemon/metrics/metrics.h"
#include "daemon/polling/poller.h"
#include "daemon/signin/accounts_api.h"
#include "daemon/signin/signin_api.h"
#include "daemon/store/database.h"
#include "daemon/store/sync.h"
#include "daemon/webhooks/mention_reader.h"
#include "daemon/webhooks/meta_webhook_routes.h"
#include "playbooks/engine/loader.h"

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
http::SyncHandler monitoring_only(std::shared_ptr<const http::AddressList> allow,
                                  http::SyncHandler handler) {
  return [allow = std::move(allow), handler = std::move(handler)](const http::Request& req,
                                                                  const http::Params& p) {
    if (http::forwarded(req) || !allow->contains(std::string_view(req[http::kPeerAddressField]))) {
      return http::json_error(req, bh::status::forbidden,
                              "monitoring endpoints are served to [server] monitoring_allow only");
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
      : config_path_(std::move(config_path)),
        metrics_(kVersion),
        signals_(io_),
        watchdog_timer_(io_),
        retention_timer_(io_),
        metrics_timer_(io_),
        loop_meter_(&metrics_.registry()) {}

  int run() {
    // Handlers on this thread (the loop's) are measured from start-up on (issue 20).
    metrics::EventLoopMeter::install(&loop_meter_);
    struct Step {
      const char* name;
      std::function<StepResult()> start;
    };
    const std::vector<Step> steps = {
        {"config", [this] { return start_config(); }},
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
        return settings_.config ? 1 : 2;
      }
      log::info("startup.step_done", {{"step", step.name}});
    }
    notify_ready("serving on " + settings_.config->server.host + ":" +
                 std::to_string(server_->port()));
    log::info("startup.ready",
              {{"version", kVersion},
               {"listen", settings_.config->server.host + ":" + std::to_string(server_->port())}});
    // The probe from here: the start-up steps above run before the loop does (time to ready,
    // not a stall of a running loop).
    loop_meter_.start_probe(io_);
    io_.run();
    teardown();
    log::info("shutdown.complete", {{"exit_code", shutdown_.exit_code}});
    return shutdown_.exit_code;
  }

 private:
  // The configuration, [alerts], playbooks and rumour files (app/settings.h): all valid, or
  // no start.
  StepResult start_config() {
    auto loaded = load_settings(config_path_, config::CredentialSource::from_environment(),
                                this_executable("/usr/bin/mamorid"));
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) log::error(e.stage + ".invalid", {{"error", e.text}});
      return StepResult::failure("configuration " + config_path_.string() + " is invalid (" +
                                 std::to_string(loaded.errors.size()) + " error(s))");
    }
    settings_ = std::move(*loaded.settings);
    log::set_level(settings_.config->log_level);
    log::info("config.loaded", {{"file", config_path_.string()},
                                {"municipality", settings_.config->municipality.name},
                                {"accounts", settings_.config->accounts.size()},
                                {"playbooks", settings_.playbooks->playbooks.size()},
                                {"templates", settings_.playbooks->templates.size()},
                                {"rumours_from_files", settings_.rumours.from_files.size()}});
    return StepResult::success();
  }

  StepResult start_database() {
    store::DatabaseOptions o;
    o.dsn = settings_.config->database.dsn;
    if (settings_.config->database.password)
      o.password = settings_.config->database.password->value;
    o.queue_capacity = settings_.config->database.queue_capacity;
    o.max_backoff = settings_.config->database.max_reconnect_backoff;
    database_ = std::make_unique<store::Database>(std::move(o), &metrics_);
    database_->start();
    if (!database_->wait_ready(std::chrono::seconds(10))) {
      if (auto fatal = database_->fatal_error()) return StepResult::failure(*fatal);
      // Keep going: PostgreSQL may come up after us. /readyz says not ready until it does,
      // and writes queue (bounded) until then.
      log::warn("startup.database_unavailable",
                {{"action", "continuing; /readyz reports not ready until connected"}});
    }
    store::sync_configuration(*database_, *settings_.config);
    return StepResult::success();
  }

  StepResult start_http() {
    router_.add(bh::verb::get, "/healthz", "/healthz",
                [](const http::Request& req, const http::Params&) {
                  return http::json_response(req, bh::status::ok, R"({"status":"alive"})");
                });
    const auto monitoring =
        std::make_shared<const http::AddressList>(settings_.config->server.monitoring_allow);
    router_.add(bh::verb::get, "/readyz", "/readyz",
                monitoring_only(monitoring, [this](const http::Request& req, const http::Params&) {
                  boost::json::array reasons;
                  if (shutdown_.begun) reasons.emplace_back("shutting down");
                  if (const auto fatal = database_->fatal_error())
                    reasons.emplace_back(*fatal);
                  else if (!database_->ready())
                    reasons.emplace_back("database not reachable or not migrated");
                  const bool ready = reasons.empty();
                  boost::json::object body;
                  body["status"] = ready ? "ready" : "not_ready";
                  body["database_queue_depth"] = database_->queue_depth();
                  if (!ready) body["reasons"] = std::move(reasons);
                  return http::json_response(
                      req, ready ? bh::status::ok : bh::status::service_unavailable,
                      boost::json::serialize(body));
                }));
    router_.add(bh::verb::get, "/metrics", "/metrics",
                monitoring_only(monitoring, [this](const http::Request& req, const http::Params&) {
                  return http::make_response(req, bh::status::ok, metrics_.serialize(),
                                             "text/plain; version=0.0.4; charset=utf-8");
                }));
    signin_ = std::make_unique<signin::ConsoleSignin>(
        *database_, signin::signin_options_from(*settings_.config), clock_);
    auth_.set(signin_->with_tokens(settings_.config->api_tokens));
    // [alerts] as the routes, notices and alert contexts see it; reload() replaces it.
    alerts_ = std::make_unique<alerts::AlertService>(io_, *database_, clock_, settings_.alerts,
                                                     settings_.config->server.public_url,
                                                     settings_.config->municipality.name);
    const auto alert_notices = alerts::status_notice_hook(alerts_->live());
    api::register_incident_routes(router_, *database_, auth_, alert_notices);
    alerts::register_ack_link_routes(router_, *database_, clock_, alerts_->live(), alert_notices,
                                     &metrics_.registry());
    api::register_rumour_routes(router_, *database_, auth_, [this] {
      asio::post(io_, [this] {
        if (rumours_) rumours_->refresh_now();
      });  // the detector sees the change at once
    });
    integrity::register_integrity_routes(router_, *database_, clock_, auth_,
                                         [this] { return integrity_.get(); });
    integrity::register_change_review_routes(router_, *database_, auth_);
    api::register_account_change_routes(
        router_, *database_, clock_, auth_, [this] { return settings_.playbooks; },
        [this] { return settings_.config; });
    detection::register_manual_report_routes(
        router_, *database_, clock_, auth_, [this] { return settings_.playbooks; },
        [this] { return alerts_->context(); },
        [this] {
          asio::post(io_, [this] {
            if (auto* d = alerts_ ? alerts_->dispatcher() : nullptr) d->wake();
          });
        },
        [this] {
          asio::post(io_, [this] {
            if (integrity_) integrity_->remote().spread_check();
          });
        });
    api::register_takedown_routes(router_, *database_, clock_, auth_, io_,
                                  [this] { return takedown_filer_.get(); });
    signin::register_signin_routes(router_, *database_, *signin_);
    signin::register_account_routes(router_, *database_, auth_, clock_, [this] {
      auto health = poll_health(poller_.get(), platforms_.metrics.get(),
                                platforms_.governed ? &platforms_.governed->governor() : nullptr,
                                settings_.config->polling);
      if (spend_keeper_) {
        for (const auto& [platform, s] : spend_keeper_->summary()) {
          health.api_spend[platform] = {s.month,      s.month_to_date_usd,   s.projected_usd,
                                        s.budget_usd, s.units_month_to_date, s.degradation_level};
        }
      }
      return health;
    });
    api::register_evidence_routes(router_, *database_, auth_);
    detection::register_disposition_routes(router_, *database_, auth_, alert_notices, [this] {
      asio::post(io_, [this] {
        if (dispositions_) dispositions_->refresh_now();
      });  // the hub sees it at once
    });
    api::register_document_routes(
        router_, *database_, clock_, auth_, [this] { return settings_.playbooks; },
        [this] { return settings_.config; });
    register_meta_webhook();
    console::register_console_routes(router_);
    server_ = std::make_unique<http::HttpServer>(io_, router_,
                                                 limits_from(settings_.config->server), &metrics_);
    server_->listen(settings_.config->server.host, settings_.config->server.port);
    return StepResult::success();
  }

  // Meta's webhook (Instagram @mentions) only with both of its secrets; otherwise its path is
  // unknown (404). Queued mentions wake the reader.
  void register_meta_webhook() {
    const auto& ig = settings_.config->platforms.instagram;
    if (!ig.enabled || !ig.webhook_enabled()) return;
    webhooks::MetaWebhookOptions o;
    o.verify_token = ig.webhook_verify_token->value;
    o.app_secret = ig.app_secret->value;
    webhook_secrets_ = webhooks::register_meta_webhook_routes(router_, *database_, std::move(o),
                                                              &metrics_.registry(), [this] {
                                                                asio::post(io_, [this] {
                                                                  if (mention_reader_)
                                                                    mention_reader_->wake();
                                                                });
                                                              });
    log::info("webhook.enabled", {{"route", "/webhooks/meta"}, {"fields", "instagram mentions"}});
  }

  // The reader of queued mentions, for the Instagram accounts this instance holds.
  void start_mention_reader(const std::vector<collectors::PlatformCollector*>& active) {
    const auto& ig = settings_.config->platforms.instagram;
    if (!ig.enabled || !ig.webhook_enabled()) return;
    collectors::instagram::InstagramCollector* client = nullptr;
    for (auto* pc : active) {
      if (auto* i = dynamic_cast<collectors::instagram::InstagramCollector*>(pc)) client = i;
    }
    if (client == nullptr) return;
    webhooks::MentionReaderOptions o;
    o.instance = leases_ ? leases_->instance() : polling::default_instance_name();
    mention_reader_ = std::make_unique<webhooks::MentionReader>(
        io_, *database_, *client,
        [this] {
          std::vector<std::string> held;
          for (const auto& a : settings_.config->accounts) {
            if (a.platform == model::Platform::instagram &&
                (!leases_ || leases_->holds(a.platform, a.handle)))
              held.push_back(a.handle);
          }
          return held;
        },
        listeners_.get(), std::move(o), &metrics_.registry());
    mention_reader_->start();
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

  // The platforms' HTTP stack and collectors (app/platforms.h), the alert channels and
  // dispatcher, the detection hub, the integrity monitor, and the poller that drives them.
  void start_collectors() {
    const auto& c = *settings_.config;
    platforms_ = make_platforms(io_, c, metrics_.registry(), clock_);
    spend_keeper_ = std::make_unique<ApiSpendKeeper>(io_, *database_, *platforms_.spend, clock_,
                                                     &metrics_.registry());
    spend_keeper_->start();
    const auto active = platforms_.active();
    start_leases();
    start_takedowns(active);
    collectors::CurlClientOptions alert_client;  // the channels' own client
    alert_client.user_agent = user_agent(c);
    alert_client.proxy = c.http_client.proxy;
    alerts_->start(alert_client, &metrics_.registry());
    const auto alert_context = alerts_->context();
    auto* dispatcher = alerts_->dispatcher();
    const alerts::FindingServices services{io_,           *database_, clock_,
                                           alert_context, dispatcher, &metrics_.registry()};
    detection::HubOptions hub_options;
    hub_options.leased = true;  // reply-rate history is loaded for the accounts leased here
    hub_ = std::make_unique<detection::DetectionHub>(services, c, settings_.playbooks, hub_options);
    hub_->enable_avatars(active, &metrics_.registry());
    std::map<model::Platform, std::chrono::seconds> counted;
    for (auto* collector : active) {
      const auto interval = c.polling.of(collector->platform()).reply_counts;
      if (collector->has_reply_counts() && interval.count() > 0) {
        counted[collector->platform()] = interval;
      }
    }
    hub_->set_counted_series(std::move(counted));
    hub_->start();
    rumours_ = std::make_unique<detection::RumourRefresher>(
        io_, *database_, settings_.rumours,
        [this](std::vector<detectors::misinfo::Rumour> r) {
          if (hub_) hub_->set_rumours(std::move(r));
        },
        &metrics_.registry());
    rumours_->start();
    dispositions_ = std::make_unique<detection::DispositionRefresher>(
        io_, *database_, [this](std::vector<detection::CandidateDisposition> all) {
          if (hub_) hub_->set_dispositions(std::move(all));
        });
    dispositions_->start();
    integrity_ = std::make_unique<integrity::IntegrityMonitor>(
        services, c, settings_.playbooks,
        integrity::IntegritySources{platforms_.curl.get(), active}, integrity_options());
    integrity_->share_avatar_fetcher(hub_->avatar_fetcher());
    integrity_->on_list_page([this](const std::string& municipality, const std::string& html) {
      if (hub_) hub_->set_official_list_page(html, municipality);
    });
    integrity_->start();
    listeners_ = std::make_unique<integrity::ObservationFanout>(
        std::vector<polling::ObservationListener*>{hub_.get(), integrity_.get()});
    polling::PollerOptions po;
    po.intervals = c.polling;
    // Look-alikes on the new platforms: YouTube's searches are sized to its daily quota;
    // Instagram has no account search and Facebook's needs Meta's approval, so there only the
    // generated look-alike names are looked up.
    if (c.platforms.youtube.enabled) {
      po.search_budgets[model::Platform::youtube] = {c.platforms.youtube.search_units_per_day, 100,
                                                     1};
      const long long polling = youtube_polling_units_per_day(c);
      if (polling + c.platforms.youtube.search_units_per_day >
          c.platforms.youtube.daily_quota_units)
        log::warn("youtube.quota_overcommitted",
                  {{"polling_units_per_day", polling},
                   {"search_units_per_day", c.platforms.youtube.search_units_per_day},
                   {"daily_quota_units", c.platforms.youtube.daily_quota_units}});
    }
    if (!c.platforms.facebook.page_search) po.search_budgets[model::Platform::facebook] = {0, 0, 0};
    po.search_budgets[model::Platform::instagram] = {0, 0, 0};
    po.interval_factor = [this](model::Platform p, std::string_view job) {
      auto& meter = *platforms_.spend;
      return collectors::SpendMeter::interval_factor(
          meter.degradation_level(model::to_string(p), clock_.now()), job);
    };
    // Look-alike search may spend a fifth of what is left of a platform's budget.
    po.search_spacing = [this](model::Platform p, std::size_t queries, std::size_t lookups) {
      return platforms_.spend->search_spacing(model::to_string(p), queries + lookups, 0.2,
                                              clock_.now());
    };
    // Look-alike rounds sized to the rate limit the platform's headers told the governor
    // (daemon/polling/lookup_budget.h); its published default until they have.
    po.lookalike_quota_share = c.lookalike.quota_share;
    po.lookalike_max_per_round = c.lookalike.max_lookups_per_round;
    po.learned_lookup_window = [this](model::Platform p) -> std::optional<polling::LookupWindow> {
      if (!platforms_.governed) return std::nullopt;
      const auto fallback = polling::default_lookup_window(p);
      for (const auto endpoint : polling::lookup_limit_endpoints(p)) {
        const auto s = platforms_.governed->governor().status(model::to_string(p), endpoint);
        if (!s.limit || *s.limit <= 0) continue;
        polling::LookupWindow w;
        w.limit = *s.limit;
        w.window = s.window ? *s.window : fallback ? fallback->window : std::chrono::seconds(0);
        if (w.window.count() > 0) return w;
      }
      return std::nullopt;
    };
    po.leases = leases_.get();
    poller_ = std::make_unique<polling::Poller>(io_, *database_, clock_, active, po,
                                                &metrics_.registry(), listeners_.get());
    poller_->start(c.accounts);
    leases_->start(c.accounts);
    start_mention_reader(active);
  }

  // Several mamorid on one database (daemon/polling/leases.h): the accounts' leases and the
  // platform-wide jobs' leader, renewed on a connection of their own. The hub hears of taken
  // accounts before the poller, so their history is queued before their first poll.
  void start_leases() {
    const auto& c = *settings_.config;
    store::DatabaseOptions o;
    o.dsn = c.database.dsn;
    if (c.database.password) o.password = c.database.password->value;
    o.queue_capacity = 16;
    o.max_backoff = std::chrono::seconds(5);
    o.apply_migrations = false;  // the main store's worker applies them
    leases_db_ = std::make_unique<store::Database>(std::move(o), nullptr);
    leases_db_->start();
    leases_ =
        std::make_unique<polling::PollLeases>(io_, *leases_db_, c.cluster, &metrics_.registry());
    leases_->on_change([this](const polling::LeaseChange& change) {
      if (hub_) hub_->leases_changed(change);
      if (poller_) poller_->leases_changed(change);
    });
    leases_->on_leadership([this](bool leads) {
      if (!leads) return;
      if (hub_) hub_->reload_tracked();
      // Their rounds were skipped while another instance led: run one now.
      if (reminder_rounds_) reminder_rounds_->start();
      if (check_runner_) check_runner_->start();
    });
  }

  bool leads() const { return !leases_ || leases_->leads(); }

  integrity::IntegrityOptions integrity_options() {
    integrity::IntegrityOptions o;
    o.runs_here = [this] { return leads(); };
    return o;
  }

  // official_post_since_open, homepage_contains and elapsed
  // (daemon/incidents/automatic_check_runner.h).
  void start_automatic_checks() {
    incidents::CheckRunnerOptions o;
    o.interval = settings_.config->playbooks.check_interval;
    o.homepage_interval = settings_.config->playbooks.homepage_check_interval;
    o.user_agent = std::string("mamori/") + kVersion + " (municipal social-media monitoring; " +
                   settings_.config->municipality.homepage_url + ")";
    o.runs_here = [this] { return leads(); };
    check_runner_ = std::make_unique<incidents::AutomaticCheckRunner>(io_, *database_, clock_,
                                                                      settings_.config, o);
    check_runner_->set_collectors(platforms_.active());  // hand-opened incidents' accounts
    check_runner_->start();
  }

  // Takedown reports filed through the platforms' report APIs, and their reminders.
  void start_takedowns(const std::vector<collectors::PlatformCollector*>& active) {
    const auto& c = *settings_.config;
    incidents::TakedownFilerOptions to;
    if (c.platforms.mastodon.enabled && c.platforms.mastodon.access_token) {
      to.mastodon_instance = c.platforms.mastodon.instance;
      to.mastodon_token = c.platforms.mastodon.access_token->value.reveal();
    }
    to.bluesky_pds = c.platforms.bluesky.pds_base;
    to.own_response_period = c.reminders.takedown_response;
    to.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.http_client.timeout);
    collectors::bluesky::BlueskyCollector* bluesky = nullptr;
    for (auto* pc : active) {
      if (auto* b = dynamic_cast<collectors::bluesky::BlueskyCollector*>(pc)) bluesky = b;
    }
    takedown_filer_ =
        std::make_unique<incidents::TakedownFiler>(io_, *platforms_.governed, bluesky, to);
    reminder_rounds_ = std::make_unique<incidents::ReminderRounds>(
        io_, *database_, clock_,
        std::chrono::duration_cast<std::chrono::milliseconds>(c.playbooks.check_interval),
        alerts::reminder_hook(alerts_->context()), c.reminders);
    reminder_rounds_->set_runs_here([this] { return leads(); });
    reminder_rounds_->start();
  }

  void stop_collectors() {
    if (reminder_rounds_) reminder_rounds_->stop();
    if (poller_) poller_->stop();
    if (mention_reader_) mention_reader_->stop();
    if (leases_) leases_->stop();  // let the leases go: the other instances take them at once
    if (hub_) hub_->stop();
    if (integrity_) integrity_->stop();
    if (rumours_) rumours_->stop();
    if (dispositions_) dispositions_->stop();
    if (alerts_) alerts_->stop();
    if (check_runner_) check_runner_->stop();
    if (spend_keeper_) spend_keeper_->stop();
    platforms_.shutdown();
  }

  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;  // cancelled at shutdown
      if (signo == SIGHUP) {
        reload();
      } else {
        begin_shutdown(signo);
      }
      if (!shutdown_.signals_done) wait_for_signal();
    });
  }

  void ping_watchdog() {
    notify_watchdog();
    watchdog_timer_.expires_after(watchdog_period_);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !shutdown_.stopped) ping_watchdog();
    });
  }

  // Observations older than the retention period are deleted unless an incident holds them:
  // replies carry citizens' personal data.
  void schedule_retention(std::chrono::steady_clock::duration after) {
    retention_timer_.expires_after(after);
    retention_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || shutdown_.begun) return;
      if (!leads()) {  // another instance purges
        schedule_retention(std::chrono::minutes(10));
        return;
      }
      store::submit_retention_purge(*database_, settings_.config->database.retention_days,
                                    &metrics_);
      schedule_retention(std::chrono::hours(24));
    });
  }

  void refresh_incident_metrics() {
    if (database_->ready()) {
      database_->submit("incident_metrics",
                        [m = incident_metrics_.get()](pqxx::connection& c) { m->refresh(c); });
    }
    metrics_timer_.expires_after(std::chrono::seconds(15));
    metrics_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !shutdown_.begun) refresh_incident_metrics();
    });
  }

  // A dry run of the whole load first (app/settings.h); only a result valid in every stage is
  // swapped in, otherwise everything running stays as it was.
  void reload() {
    notify_reloading();
    auto loaded = load_settings(config_path_, config::CredentialSource::from_environment(),
                                this_executable("/usr/bin/mamorid"));
    if (!loaded.ok()) {
      metrics_.config_reloads_rejected.Increment();
      for (const auto& e : loaded.errors)
        log::warn(e.stage + ".reload_invalid", {{"error", e.text}});
      log::warn("config.reload_rejected", {{"file", config_path_.string()},
                                           {"errors", loaded.errors.size()},
                                           {"action", "keeping the running configuration"}});
      notify_ready("reload rejected; running configuration kept");
      return;
    }
    Settings& s = *loaded.settings;
    auto next = s.config;
    if (next->server.host != settings_.config->server.host ||
        next->server.port != settings_.config->server.port) {
      log::warn("config.reload_partial",
                {{"key", "server.listen"}, {"note", "takes effect after a restart"}});
    }
    reload_webhook_secrets(*next);
    if (next->database.dsn != settings_.config->database.dsn) {
      log::warn("config.reload_partial",
                {{"key", "database.dsn"}, {"note", "takes effect after a restart"}});
    }
    settings_.playbooks = s.playbooks;
    if (hub_) hub_->set_playbooks(settings_.playbooks);
    if (hub_) hub_->update_configuration(*next);
    if (integrity_) {
      integrity_->set_playbooks(settings_.playbooks);
      integrity_->update_configuration(*next);
    }
    settings_.rumours = std::move(s.rumours);
    if (rumours_) rumours_->set_options(settings_.rumours);
    if (poller_) poller_->update_accounts(next->accounts);
    if (leases_) leases_->update_accounts(next->accounts);
    if (platforms_.spend) {
      platforms_.spend->set_prices(price_table(next->api_spend));
      apply_budgets(*platforms_.spend, next->api_spend);
    }
    log::set_level(next->log_level);
    server_->set_limits(limits_from(next->server));
    auth_.set(signin_->with_tokens(next->api_tokens));
    if (check_runner_) check_runner_->set_config(next);
    if (takedown_filer_)
      takedown_filer_->set_own_response_period(next->reminders.takedown_response);
    if (reminder_rounds_) reminder_rounds_->set_periods(next->reminders);
    alerts_->apply(s.alerts, next->server.public_url, next->municipality.name,
                   next->http_client.proxy);
    settings_.alerts = std::move(s.alerts);
    settings_.config = std::move(next);
    store::sync_configuration(*database_, *settings_.config);
    metrics_.config_reloads_ok.Increment();
    log::info("config.reloaded",
              {{"file", config_path_.string()}, {"accounts", settings_.config->accounts.size()}});
    notify_ready("configuration reloaded");
  }

  // Meta's webhook: new secrets (a rotated app secret or verify token) apply at once; turning
  // the webhook on or off needs a restart (its routes and reader are set up at start).
  void reload_webhook_secrets(const config::Config& next) {
    const auto on = [](const config::Config& c) {
      const auto& ig = c.platforms.instagram;
      return ig.enabled && ig.webhook_enabled();
    };
    if (on(next) != on(*settings_.config)) {
      log::warn("config.reload_partial", {{"key", "platforms.instagram webhook (on or off)"},
                                          {"note", "takes effect after a restart"}});
      return;
    }
    if (!on(next) || !webhook_secrets_) return;
    const auto& ig = next.platforms.instagram;
    if (ig.webhook_verify_token->value.reveal() == webhook_secrets_->verify_token().reveal() &&
        ig.app_secret->value.reveal() == webhook_secrets_->app_secret().reveal())
      return;
    webhook_secrets_->replace(ig.webhook_verify_token->value, ig.app_secret->value);
    log::info("webhook.secrets_replaced", {{"route", "/webhooks/meta"}});
  }

  void begin_shutdown(int signo) {
    if (shutdown_.begun) {
      log::warn("shutdown.forced", {{"signal", signo}});
      finish_shutdown();
      return;
    }
    shutdown_.begun = true;
    notify_stopping();
    log::info("shutdown.begin",
              {{"signal", signo},
               {"drain_timeout_s",
                static_cast<long long>(settings_.config->server.drain_timeout.count())},
               {"busy_connections", server_->busy_connections()},
               {"db_queue_depth", database_->queue_depth()}});
    retention_timer_.cancel();
    metrics_timer_.cancel();
    server_->stop_accepting();
    stop_collectors();
    shutdown_.deadline = std::chrono::steady_clock::now() + settings_.config->server.drain_timeout;
    // The store drains on its own thread (it may wait for PostgreSQL); the loop stays free.
    shutdown_.db_drain = std::thread([this] {
      database_->drain_and_stop(std::chrono::duration_cast<std::chrono::milliseconds>(
          settings_.config->server.drain_timeout));
      asio::post(io_, [this] {
        shutdown_.db_drained = true;
        check_drained();
      });
    });
    check_drained();
  }

  void check_drained() {
    if (shutdown_.stopped) return;
    const bool http_idle = server_->busy_connections() == 0;
    const bool deadline_passed = std::chrono::steady_clock::now() >= shutdown_.deadline;
    if ((http_idle && shutdown_.db_drained) || (deadline_passed && shutdown_.db_drained)) {
      if (!http_idle)
        log::warn("shutdown.http_cut", {{"busy_connections", server_->busy_connections()}});
      finish_shutdown();
      return;
    }
    shutdown_.timer.expires_after(std::chrono::milliseconds(20));
    shutdown_.timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) check_drained();
    });
  }

  // Everything that could produce more work is cancelled; io_context::run then returns.
  void finish_shutdown() {
    if (shutdown_.stopped) return;
    shutdown_.stopped = true;
    shutdown_.signals_done = true;
    boost::system::error_code ec;
    signals_.cancel(ec);
    watchdog_timer_.cancel();
    retention_timer_.cancel();
    metrics_timer_.cancel();
    loop_meter_.stop_probe();
    shutdown_.timer.cancel();
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
    if (shutdown_.db_drain.joinable()) shutdown_.db_drain.join();
    // Run the handlers the closes above completed, so no session outlives the server.
    io_.restart();
    io_.poll();
    poller_.reset();
    mention_reader_.reset();
    // The leases' store first: a round still in flight completes onto PollLeases.
    if (leases_db_) {
      leases_db_->drain_and_stop(std::chrono::seconds(2));  // the leases let go (stop())
    }
    leases_.reset();
    leases_db_.reset();
    listeners_.reset();
    integrity_.reset();
    hub_.reset();
    check_runner_.reset();
    reminder_rounds_.reset();
    takedown_filer_.reset();
    if (alerts_) alerts_->shutdown();  // channels before their HTTP clients
    io_.restart();
    io_.poll();
    alerts_.reset();
    spend_keeper_.reset();
    platforms_ = {};
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
  // The daemon's one clock: every "what time is it" that ends up in data, expiry or a metric
  // (components take it by reference; Asio's timers only wait on the steady clock).
  collectors::SystemClock clock_;
  Settings settings_;  // what was read from files (app/settings.h); a reload replaces its parts
  metrics::DaemonMetrics metrics_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer retention_timer_;
  asio::steady_timer metrics_timer_;
  metrics::EventLoopMeter loop_meter_;  // installed for this thread by run()
  std::unique_ptr<incidents::IncidentMetrics> incident_metrics_;
  std::chrono::milliseconds watchdog_period_{0};
  http::Router router_;
  api::SwappableAuthenticator auth_;
  std::unique_ptr<signin::ConsoleSignin> signin_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<http::HttpServer> server_;
  Platforms platforms_;
  std::unique_ptr<ApiSpendKeeper> spend_keeper_;  // uses platforms_.spend
  std::unique_ptr<alerts::AlertService> alerts_;
  std::unique_ptr<detection::DetectionHub> hub_;
  std::unique_ptr<integrity::IntegrityMonitor> integrity_;
  std::unique_ptr<integrity::ObservationFanout> listeners_;
  std::unique_ptr<detection::RumourRefresher> rumours_;
  std::unique_ptr<detection::DispositionRefresher> dispositions_;
  std::unique_ptr<incidents::AutomaticCheckRunner> check_runner_;
  std::unique_ptr<incidents::TakedownFiler> takedown_filer_;
  std::unique_ptr<incidents::ReminderRounds> reminder_rounds_;
  std::unique_ptr<store::Database> leases_db_;  // the leases' own connection
  std::unique_ptr<polling::PollLeases> leases_;
  std::unique_ptr<polling::Poller> poller_;
  std::unique_ptr<webhooks::MentionReader> mention_reader_;        // Instagram @mentions (webhook)
  std::shared_ptr<webhooks::MetaWebhookSecrets> webhook_secrets_;  // replaced by a reload
  // Where the shutdown stands (begin_shutdown, check_drained, finish_shutdown).
  struct Shutdown {
    explicit Shutdown(asio::io_context& io) : timer(io) {}
    bool begun = false;
    bool db_drained = false;
    bool stopped = false;  // io_context::run returns
    bool signals_done = false;
    std::chrono::steady_clock::time_point deadline{};
    asio::steady_timer timer;  // check_drained() until both are drained or the deadline passed
    std::thread db_drain;      // the store drains on its own thread
    int exit_code = 0;
  } shutdown_{io_};
};

}  // namespace

int run_daemon(const std::filesystem::path& config_path) {
  // Signals are handled by the io_context; a write to a closed socket must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  Daemon daemon(config_path);
  return daemon.run();
}

}  // namespace mamori::app
