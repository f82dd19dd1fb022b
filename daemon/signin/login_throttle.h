// Login throttling: after a few failures per (user name, client address) and per client address,
// further attempts from there wait for an exponentially growing time (429 + Retry-After).
// Keyed by name AND address, so guessing a name's password from one place never locks its owner
// out elsewhere: a right sign-in from an address without failures always goes through. Addresses
// are keys from http::address_key (IPv6 per /64). In memory on purpose — see
// deploy/sql/005_console_users.sql; `mamorictl user unblock` lifts a block through
// deploy/sql/015_signin_unblocks.sql. Thread-safe (login work spans the loop, the store worker and
// the password worker). The time is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace mamori::signin {

struct ThrottleRule {
  int free_failures;                // failures allowed before any wait
  std::chrono::seconds first_wait;  // wait after the first failure beyond them; doubles each time
  std::chrono::seconds max_wait;
  std::chrono::seconds forget_after;  // failures older than this (since the last one) are forgotten
};

struct ThrottleOptions {
  // A user name is attacked by guessing its password: strict, per address it is guessed from.
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

  // May an attempt for `name` from `address` start at `now`? On success the (name, address) is
  // marked as having an attempt in progress (parallel guesses from there wait for it), and the
  // caller must call finish() exactly once. Otherwise returns how long to wait (at least 1 s).
  std::optional<std::chrono::seconds> begin(const std::string& name, const std::string& address,
                                            TimePoint now);
  // The attempt's outcome. Success forgets the (name, address) failures (not the address's: one
  // valid account must not reset a sprayer's count).
  void finish(const std::string& name, const std::string& address, bool success, TimePoint now);

  // The attempt could not be judged (store unavailable): clears the in-progress mark only.
  void cancel(const std::string& name, const std::string& address);

  // Forgets failures and blocks: of `name` from every address (address empty), of `address`
  // for every name and itself (name empty), of that pair (both), or all (both empty). Returns
  // how many entries were dropped.
  std::size_t lift(std::string_view name, std::string_view address);

  // Failures currently counted (for tests and diagnostics).
  int failures_for(const std::string& name, const std::string& address) const;
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

  static std::string pair_key(std::string_view name, std::string_view address);

  ThrottleOptions options_;
  mutable std::mutex mutex_;
  Table pairs_;  // name '\x1f' address
  Table addresses_;
};

}  // namespace mamori::signin
