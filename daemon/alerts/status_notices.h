// Acknowledge and resolve notices: when an incident is acknowledged or resolved, the channels
// that were alerted hear of it in the same transaction as the status change (through the
// outbox, so nothing is lost and a crash cannot send it twice). PagerDuty gets `acknowledge` /
// `resolve` with the incident's dedup_key and closes its alert; other channels get a short
// message where `notify_acknowledge` / `notify_resolve` is set.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "daemon/alerts/alerts_config.h"
#include "daemon/incidents/incident_store.h"

namespace mamori::alerts {

// acknowledge: open -> acknowledged / mitigating / monitoring (anything that stops escalation);
// resolve: a live incident -> resolved / closed. Other changes announce nothing.
std::optional<AlertKind> notice_for(incidents::Status from, incidents::Status to);

// Queues the notices for one status change inside `tx` (the change's transaction): one per
// channel (and recipient address) that was sent a trigger/escalate/update for the incident
// and is configured for the notice. Returns how many were queued.
int enqueue_status_notices(pqxx::work& tx, const AlertsConfig& config,
                           const std::string& public_url, const std::string& municipality,
                           long long incident_id, incidents::Status from, incidents::Status to,
                           const std::string& actor);

// The hook for incidents::change_status (API routes, acknowledge links). Empty (no-op) when
// no alerts are configured.
incidents::StatusHook status_notice_hook(std::shared_ptr<const AlertsConfig> config,
                                         std::string public_url, std::string municipality);

}  // namespace mamori::alerts
