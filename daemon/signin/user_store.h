// console_users in PostgreSQL (deploy/sql/005_console_users.sql): what `mamorictl user` and the
// sign-in route read and write. Every function takes the connection and opens its own
// transaction, so it can run as a store job or from mamorictl.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/api/auth.h"

namespace mamori::signin {

// A request the store refuses (unknown user, duplicate name): the message is for staff (Japanese).
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The named user does not exist (a UserError, so callers that do not care need not tell).
class UnknownUserError : public UserError {
 public:
  using UserError::UserError;
};

struct ConsoleUser {
  long long id = 0;
  std::string name;
  std::string display_name;
  api::Role role = api::Role::viewer;
  std::vector<std::string> municipalities;  // the tenants the user works for; empty: all
  std::string password_hash;
  std::optional<std::string> totp_secret;  // base32
  std::optional<std::int64_t> totp_last_step;
  bool disabled = false;
  std::string password_changed_at;  // ISO-8601 UTC
  std::string last_login_at;        // ISO-8601 UTC or empty
  std::string created_at;
};

// Lower-case ASCII letters, digits, '.', '_' and '-', starting with a letter or digit, ≤ 64.
bool valid_user_name(std::string_view name);
std::string_view role_name(api::Role role);

std::optional<ConsoleUser> find_user(pqxx::connection& c, const std::string& name);
std::vector<ConsoleUser> list_users(pqxx::connection& c);

// Throws UserError when the name is taken or invalid.
long long add_user(pqxx::connection& c, const std::string& name, const std::string& display_name,
                   api::Role role, const std::string& password_hash,
                   const std::optional<std::string>& totp_secret);
// Sets a new hash and signs the user out everywhere (special-ward.txt 5(6): after a suspected
// compromise the password change must end the intruder's access too). Throws UserError if unknown.
void set_password(pqxx::connection& c, const std::string& name, const std::string& password_hash);
// Disables the user and deletes their sessions. Throws UnknownUserError if unknown.
void disable_user(pqxx::connection& c, const std::string& name);
// Re-enables a disabled user. Any session row left over from before the disabling is deleted
// too, so enabling never revives an old browser; an already enabled user is left as is.
// Returns whether the user was disabled.
// Throws UnknownUserError if unknown.
bool enable_user(pqxx::connection& c, const std::string& name);
// Changes the role and deletes the user's sessions: the new rights apply from the next sign-in,
// and a demoted user keeps no wider rights in a browser left open. Returns the previous role.
// Throws UnknownUserError if unknown.
api::Role set_role(pqxx::connection& c, const std::string& name, api::Role role);
// Sets the municipalities the user works for (empty: all) and ends the user's sessions, as
// set_role does.
void set_municipalities(pqxx::connection& c, const std::string& name,
                        const std::vector<std::string>& municipalities);
// "soma,shinchi" (as stored in console_users.municipalities, joined) -> its ids.
std::vector<std::string> split_municipalities(std::string_view joined);
// Replaces the TOTP secret (base32), or removes it when nullopt (a lost phone), forgets the last
// accepted step (it belonged to the old secret) and deletes the user's sessions.
// Throws UnknownUserError if unknown.
void set_totp_secret(pqxx::connection& c, const std::string& name,
                     const std::optional<std::string>& totp_secret);

// Records `step` as the user's last accepted TOTP step, atomically, only if it is newer than the
// last one: false means the code was already used (or an older one) and must be refused.
bool claim_totp_step(pqxx::connection& c, long long user_id, std::int64_t step);
void record_login(pqxx::connection& c, long long user_id);

// Sign-in blocks to lift (deploy/sql/015_signin_unblocks.sql): `mamorictl user unblock` asks,
// mamorid applies. An empty name or address means every one.
struct UnblockRequest {
  long long id = 0;
  std::string name;
  std::string address;
};
void request_unblock(pqxx::connection& c, const std::string& name, const std::string& address);
// Requests with an id above `after`, oldest first.
std::vector<UnblockRequest> unblock_requests_after(pqxx::connection& c, long long after);
// The newest request's id (0 when none): what a starting mamorid has nothing left to apply of.
long long last_unblock_request(pqxx::connection& c);

}  // namespace mamori::signin
