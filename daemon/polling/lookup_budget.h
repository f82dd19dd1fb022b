// Look-alike rounds sized to the platforms' rate limits (issue 20, point 5). A search round looks
// up generated look-alike handles and flagged candidates directly; with 2,000 accounts that is
// 120,000 handles a round, far past what a platform's look-up window allows, and on Mastodon
// and Bluesky the look-ups draw on the same budget as the accounts' own polls, which then go
// stale. So each round may spend at most a share ([lookalike] quota_share, default 1/3) of what
// the look-up window allows over one search interval after the accounts' own polls in the same
// rate-limit scope:
//
//   capacity  = limit × search interval / window           (requests; learned or default limit)
//   own       = the accounts' own requests in that scope over one search interval (as sent
//               since the last round; as scheduled before)
//   per round = share × max(0, capacity − own) − account searches in that scope
//   handles   = min(requests × batch size, [lookalike] max_lookups_per_round)
//
// The cap holds also where no limit is known or the quota would allow every handle at once
// (raised limits: ~113,000 handles at 2,000 accounts): a round's look-ups, and the rows and
// store jobs they make, stay bounded, and the pass is spread over rounds instead.
//
// A fraction left over is carried to the next round (at most one round's worth), so a small
// budget still checks a handle every few rounds. Pure arithmetic: the poller supplies what it
// knows (poller.cpp run_search), the detection hub orders the handles (lookalike_rotation.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config.h"
#include "model/platform.h"

namespace mamori::polling {

// One round of direct look-ups as a listener chose it (ObservationListener::handles_to_check):
// the handles, flagged candidates first, and what was left out.
struct LookupRound {
  std::vector<std::string> handles;
  // Of `handles`, the flagged candidates re-checked: absent, they are stored as gone even if
  // never seen (store::GoneFilter), so a takedown sees its impersonator removed.
  std::vector<std::string> tracked_handles;
  std::size_t tracked() const { return tracked_handles.size(); }
  std::size_t wanted = 0;   // handles the round would have looked up without a limit
  std::size_t skipped = 0;  // of `wanted`, left out for want of quota (repeats are not)
  std::size_t pending = 0;  // look-alikes of the current pass over the accounts not looked up yet
  // The time one pass over every account's look-alikes takes: the last complete pass, or the
  // current one's age when that is longer (a stalled rotation shows as a rising value).
  std::optional<std::chrono::seconds> full_pass;
  // Adds another listener's round (ObservationFanout).
  void merge(LookupRound other);
};

// A platform's look-up window: `limit` requests per `window`.
struct LookupWindow {
  std::int64_t limit = 0;
  std::chrono::seconds window{0};
};

// The platforms' published default limits for the look-up endpoint (where mamori has no
// response headers yet): X GET /2/users/by 300 per 15 min per app (bearer token); Bluesky 3000
// per 5 min per IP for every route; Mastodon 300 per 5 min per access token (per IP without
// one). None for the Graph API (its usage headers are percentages) and YouTube (daily units,
// SearchBudget): their rounds are not sized here.
std::optional<LookupWindow> default_lookup_window(model::Platform platform);

// Whether the accounts' own polls draw on the look-up's rate-limit scope: Bluesky and Mastodon
// count every route together; X counts each endpoint apart, so there only the profile look-ups
// (the same endpoint) do.
bool polls_share_lookup_scope(model::Platform platform);

// The governor's endpoints whose learned limit (response headers) is the look-up's: the look-up
// endpoints first, then, where every route shares one scope, the accounts' own reads.
std::vector<std::string_view> lookup_limit_endpoints(model::Platform platform);

// The accounts' own requests over one search interval as scheduled: one request per run of
// each job. The first round's estimate; later rounds use what the accounts' jobs sent since the
// last round (a run reads more pages, or walks as many threads as the account has recent posts).
struct ScheduledLoad {
  std::size_t accounts = 0;            // polled accounts of the platform
  std::size_t monitored = 0;           // of them, with replies read
  std::size_t counted = 0;             // with a reply_counts job
  std::size_t quoted = 0;              // with a quotes job
  std::size_t tagged = 0;              // with a tagged job
  std::size_t profile_batch_size = 1;  // handles per profile look-up request
};
// `account_jobs` false: only the profile look-ups (X).
double scheduled_own_requests(const ScheduledLoad& load, const config::PollingIntervals& intervals,
                              std::chrono::seconds search_interval, bool account_jobs);

struct LookupQuota {
  std::optional<LookupWindow> window;  // none: the round is not sized
  double share = 1.0 / 3.0;
  std::chrono::seconds search_interval{600};
  double own_requests = 0;           // over one search interval, in the same scope
  std::size_t queries_in_scope = 0;  // the round's account searches in the same scope
  std::size_t batch_size = 1;        // handles per look-up request
  std::size_t max_handles = 0;       // [lookalike] max_lookups_per_round; 0: no cap
};

struct LookupBudget {
  bool sized = false;        // false: no limit known, every handle goes
  double capacity = 0;       // requests the window allows over one search interval
  double per_round = 0;      // look-up requests this round may add (before the carried credit)
  double available = 0;      // per_round plus the credit carried in, at most one round's worth
  std::size_t requests = 0;  // whole look-up requests this round may send
  std::size_t handles = std::numeric_limits<std::size_t>::max();  // requests × batch size, capped
  bool capped = false;  // max_handles, not the quota, set `handles`
};

// `credit` is what the previous round left (LookupBudget::available minus the requests it sent).
LookupBudget size_lookup_round(const LookupQuota& quota, double credit);

}  // namespace mamori::polling
