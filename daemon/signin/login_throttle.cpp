#include "daemon/signin/login_throttle.h"

#include <algorithm>

namespace mamori::signin {

std::optional<std::chrono::seconds> LoginThrottle::wait_for(const Entry& e, TimePoint now) {
  if (e.blocked_until <= now) return std::nullopt;
  // Rounded up: a client told "0" would retry at once.
  const auto left = std::chrono::ceil<std::chrono::seconds>(e.blocked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

std::string LoginThrottle::pair_key(std::string_view name, std::string_view address) {
  std::string key(name);
  key.push_back('\x1f');
  key.append(address);
  return key;
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
  const std::string pair = pair_key(name, address);
  consider(pairs_, pair);
  consider(addresses_, address);
  if (wait) return wait;
  make_room(pairs_, now);
  Entry& e = pairs_[pair];
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
  const std::string pair = pair_key(name, address);
  if (auto it = pairs_.find(pair); it != pairs_.end()) it->second.in_progress = false;
  if (success) {
    pairs_.erase(pair);
    return;
  }
  fail(pairs_, options_.per_name, pair, now);
  fail(addresses_, options_.per_address, address, now);
}

void LoginThrottle::cancel(const std::string& name, const std::string& address) {
  std::lock_guard lock(mutex_);
  if (auto it = pairs_.find(pair_key(name, address)); it != pairs_.end())
    it->second.in_progress = false;
}

std::size_t LoginThrottle::lift(std::string_view name, std::string_view address) {
  std::lock_guard lock(mutex_);
  std::size_t dropped = 0;
  for (auto it = pairs_.begin(); it != pairs_.end();) {
    const std::string_view key = it->first;
    const auto sep = key.find('\x1f');
    const bool match = (name.empty() || key.substr(0, sep) == name) &&
                       (address.empty() || key.substr(sep + 1) == address);
    if (match && !it->second.in_progress) {
      it = pairs_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  if (name.empty()) {
    for (auto it = addresses_.begin(); it != addresses_.end();) {
      if (address.empty() || it->first == address) {
        it = addresses_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
  }
  return dropped;
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

int LoginThrottle::failures_for(const std::string& name, const std::string& address) const {
  std::lock_guard lock(mutex_);
  const auto it = pairs_.find(pair_key(name, address));
  return it == pairs_.end() ? 0 : it->second.failures;
}

int LoginThrottle::failures_for_address(const std::string& address) const {
  std::lock_guard lock(mutex_);
  const auto it = addresses_.find(address);
  return it == addresses_.end() ? 0 : it->second.failures;
}

}  // namespace mamori::signin
