// Login throttling: after a few failures per user name and per client address, further attempts
// wait for an exponentially growing time (429 + Retry-After). In memory on purpose — see
// deploy/sql/005_console_users.sql. Thread-safe (login work spans the loop, the store worker
// and the password worker). The time is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mamori::signin {

struct ThrottleRule {
  int free_failures;                // failures allowed before any wait
  std::chrono::seconds first_wait;  // wait after the first failure beyond them; doubles each time
  std::chrono::seconds max_wait;
  std::chrono::seconds forget_after;  // failures older than this (since the last one) are forgotten
};

struct ThrottleOptions {
  // A user name is attacked by guessing its password: strict.
  ThrottleRule per_name{5, std::chrono::seconds(2), std::chrono::minutes(15),
                        std::chrono::hours(1)};
  // An address may be a whole office behind one proxy: more lenient, but it bounds spraying one
  // password over many names.
  ThrottleRule per_address{20, std::chrono::seconds(1), std::chrono::minutes(15),
                           std::chrono::hours(1)};
  std::size_t max_entries = 10000;  // per kind; the oldest entries are evicted beyond it
};

class LoginThrottle {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit LoginThrottle(ThrottleOptions options = {}) : options_(options) {}

  // May an attempt for `name` from `address` start at `now`? On success the name is marked as
  // having an attempt in progress (parallel guesses for one name wait for it), and the caller
  // must call finish() exactly once. Otherwise returns how long to wait (at least 1 s).
  std::optional<std::chrono::seconds> begin(const std::string& name, const std::string& address,
                                            TimePoint now);
  // The attempt's outcome. Success forgets the name's failures (not the address's: one valid
  // account must not reset a sprayer's count).
  void finish(const std::string& name, const std::string& address, bool success, TimePoint now);

  // The attempt could not be judged (store unavailable): clears the in-progress mark only.
  void cancel(const std::string& name);

  // Failures currently counted (for tests and diagnostics).
  int failures_for_name(const std::string& name) const;
  int failures_for_address(const std::string& address) const;

 private:
  struct Entry {
    int failures = 0;
    TimePoint last_failure{};
    TimePoint blocked_until{};
    bool in_progress = false;
  };
  using Table = std::map<std::string, Entry, std::less<>>;

  static std::optional<std::chrono::seconds> wait_for(const Entry& e, TimePoint now);
  void fail(Table& table, const ThrottleRule& rule, const std::string& key, TimePoint now);
  void make_room(Table& table, TimePoint now);

  ThrottleOptions options_;
  mutable std::mutex mutex_;
  Table names_;
  Table addresses_;
};

}  // namespace mamori::signin
