// DetectionHub's side of leased polling (daemon/polling/leases.h), kept out of
// detection_hub.cpp: what an instance rebuilds from the database when it takes an account over
// from another, and the flagged look-alikes every instance reads back from the live incidents.
#include <algorithm>
#include <boost/asio/post.hpp>

#include "daemon/detection/detection_hub.h"
#include "daemon/detection/tracked_candidates.h"
#include "daemon/log/log.h"

namespace mamori::detection {

void DetectionHub::leases_changed(const polling::LeaseChange& change) {
  // A lost account is judged elsewhere now: its detector would only age and misjudge the gap.
  for (const auto& l : change.lost) rates_.erase(rate_key(l.platform, l.handle));
  std::vector<std::pair<model::Platform, std::string>> warm;
  for (const auto& l : change.acquired) {
    if (official_by_handle(l.platform, l.handle) == nullptr) continue;
    // Whatever this instance had is older than what its last holder stored since.
    rates_.erase(rate_key(l.platform, l.handle));
    warm.emplace_back(l.platform, l.handle);
  }
  // Queued before the poller's first run of these accounts (the leases' listeners run in order,
  // the hub's first, and the store's queue is FIFO): the history is in before new replies are.
  if (!warm.empty()) warm_start_flameup(std::move(warm));
}

void DetectionHub::reload_tracked() {
  const auto now = clock_.now();
  if (tracked_reloaded_ != model::TimePoint{} && now - tracked_reloaded_ < std::chrono::minutes(1))
    return;
  tracked_reloaded_ = now;
  std::weak_ptr<bool> alive = alive_;
  database_.submit("detection.tracked_candidates", [this, alive](pqxx::connection& c) {
    auto loaded = load_tracked_candidates(c);
    boost::asio::post(io_, [this, alive, loaded = std::move(loaded)] {
      if (alive.expired()) return;
      std::size_t added = 0;
      for (const auto& candidate : loaded) {
        auto& t = tracked_[candidate.subject];
        if (t.subject.empty()) ++added;
        t.subject = candidate.subject;
        if (t.handle.empty()) t.handle = candidate.handle;
        const auto verdict = candidate.impersonation
                                 ? detectors::impersonation::Verdict::impersonation
                                 : detectors::impersonation::Verdict::suspicious;
        t.verdict = std::max(t.verdict, verdict);
        auto& town = t.towns.try_emplace(candidate.municipality, verdict).first->second;
        town = std::max(town, verdict);
      }
      if (added > 0)
        log::info("detection.tracked_candidates", {{"added", added}, {"tracked", tracked_.size()}});
    });
  });
}

}  // namespace mamori::detection
