#include "daemon/store/sync.h"

#include "daemon/log/log.h"
#include "daemon/metrics/metrics.h"

namespace mamori::store {

void sync_configuration(Database& database, const config::Config& config) {
  // Copy what the job needs: the config object may be swapped by a reload meanwhile.
  auto municipality = config.municipality;
  auto accounts = config.accounts;
  database.submit("sync_configuration", [municipality, accounts](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO municipality (id, name, name_kana, name_romaji, homepage_url, updated_at)"
        " VALUES (1, $1, $2, $3, $4, now())"
        " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, name_kana = EXCLUDED.name_kana,"
        " name_romaji = EXCLUDED.name_romaji, homepage_url = EXCLUDED.homepage_url, updated_at = "
        "now()",
        municipality.name, municipality.name_kana, municipality.name_romaji,
        municipality.homepage_url);
    tx.exec0("UPDATE official_accounts SET active = false");
    for (const auto& a : accounts) {
      tx.exec_params(
          "INSERT INTO official_accounts (platform, handle, display_name, department, purpose, "
          "monitor, active, municipality)"
          " VALUES ($1, $2, $3, $4, $5, $6, true, $7)"
          " ON CONFLICT (platform, handle) DO UPDATE SET display_name = EXCLUDED.display_name,"
          " department = EXCLUDED.department, purpose = EXCLUDED.purpose, monitor = "
          "EXCLUDED.monitor,"
          " active = true, municipality = EXCLUDED.municipality, updated_at = now()",
          std::string(model::to_string(a.platform)), a.handle, a.display_name, a.department,
          a.purpose, a.monitor, a.municipality);
    }
    tx.commit();
  });
}

long long purge_observations(pqxx::connection& c, int retention_days) {
  pqxx::work tx(c);
  long long removed = 0;
  removed +=
      tx.exec_params(
            "DELETE FROM observed_posts WHERE observed_at < now() - make_interval(days => $1)"
            " AND NOT held",
            retention_days)
          .affected_rows();
  removed +=
      tx.exec_params(
            "DELETE FROM observed_profiles WHERE last_seen_at < now() - make_interval(days => $1)"
            " AND NOT held",
            retention_days)
          .affected_rows();
  removed +=
      tx.exec_params(
            "DELETE FROM observed_gone WHERE observed_at < now() - make_interval(days => $1)",
            retention_days)
          .affected_rows();
  // Instagram @mentions Meta's webhook queued (deploy/sql/074) once settled: read (the post is
  // in observed_posts, purged above on the same terms) or unavailable. Queued ones stay however
  // old: they have not been read yet.
  removed += tx.exec_params(
                   "DELETE FROM instagram_mentions WHERE state <> 'queued'"
                   " AND coalesce(done_at, received_at) < now() - make_interval(days => $1)",
                   retention_days)
                 .affected_rows();
  tx.commit();
  return removed;
}

void submit_retention_purge(Database& database, int retention_days,
                            metrics::DaemonMetrics* metrics) {
  database.submit("retention_purge", [retention_days, metrics](pqxx::connection& c) {
    const long long removed = purge_observations(c, retention_days);
    if (metrics != nullptr) metrics->retention_purged.Increment(static_cast<double>(removed));
    log::info("retention.purged", {{"rows", removed}, {"retention_days", retention_days}});
  });
}

}  // namespace mamori::store
