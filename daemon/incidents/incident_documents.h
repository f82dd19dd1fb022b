// The drafted documents of an incident: the facts a template needs (playbooks::IncidentData),
// gathered from the incident's rows (findings, evidence, completed steps) and the configuration
// ([municipality], [[accounts]]), then rendered with the playbook set in effect.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "daemon/config/config.h"
#include "model/platform.h"
#include "playbooks/engine/incident_data.h"
#include "playbooks/engine/playbook.h"

namespace mamori::incidents {

// The public page of an account on its platform ("https://x.com/soma_city"); Mastodon needs the
// configured instance. Empty when the handle cannot make a URL (empty, or characters a handle
// never has).
std::string profile_url(model::Platform platform, std::string_view handle,
                        std::string_view mastodon_instance);

// The facts of incident `id` for its documents; nullopt if there is no such incident.
// `now` becomes the document date (作成日). Reads in its own transaction.
std::optional<playbooks::IncidentData> load_incident_data(pqxx::connection& c, long long id,
                                                          const config::Config& config,
                                                          model::TimePoint now);

// The municipality's part of IncidentData (name, department, pages, contact), as configured for
// the tenant `municipality` (config::Config::tenant: the first one when empty or unknown).
void fill_from_config(playbooks::IncidentData& d, const config::Config& config,
                      std::string_view municipality = {});

// Every document the incident's playbook offers, once each, in the order its steps list them:
// {"documents": [{"id", "title", "audience", "body", "format", "steps": [step ids],
//   "length": {"count", "max", "fits"}?, "error"?}]}. A document whose data is incomplete has
// an empty body and a Japanese `error` (e.g. the department is not configured).
boost::json::object render_incident_documents(const playbooks::PlaybookSet& set,
                                              const playbooks::IncidentData& d);

}  // namespace mamori::incidents
