// mamorictl playbook validate [DIR [OVERRIDE_DIR ...]]
// mamorictl playbook render TYPE TEMPLATE --incident FILE.json [--dir DIR] [--overrides DIR]...
// The daemon's own loader and renderer on files: ICT staff check a city's playbook changes before
// reloading mamorid (SIGHUP), and PR staff preview a drafted document.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/ratelimit/clock.h"
#include "daemon/ctl/commands.h"
#include "playbooks/engine/documents.h"
#include "playbooks/engine/incident_data.h"
#include "playbooks/engine/loader.h"

namespace mamori::ctl {
namespace {

std::filesystem::path shipped_playbooks() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return playbooks::find_shipped_playbooks(ec ? std::filesystem::path("/usr/bin/mamorictl") : exe);
}

void print_diagnostics(const playbooks::LoadResult& result) {
  for (const auto& d : result.diagnostics) std::fprintf(stderr, "%s\n", d.text().c_str());
}

}  // namespace

int playbook_validate_command(const Args& args) {
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {
      std::printf(
          "usage: mamorictl playbook validate [DIR [OVERRIDE_DIR ...]]\n"
          "  DIR defaults to the shipped playbooks; override directories (a city's\n"
          "  changes) are merged onto it in order and the result validated as a whole.\n");
      return 0;
    }
  }
  std::filesystem::path dir;
  std::vector<std::filesystem::path> overrides;
  if (args.empty()) {
    dir = shipped_playbooks();
    if (dir.empty()) {
      std::fprintf(stderr,
                   "mamorictl playbook validate: shipped playbooks not found (looked beside the "
                   "executable and in /usr/share/mamori/playbooks); name the directory\n");
      return 2;
    }
  } else {
    dir = args[0];
    overrides.assign(args.begin() + 1, args.end());
  }
  const auto result = playbooks::load_playbooks(dir, overrides);
  print_diagnostics(result);
  if (!result.ok()) {
    std::fprintf(stderr, "%zu error(s)\n", result.error_count());
    return 2;
  }
  std::size_t steps = 0;
  for (const auto& [type, pb] : result.set->playbooks) steps += pb.steps.size();
  std::printf("%s: OK (%zu playbooks, %zu steps, %zu document templates", dir.string().c_str(),
              result.set->playbooks.size(), steps, result.set->templates.size());
  for (const auto& o : overrides) std::printf(", overrides %s", o.string().c_str());
  std::printf(")\n");
  return 0;
}

int playbook_render_command(const Args& args) {
  const char* usage =
      "usage: mamorictl playbook render TYPE TEMPLATE --incident FILE.json [--dir DIR] "
      "[--overrides DIR]...\n";
  std::vector<std::string> positional;
  std::string incident_file;
  std::filesystem::path dir;
  std::vector<std::filesystem::path> overrides;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--incident" && has_value) {
      incident_file = args[++i];
    } else if (a == "--dir" && has_value) {
      dir = args[++i];
    } else if (a == "--overrides" && has_value) {
      overrides.emplace_back(args[++i]);
    } else if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      return 0;
    } else if (a.starts_with("--")) {
      std::fprintf(stderr, "mamorictl playbook render: unknown or incomplete option '%s'\n%s",
                   a.c_str(), usage);
      return 2;
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2 || incident_file.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  const auto type = playbooks::incident_type_from_string(positional[0]);
  if (!type) {
    std::fprintf(stderr,
                 "mamorictl playbook render: TYPE '%s': expected impersonation, flameup, "
                 "misinformation, account_compromise, erroneous_post, threat or account_change\n",
                 positional[0].c_str());
    return 2;
  }
  if (dir.empty()) dir = shipped_playbooks();
  const auto loaded = playbooks::load_playbooks(dir, overrides);
  if (!loaded.ok()) {
    print_diagnostics(loaded);
    return 2;
  }
  const auto& set = *loaded.set;
  const playbooks::Playbook* pb = set.find(*type);
  bool offered = false;
  std::string available;
  for (const auto& step : pb->steps) {
    for (const auto& doc : step.documents) {
      if (doc == positional[1]) offered = true;
      if (available.find(doc) == std::string::npos)
        available += (available.empty() ? "" : ", ") + doc;
    }
  }
  if (!offered) {
    std::fprintf(stderr, "mamorictl playbook render: TEMPLATE '%s': the %s playbook offers %s\n",
                 positional[1].c_str(), positional[0].c_str(), available.c_str());
    return 2;
  }
  std::ifstream in(incident_file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open the incident file\n", incident_file.c_str());
    return 2;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const auto now = collectors::SystemClock().now();
  auto parsed = playbooks::parse_incident_json(ss.str(), now);
  if (!parsed.data) {
    std::fprintf(stderr, "%s: %s\n", incident_file.c_str(), parsed.error.c_str());
    return 2;
  }
  parsed.data->type = *type;
  const auto rendered = playbooks::render_document(set, positional[1], *parsed.data);
  if (!rendered.document) {
    std::fprintf(stderr, "%s: %s\n", incident_file.c_str(), rendered.error.c_str());
    return 2;
  }
  const auto& doc = *rendered.document;
  std::printf("%s\n", doc.text.c_str());
  if (doc.length) {
    std::fprintf(stderr, "-- %s: %zu / %zu%s\n", std::string(to_string(doc.length->limit)).c_str(),
                 doc.length->count, doc.length->max,
                 doc.length->fits() ? "" : "  文字数の上限を超えています。短くしてください");
  }
  return 0;
}

}  // namespace mamori::ctl
