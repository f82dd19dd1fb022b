// The accounts page's snapshot (signin::PollHealth) from the components that hold the state:
// the poller (last success and failing job per account), the collectors' reports (quota and
// circuit breaker per endpoint) and the rate-limit governor (when a quota resets). Taken on the
// event loop, where all three live.
#pragma once

#include "collectors/ratelimit/governor.h"
#include "daemon/config/config.h"
#include "daemon/metrics/collector_metrics.h"
#include "daemon/polling/poller.h"
#include "daemon/signin/accounts_api.h"

namespace mamori::app {

// Any pointer may be null (not started yet): its part of the snapshot stays empty.
signin::PollHealth poll_health(const polling::Poller* poller,
                               const metrics::CollectorMetrics* endpoints,
                               const collectors::RequestGovernor* governor,
                               const config::PollingConfig& intervals);

}  // namespace mamori::app
