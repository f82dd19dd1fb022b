#include "daemon/alerts/record_finding.h"

namespace mamori::alerts {

incidents::RecordResult record_finding(pqxx::connection& c, const model::Finding& finding,
                                       const std::vector<incidents::EvidenceItem>& evidence,
                                       const incidents::NewIncident& fresh,
                                       const AlertContext& context,
                                       const incidents::TransactionHook& also) {
  return incidents::record_finding(c, finding, evidence, fresh, incidents::kReopenWindow,
                                   [&](pqxx::work& tx, const incidents::RecordResult& r) {
                                     if (also) also(tx, r);
                                     if (r.created || r.reopened)
                                       enqueue_trigger(tx, context, r.incident_id);
                                   });
}

}  // namespace mamori::alerts
