#include "daemon/store/migrations.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "daemon/log/log.h"

namespace mamori::store {
namespace {

// Arbitrary constant shared by all mamori processes: "mamori" in ASCII.
constexpr long long kMigrationLockKey = 0x6d616d6f7269;

void ensure_table(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  tx.exec0(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY,"
      " name text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
}

std::set<int> applied_versions(pqxx::connection& c) {
  std::set<int> out;
  pqxx::nontransaction tx(c);
  const pqxx::result r = tx.exec("SELECT version FROM schema_migrations");
  for (const auto& row : r) out.insert(row[0].as<int>());
  return out;
}

}  // namespace

MigrationReport apply_migrations(pqxx::connection& c, const std::vector<Migration>& migrations) {
  MigrationReport report;
  {
    pqxx::nontransaction tx(c);
    tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
  }
  try {
    ensure_table(c);
    const std::set<int> done = applied_versions(c);
    std::vector<Migration> pending;
    for (const auto& m : migrations) {
      if (done.count(m.version) == 0) pending.push_back(m);
    }
    std::sort(pending.begin(), pending.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (const auto& m : pending) {
      pqxx::work tx(c);
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     m.name);
      tx.commit();
      log::info("db.migration_applied", {{"version", m.version}, {"name", m.name}});
      report.applied.push_back(m.version);
    }
    pqxx::nontransaction tx(c);
    report.current_version =
        tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
  } catch (...) {
    try {
      pqxx::nontransaction tx(c);
      tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (const std::exception& e) {
      log::warn("db.migration_unlock_failed", {{"error", e.what()}});
    }
    throw;
  }
  pqxx::nontransaction tx(c);
  tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
  return report;
}

bool migrations_current(pqxx::connection& c, const std::vector<Migration>& migrations) {
  pqxx::nontransaction tx(c);
  const pqxx::result exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0][0].as<bool>()) return false;
  std::set<int> done;
  for (const auto& row : tx.exec("SELECT version FROM schema_migrations"))
    done.insert(row[0].as<int>());
  return std::all_of(migrations.begin(), migrations.end(),
                     [&](const Migration& m) { return done.count(m.version) > 0; });
}

}  // namespace mamori::store
