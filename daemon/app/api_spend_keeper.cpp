#include "daemon/app/api_spend_keeper.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <boost/asio/post.hpp>
#include <pqxx/pqxx>
#include <tuple>
#include <vector>

#include "daemon/log/log.h"

namespace mamori::app {
namespace asio = boost::asio;

struct ApiSpendKeeper::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : usd(prometheus::BuildCounter()
                .Name("mamori_api_spend_usd_total")
                .Help("US dollars the platform APIs charged for what mamori read, by platform and "
                      "job (endpoint), priced from each answer ([api_spend])")
                .Register(r)),
        units(prometheus::BuildCounter()
                  .Name("mamori_api_spend_units_total")
                  .Help("Quota units spent (YouTube Data API), by platform and job")
                  .Register(r)),
        month_to_date(prometheus::BuildGauge()
                          .Name("mamori_api_spend_month_to_date_usd")
                          .Help("US dollars spent on the platform's API this UTC month")
                          .Register(r)),
        projected(prometheus::BuildGauge()
                      .Name("mamori_api_spend_projected_usd")
                      .Help("This month's spend extrapolated to the month's end")
                      .Register(r)),
        budget(prometheus::BuildGauge()
                   .Name("mamori_api_budget_usd")
                   .Help("The monthly budget per platform ([api_spend.budget_usd])")
                   .Register(r)),
        level(prometheus::BuildGauge()
                  .Name("mamori_api_spend_degradation_level")
                  .Help("Polling thinned to stay in budget: 0 normal, 1 fewer look-alike "
                        "searches, 2 profiles less often, 3 search stopped")
                  .Register(r)) {}
  prometheus::Family<prometheus::Counter>& usd;
  prometheus::Family<prometheus::Counter>& units;
  prometheus::Family<prometheus::Gauge>& month_to_date;
  prometheus::Family<prometheus::Gauge>& projected;
  prometheus::Family<prometheus::Gauge>& budget;
  prometheus::Family<prometheus::Gauge>& level;
};

ApiSpendKeeper::ApiSpendKeeper(asio::io_context& io, store::Database& database,
                               collectors::SpendMeter& meter, const collectors::Clock& clock,
                               prometheus::Registry* registry,
                               std::chrono::milliseconds flush_every)
    : io_(io),
      database_(database),
      meter_(meter),
      clock_(clock),
      flush_every_(flush_every),
      timer_(io) {
  if (registry != nullptr) metrics_ = std::make_unique<Metrics>(*registry);
}

ApiSpendKeeper::~ApiSpendKeeper() {
  *alive_ = false;
  meter_.on_cost({});
}

void ApiSpendKeeper::start() {
  if (metrics_) {
    meter_.on_cost(
        [m = metrics_.get()](std::string_view platform, std::string_view job, collectors::Cost c) {
          const prometheus::Labels labels{{"platform", std::string(platform)},
                                          {"job", std::string(job)}};
          if (c.usd > 0) m->usd.Add(labels).Increment(c.usd);
          if (c.units > 0) m->units.Add(labels).Increment(static_cast<double>(c.units));
        });
  }
  const std::string month = collectors::month_of(clock_.now());
  using Row = std::tuple<std::string, std::string, collectors::JobSpend>;
  database_.submit(
      "api_spend.load", [this, alive = std::weak_ptr<bool>(alive_), month](pqxx::connection& c) {
        std::vector<Row> rows;
        pqxx::read_transaction tx(c);
        for (const auto& r :
             tx.exec_params("SELECT platform, job, usd, units, requests, resources FROM api_spend "
                            "WHERE month = $1",
                            month)) {
          rows.emplace_back(r[0].as<std::string>(), r[1].as<std::string>(),
                            collectors::JobSpend{r[2].as<double>(), r[3].as<std::int64_t>(),
                                                 r[4].as<std::int64_t>(), r[5].as<std::int64_t>()});
        }
        asio::post(io_, [this, alive, month, rows = std::move(rows)] {
          if (alive.expired() || meter_.is_restored()) return;  // a job run twice
          for (const auto& [platform, job, spend] : rows)
            meter_.restore(month, platform, job, spend);
          meter_.mark_restored();
          log::info("api_spend.restored", {{"month", month}, {"rows", rows.size()}});
          update_gauges();
        });
      });
  update_gauges();
  tick();
}

void ApiSpendKeeper::tick() {
  timer_.expires_after(flush_every_);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        flush();
        update_gauges();
        tick();
      });
}

void ApiSpendKeeper::stop() {
  if (stopped_) return;
  flush();
  stopped_ = true;
  timer_.cancel();
}

void ApiSpendKeeper::flush() {
  // Before the month is restored its rows would be written too low (and never lowered: kept).
  if (!meter_.is_restored()) return;
  meter_.month_to_date("", clock_.now());  // rolls a new month over
  const std::string month = meter_.month();
  auto jobs = meter_.jobs();
  if (jobs.empty()) return;
  database_.submit("api_spend.flush", [month, jobs = std::move(jobs)](pqxx::connection& c) {
    pqxx::work tx(c);
    for (const auto& [key, j] : jobs) {
      tx.exec_params(
          "INSERT INTO api_spend (month, platform, job, usd, units, requests, resources) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7) "
          "ON CONFLICT (month, platform, job) DO UPDATE SET "
          "usd = greatest(api_spend.usd, excluded.usd), "
          "units = greatest(api_spend.units, excluded.units), "
          "requests = greatest(api_spend.requests, excluded.requests), "
          "resources = greatest(api_spend.resources, excluded.resources), updated_at = now()",
          month, key.first, key.second, j.usd, j.units, j.requests, j.resources);
    }
    tx.commit();
  });
}

std::map<std::string, SpendSummary> ApiSpendKeeper::summary() const {
  std::map<std::string, SpendSummary> out;
  const auto now = clock_.now();
  for (const auto& [platform, ignored] : meter_.platforms()) {
    SpendSummary s;
    s.month_to_date_usd = meter_.month_to_date(platform, now);
    s.month = meter_.month();
    s.projected_usd = meter_.projection(platform, now);
    s.budget_usd = meter_.budget(platform);
    s.units_month_to_date = meter_.units_month_to_date(platform, now);
    s.degradation_level = meter_.degradation_level(platform, now);
    out.emplace(platform, s);
  }
  return out;
}

void ApiSpendKeeper::update_gauges() {
  if (!metrics_) return;
  for (const auto& [platform, s] : summary()) {
    const prometheus::Labels l{{"platform", platform}};
    metrics_->month_to_date.Add(l).Set(s.month_to_date_usd);
    metrics_->projected.Add(l).Set(s.projected_usd);
    if (s.budget_usd) metrics_->budget.Add(l).Set(*s.budget_usd);
    metrics_->level.Add(l).Set(s.degradation_level);
  }
}

}  // namespace mamori::app
