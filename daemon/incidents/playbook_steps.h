// The playbook's checklist for a new incident (steps, roles, clauses, automatic checks, due
// times relative to opening). One definition for every place that opens incidents (the
// detection hub, the integrity monitor), so their checklists cannot drift apart.
#pragma once

#include <vector>

#include "daemon/incidents/incident_store.h"
#include "model/finding.h"
#include "model/platform.h"
#include "playbooks/engine/playbook.h"

namespace mamori::incidents {

// Empty when `playbooks` is null or has no playbook for `type`. `opened` is the incident's
// opening time (due times are relative to it).
std::vector<StepPlan> playbook_steps(const playbooks::PlaybookSet* playbooks,
                                     model::IncidentType type, model::Severity severity,
                                     model::Platform platform, model::TimePoint opened);

// The checklist of a new incident whose municipality record_finding decides: `steps` from
// `playbooks`, and for each municipality with playbook overrides of its own, its steps.
void plan_playbook_steps(NewIncident& fresh, const playbooks::PlaybookSet* playbooks,
                         model::IncidentType type, model::Severity severity,
                         model::Platform platform, model::TimePoint opened);

}  // namespace mamori::incidents
