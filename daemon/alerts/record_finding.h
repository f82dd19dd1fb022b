// The one way a finding becomes an incident change and its page: the detection hub, the
// integrity monitor and the erroneous-post API all record through here, so the rules are
// written once:
//   - incidents::record_finding stores it: appended to the subject's live incident (raising its
//     severity if higher), or reopening one resolved within incidents::kReopenWindow (its
//     escalation restarts from the reopening), or opening a new one;
//   - a new or reopened incident pages the first step of its escalation policy in the same
//     transaction (an alert exists exactly when the change it announces does); later findings
//     only update the incident (grouped, not re-paged);
//   - the caller's `also` runs in that transaction too (linking observed changes, the
//     erroneous-post row), and wakes_dispatcher() says whether the dispatcher should look now.
// Call from a store job (it runs its own transaction on `c`).
#pragma once

#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>
#include <vector>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/dispatcher.h"
#include "daemon/incidents/incident_store.h"
#include "model/finding.h"

namespace mamori::alerts {

incidents::RecordResult record_finding(pqxx::connection& c, const model::Finding& finding,
                                       const std::vector<incidents::EvidenceItem>& evidence,
                                       const incidents::NewIncident& fresh,
                                       const AlertContext& context,
                                       const incidents::TransactionHook& also = {});

// After the transaction committed: whether alerts may be due now (a page queued, or a severity
// raised that a stricter escalation policy covers).
constexpr bool wakes_dispatcher(const incidents::RecordResult& r) {
  return r.created || r.reopened || r.severity_raised;
}

// What a component that records findings is built with (the detection hub, the integrity
// monitor): one argument instead of six, the same for both.
struct FindingServices {
  boost::asio::io_context& io;
  store::Database& database;
  // "Now" for the detectors and the records (a collectors::ManualClock in tests).
  const collectors::Clock& clock;
  AlertContext alert_context;
  AlertDispatcher* dispatcher = nullptr;     // woken after a page is queued; none in some tests
  prometheus::Registry* registry = nullptr;  // metrics; none in some tests
};

}  // namespace mamori::alerts
