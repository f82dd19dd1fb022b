#include "daemon/signin/user_store.h"

namespace mamori::signin {
namespace {

constexpr const char* kUserColumns =
    "id, name, display_name, role, password_hash, totp_secret, totp_last_step, disabled,"
    " to_char(password_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " coalesce(to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " coalesce(array_to_string(municipalities, ','), '')";

ConsoleUser user_from(const pqxx::row& r) {
  ConsoleUser u;
  u.id = r[0].as<long long>();
  u.name = r[1].as<std::string>();
  u.display_name = r[2].as<std::string>();
  u.role = api::role_from_string(r[3].as<std::string>()).value_or(api::Role::viewer);
  u.password_hash = r[4].as<std::string>();
  if (!r[5].is_null()) u.totp_secret = r[5].as<std::string>();
  if (!r[6].is_null()) u.totp_last_step = r[6].as<std::int64_t>();
  u.disabled = r[7].as<bool>();
  u.password_changed_at = r[8].as<std::string>();
  u.last_login_at = r[9].as<std::string>();
  u.created_at = r[10].as<std::string>();
  u.municipalities = split_municipalities(r[11].as<std::string>());
  return u;
}

// The id from an UPDATE ... RETURNING id (first column) of the user `name`; UnknownUserError
// when no row matched.
long long updated_user_id(const std::string& name, const pqxx::result& updated) {
  if (updated.empty()) throw UnknownUserError("ユーザー " + name + " はありません");
  return updated[0][0].as<long long>();
}

// Signs the user out everywhere. mamorid's session cache drops the deleted sessions at its next
// reload (SessionOptions::reload_interval).
void end_sessions(pqxx::work& tx, long long user_id) {
  tx.exec_params("DELETE FROM console_sessions WHERE user_id = $1", user_id);
}

}  // namespace

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

std::string_view role_name(api::Role role) {
  switch (role) {
    case api::Role::viewer:
      return "viewer";
    case api::Role::responder:
      return "responder";
    case api::Role::admin:
      return "admin";
  }
  return "viewer";
}

std::optional<ConsoleUser> find_user(pqxx::connection& c, const std::string& name) {
  pqxx::read_transaction tx(c);
  const auto r = tx.exec_params(
      std::string("SELECT ") + kUserColumns + " FROM console_users WHERE name = $1", name);
  if (r.empty()) return std::nullopt;
  return user_from(r[0]);
}

std::vector<ConsoleUser> list_users(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  std::vector<ConsoleUser> out;
  for (const auto& row :
       tx.exec(std::string("SELECT ") + kUserColumns + " FROM console_users ORDER BY name")) {
    out.push_back(user_from(row));
  }
  return out;
}

long long add_user(pqxx::connection& c, const std::string& name, const std::string& display_name,
                   api::Role role, const std::string& password_hash,
                   const std::optional<std::string>& totp_secret) {
  if (!valid_user_name(name)) {
    throw UserError(
        "ユーザー名は英小文字・数字・「.」「_」「-」の 64 "
        "文字以内で、英小文字か数字で始めてください: " +
        name);
  }
  pqxx::work tx(c);
  const auto r = tx.exec_params(
      "INSERT INTO console_users (name, display_name, role, password_hash, totp_secret)"
      " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING id",
      name, display_name, std::string(role_name(role)), password_hash, totp_secret);
  if (r.empty()) throw UserError("ユーザー " + name + " はすでに存在します");
  tx.commit();
  return r[0][0].as<long long>();
}

void set_password(pqxx::connection& c, const std::string& name, const std::string& password_hash) {
  pqxx::work tx(c);
  const auto r = tx.exec_params(
      "UPDATE console_users SET password_hash = $2, password_changed_at = now(), updated_at = now()"
      " WHERE name = $1 RETURNING id",
      name, password_hash);
  end_sessions(tx, updated_user_id(name, r));
  tx.commit();
}

void disable_user(pqxx::connection& c, const std::string& name) {
  pqxx::work tx(c);
  const auto r = tx.exec_params(
      "UPDATE console_users SET disabled = true, updated_at = now() WHERE name = $1 RETURNING id",
      name);
  end_sessions(tx, updated_user_id(name, r));
  tx.commit();
}

bool enable_user(pqxx::connection& c, const std::string& name) {
  pqxx::work tx(c);
  // The old value is read in the same statement (the row is locked by the UPDATE's sub-select).
  const auto r = tx.exec_params(
      "UPDATE console_users u SET disabled = false, updated_at = now()"
      " FROM (SELECT id, disabled FROM console_users WHERE name = $1 FOR UPDATE) old"
      " WHERE u.id = old.id RETURNING u.id, old.disabled",
      name);
  const long long id = updated_user_id(name, r);
  const bool was_disabled = r[0][1].as<bool>();
  // An active user keeps their sessions; a disabled one starts again from a sign-in.
  if (was_disabled) end_sessions(tx, id);
  tx.commit();
  return was_disabled;
}

api::Role set_role(pqxx::connection& c, const std::string& name, api::Role role) {
  pqxx::work tx(c);
  const auto r = tx.exec_params(
      "UPDATE console_users u SET role = $2, updated_at = now()"
      " FROM (SELECT id, role FROM console_users WHERE name = $1 FOR UPDATE) old"
      " WHERE u.id = old.id RETURNING u.id, old.role",
      name, std::string(role_name(role)));
  end_sessions(tx, updated_user_id(name, r));
  tx.commit();
  return api::role_from_string(r[0][1].as<std::string>()).value_or(api::Role::viewer);
}

void set_municipalities(pqxx::connection& c, const std::string& name,
                        const std::vector<std::string>& municipalities) {
  std::string joined;
  for (const std::string& m : municipalities) joined += (joined.empty() ? "" : ",") + m;
  pqxx::work tx(c);
  const auto r = tx.exec_params(
      "UPDATE console_users SET municipalities = string_to_array(NULLIF($2, ''), ','),"
      " updated_at = now() WHERE name = $1 RETURNING id",
      name, joined);
  end_sessions(tx, updated_user_id(name, r));
  tx.commit();
}

std::vector<std::string> split_municipalities(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    const std::string_view one = joined.substr(0, comma);
    if (!one.empty()) out.emplace_back(one);
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

void set_totp_secret(pqxx::connection& c, const std::string& name,
                     const std::optional<std::string>& totp_secret) {
  pqxx::work tx(c);
  // totp_last_step guards the old secret against replay; its steps mean nothing for a new one.
  const auto r = tx.exec_params(
      "UPDATE console_users SET totp_secret = $2, totp_last_step = NULL, updated_at = now()"
      " WHERE name = $1 RETURNING id",
      name, totp_secret);
  end_sessions(tx, updated_user_id(name, r));
  tx.commit();
}

bool claim_totp_step(pqxx::connection& c, long long user_id, std::int64_t step) {
  pqxx::work tx(c);
  const auto r = tx.exec_params(
      "UPDATE console_users SET totp_last_step = $2"
      " WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id",
      user_id, step);
  tx.commit();
  return !r.empty();
}

void record_login(pqxx::connection& c, long long user_id) {
  pqxx::work tx(c);
  tx.exec_params("UPDATE console_users SET last_login_at = now() WHERE id = $1", user_id);
  tx.commit();
}

void request_unblock(pqxx::connection& c, const std::string& name, const std::string& address) {
  pqxx::work tx(c);
  tx.exec_params("INSERT INTO console_signin_unblocks (name, address) VALUES ($1, $2)", name,
                 address);
  tx.commit();
}

std::vector<UnblockRequest> unblock_requests_after(pqxx::connection& c, long long after) {
  pqxx::read_transaction tx(c);
  std::vector<UnblockRequest> out;
  for (const auto& row : tx.exec_params(
           "SELECT id, name, address FROM console_signin_unblocks WHERE id > $1 ORDER BY id",
           after)) {
    out.push_back({row[0].as<long long>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  return out;
}

long long last_unblock_request(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  return tx.exec1("SELECT coalesce(max(id), 0) FROM console_signin_unblocks")[0].as<long long>();
}

}  // namespace mamori::signin
