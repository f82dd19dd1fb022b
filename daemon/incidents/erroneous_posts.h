// An own post flagged as erroneous (from the console's 「誤った投稿を登録する」 or a hand report
// naming it): the row through which the integrity monitor follows the post's deletion and spread
// for the incident.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "daemon/store/own_posts.h"

namespace mamori::incidents {

// Starts (or moves to `incident_id` and resumes) tracking `own`, with its spread as stored now.
void track_erroneous_post(pqxx::work& tx, long long incident_id, const store::OwnPost& own,
                          const std::string& note, const std::string& flagged_by);

}  // namespace mamori::incidents
