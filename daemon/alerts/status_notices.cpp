#include "daemon/alerts/status_notices.h"

#include "daemon/alerts/outbox.h"

namespace mamori::alerts {

using incidents::Status;

std::optional<AlertKind> notice_for(Status from, Status to) {
  const auto live = [](Status s) { return s != Status::resolved && s != Status::closed; };
  if (from == Status::open &&
      (to == Status::acknowledged || to == Status::mitigating || to == Status::monitoring)) {
    return AlertKind::acknowledge;
  }
  if (live(from) && !live(to)) return AlertKind::resolve;
  return std::nullopt;
}

int enqueue_status_notices(pqxx::work& tx, const AlertsConfig& config,
                           const std::string& public_url, const std::string& municipality,
                           long long incident_id, Status from, Status to,
                           const std::string& actor) {
  const auto kind = notice_for(from, to);
  if (!kind) return 0;
  // Who was told about this incident (and by which channel and address); given-up alerts
  // never reached anyone.
  const pqxx::result told = tx.exec_params(
      "SELECT channel, coalesce(message->>'recipient_address', ''),"
      " (array_agg(recipient ORDER BY id DESC))[1]"
      " FROM alert_outbox WHERE incident_id = $1 AND kind IN ('trigger', 'escalate', 'update')"
      " AND state <> 'failed' GROUP BY 1, 2 ORDER BY 1, 2",
      incident_id);
  if (told.empty()) return 0;
  // The status event just written identifies this change: a later acknowledge (after a reopen)
  // gets keys of its own, a retried transaction the same ones.
  const std::string change =
      tx.exec_params1("SELECT max(id) FROM incident_timeline WHERE incident_id = $1",
                      incident_id)[0]
          .c_str();
  const std::string who =
      actor.rfind("system:", 0) == 0 ? "システム (" + actor.substr(7) + ")" : actor;
  int queued = 0;
  std::string last_stateful;
  for (const auto& row : told) {
    const std::string channel = row[0].c_str();
    const ChannelConfig* cc = config.channel(channel);
    if (cc == nullptr) continue;  // removed from the configuration since
    if (!(*kind == AlertKind::acknowledge ? cc->notify_acknowledge : cc->notify_resolve)) continue;
    const bool stateful = cc->kind() == "pagerduty";
    // PagerDuty's alert is per incident (dedup_key), not per recipient: close it once.
    if (stateful && channel == last_stateful) continue;
    if (stateful) last_stateful = channel;
    const std::string address = stateful ? std::string() : std::string(row[1].c_str());
    AlertMessage m = compose(tx, incident_id, *kind, 1, row[2].is_null() ? "" : row[2].c_str(),
                             public_url, municipality, &config);
    m.recipient_address = address;
    m.summary = (*kind == AlertKind::acknowledge ? "確認者: " : "対応者: ") + who;
    m.first_step.clear();
    m.idempotency_key = "incident-" + std::to_string(incident_id) + ":" +
                        std::string(to_string(*kind)) + ":" + change + ":" + channel + ":" +
                        address;
    if (enqueue(tx, channel, m)) ++queued;
  }
  return queued;
}

incidents::StatusHook status_notice_hook(std::shared_ptr<const AlertsConfig> config,
                                         std::string public_url, std::string municipality) {
  if (!config || config->channels.empty()) return {};
  return [config, public_url, municipality](pqxx::work& tx, long long id, Status from, Status to,
                                            const std::string& actor) {
    enqueue_status_notices(tx, *config, public_url, municipality, id, from, to, actor);
  };
}

}  // namespace mamori::alerts
