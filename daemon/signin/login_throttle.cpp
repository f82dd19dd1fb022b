#include "daemon/signin/login_throttle.h"

#include <algorithm>

namespace mamori::signin {

std::optional<std::chrono::seconds> LoginThrottle::wait_for(const Entry& e, TimePoint now) {
  if (e.blocked_until <= now) return std::nullopt;
  // Rounded up: a client told "0" would retry at once.
  const auto left = std::chrono::ceil<std::chrono::seconds>(e.blocked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginThrottle::begin(const std::string& name,
                                                         const std::string& address,
                                                         TimePoint now) {
  std::lock_guard lock(mutex_);
  std::optional<std::chrono::seconds> wait;
  const auto consider = [&](const Table& table, const std::string& key) {
    const auto it = table.find(key);
    if (it == table.end()) return;
    if (auto w = wait_for(it->second, now); w && (!wait || *w > *wait)) wait = w;
  };
  consider(names_, name);
  consider(addresses_, address);
  if (wait) return wait;
  make_room(names_, now);
  Entry& e = names_[name];
  if (e.in_progress) return std::chrono::seconds(1);
  e.in_progress = true;
  return std::nullopt;
}

void LoginThrottle::fail(Table& table, const ThrottleRule& rule, const std::string& key,
                         TimePoint now) {
  make_room(table, now);
  Entry& e = table[key];
  if (e.failures > 0 && now - e.last_failure > rule.forget_after) e.failures = 0;
  ++e.failures;
  e.last_failure = now;
  const int beyond = e.failures - rule.free_failures;
  if (beyond <= 0) return;
  auto wait = rule.first_wait;
  for (int i = 1; i < beyond && wait < rule.max_wait; ++i) wait *= 2;
  e.blocked_until = now + std::min(wait, rule.max_wait);
}

void LoginThrottle::finish(const std::string& name, const std::string& address, bool success,
                           TimePoint now) {
  std::lock_guard lock(mutex_);
  if (auto it = names_.find(name); it != names_.end()) it->second.in_progress = false;
  if (success) {
    names_.erase(name);
    return;
  }
  fail(names_, options_.per_name, name, now);
  fail(addresses_, options_.per_address, address, now);
}

void LoginThrottle::cancel(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto it = names_.find(name); it != names_.end()) it->second.in_progress = false;
}

void LoginThrottle::make_room(Table& table, TimePoint now) {
  if (table.size() < options_.max_entries) return;
  // First drop what no longer blocks anything; if an attacker filled the table with fresh
  // entries, drop the longest-idle ones (the table must stay bounded).
  for (auto it = table.begin(); it != table.end();) {
    const bool stale = !it->second.in_progress && it->second.blocked_until <= now &&
                       now - it->second.last_failure > options_.per_name.forget_after;
    it = stale ? table.erase(it) : std::next(it);
  }
  while (table.size() >= options_.max_entries) {
    auto oldest = table.end();
    for (auto it = table.begin(); it != table.end(); ++it) {
      if (it->second.in_progress) continue;
      if (oldest == table.end() || it->second.last_failure < oldest->second.last_failure)
        oldest = it;
    }
    if (oldest == table.end()) break;
    table.erase(oldest);
  }
}

int LoginThrottle::failures_for_name(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = names_.find(name);
  return it == names_.end() ? 0 : it->second.failures;
}

int LoginThrottle::failures_for_address(const std::string& address) const {
  std::lock_guard lock(mutex_);
  const auto it = addresses_.find(address);
  return it == addresses_.end() ? 0 : it->second.failures;
}

}  // namespace mamori::signin
