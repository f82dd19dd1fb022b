// check-config and migrate.
#include <pqxx/pqxx>

#include <cstdio>

#include "daemon/alerts/alerts_config.h"
#include "daemon/config/config.h"
#include "daemon/ctl/commands.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"

namespace mamori::ctl {

int check_config_command(const Args& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: mamorictl check-config FILE\n");
    return 2;
  }
  const auto result = config::load_file(args[0]);
  const auto alerts = alerts::load_alerts_file(args[0]);
  if (!result.ok() || !alerts.ok()) {
    std::fputs(result.error_text().c_str(), stderr);
    std::fputs(alerts.error_text().c_str(), stderr);
    return 2;
  }
  const auto& c = *result.config;
  std::printf("%s: OK (municipality %s, %zu account(s), listen %s:%u)\n", args[0].c_str(),
              c.municipality.name.c_str(), c.accounts.size(), c.server.host.c_str(),
              static_cast<unsigned>(c.server.port));
  return 0;
}

int migrate_command(const Args& args) {
  std::string dsn;
  std::optional<config::Secret> password;
  if (args.size() == 2 && args[0] == "--dsn") {
    dsn = args[1];
  } else if (args.size() == 2 && args[0] == "--config") {
    const auto result = config::load_file(args[1]);
    if (!result.ok()) {
      std::fputs(result.error_text().c_str(), stderr);
      return 2;
    }
    dsn = result.config->database.dsn;
    if (result.config->database.password) password = result.config->database.password->value;
  } else if (args.empty()) {
    const auto result = config::load_file("/etc/mamori/mamori.toml");
    if (!result.ok()) {
      std::fputs(result.error_text().c_str(), stderr);
      return 2;
    }
    dsn = result.config->database.dsn;
    if (result.config->database.password) password = result.config->database.password->value;
  } else {
    std::fprintf(stderr, "usage: mamorictl migrate [--config FILE | --dsn DSN]\n");
    return 2;
  }
  auto connection = store::connect(dsn, password);
  const auto report = store::apply_migrations(*connection);
  std::printf("schema at version %d (%zu migration(s) applied now)\n", report.current_version,
              report.applied.size());
  return 0;
}

}  // namespace mamori::ctl
