#include "daemon/detection/related_accounts.h"

namespace mamori::detection {

void record_related(pqxx::connection& c, const RelatedSighting& s) {
  pqxx::work tx(c);
  tx.exec_params(
      "INSERT INTO impersonation_related (platform, account_ref, handle, display_name, family,"
      " matched_official) VALUES ($1, $2, $3, $4, $5, $6)"
      " ON CONFLICT (platform, account_ref) DO UPDATE SET handle = EXCLUDED.handle,"
      " display_name = EXCLUDED.display_name, family = EXCLUDED.family,"
      " matched_official = EXCLUDED.matched_official, last_seen_at = now()",
      std::string(model::to_string(s.platform)), s.account_ref, s.handle, s.display_name, s.family,
      s.matched_official);
  tx.commit();
}

boost::json::array related_accounts_json(pqxx::connection& c, int limit) {
  pqxx::read_transaction tx(c);
  boost::json::array out;
  for (const auto& r : tx.exec_params(
           "SELECT platform, account_ref, handle, display_name, family, matched_official,"
           " to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
           " to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
           // Scoped requests see the accounts related to their municipalities' own accounts.
           " FROM impersonation_related"
           " WHERE mamori_in_scope(mamori_account_municipality(platform, matched_official))"
           " ORDER BY last_seen_at DESC LIMIT $1",
           limit)) {
    boost::json::object o;
    o["platform"] = r[0].c_str();
    o["account_ref"] = r[1].c_str();
    o["handle"] = r[2].c_str();
    o["display_name"] = r[3].c_str();
    o["family"] = r[4].c_str();
    o["matched_official"] = r[5].c_str();
    o["first_seen_at"] = r[6].c_str();
    o["last_seen_at"] = r[7].c_str();
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace mamori::detection
