#include "daemon/app/settings.h"

#include "daemon/detection/rumour_file.h"
#include "playbooks/engine/loader.h"

namespace mamori::app {

std::string SettingsLoad::error_text() const {
  std::string out;
  for (const auto& e : errors) out += e.text + "\n";
  return out;
}

std::filesystem::path this_executable(const std::filesystem::path& fallback) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? fallback : exe;
}

SettingsLoad load_settings(const std::filesystem::path& file,
                           const config::CredentialSource& credentials,
                           const std::filesystem::path& executable) {
  SettingsLoad out;
  auto fail = [&](const char* stage, std::string text) {
    out.errors.push_back({stage, std::move(text)});
  };

  auto loaded = config::load_file(file, credentials);
  if (!loaded.ok()) {
    for (const auto& d : loaded.errors) fail("config", d.text());
    return out;
  }
  Settings s;
  s.config = std::make_shared<const config::Config>(std::move(*loaded.config));
  const config::Config& c = *s.config;

  auto alerts = alerts::load_alerts_file(file, credentials);
  if (alerts.ok()) {
    s.alerts = std::move(*alerts.config);
  } else {
    for (const auto& d : alerts.errors) fail("alerts", d.text());
  }

  // The playbooks are validated as a whole.
  std::filesystem::path dir = c.playbooks.dir;
  if (dir.empty()) dir = playbooks::find_shipped_playbooks(executable);
  const std::vector<std::filesystem::path> overrides(c.playbooks.overrides.begin(),
                                                     c.playbooks.overrides.end());
  auto set = playbooks::load_playbooks(dir, overrides);
  if (set.ok()) {
    // Municipalities with overrides of their own: their set is the instance's overrides and
    // then theirs, validated as a whole like the instance's.
    auto with_towns = std::make_shared<playbooks::PlaybookSet>(*set.set);
    for (const auto& m : c.municipalities) {
      if (m.playbook_overrides.empty()) continue;
      auto own = overrides;
      own.insert(own.end(), m.playbook_overrides.begin(), m.playbook_overrides.end());
      auto town = playbooks::load_playbooks(dir, own);
      if (town.ok())
        with_towns->municipalities[m.id] = town.set;
      else
        for (const auto& d : town.diagnostics) fail("playbooks", m.id + ": " + d.text());
    }
    s.playbooks = std::move(with_towns);
  } else {
    for (const auto& d : set.diagnostics) fail("playbooks", d.text());
  }

  // Every rumour file must parse: a skipped file would blind the detector to its rumours
  // without anyone having been told.
  s.rumours = detection::rumour_source_options(c, executable);
  detection::RumourFileOptions fo;
  fo.municipality = s.rumours.municipality;
  for (const auto& path : s.rumours.files) {
    auto r = detection::load_rumour_file(path, fo);
    if (!r.ok()) {
      fail("rumours", *r.error);
      continue;
    }
    for (auto& rumour : r.rumours) s.rumours.from_files.push_back(std::move(rumour));
  }

  if (out.errors.empty()) out.settings = std::move(s);
  return out;
}

}  // namespace mamori::app
