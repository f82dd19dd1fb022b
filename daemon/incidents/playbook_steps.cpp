#include "daemon/incidents/playbook_steps.h"

#include <boost/json.hpp>

namespace mamori::incidents {

std::vector<StepPlan> playbook_steps(const playbooks::PlaybookSet* playbooks,
                                     model::IncidentType type, model::Severity severity,
                                     model::Platform platform, model::TimePoint opened) {
  std::vector<StepPlan> out;
  if (playbooks == nullptr) return out;
  const playbooks::Playbook* pb = playbooks->find(type);
  if (pb == nullptr) return out;
  for (const auto& s : pb->steps) {
    StepPlan p;
    p.id = s.id;
    p.title = s.title;
    p.instructions = s.instructions;
    p.role = s.role;
    p.mandatory = playbooks::effective_requirement(s, severity, platform) ==
                  playbooks::Requirement::mandatory;
    p.depends_on = s.depends_on;
    for (const auto& c : s.clauses) p.clauses.push_back(c.text());
    if (s.check) {
      boost::json::object check{{"kind", std::string(playbooks::to_string(s.check->kind))}};
      if (!s.check->pattern.empty()) check["pattern"] = s.check->pattern;
      if (!s.check->url.empty()) check["url"] = s.check->url;
      if (!s.check->text.empty()) check["text"] = s.check->text;
      if (s.check->kind == playbooks::CheckKind::rate_back_to_baseline) {
        check["max_ratio"] = s.check->max_ratio;
        check["sustain_s"] = s.check->sustain.count();
        if (s.check->max_per_hour) check["max_per_hour"] = *s.check->max_per_hour;
      }
      if (s.check->kind == playbooks::CheckKind::elapsed) {
        check["duration_s"] = s.check->duration.count();
        check["from"] = std::string(playbooks::to_string(s.check->from));
      }
      p.auto_check_json = boost::json::serialize(check);
    }
    if (auto due = playbooks::due_at(s, opened, std::nullopt)) {
      p.due_after_open = std::chrono::ceil<std::chrono::minutes>(*due - opened);
    }
    out.push_back(std::move(p));
  }
  return out;
}

void plan_playbook_steps(NewIncident& fresh, const playbooks::PlaybookSet* playbooks,
                         model::IncidentType type, model::Severity severity,
                         model::Platform platform, model::TimePoint opened) {
  fresh.steps = playbook_steps(playbooks, type, severity, platform, opened);
  fresh.steps_by_municipality.clear();
  if (playbooks == nullptr) return;
  for (const auto& [municipality, set] : playbooks->municipalities) {
    fresh.steps_by_municipality[municipality] =
        playbook_steps(set.get(), type, severity, platform, opened);
  }
}

}  // namespace mamori::incidents
