#include "daemon/integrity/integrity_monitor.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "daemon/alerts/record_finding.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/incidents/playbook_steps.h"
#include "daemon/log/log.h"
#include "daemon/metrics/event_loop_meter.h"
#include "detectors/integrity/baseline.h"
#include "detectors/integrity/compliance.h"
#include "model/observation_json.h"
#include "model/text.h"

namespace mamori::integrity {

namespace asio = boost::asio;
namespace di = detectors::integrity;

struct IntegrityMonitor::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : failing(
            prometheus::BuildGauge()
                .Name("mamori_compliance_items_failing")
                .Help(
                    "Guideline compliance items failing in the latest audit, per official account")
                .Register(r)),
        open_changes(
            prometheus::BuildGauge()
                .Name("mamori_integrity_open_changes")
                .Help("Unexpected profile changes of an official account not yet accepted by staff")
                .Register(r)),
        findings(prometheus::BuildCounter()
                     .Name("mamori_integrity_findings_total")
                     .Help("Account-compromise findings on the city's own accounts, by kind")
                     .Register(r)),
        audits(prometheus::BuildCounter()
                   .Name("mamori_compliance_audits_total")
                   .Help("Compliance audit runs, by result")
                   .Register(r)),
        profile_changes(findings.Add({{"kind", "profile_change"}})),
        own_posts(findings.Add({{"kind", "own_post"}})),
        audits_ok(audits.Add({{"result", "ok"}})),
        audits_failed(audits.Add({{"result", "failed"}})) {}
  prometheus::Family<prometheus::Gauge>& failing;
  prometheus::Family<prometheus::Gauge>& open_changes;
  prometheus::Family<prometheus::Counter>& findings;
  prometheus::Family<prometheus::Counter>& audits;
  prometheus::Counter& profile_changes;
  prometheus::Counter& own_posts;
  prometheus::Counter& audits_ok;
  prometheus::Counter& audits_failed;
};

namespace {

std::string signature(const model::ProfileSnapshot& p) {
  return p.account_id + '\x1f' + p.handle + '\x1f' + p.display_name + '\x1f' + p.description +
         '\x1f' + p.url + '\x1f' + p.avatar_url + '\x1f' + (p.verified ? "1" : "0");
}

std::string join_reasons(const std::vector<std::string>& reasons, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < reasons.size() && i < max; ++i) out += reasons[i] + "。";
  return out;
}

// Records a finding (alerts::record_finding), observed changes linked to the incident they
// opened in the same transaction.
incidents::RecordResult record_in_store(pqxx::connection& c, const model::Finding& finding,
                                        const std::vector<std::string>& evidence_json,
                                        const incidents::NewIncident& fresh,
                                        const alerts::AlertContext& context,
                                        const std::vector<long long>& change_ids) {
  std::vector<incidents::EvidenceItem> evidence;
  for (const auto& e : evidence_json)
    evidence.push_back(incidents::observation_evidence(e, finding.detected_at));
  return alerts::record_finding(c, finding, evidence, fresh, context,
                                [&](pqxx::work& tx, const incidents::RecordResult& res) {
                                  link_changes(tx, change_ids, res.incident_id);
                                });
}

}  // namespace

IntegrityMonitor::IntegrityMonitor(alerts::FindingServices services, const config::Config& config,
                                   std::shared_ptr<const playbooks::PlaybookSet> playbooks,
                                   IntegritySources sources, IntegrityOptions options)
    : io_(services.io),
      database_(services.database),
      clock_(services.clock),
      playbooks_(std::move(playbooks)),
      alert_context_(std::move(services.alert_context)),
      dispatcher_(services.dispatcher),
      homepage_http_(sources.homepage_http),
      collectors_(std::move(sources.collectors)),
      options_(std::move(options)),
      audit_timer_(services.io),
      spread_timer_(services.io),
      metrics_timer_(services.io) {
  if (services.registry != nullptr) metrics_ = std::make_shared<Metrics>(*services.registry);
  update_configuration(config);
}

IntegrityMonitor::~IntegrityMonitor() {
  *alive_ = false;
  stop();
}

void IntegrityMonitor::update_configuration(const config::Config& config) {
  towns_ = config.municipalities.empty() ? std::vector<config::Municipality>{config.municipality}
                                         : config.municipalities;
  mastodon_instance_ = config.platforms.mastodon.instance;
  std::vector<std::unique_ptr<Official>> next;
  for (const auto& a : config.accounts) {
    const std::string key =
        std::string(model::to_string(a.platform)) + ":" + model::ascii_lower(a.handle);
    auto it = std::find_if(officials_.begin(), officials_.end(),
                           [&](const auto& o) { return o && o->key == key; });
    if (it != officials_.end()) {
      (*it)->account = a;
      next.push_back(std::move(*it));
      continue;
    }
    auto o = std::make_unique<Official>();
    o->account = a;
    o->key = key;
    o->scorer = std::make_unique<di::OwnPostAnomalyScorer>(options_.anomaly);
    next.push_back(std::move(o));
  }
  officials_ = std::move(next);
  if (!stopped_) {
    for (auto& o : officials_) {
      if (!o->history_loaded) load_history(*o);
    }
  }
}

std::string list_page_error(const collectors::HttpResponse& res) {
  if (res.outcome != collectors::HttpOutcome::ok) {
    std::string error(collectors::to_string(res.outcome));
    if (res.outcome == collectors::HttpOutcome::host_not_allowed)
      error += "（許可されていないホストです）";
    return error;
  }
  std::string error = "HTTP " + std::to_string(res.status);
  // Redirects are not followed (the fetch stays on the configured page): say where to.
  const auto location = res.header("location");
  if (res.status >= 300 && res.status < 400 && location && !location->empty()) {
    error += "。転送先 " + std::string(location->substr(0, 300)) +
             " を設定の official_account_list_url にしてください";
  }
  return error;
}

void IntegrityMonitor::start() {
  stopped_ = false;
  if (options_.hash_avatars && !avatars_ && shared_avatars_) {
    avatars_ = shared_avatars_;  // the hub's: each official icon is fetched once for both
  } else if (options_.hash_avatars && !avatars_ && !collectors_.empty()) {
    // No registry: the detection hub's fetcher owns the avatar metrics; officials are not
    // held to the candidates' budget.
    avatars_ = std::make_shared<detection::AvatarFetcher>(
        io_, collectors_, detection::AvatarFetcherOptions{}, nullptr);
  }
  for (auto& o : officials_) load_history(*o);
  schedule(audit_timer_, options_.first_audit_after, &IntegrityMonitor::run_audit);
  schedule(spread_timer_, std::chrono::seconds(5), &IntegrityMonitor::check_spread);
  schedule(metrics_timer_, std::chrono::seconds(2), &IntegrityMonitor::refresh_metrics);
}

void IntegrityMonitor::stop() {
  stopped_ = true;
  if (avatars_) {
    if (avatars_ != shared_avatars_) avatars_->stop();  // a shared one is stopped by its owner
    avatars_.reset();
  }
  audit_timer_.cancel();
  spread_timer_.cancel();
  metrics_timer_.cancel();
}

void IntegrityMonitor::schedule(asio::steady_timer& timer,
                                std::chrono::steady_clock::duration after,
                                void (IntegrityMonitor::*what)()) {
  if (stopped_) return;
  timer.expires_after(after);
  timer.async_wait(
      [this, what, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        const metrics::EventLoopMeter::Scope metered("integrity.timer");
        if (what == &IntegrityMonitor::run_audit && options_.runs_here && !options_.runs_here()) {
          schedule(audit_timer_, std::chrono::minutes(1), what);  // another instance audits
          return;
        }
        (this->*what)();
      });
}

IntegrityMonitor::Remote IntegrityMonitor::remote() {
  Remote r;
  r.io_ = &io_;
  r.alive_ = alive_;
  r.monitor_ = this;
  return r;
}

void IntegrityMonitor::Remote::post(void (IntegrityMonitor::*what)()) const {
  if (io_ == nullptr) return;
  asio::post(*io_, [alive = alive_, m = monitor_, what] {
    const metrics::EventLoopMeter::Scope metered("integrity.completion");
    if (!alive.expired() && !m->stopped_) (m->*what)();
  });
}

void IntegrityMonitor::wake_dispatcher() {
  if (dispatcher_ != nullptr) dispatcher_->wake();
}

void IntegrityMonitor::plan_steps(incidents::NewIncident& fresh, model::IncidentType type,
                                  model::Severity severity, model::Platform platform) const {
  incidents::plan_playbook_steps(fresh, playbooks_.get(), type, severity, platform, clock_.now());
}

collectors::PlatformCollector* IntegrityMonitor::collector_for(model::Platform p) const {
  for (auto* c : collectors_) {
    if (c->platform() == p) return c;
  }
  return nullptr;
}

IntegrityMonitor::Official* IntegrityMonitor::official_for_profile(
    const model::ProfileSnapshot& p) {
  for (auto& o : officials_) {
    if (o->account.platform != p.platform) continue;
    if (!o->account_id.empty() && o->account_id == p.account_id) return o.get();
    if (model::iequals_ascii(o->account.handle, p.handle)) return o.get();
  }
  return nullptr;
}

IntegrityMonitor::Official* IntegrityMonitor::official_for_post(const model::Post& p) {
  for (auto& o : officials_) {
    if (o->account.platform != p.platform) continue;
    if (!o->account_id.empty() && o->account_id == p.author_id) return o.get();
    if (o->account_id.empty() && !p.author_handle.empty() &&
        model::iequals_ascii(o->account.handle, p.author_handle)) {
      return o.get();
    }
  }
  return nullptr;
}

void IntegrityMonitor::load_history(Official& o) {
  const auto platform = o.account.platform;
  const std::string handle = o.account.handle;
  const std::string key = o.key;
  const int days = options_.history_days;
  const auto kept = static_cast<int>(options_.anomaly.history_kept);
  database_.submit("integrity.load_history", [this, alive = std::weak_ptr<bool>(alive_), platform,
                                              handle, key, days, kept](pqxx::connection& c) {
    auto posts = load_own_post_history(c, platform, handle, days, kept);
    asio::post(io_, [this, alive, key, posts = std::move(posts)] {
      const metrics::EventLoopMeter::Scope metered("integrity.completion");
      if (alive.expired()) return;
      for (auto& official : officials_) {
        if (official->key != key || official->history_loaded) continue;
        for (const auto& p : posts) official->scorer->learn(p);
        official->history_loaded = true;
        log::info("integrity.history_loaded", {{"account", key}, {"posts", posts.size()}});
      }
    });
  });
}

void IntegrityMonitor::on_stored(model::Platform /*platform*/, const std::string& /*account*/,
                                 const store::StoredBatch& batch) {
  const auto now = clock_.now();
  for (const auto* list : {&batch.changed_profiles, &batch.unchanged_profiles}) {
    for (const auto& p : *list) {
      // A partial profile (a YouTube search result carries no handle) says nothing of a change.
      if (p.handle.empty()) continue;
      if (Official* o = official_for_profile(p)) check_profile(*o, p);
    }
  }
  for (const auto& post : batch.new_posts) {
    if (Official* o = official_for_post(post)) {
      check_post(*o, post, now);
    } else if ((post.quoted_post_id &&
                tracked_posts_.count({post.platform, *post.quoted_post_id})) ||
               (post.reposted_post_id &&
                tracked_posts_.count({post.platform, *post.reposted_post_id}))) {
      note_spread_post(post);
    }
  }
}

void IntegrityMonitor::check_profile(Official& o, const model::ProfileSnapshot& p) {
  if (!p.account_id.empty()) o.account_id = p.account_id;
  const std::string sig = signature(p);
  if (sig == o.last_profile_signature) return;  // seen and judged already
  o.last_profile_signature = sig;
  if (!avatars_ || p.avatar_url.empty()) return judge_profile(o, p, std::nullopt);
  // The icon is judged by its picture: fetched once per URL (cached), decoded off the loop.
  avatars_->fetch(p.platform, p.avatar_url, detection::AvatarRole::official,
                  [this, alive = std::weak_ptr<bool>(alive_), key = o.key,
                   p](const detection::AvatarPtr& icon) {
                    if (alive.expired() || stopped_) return;
                    auto it = std::find_if(officials_.begin(), officials_.end(),
                                           [&](const auto& off) { return off->key == key; });
                    if (it == officials_.end()) return;  // removed from the configuration
                    std::optional<std::uint64_t> phash;
                    if (icon && icon->hash) {
                      phash = icon->hash->phash;
                    } else {
                      // Judged by URL then: an unreadable icon must not hide a change.
                      log::warn("integrity.avatar_unhashed",
                                {{"account", key},
                                 {"url", p.avatar_url},
                                 {"outcome", icon ? icon->outcome : std::string("none")}});
                    }
                    judge_profile(**it, p, phash);
                  });
}

void IntegrityMonitor::judge_profile(Official& o, const model::ProfileSnapshot& p,
                                     std::optional<std::uint64_t> avatar_phash) {
  const std::string handle_key = model::ascii_lower(o.account.handle);
  const std::string configured = o.account.handle;
  const auto playbooks = playbooks_;
  const auto context = alert_context_;
  di::DiffOptions diff_options;
  diff_options.avatar_max_distance = options_.avatar_max_distance;
  const auto now = clock_.now();
  database_.submit("integrity.check_profile", [this, alive = std::weak_ptr<bool>(alive_),
                                               handle_key, configured, p, playbooks, context, now,
                                               avatar_phash, diff_options](pqxx::connection& c) {
    const ProfileCheck r =
        integrity::check_profile(c, handle_key, p, now, avatar_phash, diff_options);
    if (r.first_baseline) {
      log::info("integrity.baseline_created",
                {{"platform", model::to_string(p.platform)}, {"account", configured}});
    }
    for (const auto& ch : r.registered) {
      log::info("integrity.registered_change_applied",
                {{"account", configured}, {"field", di::to_string(ch.field)}});
    }
    if (r.unexpected.empty()) {
      if (!r.registered.empty())
        asio::post(io_, [this, alive] {
          const metrics::EventLoopMeter::Scope metered("integrity.completion");
          if (!alive.expired()) refresh_metrics();
        });
      return;
    }
    const model::Finding f = di::profile_change_finding(r.baseline, r.unexpected, configured, now);
    incidents::NewIncident fresh;
    fresh.title = "公式アカウントの不正な変更の疑い: @" + configured + "（" +
                  std::string(model::display_name(p.platform)) + "）";
    fresh.summary =
        "公式アカウントのプロフィールが事前の登録なく変更されました。" + join_reasons(f.reasons, 2);
    incidents::plan_playbook_steps(fresh, playbooks.get(), f.type, f.severity, p.platform, now);
    const auto res = record_in_store(c, f, {model::to_json_line(model::Observation(p))}, fresh,
                                     context, r.unexpected_ids);
    log::warn("integrity.unexpected_change", {{"account", configured},
                                              {"changes", r.unexpected.size()},
                                              {"incident_id", res.incident_id},
                                              {"created", res.created}});
    asio::post(io_, [this, alive, res] {
      const metrics::EventLoopMeter::Scope metered("integrity.completion");
      if (alive.expired()) return;
      if (metrics_) metrics_->profile_changes.Increment();
      if (alerts::wakes_dispatcher(res)) wake_dispatcher();
      refresh_metrics();
    });
  });
}

void IntegrityMonitor::check_post(Official& o, const model::Post& post, model::TimePoint now) {
  if (!o.history_loaded) {
    // The stored history is still loading: this post joins it without a judgement.
    o.scorer->learn(post);
    return;
  }
  const auto a = o.scorer->observe(post, now);
  if (!a.anomalous) return;
  model::Finding f = di::own_post_finding(post, a, o.account.handle, now);
  std::string title = "公式アカウントの不審な投稿: @" + o.account.handle + "（" +
                      std::string(model::display_name(post.platform)) + "）";
  std::string summary = "公式アカウントから普段と異なる投稿がありました（乗っ取りの可能性）。" +
                        join_reasons(f.reasons, 3);
  if (metrics_) metrics_->own_posts.Increment();
  record(std::move(f), std::move(title), std::move(summary),
         {model::to_json_line(model::Observation(post))}, {});
}

void IntegrityMonitor::record(model::Finding finding, std::string title, std::string summary,
                              std::vector<std::string> evidence_json,
                              std::vector<long long> change_ids) {
  incidents::NewIncident fresh;
  fresh.title = std::move(title);
  fresh.summary = std::move(summary);
  plan_steps(fresh, finding.type, finding.severity, finding.platform.value_or(model::Platform::x));
  const auto context = alert_context_;
  const bool queued = database_.submit(
      "integrity.record", [this, alive = std::weak_ptr<bool>(alive_), finding, fresh, evidence_json,
                           change_ids, context](pqxx::connection& c) {
        const auto res = record_in_store(c, finding, evidence_json, fresh, context, change_ids);
        log::warn("integrity.finding_recorded", {{"subject", finding.subject},
                                                 {"incident_id", res.incident_id},
                                                 {"created", res.created}});
        asio::post(io_, [this, alive, res] {
          const metrics::EventLoopMeter::Scope metered("integrity.completion");
          if (!alive.expired() && alerts::wakes_dispatcher(res)) wake_dispatcher();
        });
      });
  if (!queued)
    log::error("integrity.finding_dropped",
               {{"subject", finding.subject}, {"reason", "store queue full"}});
}

void IntegrityMonitor::run_audit() {
  // A full round: the next one is scheduled when its last town is done.
  audit_timer_.cancel();
  auto round = std::make_shared<AuditRound>();
  for (const auto& town : towns_) {
    if (auditing_.count(town.id) == 0) ++round->running;
  }
  if (round->running == 0) {
    schedule(audit_timer_, options_.audit_interval, &IntegrityMonitor::run_audit);
    return;
  }
  for (const auto& town : towns_) {
    if (auditing_.count(town.id) == 0) audit_town(town, round);
  }
}

void IntegrityMonitor::run_audit_of(const std::vector<std::string>& municipalities) {
  for (const auto& town : towns_) {
    if (std::find(municipalities.begin(), municipalities.end(), town.id) == municipalities.end())
      continue;
    if (auditing_.count(town.id) == 0) audit_town(town, nullptr);
  }
}

std::vector<std::string> IntegrityMonitor::municipalities() const {
  std::vector<std::string> ids;
  for (const auto& town : towns_) ids.push_back(town.id);
  return ids;
}

std::vector<std::pair<std::string, std::string>> IntegrityMonitor::municipality_names() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& town : towns_) out.emplace_back(town.id, town.name);
  return out;
}

void IntegrityMonitor::Remote::audit(std::vector<std::string> municipalities) const {
  if (io_ == nullptr) return;
  asio::post(*io_, [alive = alive_, m = monitor_, towns = std::move(municipalities)] {
    if (!alive.expired() && !m->stopped_) m->run_audit_of(towns);
  });
}

// The town's own list page ([[municipalities]] official_account_list_url), then its accounts.
void IntegrityMonitor::audit_town(const config::Municipality& town,
                                  std::shared_ptr<AuditRound> round) {
  auditing_.insert(town.id);
  const std::string url = town.official_account_list_url;
  if (url.empty() || homepage_http_ == nullptr) {
    audit_with_page(town, std::nullopt, std::move(round));
    return;
  }
  collectors::HttpRequest r;
  r.url = url;
  r.headers = {{"Accept", "text/html,application/xhtml+xml"}};
  r.timeout = std::chrono::seconds(30);
  r.max_response_bytes = 4 * 1024 * 1024;
  r.platform = "homepage";
  r.endpoint = "official_account_list";
  homepage_http_->fetch(
      std::move(r), [this, town, url, round = std::move(round),
                     alive = std::weak_ptr<bool>(alive_)](collectors::HttpResponse res) mutable {
        if (alive.expired()) return;
        di::ListPage page;
        page.url = url;
        if (res.outcome == collectors::HttpOutcome::ok && res.status == 200) {
          page.body = std::move(res.body);
        } else {
          page.error = list_page_error(res);
        }
        if (!page.body)
          log::warn("integrity.list_page_unavailable",
                    {{"municipality", town.id}, {"url", url}, {"error", page.error}});
        if (page.body && list_page_listener_) list_page_listener_(town.id, *page.body);
        audit_with_page(town, std::move(page), std::move(round));
      });
}

void IntegrityMonitor::audit_with_page(const config::Municipality& town,
                                       std::optional<di::ListPage> page,
                                       std::shared_ptr<AuditRound> round) {
  std::vector<config::Account> accounts;
  for (const auto& o : officials_) {
    if (o->account.municipality == town.id) accounts.push_back(o->account);
  }
  const std::string instance = mastodon_instance_;
  const int post_limit = options_.audit_posts;
  const bool queued = database_.submit(
      "integrity.audit",
      [this, alive = std::weak_ptr<bool>(alive_), accounts, town, instance, post_limit, page,
       round](pqxx::connection& c) {
        const auto now = clock_.now();
        int failing = 0;
        for (const auto& a : accounts) {
          const auto obs = load_account_observations(c, a.platform, a.handle, post_limit);
          di::AuditInput in;
          in.platform = a.platform;
          in.handle = a.handle;
          in.department = a.department;
          in.administrators = a.administrators;
          in.two_factor = a.two_factor;
          in.profile = obs.profile;
          in.recent_posts = obs.recent_posts;
          in.homepage_url = town.homepage_url;
          in.list_page_url = town.official_account_list_url;
          in.list_page = page;
          in.mastodon_instance = instance;
          const auto items = di::audit(in);
          for (const auto& i : items) failing += i.status == di::ItemStatus::fail ? 1 : 0;
          store_compliance(c, a.platform, a.handle, items, now);
        }
        log::info(
            "integrity.audit_done",
            {{"municipality", town.id}, {"accounts", accounts.size()}, {"failing_items", failing}});
        asio::post(io_, [this, alive, id = town.id, round] {
          const metrics::EventLoopMeter::Scope metered("integrity.completion");
          if (!alive.expired()) audit_done(id, true, round);
        });
      },
      [this, alive = std::weak_ptr<bool>(alive_), id = town.id, round](std::exception_ptr error) {
        if (!error) return;
        asio::post(io_, [this, alive, id, round] {
          const metrics::EventLoopMeter::Scope metered("integrity.completion");
          if (!alive.expired()) audit_done(id, false, round);
        });
      });
  if (!queued) audit_done(town.id, false, round);
}

void IntegrityMonitor::audit_done(const std::string& town, bool ok,
                                  const std::shared_ptr<AuditRound>& round) {
  auditing_.erase(town);
  if (metrics_) (ok ? metrics_->audits_ok : metrics_->audits_failed).Increment();
  // The gauges are refreshed once the audit is over: after a town audited alone, or after the
  // last town of a round (not after each of 200 towns).
  if (round ? round->running == 1 : ok) refresh_metrics();
  if (!ok) {
    log::warn("integrity.audit_failed",
              {{"municipality", town}, {"action", round ? "retrying in 10 minutes" : "none"}});
  }
  if (!round) return;
  round->failed = round->failed || !ok;
  if (--round->running > 0) return;
  schedule(audit_timer_, round->failed ? std::chrono::minutes(10) : options_.audit_interval,
           &IntegrityMonitor::run_audit);
}

void IntegrityMonitor::refresh_metrics() {
  schedule(metrics_timer_, options_.metrics_interval, &IntegrityMonitor::refresh_metrics);
  if (!metrics_ || !database_.ready()) return;
  database_.submit("integrity.metrics", [m = metrics_](pqxx::connection& c) {
    const auto counts = integrity_counts(c);
    // Gauges are thread-safe; the families belong to the daemon's registry.
    for (const auto& n : counts) {
      const std::map<std::string, std::string> labels{{"platform", n.platform},
                                                      {"account", n.handle}};
      m->failing.Add(labels).Set(n.compliance_failing);
      m->open_changes.Add(labels).Set(n.open_changes);
    }
  });
}

void IntegrityMonitor::note_spread_post(const model::Post& post) {
  const std::string of =
      post.quoted_post_id ? *post.quoted_post_id : post.reposted_post_id.value_or("");
  const bool quote = post.quoted_post_id.has_value();
  database_.submit("integrity.spread_post", [post, of, quote](pqxx::connection& c) {
    pqxx::work tx(c);
    const pqxx::result r = tx.exec_params(
        "SELECT incident_id FROM erroneous_posts WHERE platform = $1 AND post_id = $2 AND tracking",
        std::string(model::to_string(post.platform)), of);
    if (r.empty()) return;
    const std::string who = post.author_handle.empty() ? post.author_id : "@" + post.author_handle;
    tx.exec_params(
        "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail) VALUES ($1, "
        "'system:integrity',"
        " 'note', $2, jsonb_build_object('post_id', $3::text, 'author', $4::text, 'kind', "
        "$5::text))",
        r[0][0].as<long long>(),
        std::string(quote ? "誤った投稿が引用されました: " : "誤った投稿がリポストされました: ") +
            who + "（投稿 " + post.post_id + "）",
        post.post_id, who, std::string(quote ? "quote" : "repost"));
    tx.commit();
  });
}

void IntegrityMonitor::check_spread() {
  schedule(spread_timer_, options_.spread_interval, &IntegrityMonitor::check_spread);
  if (!database_.ready() || (options_.runs_here && !options_.runs_here())) return;
  database_.submit(
      "integrity.load_tracked", [this, alive = std::weak_ptr<bool>(alive_)](pqxx::connection& c) {
        auto tracked = load_tracked_posts(c);
        asio::post(io_, [this, alive, tracked = std::move(tracked)] {
          const metrics::EventLoopMeter::Scope metered("integrity.completion");
          if (alive.expired() || stopped_) return;
          tracked_posts_.clear();
          for (const auto& t : tracked) {
            tracked_posts_.insert({t.platform, t.post_id});
            auto* collector = collector_for(t.platform);
            if (collector == nullptr) continue;
            // The account's latest page carries the post's current counts while it is recent.
            collector->recent_posts(
                collectors::AccountRef{t.handle, t.account_id}, collectors::Cursor{},
                [this, alive, t](collectors::Page page) {
                  if (alive.expired()) return;
                  // Deleted on the platform (shiroi-city.txt 4(4)): delete_post completes.
                  if (post_gone_from_page(page.result, t)) {
                    log::info("integrity.post_gone", {{"post_id", t.post_id}});
                    database_.submit("integrity.post_gone",
                                     [t](pqxx::connection& conn) { record_post_gone(conn, t); });
                    return;
                  }
                  for (const auto& o : page.result.observations) {
                    const auto* p = std::get_if<model::Post>(&o);
                    if (p == nullptr || p->post_id != t.post_id) continue;
                    if (p->repost_count == t.repost_count && p->quote_count == t.quote_count &&
                        p->reply_count == t.reply_count) {
                      return;
                    }
                    const model::Post seen = *p;
                    database_.submit("integrity.spread_counts", [t, seen](pqxx::connection& conn) {
                      pqxx::work tx(conn);
                      tx.exec_params(
                          "UPDATE erroneous_posts SET repost_count = $2, quote_count = $3, "
                          "reply_count = $4,"
                          " spread_checked_at = now() WHERE incident_id = $1",
                          t.incident_id, seen.repost_count, seen.quote_count, seen.reply_count);
                      const auto delta = [](long long now_v, long long before) {
                        const long long d = now_v - before;
                        return d > 0 ? "（+" + std::to_string(d) + "）" : std::string();
                      };
                      const std::string message = "拡散状況: リポスト " +
                                                  std::to_string(seen.repost_count) + "件" +
                                                  delta(seen.repost_count, t.repost_count) +
                                                  "、引用 " + std::to_string(seen.quote_count) +
                                                  "件" + delta(seen.quote_count, t.quote_count) +
                                                  "、返信 " + std::to_string(seen.reply_count) +
                                                  "件" + delta(seen.reply_count, t.reply_count);
                      tx.exec_params(
                          "INSERT INTO incident_timeline (incident_id, actor, kind, message, "
                          "detail) VALUES ($1,"
                          " 'system:integrity', 'note', $2, jsonb_build_object('reposts', "
                          "$3::bigint, 'quotes', $4::bigint,"
                          " 'replies', $5::bigint))",
                          t.incident_id, message, seen.repost_count, seen.quote_count,
                          seen.reply_count);
                      tx.commit();
                    });
                    return;
                  }
                });
          }
        });
      });
}

}  // namespace mamori::integrity
