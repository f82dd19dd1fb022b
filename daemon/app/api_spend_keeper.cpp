#include "daemon/app/api_spend_keeper.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <pqxx/pqxx>
#include <vector>

#include "daemon/log/log.h"

namespace mamori::app {
namespace asio = boost::asio;

namespace {

collectors::JobSpend add(const collectors::JobSpend& a, const collectors::JobSpend& b) {
  return {a.usd + b.usd, a.units + b.units, a.requests + b.requests, a.resources + b.resources};
}

// What `a` holds beyond `b`, field by field (never below zero).
collectors::JobSpend beyond(const collectors::JobSpend& a, const collectors::JobSpend& b) {
  return {std::max(0.0, a.usd - b.usd), std::max<std::int64_t>(0, a.units - b.units),
          std::max<std::int64_t>(0, a.requests - b.requests),
          std::max<std::int64_t>(0, a.resources - b.resources)};
}

bool nothing(const collectors::JobSpend& d) {
  return d.usd <= 0 && d.units <= 0 && d.requests <= 0 && d.resources <= 0;
}

ApiSpendKeeper::Spends read_month(pqxx::connection& c, const std::string& month) {
  ApiSpendKeeper::Spends rows;
  pqxx::read_transaction tx(c);
  for (const auto& r :
       tx.exec_params("SELECT platform, job, usd, units, requests, resources FROM api_spend "
                      "WHERE month = $1",
                      month)) {
    rows.emplace(std::pair{r[0].as<std::string>(), r[1].as<std::string>()},
                 collectors::JobSpend{r[2].as<double>(), r[3].as<std::int64_t>(),
                                      r[4].as<std::int64_t>(), r[5].as<std::int64_t>()});
  }
  return rows;
}

}  // namespace

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
  database_.submit("api_spend.load", [&io = io_, this, alive = std::weak_ptr<bool>(alive_),
                                      month](pqxx::connection& c) {
    auto rows = read_month(c, month);
    asio::post(io, [this, alive, month, rows = std::move(rows)] {
      if (alive.expired() || meter_.is_restored()) return;  // a job run twice
      for (const auto& [key, spend] : rows) meter_.restore(month, key.first, key.second, spend);
      synced_month_ = month;
      synced_ = rows;
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

// Several instances share one budget (daemon/polling/leases.h): each adds what it spent since its
// last flush to the month's rows, then takes the rows back, so its meter holds every instance's
// spend (up to one flush old) and the budget stop counts it all. A flush the store runs twice
// (the connection died between COMMIT and its answer) counts its part twice: too high, never too
// low, which is the safe side for a budget.
void ApiSpendKeeper::flush() {
  // Before the month is restored the meter does not know the month's rows yet.
  if (!meter_.is_restored()) return;
  meter_.month_to_date("", clock_.now());  // rolls a new month over
  const std::string month = meter_.month();
  if (month != synced_month_) {
    synced_month_ = month;
    synced_.clear();
  }
  Spends added;
  for (const auto& [key, j] : meter_.jobs()) {
    collectors::JobSpend& known = synced_[key];
    const collectors::JobSpend d = beyond(j, known);
    if (nothing(d)) continue;
    known = add(known, d);  // counted as written; taken back below if the write fails
    added.emplace(key, d);
  }
  std::weak_ptr<bool> alive = alive_;
  const bool queued = database_.submit(
      "api_spend.flush",
      [&io = io_, this, alive, month, added](pqxx::connection& c) {
        {
          pqxx::work tx(c);
          for (const auto& [key, d] : added) {
            tx.exec_params(
                "INSERT INTO api_spend (month, platform, job, usd, units, requests, resources) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7) "
                "ON CONFLICT (month, platform, job) DO UPDATE SET "
                "usd = api_spend.usd + excluded.usd, units = api_spend.units + excluded.units, "
                "requests = api_spend.requests + excluded.requests, "
                "resources = api_spend.resources + excluded.resources, updated_at = now()",
                month, key.first, key.second, d.usd, d.units, d.requests, d.resources);
          }
          tx.commit();
        }
        auto rows = read_month(c, month);
        asio::post(io, [this, alive, month, rows = std::move(rows)] {
          if (alive.expired()) return;
          take_rows(month, rows);
        });
      },
      [&io = io_, this, alive, month, added](std::exception_ptr failure) {
        if (!failure) return;
        asio::post(io, [this, alive, month, added] {
          if (alive.expired() || month != synced_month_) return;
          unwritten(added);
        });
      });
  if (!queued) unwritten(added);
}

// A flush that did not reach the database: the next one adds its part again.
void ApiSpendKeeper::unwritten(const Spends& added) {
  for (const auto& [key, d] : added) {
    collectors::JobSpend& known = synced_[key];
    known = add(known, {-d.usd, -d.units, -d.requests, -d.resources});
  }
}

// The month's rows as the database holds them after a flush: what other instances added since
// the last look goes into the meter too.
void ApiSpendKeeper::take_rows(const std::string& month, const Spends& rows) {
  if (month != synced_month_ || month != meter_.month()) return;
  for (const auto& [key, total] : rows) {
    collectors::JobSpend& known = synced_[key];
    const collectors::JobSpend others = beyond(total, known);
    if (nothing(others)) continue;
    meter_.restore(month, key.first, key.second, others);
    known = add(known, others);
  }
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
