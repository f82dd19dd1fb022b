// mamorictl incident open: an incident of any type opened by hand from the shell (issue 19,
// point 1), recorded exactly as POST /api/v1/incidents records it (detection/manual_report.h):
// the playbook's checklist, the page to the on-call and the escalation follow as for a detected
// one (the running mamorid's dispatcher sends the queued page). Reads the configuration through
// app::load_settings (the playbooks, [alerts] and the database), as mamorid does.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/app/settings.h"
#include "daemon/ctl/commands.h"
#include "daemon/detection/manual_report.h"
#include "daemon/incidents/playbook_steps.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "model/text.h"

namespace mamori::ctl {
namespace {

constexpr const char* kUsage =
    "usage: mamorictl incident open --type TYPE --subject TEXT --summary TEXT "
    "[--severity low|medium|high|critical] [--platform NAME] [--evidence FILE] [--as NAME] "
    "[--config FILE] [--credentials-dir DIR]\n"
    "  TYPE: impersonation, flameup, misinformation, account_compromise, erroneous_post or "
    "threat\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "mamorictl incident: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// Who runs the command: the login behind sudo if any, else the user.
std::string operator_name() {
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr) return pw->pw_name;
  return "unknown";
}

std::string content_type_of(const std::filesystem::path& file) {
  const std::string ext = model::ascii_lower(file.extension().string());
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".webp") return "image/webp";
  if (ext == ".pdf") return "application/pdf";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".eml") return "message/rfc822";
  return "application/octet-stream";
}

}  // namespace

// The arguments after "incident open".
int incident_open_command(const Args& args) {
  std::string type;
  std::string severity = "medium";
  std::string platform;
  std::string evidence_file;
  std::string actor;
  std::string config_path = "/etc/mamori/mamori.toml";
  auto credentials = config::CredentialSource::from_environment();
  detection::ManualReport report;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (i + 1 >= args.size()) return usage_error(arg + " needs a value");
    const std::string& v = args[++i];
    if (arg == "--type") {
      type = v;
    } else if (arg == "--subject") {
      report.subject = v;
    } else if (arg == "--summary") {
      report.summary = v;
    } else if (arg == "--severity") {
      severity = v;
    } else if (arg == "--platform") {
      platform = v;
    } else if (arg == "--evidence") {
      evidence_file = v;
    } else if (arg == "--as") {
      actor = v;
    } else if (arg == "--config") {
      config_path = v;
    } else if (arg == "--credentials-dir") {
      credentials.directory = std::filesystem::path(v);
    } else {
      return usage_error("unknown option '" + arg + "'");
    }
  }
  const auto t = model::incident_type_from_string(type);
  if (!t) return usage_error("--type: expected one of the incident types below");
  report.type = *t;
  const auto s = model::severity_from_string(severity);
  if (!s) return usage_error("--severity: expected low, medium, high or critical");
  report.severity = *s;
  if (!platform.empty()) {
    report.platform = model::platform_from_string(platform);
    if (!report.platform) return usage_error("--platform: unknown platform '" + platform + "'");
  }
  if (!evidence_file.empty()) {
    std::ifstream in(evidence_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot be read (--evidence)\n", evidence_file.c_str());
      return 2;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::filesystem::path path(evidence_file);
    report.evidence =
        detection::ManualEvidence{path.filename().string(), content_type_of(path), bytes.str()};
  }
  if (auto problem = detection::check_report(report)) {
    std::fprintf(stderr, "mamorictl incident: %s\n", problem->c_str());
    return 2;
  }
  actor = "mamorictl:" + (actor.empty() ? operator_name() : actor);

  const auto loaded =
      app::load_settings(config_path, credentials, app::this_executable("/usr/bin/mamorictl"));
  if (!loaded.ok()) {
    std::fputs(loaded.error_text().c_str(), stderr);
    return 2;
  }
  const auto& settings = *loaded.settings;
  const auto& c = *settings.config;
  const collectors::SystemClock clock;
  const auto now = clock.now();
  const auto steps = incidents::playbook_steps(
      settings.playbooks ? &settings.playbooks->of(report.municipality) : nullptr, report.type,
      report.severity, report.platform.value_or(model::Platform::x), now);
  alerts::AlertContext context;
  context.live = std::make_shared<alerts::LiveAlerts>(
      alerts::make_alerts_snapshot(settings.alerts, c.server.public_url, c.municipality.name));
  context.public_url = c.server.public_url;
  context.municipality = c.municipality.name;
  context.clock = &clock;
  std::optional<config::Secret> password;
  if (c.database.password) password = c.database.password->value;
  auto connection = store::connect(c.database.dsn, password);
  store::apply_migrations(*connection);
  const auto r = detection::record_manual_report(*connection, report, steps, context, actor, now);
  if (r.created)
    std::printf("incident %lld opened (%s, %s) by %s\n", r.incident_id, type.c_str(),
                severity.c_str(), actor.c_str());
  else
    std::printf("added to incident %lld (%s)%s by %s\n", r.incident_id, type.c_str(),
                r.reopened ? ", reopened" : "", actor.c_str());
  if (!c.server.public_url.empty())
    std::printf("%s/incidents/%lld\n", c.server.public_url.c_str(), r.incident_id);
  return 0;
}

}  // namespace mamori::ctl
