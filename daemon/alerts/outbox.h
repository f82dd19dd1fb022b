// The transactional outbox: enqueue alerts inside the transaction that changes the incident,
// claim due ones for delivery (leases, so a crashed sender's alerts are retried), and record
// each outcome — delivered, retry later with backoff, or given up — on the incident timeline.
// Due times, leases and ages are PostgreSQL's (now() in the statements): every mamorid sharing
// the database claims against the same clock, whatever the hosts' clocks say.
#pragma once

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "daemon/alerts/channel.h"
#include "model/platform.h"

namespace mamori::alerts {

struct AlertsConfig;

struct OutboxEntry {
  long long id = 0;
  std::string channel;
  AlertMessage message;
  int attempts = 0;             // including the one now claimed
  std::string municipality;     // the id of its incident's town (config::Municipality::id)
  std::chrono::seconds age{0};  // since it was queued, when it was claimed (whole seconds)
  // The same, exact, and when it was claimed by the dispatcher's clock: the delivery metric
  // measures up to the delivery (age_at the clock's time then).
  std::chrono::duration<double> age_at_claim{0};
  model::TimePoint claimed_at{};
  std::chrono::duration<double> age_at(model::TimePoint at) const {
    return age_at_claim + std::chrono::duration<double>(at - claimed_at);
  }
};

// How often the incident was reopened (status changes to open on its timeline): its cycle. Part
// of the alerts' idempotency keys and signed into acknowledge links.
long long reopen_count(pqxx::transaction_base& tx, long long incident_id);

// Inside the caller's transaction. Returns false when an alert with this key already exists
// (the same alert is never queued twice).
bool enqueue(pqxx::work& tx, const std::string& channel, const AlertMessage& message);

// Builds the message for an incident from its row and first pending step (inside `tx`). It
// names the incident's municipality as `config` knows it, else `municipality`.
AlertMessage compose(pqxx::work& tx, long long incident_id, AlertKind kind, int escalation_level,
                     const std::string& recipient, const std::string& public_url,
                     const std::string& municipality, const AlertsConfig* config = nullptr);

// Claims up to `limit` due alerts (pending, or sending with an expired lease), leasing them
// for `lease`. The caller stamps claimed_at with its clock.
std::vector<OutboxEntry> claim_due(pqxx::connection& c, int limit, std::chrono::seconds lease);

void mark_delivered(pqxx::connection& c, const OutboxEntry& entry, const DeliveryResult& result);

// Schedules the next attempt (exponential backoff with jitter), or gives up when the alert is
// older than `give_up_after` or the failure is not retryable; either way the timeline says so.
void mark_failed(pqxx::connection& c, const OutboxEntry& entry, const DeliveryResult& result,
                 std::chrono::seconds give_up_after, double jitter01,
                 std::chrono::milliseconds backoff_base = std::chrono::seconds(5),
                 std::chrono::milliseconds backoff_max = std::chrono::minutes(10));

// After a restart nothing is really being sent: leases of the previous process are void.
void release_leases(pqxx::connection& c);

// base * 2^(attempts-1), at most `max`, times a jitter factor in [0.75, 1.25).
std::chrono::milliseconds backoff_for(int attempts, double jitter01,
                                      std::chrono::milliseconds base = std::chrono::seconds(5),
                                      std::chrono::milliseconds max = std::chrono::minutes(10));

}  // namespace mamori::alerts
