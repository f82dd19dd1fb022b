#include "daemon/detection/lookalike_rotation.h"

#include <algorithm>
#include <unordered_set>

#include "model/text.h"

namespace mamori::detection {

polling::LookupRound LookalikeRotation::next_round(const std::vector<std::string>& tracked,
                                                   const std::vector<AccountLookalikes>& accounts,
                                                   std::size_t max_handles, model::TimePoint now) {
  polling::LookupRound round;
  std::unordered_set<std::string> seen;
  const auto take = [&](const std::string& handle) {
    if (!seen.insert(model::ascii_lower(handle)).second) return false;  // already this round
    round.handles.push_back(handle);
    return true;
  };
  if (!pass_started_) pass_started_ = now;

  // Flagged candidates first; more of them than the round holds take turns as well.
  round.wanted = tracked.size();
  if (!tracked.empty()) {
    if (tracked_offset_ >= tracked.size()) tracked_offset_ = 0;
    std::size_t visited = 0;
    for (; visited < tracked.size() && round.handles.size() < max_handles; ++visited) {
      const std::string& handle = tracked[(tracked_offset_ + visited) % tracked.size()];
      if (take(handle)) round.tracked_handles.push_back(handle);
    }
    tracked_offset_ = (tracked_offset_ + visited) % tracked.size();
    round.skipped += tracked.size() - visited;
  }

  std::size_t total = 0;
  for (const auto& a : accounts) total += a.handles ? a.handles->size() : 0;
  round.wanted += total;
  if (total > 0) {
    // Where the last round stopped: the same account (its next look-alike), or the one after
    // it when it was removed since.
    auto at =
        static_cast<std::size_t>(std::lower_bound(accounts.begin(), accounts.end(), cursor_key_,
                                                  [](const AccountLookalikes& a,
                                                     const std::string& k) { return a.key < k; }) -
                                 accounts.begin());
    std::size_t offset = 0;
    if (at < accounts.size() && accounts[at].key == cursor_key_) offset = cursor_offset_;
    const auto size_of = [&](std::size_t i) {
      return accounts[i].handles ? accounts[i].handles->size() : 0;
    };
    if (at < accounts.size() && offset >= size_of(at)) {
      ++at;
      offset = 0;
    }
    std::size_t visited = 0;  // every look-alike at most once a round
    while (visited < total && round.handles.size() < max_handles) {
      if (at >= accounts.size()) {
        at = 0;
        offset = 0;
      }
      if (offset >= size_of(at)) {
        ++at;
        offset = 0;
        continue;
      }
      if (at == 0 && offset == 0) {
        // A new pass over every account begins here; the last one is complete.
        if (pass_has_lookups_)
          last_pass_ = std::chrono::duration_cast<std::chrono::seconds>(now - *pass_started_);
        pass_started_ = now;
        pass_has_lookups_ = false;
      }
      take((*accounts[at].handles)[offset]);  // a repeat counts as looked up: it is, this round
      pass_has_lookups_ = true;
      ++offset;
      ++visited;
    }
    round.skipped += total - visited;
    if (at >= accounts.size()) at = 0;
    if (at < accounts.size()) {
      cursor_key_ = accounts[at].key;
      cursor_offset_ = offset;
    }
    // What the current pass has left: the rest of this account and every account after it.
    if (at < accounts.size()) {
      round.pending = size_of(at) - std::min(offset, size_of(at));
      for (std::size_t i = at + 1; i < accounts.size(); ++i) round.pending += size_of(i);
    }
  }
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *pass_started_);
  round.full_pass = last_pass_ ? std::max(*last_pass_, age) : age;
  if (total == 0) round.full_pass.reset();
  return round;
}

}  // namespace mamori::detection
