#include "daemon/polling/poller.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <set>

#include "daemon/log/log.h"
#include "daemon/metrics/event_loop_meter.h"
#include "daemon/polling/poll_phase.h"
#include "daemon/polling/poll_status.h"
#include "model/text.h"

namespace mamori::polling {

namespace asio = boost::asio;

namespace {
// Every per-account job: each has its own timer, failure count, freshness metric and, where it
// reads a list, a cursor in poll_cursors.
constexpr const char* kAccountJobs[] = {"posts", "replies", "reply_counts", "quotes", "tagged"};
}  // namespace

using collectors::Cursor;
using collectors::Page;

struct Poller::Account {
  model::Platform platform = model::Platform::x;
  std::string handle;
  std::string account_id;
  bool monitor = true;
  bool removed = false;        // dropped by a configuration reload
  model::TimePoint since{};    // when polling it began: staleness counts from here until a success
  std::set<std::string> busy;  // jobs with a run in flight
  std::set<std::string> phased;  // jobs whose runs are spread already (poll_phase.h)

  // reply_counts (at the end of this file): the end of the last counted minute; whether the last
  // count rose above the baseline (texts only as a sample), and a sample is due.
  model::TimePoint counted_until{};
  bool surging = false;
  bool sample_due = false;
};

struct Poller::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : runs(prometheus::BuildCounter()
                 .Name("mamori_poll_runs_total")
                 .Help("Polling runs by platform, job and result")
                 .Register(r)),
        last_success(prometheus::BuildGauge()
                         .Name("mamori_poll_last_success_timestamp_seconds")
                         .Help("Unix time of the last successful polling run per account and job")
                         .Register(r)),
        stored(prometheus::BuildCounter()
                   .Name("mamori_observations_stored_total")
                   .Help("New observations stored, by platform and kind")
                   .Register(r)),
        staleness(prometheus::BuildGauge()
                      .Name("mamori_poll_staleness_seconds")
                      .Help("Seconds since the account's last successful posts or replies run "
                            "(since polling it began, when none has succeeded)")
                      .Register(r)) {}
  prometheus::Family<prometheus::Counter>& runs;
  prometheus::Family<prometheus::Gauge>& last_success;
  prometheus::Family<prometheus::Counter>& stored;
  prometheus::Family<prometheus::Gauge>& staleness;
};

struct Poller::Run {
  model::Platform platform = model::Platform::x;
  std::shared_ptr<Account> account;  // null for a platform's profile lookups
  std::string job;                   // profiles, posts, replies
  enum class Kind { profiles, posts, mentions, threads, search, counts, quotes } kind = Kind::posts;
  model::TimePoint counts_start{};  // counts: the stretch asked for
  model::TimePoint counts_end{};
  bool sample = false;  // replies while the count is high: one page
  std::optional<std::string> since;
  std::optional<std::string> page;
  std::optional<std::string> newest;
  int pages = 0;
  std::vector<std::vector<std::string>> batches;  // profiles: handle batches still to send
  std::vector<std::string> threads;               // threads: own posts still to walk
  std::vector<std::string> queries;               // search: account-search queries still to send
  std::string current_thread;
  std::size_t new_items = 0;
  bool search_refused = false;  // search: the platform refused a query (not just "no such account")
  // search: absent handles stored only when seen before or flagged (store::GoneFilter)
  std::optional<store::GoneFilter> gone_filter;
};

Poller::Poller(asio::io_context& io, store::Database& database, const collectors::Clock& clock,
               std::vector<collectors::PlatformCollector*> collectors, PollerOptions options,
               prometheus::Registry* registry, ObservationListener* listener)
    : io_(io),
      database_(database),
      clock_(clock),
      collectors_(std::move(collectors)),
      options_(options),
      metrics_(registry ? std::make_unique<Metrics>(*registry) : nullptr),
      listener_(listener),
      lookalike_metrics_(make_lookalike_metrics(registry)) {}

Poller::~Poller() {
  *alive_ = false;
  stop();
}

collectors::PlatformCollector* Poller::collector_for(model::Platform p) const {
  for (auto* c : collectors_) {
    if (c->platform() == p) return c;
  }
  return nullptr;
}

void Poller::start(const std::vector<config::Account>& accounts) {
  for (const auto& a : accounts) {
    if (collector_for(a.platform) == nullptr) continue;
    auto acc = std::make_shared<Account>();
    acc->platform = a.platform;
    acc->handle = a.handle;
    acc->monitor = a.monitor;
    acc->since = clock_.now();
    accounts_.push_back(std::move(acc));
  }
  // Cursors and learned ids first, so the first runs continue where the last process stopped.
  std::weak_ptr<bool> alive = alive_;
  database_.submit("poller.load_state", [this, alive](pqxx::connection& c) {
    auto cursors = store::load_cursors(c);
    auto ids = store::load_account_ids(c);
    asio::post(io_, [this, alive, cursors = std::move(cursors), ids = std::move(ids)]() mutable {
      if (alive.expired() || stopped_) return;
      cursors_ = std::move(cursors);
      std::set<model::Platform> platforms;
      for (auto& a : accounts_) {
        if (auto it = ids.find({std::string(model::to_string(a->platform)), a->handle});
            it != ids.end()) {
          a->account_id = it->second;
        }
        platforms.insert(a->platform);
        schedule_account_jobs(a);
      }
      for (auto p : platforms) {
        schedule_profiles(p, std::chrono::milliseconds(0));
        schedule_search(p, std::chrono::seconds(3));
      }
      publish_staleness();
      log::info("poller.started", {{"accounts", accounts_.size()}, {"cursors", cursors_.size()}});
    });
  });
}

void Poller::update_accounts(const std::vector<config::Account>& accounts) {
  std::vector<std::shared_ptr<Account>> next;
  std::set<model::Platform> platforms_before;
  for (const auto& a : accounts_) platforms_before.insert(a->platform);
  std::set<model::Platform> rescan;
  int added = 0;
  int removed = 0;
  for (const auto& c : accounts) {
    if (collector_for(c.platform) == nullptr) continue;
    auto it = std::find_if(accounts_.begin(), accounts_.end(), [&](const auto& a) {
      return a->platform == c.platform && a->handle == c.handle;
    });
    if (it != accounts_.end()) {
      auto a = *it;
      const std::string replies_key =
          std::string(model::to_string(a->platform)) + "/" + a->handle + "/replies";
      if (a->monitor && !c.monitor) {
        cancel_timer(replies_key);
        cancel_timer(std::string(model::to_string(a->platform)) + "/" + a->handle +
                     "/reply_counts");
        cancel_timer(std::string(model::to_string(a->platform)) + "/" + a->handle + "/quotes");
        cancel_timer(std::string(model::to_string(a->platform)) + "/" + a->handle + "/tagged");
      }
      const bool monitor_on = !a->monitor && c.monitor && !stopped_;
      a->monitor = c.monitor;
      if (monitor_on) schedule_account_jobs(a);
      next.push_back(std::move(a));
      continue;
    }
    auto a = std::make_shared<Account>();
    a->platform = c.platform;
    a->handle = c.handle;
    a->monitor = c.monitor;
    a->since = clock_.now();
    next.push_back(a);
    rescan.insert(a->platform);
    ++added;
    if (!stopped_) schedule_account_jobs(a);
  }
  for (const auto& a : accounts_) {
    if (std::find(next.begin(), next.end(), a) != next.end()) continue;
    a->removed = true;
    ++removed;
    const std::string prefix = std::string(model::to_string(a->platform)) + "/" + a->handle + "/";
    for (const char* job : kAccountJobs) cancel_timer(prefix + job);
    forget_series(*a);
  }
  accounts_ = std::move(next);
  // A platform with no official account left is no longer searched for impersonators either.
  for (auto p : platforms_before) {
    if (std::none_of(accounts_.begin(), accounts_.end(),
                     [&](const auto& a) { return a->platform == p; })) {
      cancel_timer(std::string(model::to_string(p)) + "/profiles");
      cancel_timer(std::string(model::to_string(p)) + "/search");
    }
  }
  // A new account's id is learned by its platform's profile lookup: run that now.
  if (!stopped_) {
    for (auto p : rescan) {
      schedule_profiles(p, std::chrono::milliseconds(0));
      if (platforms_before.count(p) == 0) schedule_search(p, std::chrono::seconds(3));
    }
  }
  log::info("poller.accounts_updated",
            {{"accounts", accounts_.size()}, {"added", added}, {"removed", removed}});
}

void Poller::cancel_timer(const std::string& key) {
  if (auto it = timers_.find(key); it != timers_.end()) {
    it->second->cancel();
    timers_.erase(it);
  }
}

void Poller::forget_series(const Account& a) {
  const std::string platform(model::to_string(a.platform));
  for (const char* job : kAccountJobs) failures_.erase({platform, a.handle, job});
  last_successes_.erase({platform, a.handle});
  if (!metrics_) return;
  for (const char* job : kAccountJobs) {
    const std::map<std::string, std::string> labels{
        {"platform", platform}, {"account", a.handle}, {"poll_job", job}};
    if (metrics_->last_success.Has(labels))
      metrics_->last_success.Remove(&metrics_->last_success.Add(labels));
  }
  const std::map<std::string, std::string> labels{{"platform", platform}, {"account", a.handle}};
  if (metrics_->staleness.Has(labels)) metrics_->staleness.Remove(&metrics_->staleness.Add(labels));
}

// Every account's staleness, now and then every options_.staleness_every: an account whose polls
// stopped succeeding (rate limits, a platform outage, an id never learned) shows as a rising value
// even when no run fails outright (alert MamoriPollingStalled).
void Poller::publish_staleness() {
  if (metrics_) {
    const auto now = clock_.now();
    for (const auto& a : accounts_) {
      if (!polls(*a)) continue;
      const std::string platform(model::to_string(a->platform));
      auto last = a->since;
      if (auto it = last_successes_.find({platform, a->handle}); it != last_successes_.end())
        last = std::max(last, it->second);
      metrics_->staleness.Add({{"platform", platform}, {"account", a->handle}})
          .Set(std::max(0.0, std::chrono::duration<double>(now - last).count()));
    }
  }
  auto& timer = timers_["staleness"];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io_);
  timer->expires_after(options_.staleness_every);
  timer->async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        publish_staleness();
      });
}

void Poller::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& [name, timer] : timers_) timer->cancel();
}

void Poller::schedule_profiles(model::Platform platform,
                               std::chrono::steady_clock::duration after) {
  const std::string key = std::string(model::to_string(platform)) + "/profiles";
  auto& timer = timers_[key];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io_);
  timer->expires_after(after);
  std::weak_ptr<bool> alive = alive_;
  timer->async_wait([this, alive, platform](const boost::system::error_code& ec) {
    if (ec || alive.expired() || stopped_) return;
    const metrics::EventLoopMeter::Scope metered("poller.profiles_round");
    if (round_due(platform, "profiles")) run_profiles(platform);
    schedule_profiles(platform, options_.intervals.of(platform).profiles);
  });
}

void Poller::schedule_search(model::Platform platform, std::chrono::steady_clock::duration after) {
  const std::string key = std::string(model::to_string(platform)) + "/search";
  auto& timer = timers_[key];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io_);
  timer->expires_after(after);
  std::weak_ptr<bool> alive = alive_;
  timer->async_wait([this, alive, platform](const boost::system::error_code& ec) {
    if (ec || alive.expired() || stopped_) return;
    const metrics::EventLoopMeter::Scope metered("poller.search_round");
    if (round_due(platform, "search")) {
      schedule_search(platform, run_search(platform));
    } else {
      schedule_search(platform, options_.intervals.of(platform).search);
    }
  });
}

bool Poller::round_due(model::Platform platform, std::string_view job) {
  if (!options_.interval_factor) return true;
  const int factor = options_.interval_factor(platform, job);
  const std::string key = std::string(model::to_string(platform)) + "/" + std::string(job);
  int& skipped = rounds_skipped_[key];
  if (factor == 1 || (factor > 1 && skipped + 1 >= factor)) {
    skipped = 0;
    return true;
  }
  ++skipped;
  log::info("poll.round_skipped_for_budget", {{"platform", std::string(model::to_string(platform))},
                                              {"job", std::string(job)},
                                              {"runs_every", factor}});
  return false;
}

// Impersonation discovery: account searches for the municipality's names, then direct
// lookups of generated look-alike handles and of flagged accounts (re-checked every run).
std::chrono::steady_clock::duration Poller::run_search(model::Platform platform) {
  const std::chrono::steady_clock::duration interval = options_.intervals.of(platform).search;
  if (listener_ == nullptr || (options_.leases && !options_.leases->leads()) ||
      platform_run_busy(platform, "search"))
    return interval;
  auto* collector = collector_for(platform);
  auto run = std::make_shared<Run>();
  run->platform = platform;
  run->job = "search";
  run->kind = Run::Kind::search;
  run->queries = unique_handles(listener_->search_queries(platform));
  std::reverse(run->queries.begin(), run->queries.end());
  // Flagged candidates and look-alikes, as many as the platform's quota allows this round.
  const LookupBudget budget = size_lookups(platform, run->queries.size());
  // Flagged candidates (open incidents' subjects, whose removal completes a takedown) get one
  // look-up request a round even when the accounts' own polls fill the scope: without it a
  // town at its quota would never see an impersonator removed. Look-alikes stay within budget.
  const std::size_t size = std::max<std::size_t>(1, collector->lookup_batch_size());
  LookupRound round = listener_->handles_to_check(platform, std::max(budget.handles, size));
  const auto handles = unique_handles(std::move(round.handles));
  run->gone_filter = store::GoneFilter{round.tracked_handles};
  const std::size_t allowed = std::max(budget.handles, std::min(round.tracked(), size));
  for (std::size_t i = 0; i < handles.size() && i < allowed; i += size) {
    run->batches.emplace_back(
        handles.begin() + static_cast<long>(i),
        handles.begin() + static_cast<long>(std::min({handles.size(), i + size, allowed})));
  }
  std::reverse(run->batches.begin(), run->batches.end());  // sent from the back: flagged first
  const std::size_t sent = std::min(handles.size(), allowed);
  round.skipped += handles.size() - sent;  // a listener that chose more than the budget
  lookups_chosen(platform, budget, round, sent, run->batches.size());
  // A quota-metered platform: the next run waits until this one's units are earned back.
  std::chrono::steady_clock::duration next = interval;
  if (auto b = options_.search_budgets.find(platform); b != options_.search_budgets.end()) {
    if (b->second.units_per_day <= 0) run->queries.clear();
    const long long units =
        static_cast<long long>(run->queries.size()) * b->second.units_per_query +
        static_cast<long long>(run->batches.size()) * b->second.units_per_lookup;
    if (b->second.units_per_day > 0) {
      next = std::max(next, std::chrono::steady_clock::duration(
                                std::chrono::seconds(units * 86400 / b->second.units_per_day)));
    }
  }
  if (options_.search_spacing) {
    next = std::max(next, std::chrono::steady_clock::duration(options_.search_spacing(
                              platform, run->queries.size(), run->batches.size())));
  }
  if (run->queries.empty() && run->batches.empty()) return next;
  platform_busy_.insert({platform, run->job});
  ++in_flight_;
  fetch(run);
  return next;
}

void Poller::schedule(const std::shared_ptr<Account>& a, const std::string& job,
                      std::chrono::steady_clock::duration after) {
  if (a->removed) return;
  const std::string key = std::string(model::to_string(a->platform)) + "/" + a->handle + "/" + job;
  auto& timer = timers_[key];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io_);
  timer->expires_after(after);
  std::weak_ptr<bool> alive = alive_;
  timer->async_wait([this, alive, a, job, key](const boost::system::error_code& ec) {
    if (ec || alive.expired() || stopped_ || a->removed) return;
    const metrics::EventLoopMeter::Scope metered("poller.job");
    run_job(a, job);
    auto next = job_interval(*a, job);
    if (a->phased.insert(job).second) next -= phase_offset(key, next);
    schedule(a, job, next);
  });
}

void Poller::run_profiles(model::Platform platform) {
  if (platform_run_busy(platform, "profiles")) return;
  auto* collector = collector_for(platform);
  auto run = std::make_shared<Run>();
  run->platform = platform;
  run->job = "profiles";
  run->kind = Run::Kind::profiles;
  std::vector<std::string> handles;
  for (const auto& a : accounts_) {
    if (a->platform == platform && polls(*a)) handles.push_back(a->handle);
  }
  handles = unique_handles(std::move(handles));
  const std::size_t size = std::max<std::size_t>(1, collector->lookup_batch_size());
  for (std::size_t i = 0; i < handles.size(); i += size) {
    run->batches.emplace_back(
        handles.begin() + static_cast<long>(i),
        handles.begin() + static_cast<long>(std::min(handles.size(), i + size)));
  }
  if (run->batches.empty()) return;
  platform_busy_.insert({platform, run->job});
  ++in_flight_;
  fetch(run);
}

bool Poller::platform_run_busy(model::Platform platform, const std::string& job) {
  if (platform_busy_.count({platform, job}) == 0) return false;
  // The previous round is still going (it takes longer than the interval): skip this tick
  // rather than overlap it and look the same handles up twice.
  if (metrics_) {
    metrics_->runs
        .Add({{"platform", std::string(model::to_string(platform))},
              {"poll_job", job},
              {"result", "skipped"}})
        .Increment();
  }
  log::debug("poll.round_skipped", {{"platform", model::to_string(platform)}, {"poll_job", job}});
  return true;
}

// Handles and queries once each, in first-seen order (ASCII case does not make another account).
std::vector<std::string> Poller::unique_handles(std::vector<std::string> handles) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  out.reserve(handles.size());
  for (auto& h : handles) {
    if (seen.insert(model::ascii_lower(h)).second) out.push_back(std::move(h));
  }
  return out;
}

void Poller::run_job(const std::shared_ptr<Account>& a, const std::string& job) {
  if (a->busy.count(job) > 0) return;  // the previous run is still going: skip this tick
  if (!polls(*a)) return;              // another instance holds it
  auto* collector = collector_for(a->platform);
  // X and Mastodon address accounts by id; until the profile lookup learned it, wait.
  if (a->account_id.empty() && a->platform != model::Platform::bluesky) return;
  auto run = std::make_shared<Run>();
  run->platform = a->platform;
  run->account = a;
  run->job = job;
  const std::string platform(model::to_string(a->platform));
  if (!job_allowed_by_budget(*a, job)) return;
  if (job == "posts") {
    run->kind = Run::Kind::posts;
  } else if (job == "reply_counts") {
    run->kind = Run::Kind::counts;
    const auto now = clock_.now();
    // Whole minutes up to 30 s ago (X counts up to then), from where the last run stopped.
    run->counts_end = std::chrono::floor<std::chrono::minutes>(now - std::chrono::seconds(30));
    const auto earliest = run->counts_end - options_.counts_window_max;
    if (a->counted_until == model::TimePoint{}) a->counted_until = saved_counted_until(*a);
    run->counts_start = a->counted_until == model::TimePoint{}
                            ? run->counts_end - options_.intervals.of(a->platform).reply_counts
                            : std::max(a->counted_until, earliest);
    if (!(run->counts_start < run->counts_end)) return;
  } else if (job == "quotes") {
    run->kind = Run::Kind::quotes;
  } else if (job == "tagged") {
    run->kind = Run::Kind::mentions;  // others' posts tagging the account, read like mentions
  } else if (counts_on(*a) && a->surging && !a->sample_due) {
    return;  // the counts carry the rate; the next sample follows the next count
  } else if (collector->has_mentions({a->handle, a->account_id})) {
    run->kind = Run::Kind::mentions;
  } else {
    run->kind = Run::Kind::threads;
  }
  if (run->kind == Run::Kind::posts || run->kind == Run::Kind::mentions) {
    if (auto it = cursors_.find({platform, a->handle, job}); it != cursors_.end())
      run->since = it->second;
  }
  if (run->kind == Run::Kind::mentions && a->surging && counts_on(*a)) {
    run->sample = true;
    a->sample_due = false;
  }
  a->busy.insert(job);
  ++in_flight_;
  if (run->kind == Run::Kind::threads || run->kind == Run::Kind::quotes) {
    // The threads of the account's own recent posts, newest first.
    std::weak_ptr<bool> alive = alive_;
    const bool queued =
        database_.submit("poller.recent_own_posts", [this, alive, run](pqxx::connection& c) {
          auto posts = store::recent_own_posts(
              c, run->platform,
              run->account->account_id.empty() ? run->account->handle : run->account->account_id,
              run->kind == Run::Kind::quotes ? options_.quotes_window_hours
                                             : options_.thread_window_hours,
              options_.threads_per_run);
          asio::post(io_, [this, alive, run, posts = std::move(posts)]() mutable {
            if (alive.expired()) return;
            run->threads = std::move(posts);
            std::reverse(run->threads.begin(), run->threads.end());  // pop_back takes the newest
            fetch(run);
          });
        });
    if (!queued) finish(run, false);
    return;
  }
  fetch(run);
}

void Poller::fetch(const std::shared_ptr<Run>& run) {
  if (stopped_) {
    finish(run, false);
    return;
  }
  auto* collector = collector_for(run->platform);
  if (run->kind != Run::Kind::search)
    count_own_request(run->platform, run->kind == Run::Kind::profiles);
  std::weak_ptr<bool> alive = alive_;
  auto handler = [this, alive, run](Page page) {
    if (alive.expired()) return;
    const metrics::EventLoopMeter::Scope metered("poller.page");
    on_page(run, std::move(page));
  };
  const Cursor cursor{run->since, run->page};
  collectors::AccountRef ref;
  if (run->account) ref = {run->account->handle, run->account->account_id};
  switch (run->kind) {
    case Run::Kind::profiles: {
      auto batch = std::move(run->batches.back());
      run->batches.pop_back();
      collector->lookup_profiles(batch, handler);
      break;
    }
    case Run::Kind::search:
      if (!run->queries.empty()) {
        const std::string query = std::move(run->queries.back());
        run->queries.pop_back();
        collector->search_accounts(query, handler);
      } else if (!run->batches.empty()) {
        auto batch = std::move(run->batches.back());
        run->batches.pop_back();
        collector->lookup_profiles(batch, handler);
      } else {
        finish(run, true);
      }
      break;
    case Run::Kind::posts:
      collector->recent_posts(ref, cursor, handler);
      break;
    case Run::Kind::mentions:
      collector->replies_and_mentions(ref, cursor, handler);
      break;
    case Run::Kind::threads:
    case Run::Kind::quotes:
      if (run->threads.empty()) {
        finish(run, true);
        return;
      }
      run->current_thread = run->threads.back();
      run->threads.pop_back();
      if (run->kind == Run::Kind::quotes) {
        collector->quotes(ref, run->current_thread, Cursor{}, handler);
      } else {
        collector->thread(ref, run->current_thread, Cursor{}, handler);
      }
      break;
    case Run::Kind::counts:
      collector->reply_counts(ref, run->counts_start, run->counts_end, handler);
      break;
  }
}

void Poller::on_page(const std::shared_ptr<Run>& run, Page page) {
  ++run->pages;
  const bool transport_ok = page.response.outcome == collectors::HttpOutcome::ok;
  const auto outcome = page.result.outcome;
  std::vector<model::Observation> keep;
  std::string first_error;
  for (auto& o : page.result.observations) {
    if (const auto* e = std::get_if<model::ObservationError>(&o)) {
      // Requests cancelled because mamorid is stopping are expected, not a platform problem.
      if (stopped_ && page.response.outcome == collectors::HttpOutcome::cancelled) continue;
      if (first_error.empty()) first_error = e->message;
      // While a circuit breaker is open every poll fails fast: the breaker logs once when it
      // opens and once when it closes (daemon/metrics/collector_metrics.cpp), not every poll.
      const auto level = page.response.outcome == collectors::HttpOutcome::circuit_open
                             ? log::Level::debug
                             : log::Level::warn;
      if (log::enabled(level)) {
        log::write(level, "poll.page_error",
                   {{"platform", model::to_string(run->platform)},
                    {"endpoint", page.endpoint},
                    {"status", page.response.status},
                    {"error", e->message}});
      }
    } else {
      keep.push_back(std::move(o));
    }
  }
  if (run->kind == Run::Kind::profiles) learn_ids(run->platform, keep);
  // Only the endpoint's normal answer counts the stretch (a refusal counts nothing).
  if (run->kind == Run::Kind::counts && transport_ok && outcome == collectors::ParseOutcome::ok &&
      page.response.status < 300 && !stopped_)
    on_counts(run, page);
  if (run->pages == 1 && page.result.newest_id) run->newest = page.result.newest_id;
  const bool page_ok = transport_ok && outcome != collectors::ParseOutcome::malformed &&
                       (outcome == collectors::ParseOutcome::ok || !keep.empty());
  const std::optional<std::string> next = page.result.next_cursor;
  // A failed page fails the run: remember why. A search run goes on past a failed query (a
  // look-alike that does not exist answers 404 on some platforms), but a refusal — no access to
  // the search endpoint (401/403, e.g. an X plan without users/search), rate limits, server or
  // network errors — means impersonators are not being looked for: that is remembered too.
  const bool search_refused =
      run->kind == Run::Kind::search && !page_ok &&
      (!transport_ok || page.response.status == 401 || page.response.status == 403 ||
       page.response.status == 429 || page.response.status >= 500);
  if (search_refused) run->search_refused = true;
  if (!page_ok && (run->kind != Run::Kind::search || search_refused) && !stopped_) {
    std::string detail;
    if (!transport_ok) {
      detail = std::string(collectors::to_string(page.response.outcome));
      if (!page.response.error.empty()) detail += ": " + page.response.error;
    } else {
      if (page.response.status >= 300) detail = "HTTP " + std::to_string(page.response.status);
      if (!first_error.empty()) detail += (detail.empty() ? "" : ": ") + first_error;
      if (detail.empty()) detail = "応答を解釈できませんでした";
    }
    if (detail.size() > 300) detail.resize(300);  // platform messages are outside text
    failures_[{std::string(model::to_string(run->platform)),
               run->account ? run->account->handle : std::string(), run->job}] =
        PollFailure{clock_.now(), std::move(detail)};
  }

  // Stopping: the store is draining (and refuses new jobs); the run ends unstored, its cursor
  // not moved, so the next start reads the page again. Nothing to log for each of them.
  if (stopped_) {
    finish(run, false);
    return;
  }
  std::weak_ptr<bool> alive = alive_;
  const std::string account = run->account ? run->account->handle : std::string();
  const bool queued = database_.submit(
      "poller.store",
      [this, alive, run, keep = std::move(keep), page_ok, next, account](pqxx::connection& c) {
        // An account's new posts are marked unjudged until the listeners saw them (066).
        auto batch = store::store_observations(c, keep, std::nullopt, account, run->gone_filter);
        asio::post(io_, [this, alive, run, batch = std::move(batch), page_ok, next, account]() {
          if (alive.expired()) return;
          const metrics::EventLoopMeter::Scope metered("poller.stored");
          run->new_items += batch.new_posts.size();
          if (metrics_) {
            const std::string p(model::to_string(run->platform));
            if (!batch.new_posts.empty())
              metrics_->stored.Add({{"platform", p}, {"kind", "post"}})
                  .Increment(static_cast<double>(batch.new_posts.size()));
            if (!batch.changed_profiles.empty())
              metrics_->stored.Add({{"platform", p}, {"kind", "profile"}})
                  .Increment(static_cast<double>(batch.changed_profiles.size()));
            if (!batch.newly_gone.empty())
              metrics_->stored.Add({{"platform", p}, {"kind", "gone"}})
                  .Increment(static_cast<double>(batch.newly_gone.size()));
          }
          if (listener_ != nullptr) listener_->on_stored(run->platform, account, batch);
          if (!account.empty()) mark_judged(run->platform, batch.new_posts);
          if (!page_ok && run->kind != Run::Kind::search) {
            finish(run, false);
            return;
          }
          switch (run->kind) {
            case Run::Kind::search:
              // One failed query or lookup (a look-alike that does not exist answers 404 on
              // some platforms) does not end the run.
              if (run->queries.empty() && run->batches.empty()) {
                finish(run, true);
              } else {
                fetch(run);
              }
              return;
            case Run::Kind::counts:
              finish(run, true);
              return;
            case Run::Kind::profiles:
            case Run::Kind::threads:
            case Run::Kind::quotes:
              if (run->kind == Run::Kind::profiles ? run->batches.empty() : run->threads.empty()) {
                finish(run, true);
              } else {
                fetch(run);
              }
              return;
            case Run::Kind::posts:
            case Run::Kind::mentions: {
              // Older pages while they still bring new posts (and the platform offers them).
              // A counted series reads only a sample of texts.
              const int max_pages = run->sample ? options_.counted_text_pages : options_.max_pages;
              if (next && run->pages < max_pages && !batch.new_posts.empty()) {
                run->page = next;
                fetch(run);
              } else {
                finish(run, true);
              }
              return;
            }
          }
        });
      });
  if (!queued) finish(run, false);
}

void Poller::finish(const std::shared_ptr<Run>& run, bool ok) {
  --in_flight_;
  if (run->account) {
    run->account->busy.erase(run->job);
  } else {
    platform_busy_.erase({run->platform, run->job});
  }
  const std::string platform(model::to_string(run->platform));
  if (run->account && run->account->removed) return;  // reloaded away: no series, no cursor
  // Let go mid-run (another instance took the lease): leases_changed() forgot its series and
  // the holder publishes them now; setting them here would bring back a staleness of 0 that
  // nobody updates. The run's pages are stored, so its cursor still moves.
  const bool let_go = run->account && !polls(*run->account);
  if (ok && !run->search_refused) {
    failures_.erase({platform, run->account ? run->account->handle : std::string(), run->job});
  }
  const auto now = clock_.now();
  if (run->account && !let_go) note_status(run->account);
  if (ok && run->account && !let_go) {
    last_successes_[{platform, run->account->handle}] = now;
    if (metrics_)
      metrics_->staleness.Add({{"platform", platform}, {"account", run->account->handle}}).Set(0);
  }
  if (metrics_) {
    metrics_->runs
        .Add({{"platform", platform}, {"poll_job", run->job}, {"result", ok ? "ok" : "failed"}})
        .Increment();
    if (ok && !let_go) {
      metrics_->last_success
          .Add({{"platform", platform},
                {"account", run->account ? run->account->handle : "*"},
                {"poll_job", run->job}})
          .Set(std::chrono::duration<double>(now.time_since_epoch()).count());
    }
  }
  if (!ok || !run->account || !run->newest || run->newest == run->since) return;
  // Every page of this run is stored (jobs run in order): move the cursor now.
  const std::string handle = run->account->handle;
  const std::string job = run->job;
  const std::string cursor = *run->newest;
  cursors_[{platform, handle, job}] = cursor;
  database_.submit("poller.cursor", [run, handle, job, cursor](pqxx::connection& c) {
    store::store_observations(c, {}, store::CursorUpdate{run->platform, handle, job, cursor});
  });
}

void Poller::learn_ids(model::Platform platform,
                       const std::vector<model::Observation>& observations) {
  for (const auto& o : observations) {
    const auto* p = std::get_if<model::ProfileSnapshot>(&o);
    if (p == nullptr) continue;
    for (auto& a : accounts_) {
      if (a->platform != platform || a->account_id == p->account_id) continue;
      if (!model::iequals_ascii(a->handle, p->handle)) continue;
      if (!a->account_id.empty()) {
        log::warn("poller.account_id_changed", {{"platform", model::to_string(platform)},
                                                {"handle", a->handle},
                                                {"old", a->account_id},
                                                {"new", p->account_id}});
      }
      const bool first_id = a->account_id.empty();
      a->account_id = p->account_id;
      // Its jobs skipped their ticks while the id was unknown: run them now, not an interval
      // later, so every account is polled within one interval of start (or of being added).
      if (first_id && !stopped_ && !a->removed && platform != model::Platform::bluesky) {
        if (a->busy.count("posts") == 0) schedule(a, "posts", std::chrono::milliseconds(0));
        if (a->monitor && a->busy.count("replies") == 0)
          schedule(a, "replies", std::chrono::milliseconds(300));
        if (counts_on(*a) && a->busy.count("reply_counts") == 0)
          schedule(a, "reply_counts", std::chrono::milliseconds(400));
        if (quotes_on(*a) && a->busy.count("quotes") == 0)
          schedule(a, "quotes", std::chrono::milliseconds(1500));
        if (tagged_on(*a) && a->busy.count("tagged") == 0)
          schedule(a, "tagged", std::chrono::milliseconds(1200));
      }
      database_.submit("poller.remember_id",
                       [platform, handle = a->handle, id = p->account_id](pqxx::connection& c) {
                         store::remember_account_id(c, platform, handle, id);
                       });
    }
  }
}

// --- The cheap jobs (issue 21): the reply-rate series from counts, and quote posts ---
//
//  * reply_counts: on a platform whose collector counts (X tweets/counts/recent), one request per
//    account every PollingConfig::reply_counts, whatever the volume, asks for the per-minute
//    counts since the last one; they go to the listener (the flame-up detector). While they stay
//    near the baseline the reply texts are read every `replies` as before (calm texts cost
//    little: X charges what is returned). Once a count rises, the texts are read only as a sample
//    (one page after each count) and the counts carry the rate, until a count is calm again.
//  * quotes: the quote posts of the account's posts of the last day every PollingConfig::quotes,
//    stored and judged like replies.
// The budget's degradation order (collectors/ratelimit/api_spend.h) applies per job: at its last
// level only the counts go on ("reply_texts" — the texts of a counted account — and "quotes"
// stop).

bool Poller::counts_on(const Account& a) const {
  if (!a.monitor || options_.intervals.of(a.platform).reply_counts.count() <= 0) return false;
  const auto* c = collector_for(a.platform);
  return c != nullptr && c->has_reply_counts();
}

bool Poller::quotes_on(const Account& a) const {
  if (!a.monitor || options_.intervals.of(a.platform).quotes.count() <= 0) return false;
  const auto* c = collector_for(a.platform);
  return c != nullptr && c->has_quotes();
}

// tagged: others' posts that tag the account where the platform lists them apart from the
// comments walked per post (Facebook /tagged, Instagram /tags), every PollingConfig::tagged;
// stored and judged like mentions, with their own cursor.
bool Poller::tagged_on(const Account& a) const {
  if (!a.monitor || options_.intervals.of(a.platform).tagged.count() <= 0) return false;
  const auto* c = collector_for(a.platform);
  return c != nullptr && c->has_tagged();
}

// The accounts' jobs on a platform, for sizing look-alike rounds (poller_lookups.cpp).
ScheduledLoad Poller::scheduled_load(model::Platform platform, std::size_t& polled_here) const {
  ScheduledLoad load;
  polled_here = 0;
  for (const auto& a : accounts_) {
    if (a->platform != platform) continue;
    ++load.accounts;
    if (polls(*a)) ++polled_here;
    if (a->monitor) ++load.monitored;
    if (counts_on(*a)) ++load.counted;
    if (quotes_on(*a)) ++load.quoted;
    if (tagged_on(*a)) ++load.tagged;
  }
  return load;
}

std::chrono::steady_clock::duration Poller::job_interval(const Account& a,
                                                         const std::string& job) const {
  const config::PollingIntervals& i = options_.intervals.of(a.platform);
  if (job == "posts") return i.posts;
  if (job == "reply_counts") return i.reply_counts;
  if (job == "quotes") return i.quotes;
  if (job == "tagged") return i.tagged;
  return i.replies;
}

void Poller::schedule_account_jobs(const std::shared_ptr<Account>& a) {
  a->phased.clear();  // started again (a take-over, a reload): spread again after the first run
  schedule(a, "posts", std::chrono::milliseconds(500));
  if (!a->monitor) return;
  schedule(a, "replies", std::chrono::milliseconds(800));
  if (counts_on(*a)) schedule(a, "reply_counts", std::chrono::milliseconds(900));
  if (quotes_on(*a)) schedule(a, "quotes", std::chrono::milliseconds(2000));
  if (tagged_on(*a)) schedule(a, "tagged", std::chrono::milliseconds(1200));
}

bool Poller::job_allowed_by_budget(const Account& a, const std::string& job) {
  if (!options_.interval_factor) return true;
  std::string_view budget_job;
  if (job == "quotes") {
    budget_job = "quotes";
  } else if (job == "replies" && counts_on(a)) {
    budget_job = "reply_texts";
  } else {
    return true;
  }
  if (options_.interval_factor(a.platform, budget_job) != 0) return true;
  log::info("poll.round_skipped_for_budget", {{"platform", model::to_string(a.platform)},
                                              {"account", a.handle},
                                              {"job", std::string(budget_job)},
                                              {"runs_every", 0}});
  return false;
}

// Where the last process stopped counting (its reply_counts cursor: Unix seconds), or none.
model::TimePoint Poller::saved_counted_until(const Account& a) const {
  const auto it =
      cursors_.find({std::string(model::to_string(a.platform)), a.handle, "reply_counts"});
  if (it == cursors_.end()) return {};
  try {
    return model::TimePoint(std::chrono::seconds(std::stoll(it->second)));
  } catch (const std::exception&) {
    return {};  // not a number: count one interval back, as for a new account
  }
}

void Poller::on_counts(const std::shared_ptr<Run>& run, const collectors::Page& page) {
  auto& a = *run->account;
  // The stretch is counted even when it held nothing (an empty series is zeros). Where counting
  // stopped is kept like a cursor, so a restart goes on from there: no minute counted twice or
  // skipped (within counts_window_max).
  a.counted_until = run->counts_end;
  const std::string until = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(a.counted_until.time_since_epoch()).count());
  const std::string platform(model::to_string(run->platform));
  cursors_[{platform, a.handle, run->job}] = until;
  database_.submit("poller.cursor", [p = run->platform, handle = a.handle, job = run->job,
                                     until](pqxx::connection& c) {
    store::store_observations(c, {}, store::CursorUpdate{p, handle, job, until});
  });
  std::int64_t total = 0;
  for (const auto& c : page.result.counts) total += c.count;
  const bool risen = !page.result.counts.empty() && listener_ != nullptr &&
                     listener_->on_reply_counts(run->platform, a.handle, page.result.counts);
  if (risen != a.surging) {
    log::info(
        risen ? "poll.replies_sampled" : "poll.replies_read_in_full",
        {{"platform", model::to_string(run->platform)}, {"account", a.handle}, {"count", total}});
  }
  a.surging = risen;
  a.sample_due = risen;
  log::debug("poll.reply_counts", {{"platform", model::to_string(run->platform)},
                                   {"account", a.handle},
                                   {"count", total},
                                   {"risen", risen}});
  // Read the sample now (the timer then runs its interval from here).
  if (risen && !stopped_ && !a.removed && a.busy.count("replies") == 0) {
    schedule(run->account, "replies", std::chrono::milliseconds(0));
  }
}

// --- Leased polling (leases.h: what is leased and why; this is the poller's side) ---

// The accounts whose runs finished are written to poll_status (poll_status.h) a second later,
// together: one statement a second at most, whatever the number of accounts.
void Poller::note_status(const std::shared_ptr<Account>& a) {
  status_dirty_.insert(a);
  if (status_flush_pending_ || stopped_) return;
  status_flush_pending_ = true;
  auto& timer = timers_["poll_status"];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io_);
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (alive.expired()) return;
        status_flush_pending_ = false;
        if (ec || stopped_) return;
        std::vector<PollStatus> rows;
        for (const auto& d : status_dirty_) {
          if (d->removed || !polls(*d)) continue;
          PollStatus r{d->platform, d->handle, d->since, std::nullopt, {}, {}, {}};
          const std::string platform(model::to_string(d->platform));
          if (auto it = last_successes_.find({platform, d->handle}); it != last_successes_.end())
            r.last_success = it->second;
          for (const char* job : kAccountJobs) {
            if (auto f = failures_.find({platform, d->handle, job}); f != failures_.end()) {
              r.error_job = job;
              r.error = f->second.detail;
              r.error_at = f->second.at;
              break;
            }
          }
          rows.push_back(std::move(r));
        }
        status_dirty_.clear();
        if (rows.empty()) return;
        const std::string instance =
            options_.leases ? options_.leases->instance() : default_instance_name();
        database_.submit("poller.status", [instance, rows = std::move(rows)](pqxx::connection& c) {
          store_poll_status(c, instance, rows);
        });
      });
}

void Poller::mark_judged(model::Platform platform, const std::vector<model::Post>& posts) {
  if (posts.empty()) return;
  std::vector<std::string> ids;
  ids.reserve(posts.size());
  for (const auto& p : posts) ids.push_back(p.post_id);
  // Queued after every record the listeners queued for them (the store's queue is FIFO).
  database_.submit("poller.judged", [platform, ids = std::move(ids)](pqxx::connection& c) {
    store::mark_judged(c, platform, ids);
  });
}

void Poller::rejudge(const Account& a, const std::vector<model::Post>& posts) {
  if (posts.empty() || listener_ == nullptr || a.removed) return;
  log::info(
      "poll.unjudged_posts",
      {{"platform", model::to_string(a.platform)}, {"account", a.handle}, {"posts", posts.size()}});
  store::StoredBatch batch;
  batch.new_posts = posts;
  batch.rejudged = true;
  listener_->on_stored(a.platform, a.handle, batch);
  mark_judged(a.platform, posts);
}

bool Poller::polls(const Account& a) const {
  return options_.leases == nullptr || options_.leases->holds(a.platform, a.handle);
}

void Poller::leases_changed(const LeaseChange& change) {
  if (stopped_) return;
  const auto find = [this](model::Platform platform, const std::string& handle) {
    const auto it = std::find_if(accounts_.begin(), accounts_.end(), [&](const auto& a) {
      return a->platform == platform && a->handle == handle;
    });
    return it == accounts_.end() ? nullptr : *it;
  };
  for (const auto& l : change.lost) {
    if (auto a = find(l.platform, l.handle)) {
      forget_series(*a);
      a->counted_until = {};
      a->surging = false;
      a->sample_due = false;
    }
  }
  const bool first = !first_leases_taken_;
  std::vector<std::shared_ptr<Account>> taken;
  std::set<model::Platform> look_up;  // platforms with an account whose id is still unknown
  for (const auto& l : change.acquired) {
    auto a = find(l.platform, l.handle);
    if (!a) continue;
    if (!l.account_id.empty()) a->account_id = l.account_id;
    a->since = clock_.now();
    note_status(a);
    taken.push_back(a);
    if (first || a->account_id.empty()) look_up.insert(a->platform);
  }
  if (taken.empty()) return;
  first_leases_taken_ = true;
  // The last holder moved the cursors: continue from there, neither missing nor re-reading.
  std::weak_ptr<bool> alive = alive_;
  // So did it store posts it never judged (killed in between): those are judged here first.
  database_.submit("poller.take_over", [this, alive, taken, look_up](pqxx::connection& c) {
    auto cursors = store::load_cursors(c);
    std::vector<std::vector<model::Post>> unjudged;
    for (const auto& a : taken) unjudged.push_back(store::load_unjudged(c, a->platform, a->handle));
    asio::post(io_, [this, alive, taken, look_up, cursors = std::move(cursors),
                     unjudged = std::move(unjudged)] {
      if (alive.expired() || stopped_) return;
      for (std::size_t i = 0; i < taken.size(); ++i) rejudge(*taken[i], unjudged[i]);
      for (const auto& a : taken) {
        const std::string platform(model::to_string(a->platform));
        for (const char* job : kAccountJobs) {
          const auto it = cursors.find({platform, a->handle, job});
          if (it != cursors.end()) cursors_[it->first] = it->second;
        }
        if (polls(*a) && !a->removed) schedule_account_jobs(a);
      }
      // Profiles at once where an id must be learned (and on the first leases: at start-up).
      for (const auto p : look_up) schedule_profiles(p, std::chrono::milliseconds(0));
    });
  });
}

}  // namespace mamori::polling
