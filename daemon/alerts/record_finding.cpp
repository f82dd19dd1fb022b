#include "daemon/alerts/record_finding.h"

namespace mamori::alerts {

incidents::RecordResult record_finding(pqxx::connection& c, const model::Finding& finding,
                                       const std::vector<incidents::EvidenceItem>& evidence,
                                       const incidents::NewIncident& fresh,
                                       const AlertContext& context,
                                       const incidents::TransactionHook& also) {
  // The incident opens at the daemon's clock, which the detectors and escalation use too.
  incidents::NewIncident at_clock = fresh;
  if (!at_clock.at && context.clock != nullptr) at_clock.at = context.clock->now();
  return incidents::record_finding(c, finding, evidence, at_clock, incidents::kReopenWindow,
                                   [&](pqxx::work& tx, const incidents::RecordResult& r) {
                                     if (also) also(tx, r);
                                     if (r.created || r.reopened)
                                       enqueue_trigger(tx, context, r.incident_id);
                                   });
}

}  // namespace mamori::alerts
