// The polling schedule: for every official account, on its platform's collector, at the
// configured intervals — profile lookups (batched), the account's own posts, and its replies
// and mentions (or, without a mentions API, the threads of its recent posts, and where the platform
// lists them apart, others' posts tagging it: the "tagged" job). Pages are stored
// with the poll cursor moved in the same transaction, after the last page of a run, so a
// restart neither misses nor repeats; new observations go to the listener (the detectors).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "collectors/common/collector.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/config/config.h"
#include "daemon/polling/leases.h"
#include "daemon/polling/lookup_budget.h"
#include "daemon/store/database.h"
#include "daemon/store/observation_store.h"

namespace prometheus {
class Registry;
}

namespace mamori::polling {

struct LookalikeMetrics;  // poller_lookups.cpp

class ObservationListener {
 public:
  virtual ~ObservationListener() = default;
  // On the event loop's thread, after the batch is committed. `account` is the official
  // account whose job fetched it ("" for profile lookups and searches).
  virtual void on_stored(model::Platform platform, const std::string& account,
                         const store::StoredBatch& batch) = 0;
  // Impersonation discovery, asked at each search run: account-search queries, and at most
  // `max_handles` handles to look up directly (flagged accounts to re-check first, then generated
  // look-alikes in turn: the round is sized to the platform's quota, lookup_budget.h).
  virtual std::vector<std::string> search_queries(model::Platform) { return {}; }
  virtual LookupRound handles_to_check(model::Platform, std::size_t /*max_handles*/) { return {}; }
  // A reply_counts run's series (per-minute counts of the posts addressed to `account`, oldest
  // first). True: the count rose above the account's baseline, so the poller reads the reply
  // texts now instead of at their next scheduled run.
  virtual bool on_reply_counts(model::Platform, const std::string& /*account*/,
                               const std::vector<collectors::CountBucket>&) {
    return false;
  }
};

// A platform whose searches spend a daily unit quota (YouTube: search.list 100 units, a lookup
// 1): its search runs are spaced so that a day of them spends at most `units_per_day`.
struct SearchBudget {
  long long units_per_day = 0;  // 0: no account searches, only direct lookups
  int units_per_query = 100;
  int units_per_lookup = 1;
};

struct PollerOptions {
  config::PollingConfig intervals;
  std::map<model::Platform, SearchBudget> search_budgets;
  int max_pages = 10;            // per run of one job
  int thread_window_hours = 72;  // own posts whose threads are walked for replies
  int threads_per_run = 20;
  int quotes_window_hours = 24;  // own posts whose quote posts are read (a pile-on starts early)
  // Staying inside the API budget (collectors/ratelimit/api_spend.h): a platform-wide job
  // ("search", "profiles") runs every Nth of its rounds, N from this (0: not at all); unset: 1.
  std::function<int(model::Platform, std::string_view job)> interval_factor;
  // Look-alike search rounds sized to the budget: the least time before the next search round
  // of a platform whose round sends `queries` account searches and `lookups` lookup requests
  // (unset or zero: the configured interval).
  std::function<std::chrono::seconds(model::Platform, std::size_t queries, std::size_t lookups)>
      search_spacing;
  // Look-alike rounds sized to the platform's rate limit (lookup_budget.h): the share of the
  // look-up window ([lookalike] quota_share) and the limit the rate-limit governor learned from
  // the platform's headers (unset or none: the platform's published default).
  double lookalike_quota_share = 1.0 / 3.0;
  // The most handles one round looks up whatever the quota allows ([lookalike]
  // max_lookups_per_round; 0: no cap).
  std::size_t lookalike_max_per_round = 2000;
  std::function<std::optional<LookupWindow>(model::Platform)> learned_lookup_window;
  // Pages a reply-texts run reads when the account's reply rate comes from counts: a sample,
  // the newest first (the counts carry the rate).
  int counted_text_pages = 1;
  // The longest stretch one reply_counts request asks for (after a pause or a restart).
  std::chrono::seconds counts_window_max{6 * 3600};
  std::chrono::milliseconds staleness_every{15000};  // mamori_poll_staleness_seconds refresh
  // Several instances on one database (leases.h): account jobs and profile lookups run only for
  // the accounts this instance holds, the look-alike search only where it leads. Unset: all.
  const PollLeases* leases = nullptr;
};

// The last failed run of a job, kept while that job has not succeeded since: what the web
// console's accounts page tells staff ("返信・メンションの取得に失敗しています（HTTP 401 ...）").
struct PollFailure {
  model::TimePoint at{};
  std::string detail;  // transport outcome, or HTTP status and the platform's message
};
// (platform, account handle — empty for the platform-wide profiles and search jobs, job) -> its
// failure.
using PollFailures = std::map<std::tuple<std::string, std::string, std::string>, PollFailure>;
// (platform, account handle) -> when one of the account's jobs last succeeded in this process.
using PollSuccesses = std::map<std::pair<std::string, std::string>, model::TimePoint>;

class Poller {
 public:
  // `clock` dates failures and successes; `registry` (may be null) gets the poll metrics.
  Poller(boost::asio::io_context& io, store::Database& database, const collectors::Clock& clock,
         std::vector<collectors::PlatformCollector*> collectors, PollerOptions options,
         prometheus::Registry* registry, ObservationListener* listener);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Loads cursors and known account ids, then starts the schedule for `accounts`.
  void start(const std::vector<config::Account>& accounts);
  // A reloaded configuration's accounts: new ones are scheduled at once, removed ones stop
  // (their runs in flight finish without rescheduling) and their metric series are removed.
  void update_accounts(const std::vector<config::Account>& accounts);
  // Stops scheduling; runs in flight finish their current request and store nothing more.
  void stop();
  // poller_leases.cpp: accounts taken (their cursors and ids read again, since their last holder
  // moved them, and their jobs run at once) or lost (their series go).
  void leases_changed(const LeaseChange& change);
  const PollFailures& failures() const { return failures_; }
  const PollSuccesses& last_successes() const { return last_successes_; }
  std::size_t runs_in_flight() const { return in_flight_; }

 private:
  struct Account;
  struct Metrics;
  struct Run;

  collectors::PlatformCollector* collector_for(model::Platform p) const;
  void schedule(const std::shared_ptr<Account>& a, const std::string& job,
                std::chrono::steady_clock::duration after);
  void run_job(const std::shared_ptr<Account>& a, const std::string& job);
  void run_profiles(model::Platform platform);
  void schedule_profiles(model::Platform platform, std::chrono::steady_clock::duration after);
  void schedule_search(model::Platform platform, std::chrono::steady_clock::duration after);
  // Returns when the next search run may start.
  std::chrono::steady_clock::duration run_search(model::Platform platform);
  // True (and the skip counted) while the platform's previous profiles or search round runs.
  bool platform_run_busy(model::Platform platform, const std::string& job);
  static std::vector<std::string> unique_handles(std::vector<std::string> handles);
  void fetch(const std::shared_ptr<Run>& run);
  void on_page(const std::shared_ptr<Run>& run, collectors::Page page);
  void finish(const std::shared_ptr<Run>& run, bool ok);
  void learn_ids(model::Platform platform, const std::vector<model::Observation>& observations);
  void cancel_timer(const std::string& key);
  // Whether this round of a platform-wide job runs (PollerOptions::interval_factor).
  bool round_due(model::Platform platform, std::string_view job);
  // The reply_counts and quotes jobs (at the end of poller.cpp).
  bool counts_on(const Account& a) const;
  bool quotes_on(const Account& a) const;
  bool tagged_on(const Account& a) const;  // the tagged job (Facebook /tagged, Instagram /tags)
  std::chrono::steady_clock::duration job_interval(const Account& a, const std::string& job) const;
  void schedule_account_jobs(const std::shared_ptr<Account>& a);
  bool job_allowed_by_budget(const Account& a, const std::string& job);
  void on_counts(const std::shared_ptr<Run>& run, const collectors::Page& page);
  model::TimePoint saved_counted_until(const Account& a) const;
  void forget_series(const Account& a);
  void publish_staleness();
  // poller_lookups.cpp: how many handles this search round may look up, and its metrics.
  LookupBudget size_lookups(model::Platform platform, std::size_t queries);
  void lookups_chosen(model::Platform platform, const LookupBudget& budget,
                      const LookupRound& round, std::size_t handles, std::size_t requests);
  void count_own_request(model::Platform platform, bool profiles);
  ScheduledLoad scheduled_load(model::Platform platform, std::size_t& polled_here) const;
  static std::shared_ptr<LookalikeMetrics> make_lookalike_metrics(prometheus::Registry* registry);
  bool polls(const Account& a) const;  // this instance holds the account's lease (or no leases)
  // Unjudged posts (deploy/sql/066): marks dropped once the listeners judged them; a taken
  // account's leftover ones handed to the listeners again.
  void mark_judged(model::Platform platform, const std::vector<model::Post>& posts);
  // Its status to be written to poll_status (poll_status.h) within a second.
  void note_status(const std::shared_ptr<Account>& a);
  void rejudge(const Account& a, const std::vector<model::Post>& posts);

  boost::asio::io_context& io_;
  store::Database& database_;
  const collectors::Clock& clock_;
  std::vector<collectors::PlatformCollector*> collectors_;
  PollerOptions options_;
  std::unique_ptr<Metrics> metrics_;
  ObservationListener* listener_;
  std::vector<std::shared_ptr<Account>> accounts_;
  std::map<store::CursorKey, std::string> cursors_;
  PollFailures failures_;
  PollSuccesses last_successes_;
  std::map<std::string, std::unique_ptr<boost::asio::steady_timer>> timers_;
  std::map<std::string, int> rounds_skipped_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = false;
  std::size_t in_flight_ = 0;
  std::set<std::pair<model::Platform, std::string>> platform_busy_;  // profiles/search in flight
  bool first_leases_taken_ = false;
  // poller_lookups.cpp: per platform, requests the accounts' own jobs sent since the last search
  // round (profile look-ups apart), when that round began, and the look-up credit it left.
  struct LookupLoad {
    double own_requests = 0;
    double profile_requests = 0;
    std::optional<std::chrono::steady_clock::time_point> since;
    double credit = 0;
  };
  std::map<model::Platform, LookupLoad> lookup_load_;
  std::shared_ptr<LookalikeMetrics> lookalike_metrics_;  // made on the first search round
  std::set<std::shared_ptr<Account>> status_dirty_;
  bool status_flush_pending_ = false;
};

}  // namespace mamori::polling
