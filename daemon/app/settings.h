// Everything mamorid reads from files, loaded in stages into one result: the configuration, its
// [alerts], the playbooks and the rumour files. Start-up, SIGHUP (a dry run whose result is
// swapped in only when every stage passed) and `mamorictl check-config` all load through here,
// so a file check-config accepts is one mamorid starts with and reloads to, and one it rejects
// stops the start and is refused by a reload.
//
//   auto loaded = app::load_settings(path, config::CredentialSource::from_environment(), exe);
//   if (!loaded.ok()) { for (const auto& e : loaded.errors) log(e.stage, e.text); return; }
//   use(*loaded.settings);
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/alerts/alerts_config.h"
#include "daemon/config/config.h"
#include "daemon/detection/rumour_source.h"
#include "playbooks/engine/playbook.h"

namespace mamori::app {

struct Settings {
  std::shared_ptr<const config::Config> config;
  alerts::AlertsConfig alerts;
  std::shared_ptr<const playbooks::PlaybookSet> playbooks;
  // The rumour files ([misinfo] rumour_files, or the shipped starter set), already read.
  detection::RumourSourceOptions rumours;
};

struct SettingsError {
  std::string stage;  // "config", "alerts", "playbooks" or "rumours"
  std::string text;   // one line naming the file, line and what was expected
};

struct SettingsLoad {
  std::optional<Settings> settings;  // set only when every stage passed
  std::vector<SettingsError> errors;
  bool ok() const { return settings.has_value() && errors.empty(); }
  std::string error_text() const;  // one error per line
};

// `executable` locates the shipped playbooks and starter rumours (beside an installed or built
// binary). Stages after the configuration run only when it loaded (they read it), and all
// of them run then, so one check shows every problem.
SettingsLoad load_settings(const std::filesystem::path& file,
                           const config::CredentialSource& credentials,
                           const std::filesystem::path& executable);

// The running executable (/proc/self/exe), or `fallback` when that cannot be read.
std::filesystem::path this_executable(const std::filesystem::path& fallback);

}  // namespace mamori::app
