// The platforms' side of mamorid: the HTTP stack (curl multi on the loop, behind the rate-limit
// governor, allow-listed to the enabled platforms' hosts and the homepage's account list page)
// and one collector per enabled platform, built from the configuration.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "collectors/common/collector.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "daemon/config/config.h"
#include "daemon/metrics/collector_metrics.h"

namespace mamori::app {

// "mamori/VERSION (municipal social-media monitoring; HOMEPAGE)" unless [http_client] user_agent
// says otherwise.
std::string user_agent(const config::Config& config);

struct Platforms {
  std::unique_ptr<collectors::CurlMultiClient> curl;  // also the homepage's list page
  std::unique_ptr<metrics::CollectorMetrics> metrics;
  // Prices every answer and holds the monthly budgets ([api_spend]); before `governed`, which
  // uses it.
  std::unique_ptr<collectors::SpendMeter> spend;
  std::unique_ptr<collectors::GovernedHttpClient> governed;
  std::vector<std::unique_ptr<collectors::PlatformCollector>> collectors;

  std::vector<collectors::PlatformCollector*> active() const;
  // No new requests; what is in flight completes as cancelled (run the loop afterwards).
  void shutdown();
};

// Quota units a day the YouTube accounts' polling spends at the configured intervals (one page
// of 1 unit per profile look-up, uploads read and comment read), besides look-alike searches.
long long youtube_polling_units_per_day(const config::Config& config);

// The price table and budgets of [api_spend] on top of the published defaults.
collectors::PriceTable price_table(const config::ApiSpendConfig& spend);
void apply_budgets(collectors::SpendMeter& meter, const config::ApiSpendConfig& spend);

Platforms make_platforms(boost::asio::io_context& io, const config::Config& config,
                         prometheus::Registry& registry, const collectors::Clock& clock);

}  // namespace mamori::app
