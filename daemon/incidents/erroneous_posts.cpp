#include "daemon/incidents/erroneous_posts.h"

namespace mamori::incidents {

void track_erroneous_post(pqxx::work& tx, long long incident_id, const store::OwnPost& own,
                          const std::string& note, const std::string& flagged_by) {
  tx.exec_params(
      "INSERT INTO erroneous_posts (incident_id, platform, post_id, handle, note, flagged_by,"
      " repost_count, quote_count, reply_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
      " ON CONFLICT (platform, post_id) DO UPDATE SET incident_id = EXCLUDED.incident_id,"
      " tracking = true",
      incident_id, std::string(model::to_string(own.post.platform)), own.post.post_id, own.handle,
      note, flagged_by, own.post.repost_count, own.post.quote_count, own.post.reply_count);
}

}  // namespace mamori::incidents
