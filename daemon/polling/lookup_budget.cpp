#include "daemon/polling/lookup_budget.h"

#include <algorithm>
#include <cmath>

namespace mamori::polling {

void LookupRound::merge(LookupRound other) {
  handles.insert(handles.end(), std::make_move_iterator(other.handles.begin()),
                 std::make_move_iterator(other.handles.end()));
  tracked_handles.insert(tracked_handles.end(),
                         std::make_move_iterator(other.tracked_handles.begin()),
                         std::make_move_iterator(other.tracked_handles.end()));
  wanted += other.wanted;
  skipped += other.skipped;
  pending += other.pending;
  if (other.full_pass && (!full_pass || *other.full_pass > *full_pass)) full_pass = other.full_pass;
}

std::optional<LookupWindow> default_lookup_window(model::Platform platform) {
  using std::chrono::minutes;
  switch (platform) {
    case model::Platform::x:
      return LookupWindow{300, minutes(15)};
    case model::Platform::bluesky:
      return LookupWindow{3000, minutes(5)};
    case model::Platform::mastodon:
      return LookupWindow{300, minutes(5)};
    default:
      return std::nullopt;
  }
}

bool polls_share_lookup_scope(model::Platform platform) {
  return platform == model::Platform::bluesky || platform == model::Platform::mastodon;
}

std::vector<std::string_view> lookup_limit_endpoints(model::Platform platform) {
  switch (platform) {
    case model::Platform::x:
      return {"users/by"};
    case model::Platform::bluesky:
      return {"app.bsky.actor.getProfiles", "app.bsky.actor.getProfile",
              "app.bsky.feed.getAuthorFeed"};
    case model::Platform::mastodon:
      return {"accounts/lookup", "accounts/:id/statuses", "statuses/:id/context", "notifications"};
    default:
      return {};
  }
}

namespace {
// Runs of a job every `every` over `span` (0: the job is off).
double runs(std::chrono::seconds span, std::chrono::seconds every) {
  if (every.count() <= 0) return 0;
  return static_cast<double>(span.count()) / static_cast<double>(every.count());
}
}  // namespace

double scheduled_own_requests(const ScheduledLoad& load, const config::PollingIntervals& i,
                              std::chrono::seconds search_interval, bool account_jobs) {
  const std::size_t batch = std::max<std::size_t>(1, load.profile_batch_size);
  const double profile_requests =
      std::ceil(static_cast<double>(load.accounts) / static_cast<double>(batch));
  double own = profile_requests * runs(search_interval, i.profiles);
  if (!account_jobs) return own;
  own += static_cast<double>(load.accounts) * runs(search_interval, i.posts);
  own += static_cast<double>(load.monitored) * runs(search_interval, i.replies);
  own += static_cast<double>(load.counted) * runs(search_interval, i.reply_counts);
  own += static_cast<double>(load.quoted) * runs(search_interval, i.quotes);
  own += static_cast<double>(load.tagged) * runs(search_interval, i.tagged);
  return own;
}

namespace {
// [lookalike] max_lookups_per_round over what the quota allows (or where nothing is known).
void apply_cap(LookupBudget& b, const LookupQuota& q) {
  if (q.max_handles == 0 || b.handles <= q.max_handles) return;
  const std::size_t batch = std::max<std::size_t>(1, q.batch_size);
  b.handles = q.max_handles;
  if (b.sized) b.requests = (b.handles + batch - 1) / batch;
  b.capped = true;
}
}  // namespace

LookupBudget size_lookup_round(const LookupQuota& q, double credit) {
  LookupBudget b;
  if (!q.window || q.window->limit <= 0 || q.window->window.count() <= 0) {
    apply_cap(b, q);
    return b;
  }
  b.sized = true;
  b.capacity = static_cast<double>(q.window->limit) *
               static_cast<double>(q.search_interval.count()) /
               static_cast<double>(q.window->window.count());
  const double share = std::clamp(q.share, 0.0, 1.0);
  b.per_round = share * std::max(0.0, b.capacity - std::max(0.0, q.own_requests)) -
                static_cast<double>(q.queries_in_scope);
  // What earlier rounds could not spend (a fraction of a request) carries over, up to one
  // round's worth: a share below one request a round still looks a handle up now and then.
  const double ceiling = std::max(b.per_round, 1.0);
  b.available = std::clamp(std::max(0.0, credit) + b.per_round, 0.0, ceiling);
  if (b.per_round <= 0) b.available = 0;  // the scope is full: no debt, no spending either
  b.requests = static_cast<std::size_t>(std::floor(b.available + 1e-9));
  const std::size_t batch = std::max<std::size_t>(1, q.batch_size);
  b.handles = b.requests * batch;
  apply_cap(b, q);
  return b;
}

}  // namespace mamori::polling
