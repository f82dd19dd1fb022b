// Staff's decisions on impersonation candidates (issue 18 "In the daemon and console"): staff
// mark the candidate of an impersonation incident as one of the city's related accounts or as
// benign; the decision is stored with who and when (deploy/sql/020_impersonation_dispositions.sql)
// and the incident is resolved with it in its timeline. The detection hub then opens no incident
// for that account while its profile stays as judged — display name, handle, link, icon — and a
// material change re-opens the question. A decision is its incident's municipality's only
// (070_disposition_municipality.sql): another town the account imitates still gets an incident.
//
//   DispositionRefresher r(io, database, [&hub](auto all) { hub.set_dispositions(std::move(all));
//   }); r.start();   // and, on the loop after the API recorded one: r.refresh_now();
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"
#include "model/observation.h"

namespace mamori::detection {

struct CandidateDisposition {
  std::string municipality = "default";  // config::Municipality::id of the deciding town
  model::Platform platform = model::Platform::x;
  std::string account_ref;  // account id, or the handle when the id is unknown
  std::string disposition;  // "related" or "benign"
  std::string handle;
  std::string display_name;
  std::string url;
  std::string avatar_url;
  std::string note;
  long long incident_id = 0;
  std::string decided_by;
  std::string decided_at;   // ISO 8601, UTC
  std::string reopened_at;  // ISO 8601, UTC, when the profile changed since; empty while in force
};

boost::json::object to_json(const CandidateDisposition& d);

// Whether `profile` is still the profile staff judged: same display name and handle, and the
// same link and icon where both are known (a reply author's snapshot carries no link or icon).
bool same_material_profile(const CandidateDisposition& d, const model::ProfileSnapshot& profile);

// Every stored decision (re-opened ones too) in the connection's municipality scope
// (store::MunicipalityScope; unset: all). Throws pqxx errors.
std::vector<CandidateDisposition> load_dispositions(pqxx::connection& c);

// Marks `municipality`'s decision on this account re-opened: its profile changed materially.
// Throws pqxx errors.
void mark_reopened(pqxx::connection& c, const std::string& municipality, model::Platform platform,
                   const std::string& account_ref);

// Records staff's decision ("related" or "benign") on impersonation incident `incident_id` for the
// candidate it concerns, with the candidate's latest observed profile (else the one its first
// finding saw), and resolves the incident in the same transaction; `actor` and the time go to
// the table and the timeline. The decision is the incident's municipality's (another town's
// decision on the same account is neither read nor changed). Throws incidents::ActionError (400 bad
// disposition, 404 no such incident, 409 not an impersonation incident or no longer live).
CandidateDisposition record_disposition(pqxx::connection& c, long long incident_id,
                                        const std::string& disposition, const std::string& actor,
                                        const std::string& note,
                                        const incidents::StatusHook& on_status = {});

// The decisions the hub consults before opening an incident for a candidate (on the loop), each
// for the town that made it.
class DispositionBook {
 public:
  // Keeps the decisions in force (not re-opened).
  void replace(std::vector<CandidateDisposition> all);
  // `municipality`'s decision in force on this account (matched by account id, else by handle),
  // whether or not the profile is still as judged; null if none.
  const CandidateDisposition* decided(const std::string& municipality,
                                      const model::ProfileSnapshot& profile) const;
  // The decision that still holds for this profile: decided() and same_material_profile().
  const CandidateDisposition* settled(const std::string& municipality,
                                      const model::ProfileSnapshot& profile) const;
  // Drops a town's decision (its question re-opened).
  void forget(const std::string& municipality, model::Platform platform,
              const std::string& account_ref);
  std::size_t size() const { return by_id_.size(); }

 private:
  // "<municipality>|<platform>:<account_ref>"
  std::map<std::string, CandidateDisposition> by_id_;
  // "<municipality>|<platform>:<lower handle>"
  std::map<std::string, const CandidateDisposition*> by_handle_;
};

// Loads the decisions at start, every `refresh` (another instance's staff may decide), and when
// refresh_now() is called after the API recorded one. `apply` runs on `io`'s thread.
class DispositionRefresher {
 public:
  using Apply = std::function<void(std::vector<CandidateDisposition>)>;
  DispositionRefresher(boost::asio::io_context& io, store::Database& database, Apply apply,
                       std::chrono::seconds refresh = std::chrono::seconds(300));
  ~DispositionRefresher();
  DispositionRefresher(const DispositionRefresher&) = delete;
  DispositionRefresher& operator=(const DispositionRefresher&) = delete;

  void start();
  void stop();
  void refresh_now();

 private:
  void schedule();

  boost::asio::io_context& io_;
  store::Database& database_;
  Apply apply_;
  std::chrono::seconds refresh_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = true;
};

}  // namespace mamori::detection
