// Console sessions. Authenticator::authenticate runs synchronously on the event loop, while
// PostgreSQL is only reachable through store jobs, so sessions live in an in-memory cache that
// is loaded from console_sessions and written through to it: a restart signs nobody out, and a
// session created or revoked elsewhere (`mamorictl user disable`, another mamorid) is picked
// up by a reload at most `reload_interval` later. Only a hash of each session id is kept, in
// memory and in the table. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "collectors/ratelimit/clock.h"
#include "daemon/api/auth.h"
#include "daemon/store/database.h"

namespace mamori::signin {

using TimePoint = std::chrono::system_clock::time_point;

struct SessionOptions {
  // No guideline fixes these; 30 minutes idle and 12 hours in all cover a night shift while
  // limiting what an unlocked office PC exposes.
  std::chrono::seconds idle_timeout{std::chrono::minutes(30)};
  std::chrono::seconds absolute_timeout{std::chrono::hours(12)};
  // last_seen_at is written to the table at most this often per session.
  std::chrono::seconds touch_write_interval{60};
  std::chrono::seconds reload_interval{10};
};

struct SessionUser {
  long long id = 0;
  std::string name;
  std::string display_name;
  api::Role role = api::Role::viewer;
  bool totp_enabled = false;
  std::vector<std::string> municipalities;  // empty: all
};

struct Session {
  std::string id_hash;
  SessionUser user;
  std::string csrf_token;
  TimePoint created_at{};
  TimePoint last_seen_at{};
  TimePoint absolute_expires_at{};
  std::chrono::seconds idle_timeout{0};
  bool expired(TimePoint now) const {
    return now >= absolute_expires_at || now - last_seen_at >= idle_timeout;
  }
};

// Always owned by a std::shared_ptr (queued store jobs keep it alive).
class SessionStore : public std::enable_shared_from_this<SessionStore> {
 public:
  // `database` may be null (tests driving reload()/create() with their own connection). `clock`
  // (the daemon's one clock; a collectors::ManualClock in tests) must outlive the store.
  SessionStore(store::Database* database, SessionOptions options, const collectors::Clock& clock);

  const SessionOptions& options() const { return options_; }
  TimePoint now() const { return clock_.now(); }

  // A new session for `user`: inserted into console_sessions on `c` (the caller's store job),
  // then cached. Returns the opaque id for the cookie (the only place it exists).
  std::string create(pqxx::connection& c, const SessionUser& user, Session* created = nullptr);

  // The live session for a cookie value, its idle clock restarted. Unknown or expired: nullopt
  // (an expired one is revoked). May queue a reload (at most once per reload_interval).
  std::optional<Session> touch(std::string_view id);
  // The same without restarting the idle clock: for the console's automatic refreshes, which
  // are not the user's activity (a tab left polling must still time out).
  std::optional<Session> peek(std::string_view id);

  // Ends the session (sign-out); removed from the cache at once and from the table by a job.
  void revoke(std::string_view id);

  // Queues a reload from the table now (start-up) — no-op while one is queued.
  void request_reload();
  // Waits until a reload has completed once (start-up: the first requests after a restart must
  // find their sessions). False on timeout.
  bool wait_loaded(std::chrono::milliseconds timeout);
  // Replaces the cache with the table's live sessions of enabled users, deleting expired rows.
  // Runs on the store worker (or a test's connection).
  void reload(pqxx::connection& c);

  std::size_t size() const;

  // Hex BLAKE2b-256 of a session id: the key in memory and in console_sessions.
  static std::string hash_id(std::string_view id);
  // 256 random bits, base64url without padding.
  static std::string random_token();

 private:
  std::optional<Session> find(std::string_view id, bool activity);
  void revoke_locked(const std::string& id_hash);
  void maybe_reload_locked(TimePoint now);

  store::Database* database_;
  SessionOptions options_;
  const collectors::Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;
  std::map<std::string, TimePoint, std::less<>> last_written_;
  // Sessions revoked here whose table row may still be read by a reload queued before the
  // delete: value = revocation sequence number.
  std::map<std::string, unsigned long long, std::less<>> revoked_;
  unsigned long long revocations_ = 0;
  bool reload_queued_ = false;
  bool loaded_once_ = false;
  std::condition_variable loaded_cv_;
  TimePoint last_reload_request_{};
};

}  // namespace mamori::signin
