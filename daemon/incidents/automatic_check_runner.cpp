#include "daemon/incidents/automatic_check_runner.h"

#include <boost/asio/post.hpp>

#include "daemon/incidents/automatic_checks.h"
#include "daemon/incidents/incident_documents.h"
#include "daemon/incidents/subject_ref.h"
#include "daemon/log/log.h"
#include "model/text.h"
#include "playbooks/engine/documents.h"

namespace mamori::incidents {

namespace asio = boost::asio;

collectors::HostAllowList homepage_hosts(const config::Config& config) {
  collectors::HostAllowList hosts;
  const auto& m = config.municipality;
  for (const std::string* url : {&m.homepage_url, &m.notice_url, &m.official_account_list_url}) {
    if (!url->empty()) hosts.add_url_host(*url);
  }
  for (const auto& h : config.http_client.allowed_hosts) hosts.add(h);
  return hosts;
}

AutomaticCheckRunner::AutomaticCheckRunner(asio::io_context& io, store::Database& database,
                                           const collectors::Clock& clock,
                                           std::shared_ptr<const config::Config> config,
                                           CheckRunnerOptions options)
    : io_(io),
      clock_(clock),
      database_(database),
      config_(std::move(config)),
      options_(std::move(options)),
      timer_(io) {}

AutomaticCheckRunner::~AutomaticCheckRunner() {
  *alive_ = false;
  stop();
}

void AutomaticCheckRunner::start() {
  stopped_ = false;
  next_homepage_round_ = std::chrono::steady_clock::now();
  schedule(std::chrono::milliseconds(0));
}

void AutomaticCheckRunner::stop() {
  stopped_ = true;
  collectors_.clear();
  timer_.cancel();
  if (http_) http_->shutdown();
}

void AutomaticCheckRunner::set_config(std::shared_ptr<const config::Config> config) {
  config_ = std::move(config);
}

void AutomaticCheckRunner::set_collectors(std::vector<collectors::PlatformCollector*> collectors) {
  collectors_ = std::move(collectors);
}

void AutomaticCheckRunner::schedule(std::chrono::milliseconds after) {
  if (stopped_) return;
  timer_.expires_after(after);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        round();
        schedule(options_.interval);
      });
}

// The client is rebuilt when a reload changed the allowed hosts, between fetches only.
void AutomaticCheckRunner::ensure_client() {
  const auto hosts = homepage_hosts(*config_);
  if (http_ && (hosts.patterns() == http_hosts_ || fetches_in_flight_ > 0)) return;
  if (http_) http_->shutdown();
  collectors::CurlClientOptions o;
  o.user_agent = config_->http_client.user_agent.empty() ? options_.user_agent
                                                         : config_->http_client.user_agent;
  o.proxy = config_->http_client.proxy;
  o.max_in_flight = 4;  // a city's own web server: a few pages, gently
  o.max_response_bytes = options_.max_page_bytes;
  o.allowed_hosts = hosts;
  http_hosts_ = hosts.patterns();
  http_ = std::make_unique<collectors::CurlMultiClient>(io_, std::move(o));
}

void AutomaticCheckRunner::round() {
  if (round_running_ || !database_.ready()) return;  // the previous round's job is still queued
  if (options_.runs_here && !options_.runs_here()) return;  // another instance runs them
  round_running_ = true;
  ++rounds_;
  const auto now_steady = std::chrono::steady_clock::now();
  // Pages are fetched one round at a time. All pending steps' pages every homepage_interval;
  // a step mamori has not read its page for yet (a new incident) at the next round, so the
  // baseline is taken soon after the incident opened, before staff publish a notice.
  const bool may_fetch = fetches_in_flight_ == 0;
  const bool may_look_up = lookups_in_flight_ == 0 && !collectors_.empty();
  const bool homepage_due = now_steady >= next_homepage_round_ && may_fetch;
  if (homepage_due) next_homepage_round_ = now_steady + options_.homepage_interval;
  std::weak_ptr<bool> alive = alive_;
  auto config = config_;
  // The jobs run on the store thread and may outlive this runner: they reach it only through
  // the loop, guarded by `alive`.
  asio::io_context* io = &io_;
  const auto now = clock_.now();
  const bool queued = database_.submit(
      "incidents.automatic_checks",
      [this, io, alive, config, homepage_due, may_fetch, may_look_up, now](pqxx::connection& c) {
        const int posts = run_official_post_checks(c);
        const int elapsed = run_elapsed_checks(c, now);
        if (posts + elapsed > 0) {
          log::info("incidents.checks_completed",
                    {{"official_post_since_open", posts}, {"elapsed", elapsed}});
        }
        std::vector<HomepageCheck> homepage;
        if (may_fetch) {
          // url and text may name incident values ({{notice_url}}): resolved per incident.
          for (const PendingCheck& p : pending_checks(c, "homepage_contains")) {
            if (!homepage_due && p.state.contains("baseline")) continue;
            const auto data = load_incident_data(c, p.incident_id, *config, now);
            if (!data) continue;
            const auto* url = p.check.if_contains("url");
            const auto* text = p.check.if_contains("text");
            if (url == nullptr || text == nullptr || !url->is_string() || !text->is_string())
              continue;
            HomepageCheck h{p.incident_id, p.step_id,
                            playbooks::resolve_check_text(url->as_string(), *data),
                            playbooks::resolve_check_text(text->as_string(), *data)};
            if (!h.url.empty() && !h.text.empty()) homepage.push_back(std::move(h));
          }
        }
        // Accounts named by hand-opened incidents (subject_ref.h), at the homepage cadence.
        std::vector<AccountCheck> accounts;
        if (homepage_due && may_look_up) {
          for (const PendingCheck& p : pending_checks(c, "subject_gone")) {
            if (p.incident_type == "erroneous_post") continue;  // a post: the integrity monitor
            const auto ref =
                resolve_manual_subject(p.subject, p.platform, config->platforms.mastodon.instance);
            if (!ref || ref->handle.empty()) continue;
            accounts.push_back(
                {p.incident_id, p.step_id, p.step_title, ref->platform, ref->handle});
          }
        }
        asio::post(*io, [this, alive, homepage = std::move(homepage),
                         accounts = std::move(accounts)]() mutable {
          if (alive.expired()) return;
          round_running_ = false;
          if (!homepage.empty() && !stopped_) fetch_pages(std::move(homepage));
          if (!accounts.empty() && !stopped_) look_up_accounts(std::move(accounts));
        });
      },
      [this, io, alive](std::exception_ptr error) {
        if (!error) return;
        asio::post(*io, [this, alive] {
          if (!alive.expired()) round_running_ = false;
        });
      });
  if (!queued) round_running_ = false;
}

void AutomaticCheckRunner::fetch_pages(std::vector<HomepageCheck> checks) {
  ensure_client();
  std::map<std::string, std::vector<HomepageCheck>> by_url;
  for (auto& c : checks) by_url[c.url].push_back(std::move(c));
  for (auto& [url, group] : by_url) {
    collectors::HttpRequest request;
    request.url = url;
    request.timeout = options_.fetch_timeout;
    request.max_response_bytes = options_.max_page_bytes;
    request.platform = "homepage";
    request.endpoint = "homepage_contains";
    request.headers.emplace_back("Accept", "text/html, text/plain;q=0.9, */*;q=0.5");
    ++fetches_in_flight_;
    http_->fetch(std::move(request), [this, alive = std::weak_ptr<bool>(alive_), url = url,
                                      group = std::move(group)](collectors::HttpResponse r) {
      if (alive.expired()) return;
      --fetches_in_flight_;
      // A missing page (404/410) is read as "no occurrence yet": a dedicated notice page often
      // exists only once staff publish it. Other failures say nothing about the page.
      const bool missing =
          r.outcome == collectors::HttpOutcome::ok && (r.status == 404 || r.status == 410);
      if (!missing && (r.outcome != collectors::HttpOutcome::ok || r.status != 200)) {
        // Once per URL: a page that is not up yet is the normal state before staff publish it.
        if (warned_urls_.insert(url).second) {
          log::warn("incidents.homepage_check_fetch_failed",
                    {{"url", url},
                     {"outcome", std::string(collectors::to_string(r.outcome))},
                     {"status", r.status},
                     {"location", std::string(r.header("location").value_or(""))},
                     {"error", r.error}});
        }
        return;
      }
      ++pages_fetched_;
      warned_urls_.erase(url);
      // The page is decoded and normalized once, whatever the number of steps reading it.
      const std::string page =
          missing ? std::string() : page_match_key(r.body, r.header("content-type").value_or(""));
      std::vector<std::pair<HomepageCheck, std::size_t>> readings;
      for (auto& c : group) {
        const std::size_t n = occurrences_in(page, c.text);
        readings.emplace_back(std::move(c), n);
      }
      database_.submit(
          "incidents.homepage_contains", [readings = std::move(readings)](pqxx::connection& conn) {
            for (const auto& [c, occurrences] : readings) {
              const std::string message =
                  "ホームページ " + c.url + " に「" + c.text + "」の掲載を確認しました";
              switch (record_homepage_reading(conn, c.incident_id, c.step_id, c.url, c.text,
                                              occurrences, message)) {
                case HomepageVerdict::completed:
                  log::info("incidents.homepage_check_done",
                            {{"incident_id", c.incident_id}, {"step", c.step_id}, {"url", c.url}});
                  break;
                case HomepageVerdict::baseline_taken:
                  // Already there when mamori first looked: an earlier notice, not this incident's.
                  log::info("incidents.homepage_check_baseline",
                            {{"incident_id", c.incident_id},
                             {"step", c.step_id},
                             {"url", c.url},
                             {"occurrences", static_cast<long long>(occurrences)}});
                  break;
                case HomepageVerdict::unchanged:
                case HomepageVerdict::not_pending:
                  break;
              }
            }
          });
    });
  }
}

void AutomaticCheckRunner::look_up_accounts(std::vector<AccountCheck> checks) {
  std::map<std::pair<model::Platform, std::string>, std::vector<AccountCheck>> by_account;
  for (auto& c : checks) by_account[{c.platform, model::ascii_lower(c.handle)}].push_back(c);
  for (auto& [key, group] : by_account) {
    collectors::PlatformCollector* collector = nullptr;
    for (auto* pc : collectors_) {
      if (pc->platform() == key.first) collector = pc;
    }
    if (collector == nullptr) continue;  // the platform is not monitored: staff tick the step
    ++lookups_in_flight_;
    const std::string handle = group.front().handle;
    collector->lookup_profiles({handle}, [this, alive = std::weak_ptr<bool>(alive_), handle,
                                          group = std::move(group)](collectors::Page page) {
      if (alive.expired()) return;
      --lookups_in_flight_;
      ++accounts_looked_up_;
      const model::AccountGone* gone = nullptr;
      bool present = false;
      for (const auto& o : page.result.observations) {
        if (const auto* g = std::get_if<model::AccountGone>(&o)) gone = g;
        if (std::holds_alternative<model::ProfileSnapshot>(o)) present = true;
      }
      if (gone == nullptr && !present) return;  // the answer said nothing about the account
      SubjectRef ref;
      ref.platform = group.front().platform;
      ref.handle = handle;
      std::string gone_message;
      if (gone != nullptr) {
        const std::string how = gone->reason == "suspended" ? "凍結されたこと"
                                : gone->reason == "moved" ? "別のアカウントに移行したこと"
                                                          : "削除されたこと";
        gone_message = "対象アカウント " + describe(ref) + " が" + how + "を確認しました";
      }
      const std::string never_seen =
          "対象アカウント " + describe(ref) +
          " を照会しましたが、見つかりません（既に削除・凍結されたか、URL・ハンドルの誤りで"
          "す）。確かめて「" +
          group.front().step_title + "」を完了にしてください";
      database_.submit("incidents.manual_subject_gone",
                       [group, gone_message, never_seen, present, ref](pqxx::connection& c) {
                         for (const auto& k : group) {
                           if (record_account_reading(c, k.incident_id, k.step_id, present,
                                                      gone_message, never_seen)) {
                             log::info("incidents.manual_subject_gone",
                                       {{"incident_id", k.incident_id},
                                        {"platform", std::string(model::to_string(ref.platform))},
                                        {"handle", ref.handle}});
                           }
                         }
                       });
    });
  }
}

}  // namespace mamori::incidents
