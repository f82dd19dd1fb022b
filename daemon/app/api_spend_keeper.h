// The daemon's side of the API spend meter (collectors/ratelimit/api_spend.h): it restores the
// month's spend from PostgreSQL (table api_spend) before any budgeted platform is spent on,
// adds what it spent to them every `flush_every` (several instances share the rows and the
// budget), and keeps the metrics
// (mamori_api_spend_usd_total{platform,job}, month-to-date, projection, budget, degradation
// level; docs/metrics.md). Runs on the event loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "collectors/ratelimit/api_spend.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/store/database.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Gauge;
}  // namespace prometheus

namespace mamori::app {

// One platform's month on the accounts page and API.
struct SpendSummary {
  std::string month;
  double month_to_date_usd = 0.0;
  double projected_usd = 0.0;
  std::optional<double> budget_usd;
  std::int64_t units_month_to_date = 0;
  int degradation_level = 0;
};

class ApiSpendKeeper {
 public:
  // (platform, job) -> the month's spend.
  using Spends = std::map<std::pair<std::string, std::string>, collectors::JobSpend>;

  ApiSpendKeeper(boost::asio::io_context& io, store::Database& database,
                 collectors::SpendMeter& meter, const collectors::Clock& clock,
                 prometheus::Registry* registry,
                 std::chrono::milliseconds flush_every = std::chrono::seconds(30));
  ~ApiSpendKeeper();
  ApiSpendKeeper(const ApiSpendKeeper&) = delete;
  ApiSpendKeeper& operator=(const ApiSpendKeeper&) = delete;

  void start();
  // Writes the totals one last time (queued before the database drains).
  void stop();
  std::map<std::string, SpendSummary> summary() const;

 private:
  struct Metrics;
  void tick();
  void flush();
  void update_gauges();
  void take_rows(const std::string& month, const Spends& rows);
  void unwritten(const Spends& added);

  boost::asio::io_context& io_;
  store::Database& database_;
  collectors::SpendMeter& meter_;
  const collectors::Clock& clock_;
  std::chrono::milliseconds flush_every_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<Metrics> metrics_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = false;
  // The month's rows as this instance last knew them (all instances' spend, already in the meter).
  std::string synced_month_;
  Spends synced_;
};

}  // namespace mamori::app
