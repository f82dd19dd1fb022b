// check-config and migrate.
#include <cstdio>
#include <filesystem>
#include <pqxx/pqxx>

#include "daemon/app/settings.h"
#include "daemon/config/config.h"
#include "daemon/ctl/commands.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"

namespace mamori::ctl {

int check_config_command(const Args& args) {
  // `--credentials-dir DIR` checks file: credentials as systemd's LoadCredential= will provide
  // them ($CREDENTIALS_DIRECTORY is only set inside the service).
  auto credentials = config::CredentialSource::from_environment();
  std::string file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--credentials-dir" && i + 1 < args.size()) {
      credentials.directory = std::filesystem::path(args[++i]);
    } else if (file.empty() && args[i].rfind("--", 0) != 0) {
      file = args[i];
    } else {
      file.clear();
      break;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "usage: mamorictl check-config [--credentials-dir DIR] FILE\n");
    return 2;
  }
  if (credentials.directory && !std::filesystem::is_directory(*credentials.directory)) {
    std::fprintf(stderr, "%s: not a directory (--credentials-dir)\n",
                 credentials.directory->c_str());
    return 2;
  }
  // What mamorid loads at start and on reload, through the same loader: the configuration,
  // [alerts], the playbooks and the rumour files.
  const auto loaded =
      app::load_settings(file, credentials, app::this_executable("/usr/bin/mamorictl"));
  if (!loaded.ok()) {
    std::fputs(loaded.error_text().c_str(), stderr);
    return 2;
  }
  const auto& s = *loaded.settings;
  const auto& c = *s.config;
  const std::string tenants = c.municipalities.size() > 1
                                  ? std::to_string(c.municipalities.size()) + " municipalities"
                                  : "municipality " + c.municipality.name;
  std::printf(
      "%s: OK (%s, %zu account(s), listen %s:%u, %zu playbook(s), %zu rumour(s) from "
      "%zu "
      "file(s))\n",
      file.c_str(), tenants.c_str(), c.accounts.size(), c.server.host.c_str(),
      static_cast<unsigned>(c.server.port), s.playbooks->playbooks.size(),
      s.rumours.from_files.size(), s.rumours.files.size());
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
