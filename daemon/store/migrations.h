// Numbered SQL migrations (deploy/sql/NNN_name.sql), compiled into the binaries.
// Applied at start-up and by `mamorictl migrate`, serialized across instances with an
// advisory lock and recorded in schema_migrations.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace mamori::store {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

const std::vector<Migration>& embedded_migrations();

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this call
  int current_version = 0;   // highest version recorded afterwards
};

// Applies every pending migration, each in its own transaction, holding an advisory lock so
// that concurrent mamorid/mamorictl instances wait instead of racing. Throws on failure
// (the failing migration's transaction is rolled back).
MigrationReport apply_migrations(pqxx::connection& connection,
                                 const std::vector<Migration>& migrations = embedded_migrations());

// True when every embedded migration is recorded as applied.
bool migrations_current(pqxx::connection& connection,
                        const std::vector<Migration>& migrations = embedded_migrations());

}  // namespace mamori::store
