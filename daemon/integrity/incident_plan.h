// The playbook's checklist for a new incident, as the detection hub instantiates it
// (steps, roles, clauses, automatic checks, due times relative to opening).
#pragma once

#include <vector>

#include "daemon/incidents/incident_store.h"
#include "model/finding.h"
#include "playbooks/engine/playbook.h"

namespace mamori::integrity {

std::vector<incidents::StepPlan> playbook_steps(const playbooks::PlaybookSet* playbooks,
                                                model::IncidentType type, model::Severity severity,
                                                model::Platform platform);

}  // namespace mamori::integrity
