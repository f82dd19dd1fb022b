#include "daemon/signin/session_store.h"

#include <sodium.h>

#include "daemon/log/log.h"
#include "daemon/signin/password.h"
#include "daemon/signin/user_store.h"

namespace mamori::signin {
namespace {

double epoch_seconds(TimePoint t) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

TimePoint from_epoch_ms(long long ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

}  // namespace

SessionStore::SessionStore(store::Database* database, SessionOptions options,
                           const collectors::Clock& clock)
    : database_(database), options_(options), clock_(clock) {
  ensure_sodium();
}

std::string SessionStore::hash_id(std::string_view id) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(id.data()),
                     id.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

std::string SessionStore::random_token() {
  ensure_sodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(text);
}

std::string SessionStore::create(pqxx::connection& c, const SessionUser& user, Session* created) {
  Session s;
  std::string id = random_token();
  s.id_hash = hash_id(id);
  s.user = user;
  s.csrf_token = random_token();
  s.created_at = std::chrono::time_point_cast<std::chrono::milliseconds>(now());
  s.last_seen_at = s.created_at;
  s.absolute_expires_at = s.created_at + options_.absolute_timeout;
  s.idle_timeout = options_.idle_timeout;
  {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO console_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at,"
        " idle_timeout_s, absolute_expires_at)"
        " VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($4), $5, to_timestamp($6))",
        s.id_hash, user.id, s.csrf_token, epoch_seconds(s.created_at),
        static_cast<long long>(s.idle_timeout.count()), epoch_seconds(s.absolute_expires_at));
    tx.commit();
  }
  std::lock_guard lock(mutex_);
  sessions_[s.id_hash] = s;
  last_written_[s.id_hash] = s.created_at;
  if (created != nullptr) *created = s;
  return id;
}

std::optional<Session> SessionStore::touch(std::string_view id) {
  return find(id, true);
}

std::optional<Session> SessionStore::peek(std::string_view id) {
  return find(id, false);
}

std::optional<Session> SessionStore::find(std::string_view id, bool activity) {
  if (id.empty() || id.size() > 128) return std::nullopt;
  const std::string key = hash_id(id);
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    // Perhaps created by another mamorid, or before the first load finished.
    maybe_reload_locked(now);
    return std::nullopt;
  }
  if (it->second.expired(now)) {
    revoke_locked(key);
    return std::nullopt;
  }
  if (!activity) {
    Session copy = it->second;
    maybe_reload_locked(now);
    return copy;
  }
  it->second.last_seen_at = now;
  TimePoint& written = last_written_[key];
  if (database_ != nullptr && now - written >= options_.touch_write_interval) {
    written = now;
    database_->submit("signin.session_seen", [key, seen = epoch_seconds(now)](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params(
          "UPDATE console_sessions SET last_seen_at = greatest(last_seen_at, to_timestamp($2))"
          " WHERE id_hash = $1",
          key, seen);
      tx.commit();
    });
  }
  Session copy = it->second;
  maybe_reload_locked(now);
  return copy;
}

void SessionStore::revoke(std::string_view id) {
  if (id.empty() || id.size() > 128) return;
  std::lock_guard lock(mutex_);
  revoke_locked(hash_id(id));
}

void SessionStore::revoke_locked(const std::string& id_hash) {
  sessions_.erase(id_hash);
  last_written_.erase(id_hash);
  revoked_[id_hash] = ++revocations_;
  if (database_ == nullptr) return;
  // Submitted under the lock, so a reload queued after this revocation runs after the delete.
  const bool queued = database_->submit("signin.session_revoke", [id_hash](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("DELETE FROM console_sessions WHERE id_hash = $1", id_hash);
    tx.commit();
  });
  if (!queued) log::warn("signin.revoke_not_queued", {{"action", "kept revoked in memory"}});
}

void SessionStore::maybe_reload_locked(TimePoint now) {
  if (database_ == nullptr || reload_queued_) return;
  if (now - last_reload_request_ < options_.reload_interval && now >= last_reload_request_) return;
  last_reload_request_ = now;
  reload_queued_ = true;
  const unsigned long long seen_revocations = revocations_;
  auto self = shared_from_this();
  const bool queued = database_->submit(
      "signin.session_reload", [self](pqxx::connection& c) { self->reload(c); },
      [self, seen_revocations](std::exception_ptr failure) {
        std::lock_guard relock(self->mutex_);
        self->reload_queued_ = false;
        if (failure) return;
        self->loaded_once_ = true;
        self->loaded_cv_.notify_all();
        // Deletes queued before this reload have run: those revocations need no memory now.
        for (auto it = self->revoked_.begin(); it != self->revoked_.end();) {
          it = it->second <= seen_revocations ? self->revoked_.erase(it) : std::next(it);
        }
      });
  if (!queued) reload_queued_ = false;
}

void SessionStore::request_reload() {
  std::lock_guard lock(mutex_);
  last_reload_request_ = TimePoint{};
  maybe_reload_locked(now());
}

bool SessionStore::wait_loaded(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return loaded_cv_.wait_for(lock, timeout, [this] { return loaded_once_; });
}

void SessionStore::reload(pqxx::connection& c) {
  const TimePoint now = clock_.now();
  std::map<std::string, Session, std::less<>> loaded;
  {
    pqxx::work tx(c);
    // Rows idle a little beyond their timeout: last_seen_at lags memory by up to the write
    // interval, so only what is surely expired is deleted here.
    tx.exec_params(
        "DELETE FROM console_sessions WHERE absolute_expires_at <= to_timestamp($1)"
        " OR last_seen_at + make_interval(secs => idle_timeout_s + $2) <= to_timestamp($1)",
        epoch_seconds(now), static_cast<long long>(options_.touch_write_interval.count()));
    const auto rows = tx.exec(
        "SELECT s.id_hash, s.csrf_token,"
        " (extract(epoch FROM s.created_at) * 1000)::bigint,"
        " (extract(epoch FROM s.last_seen_at) * 1000)::bigint,"
        " (extract(epoch FROM s.absolute_expires_at) * 1000)::bigint, s.idle_timeout_s,"
        " u.id, u.name, u.display_name, u.role, u.totp_secret IS NOT NULL,"
        " coalesce(array_to_string(u.municipalities, ','), '')"
        " FROM console_sessions s JOIN console_users u ON u.id = s.user_id WHERE NOT u.disabled");
    tx.commit();
    for (const auto& r : rows) {
      Session s;
      s.id_hash = r[0].as<std::string>();
      s.csrf_token = r[1].as<std::string>();
      s.created_at = from_epoch_ms(r[2].as<long long>());
      s.last_seen_at = from_epoch_ms(r[3].as<long long>());
      s.absolute_expires_at = from_epoch_ms(r[4].as<long long>());
      s.idle_timeout = std::chrono::seconds(r[5].as<long long>());
      s.user.id = r[6].as<long long>();
      s.user.name = r[7].as<std::string>();
      s.user.display_name = r[8].as<std::string>();
      s.user.role = api::role_from_string(r[9].as<std::string>()).value_or(api::Role::viewer);
      s.user.totp_enabled = r[10].as<bool>();
      s.user.municipalities = split_municipalities(r[11].as<std::string>());
      loaded.emplace(s.id_hash, std::move(s));
    }
  }
  std::lock_guard lock(mutex_);
  for (auto it = loaded.begin(); it != loaded.end();) {
    if (revoked_.count(it->first) != 0) {
      it = loaded.erase(it);
      continue;
    }
    // Memory may have seen the session more recently than the table.
    if (const auto old = sessions_.find(it->first); old != sessions_.end()) {
      it->second.last_seen_at = std::max(it->second.last_seen_at, old->second.last_seen_at);
    }
    ++it;
  }
  for (auto it = last_written_.begin(); it != last_written_.end();) {
    it = loaded.count(it->first) == 0 ? last_written_.erase(it) : std::next(it);
  }
  sessions_ = std::move(loaded);
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace mamori::signin
