// The poller's side of look-alike rounds sized to the platforms' rate limits (lookup_budget.h):
// what the accounts' own polls spend in the look-up's rate-limit scope, the budget of each
// search round, and the mamori_lookalike_* metrics.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "daemon/log/log.h"
#include "daemon/polling/poller.h"

namespace mamori::polling {

struct LookalikeMetrics {
  explicit LookalikeMetrics(prometheus::Registry& r)
      : budget(prometheus::BuildGauge()
                   .Name("mamori_lookalike_budget")
                   .Help("Handles the last look-alike search round could look up within its share "
                         "of the platform's rate limit")
                   .Register(r)),
        lookups(prometheus::BuildCounter()
                    .Name("mamori_lookalike_lookups_total")
                    .Help("Look-alike and flagged-candidate handles looked up directly")
                    .Register(r)),
        skipped(prometheus::BuildCounter()
                    .Name("mamori_lookalike_skipped_total")
                    .Help("Handles left out of a look-alike round for want of quota (checked in "
                          "a later round)")
                    .Register(r)),
        pending(prometheus::BuildGauge()
                    .Name("mamori_lookalike_handles_pending")
                    .Help("Look-alike handles of the current pass over every official account "
                          "not looked up yet")
                    .Register(r)),
        full_pass(prometheus::BuildGauge()
                      .Name("mamori_lookalike_full_pass_seconds")
                      .Help("Seconds one pass over every official account's look-alikes takes "
                            "(the last complete pass, or the current one's age when longer)")
                      .Register(r)),
        search_interval(prometheus::BuildGauge()
                            .Name("mamori_lookalike_search_interval_seconds")
                            .Help("The configured search interval of the platform ([polling] "
                                  "search): a look-alike round runs at most this often")
                            .Register(r)) {}
  prometheus::Family<prometheus::Gauge>& budget;
  prometheus::Family<prometheus::Counter>& lookups;
  prometheus::Family<prometheus::Counter>& skipped;
  prometheus::Family<prometheus::Gauge>& pending;
  prometheus::Family<prometheus::Gauge>& full_pass;
  prometheus::Family<prometheus::Gauge>& search_interval;
};

std::shared_ptr<LookalikeMetrics> Poller::make_lookalike_metrics(prometheus::Registry* registry) {
  if (registry == nullptr) return nullptr;
  return std::make_shared<LookalikeMetrics>(*registry);
}

void Poller::count_own_request(model::Platform platform, bool profiles) {
  auto& load = lookup_load_[platform];
  (profiles ? load.profile_requests : load.own_requests) += 1;
}

LookupBudget Poller::size_lookups(model::Platform platform, std::size_t queries) {
  auto& load = lookup_load_[platform];
  const auto* collector = collector_for(platform);
  const config::PollingIntervals& i = options_.intervals.of(platform);
  const bool shared_scope = polls_share_lookup_scope(platform);
  LookupQuota q;
  q.window = default_lookup_window(platform);
  if (q.window && options_.learned_lookup_window) {
    if (auto learned = options_.learned_lookup_window(platform)) q.window = learned;
  }
  q.share = options_.lookalike_quota_share;
  q.max_handles = options_.lookalike_max_per_round;
  q.search_interval = i.search;
  q.batch_size = collector ? std::max<std::size_t>(1, collector->lookup_batch_size()) : 1;
  q.queries_in_scope = shared_scope ? queries : 0;
  // The accounts' own polls as scheduled: every configured account of the platform, also those
  // another instance polls (a Mastodon token is shared by them all).
  std::size_t polled_here = 0;
  ScheduledLoad scheduled = scheduled_load(platform, polled_here);
  scheduled.profile_batch_size = q.batch_size;
  q.own_requests = scheduled_own_requests(scheduled, i, i.search, shared_scope);
  // Better, as they were since the last round once that covers half a search interval (the
  // first seconds' catch-up would overstate it): a replies run walks as many threads as the
  // account has recent posts, none or twenty. This instance's requests stand for its share of
  // the accounts.
  const auto now = std::chrono::steady_clock::now();
  if (load.since && polled_here > 0) {
    const double elapsed = std::chrono::duration<double>(now - *load.since).count();
    if (elapsed >= 0.5 * static_cast<double>(i.search.count())) {
      const double sent = load.profile_requests + (shared_scope ? load.own_requests : 0.0);
      q.own_requests = sent * static_cast<double>(i.search.count()) / elapsed *
                       static_cast<double>(scheduled.accounts) / static_cast<double>(polled_here);
    }
  }
  load.own_requests = 0;
  load.profile_requests = 0;
  load.since = now;
  return size_lookup_round(q, load.credit);
}

void Poller::lookups_chosen(model::Platform platform, const LookupBudget& budget,
                            const LookupRound& round, std::size_t handles, std::size_t requests) {
  auto& load = lookup_load_[platform];
  load.credit = budget.sized ? std::max(0.0, budget.available - static_cast<double>(requests)) : 0;
  const std::size_t skipped = round.skipped;
  const std::string p(model::to_string(platform));
  log::info("poll.lookalike_round",
            {{"platform", p},
             {"budget_handles", budget.sized ? static_cast<long long>(budget.handles) : -1},
             {"capacity_requests", budget.capacity},
             {"capped", budget.capped},
             {"lookups", handles},
             {"requests", requests},
             {"tracked", round.tracked()},
             {"skipped", skipped},
             {"pending", round.pending},
             {"full_pass_s", round.full_pass ? round.full_pass->count() : -1}});
  if (!lookalike_metrics_) return;
  auto& m = *lookalike_metrics_;
  const std::map<std::string, std::string> labels{{"platform", p}};
  if (budget.sized) m.budget.Add(labels).Set(static_cast<double>(budget.handles));
  m.lookups.Add(labels).Increment(static_cast<double>(handles));
  m.skipped.Add(labels).Increment(static_cast<double>(skipped));
  m.pending.Add(labels).Set(static_cast<double>(round.pending));
  if (round.full_pass) m.full_pass.Add(labels).Set(static_cast<double>(round.full_pass->count()));
  m.search_interval.Add(labels).Set(
      static_cast<double>(options_.intervals.of(platform).search.count()));
}

}  // namespace mamori::polling
