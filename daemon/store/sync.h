// Store jobs the daemon core submits: mirroring the configuration's municipality and accounts
// into the database, and the daily retention purge.
#pragma once

#include "daemon/config/config.h"
#include "daemon/store/database.h"

namespace mamori::metrics {
class DaemonMetrics;
}

namespace mamori::store {

// Upserts the municipality and the configured accounts; accounts no longer configured are
// marked inactive (their history stays).
void sync_configuration(Database& database, const config::Config& config);

// Deletes observations older than `retention_days` that no incident holds as evidence, and the
// Instagram @mentions Meta's webhook queued that were settled (read or unavailable) as long ago.
void submit_retention_purge(Database& database, int retention_days,
                            metrics::DaemonMetrics* metrics);

// The purge itself, for the job above and for tests. Returns the number of rows removed.
long long purge_observations(pqxx::connection& connection, int retention_days);

}  // namespace mamori::store
