// Shared fixtures for the playbook tests: sample incidents and a minimal valid source set that
// single tests break in one place.
#pragma once

#include <string>
#include <vector>

#include "playbooks/engine/incident_data.h"
#include "playbooks/engine/loader.h"

namespace mamori::playbooks::testing {

// 2025-11-25 14:05 JST.
TimePoint sample_time();
// A filled-in incident of the given type on the given platform (相馬市, 秘書広報課 …).
IncidentData sample_incident(IncidentType type, Platform platform);

// Six one-step playbooks (one per type) and one template "notice"; all valid.
PlaybookSources minimal_sources();
// Replaces (or adds) the playbook file `name` in `sources`.
void put_playbook(PlaybookSources& sources, const std::string& name, const std::string& text);
void put_template(PlaybookSources& sources, const std::string& name, const std::string& text);

// The first diagnostic with this code, or nullptr.
const Diagnostic* find_code(const LoadResult& r, DiagnosticCode code);

}  // namespace mamori::playbooks::testing
