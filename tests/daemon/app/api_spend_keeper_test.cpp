// Two mamorid instances on one database share one API budget: each ApiSpendKeeper adds what its
// meter spent to the month's rows and takes back what the other added, so both meters count the
// whole cluster's spend and the budget stop refuses a request the other instance's spend has used
// up. Real PostgreSQL; two keepers on one loop stand for two processes (each has its own meter).
#include "daemon/app/api_spend_keeper.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "collectors/ratelimit/api_spend.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/store/connection.h"
#include "daemon/store/database.h"
#include "tests/support/test_support.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

// An X counts answer: $0.005 a request whatever it returns.
constexpr const char* kCountsBody = R"({"data":[],"meta":{"total_tweet_count":0}})";

struct Instance {
  Instance(boost::asio::io_context& io, store::Database& db, const collectors::Clock& clock)
      : keeper(io, db, meter, clock, nullptr, 50ms) {
    meter.set_budget("x", 0.052);
  }
  collectors::SpendMeter meter;
  app::ApiSpendKeeper keeper;
};

class ApiSpendKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DatabaseOptions o;
    o.dsn = scratch.dsn();
    database = std::make_unique<store::Database>(o, nullptr);
    database->start();
    ASSERT_TRUE(database->wait_ready(10s));
  }
  void TearDown() override { database->drain_and_stop(5s); }

  // Runs the loop for a while (the keepers flush every 50 ms).
  void settle() {
    io.restart();
    io.run_for(300ms);
  }
  // Runs the loop until `done` holds (or 10 s pass).
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(20ms);
      if (done()) return true;
    }
    return false;
  }
  double stored_x() {
    auto c = store::connect(scratch.dsn(), std::nullopt);
    pqxx::read_transaction tx(*c);
    return tx.exec1("SELECT coalesce(sum(usd), 0) FROM api_spend WHERE platform = 'x'")[0]
        .as<double>();
  }
  void spend_counts(Instance& i, int requests) {
    for (int n = 0; n < requests; ++n)
      i.meter.record("x", "tweets/counts/recent", 200, kCountsBody, clock.now());
  }

  testing::ScratchDatabase scratch;
  std::unique_ptr<store::Database> database;
  boost::asio::io_context io;
  collectors::ManualClock clock{model::TimePoint{} + std::chrono::hours(24 * 20000)};
};

TEST_F(ApiSpendKeeperTest, TwoInstancesCountEachOthersSpendAgainstOneBudget) {
  Instance a(io, *database, clock);
  Instance b(io, *database, clock);
  a.keeper.start();
  b.keeper.start();
  ASSERT_TRUE(run_until([&] { return a.meter.is_restored() && b.meter.is_restored(); }));

  spend_counts(a, 4);  // $0.020
  spend_counts(b, 3);  // $0.015
  const auto now = clock.now();
  ASSERT_TRUE(run_until([&] {
    return std::abs(a.meter.month_to_date("x", now) - 0.035) < 1e-9 &&
           std::abs(b.meter.month_to_date("x", now) - 0.035) < 1e-9;
  })) << "a "
      << a.meter.month_to_date("x", now) << ", b " << b.meter.month_to_date("x", now);
  // The rows are the sum, not the larger of the two instances' totals.
  ASSERT_TRUE(run_until([&] { return std::abs(stored_x() - 0.035) < 1e-9; })) << stored_x();

  // b spends the $0.052 budget down to $0.007 left: a, which spent nothing more itself, may send
  // one more request and then refuses the next, which would pass the budget.
  spend_counts(b, 2);  // $0.045 in all
  ASSERT_TRUE(run_until([&] { return std::abs(a.meter.month_to_date("x", now) - 0.045) < 1e-9; }))
      << a.meter.month_to_date("x", now);
  EXPECT_FALSE(a.meter.refusal("x", "tweets/counts/recent", "", now).has_value());
  spend_counts(a, 1);  // $0.050: another $0.005 would pass $0.052
  EXPECT_EQ(a.meter.refusal("x", "tweets/counts/recent", "", now),
            std::optional<std::string>("budget"));
  ASSERT_TRUE(
      run_until([&] { return b.meter.refusal("x", "tweets/counts/recent", "", now).has_value(); }));

  a.keeper.stop();
  b.keeper.stop();
  ASSERT_TRUE(run_until([&] { return std::abs(stored_x() - 0.050) < 1e-9; })) << stored_x();
}

// A restarted instance takes the month's rows as its start and adds only what it spends after:
// its own earlier spend is not counted twice.
TEST_F(ApiSpendKeeperTest, ARestartDoesNotCountTheMonthTwice) {
  {
    Instance a(io, *database, clock);
    a.keeper.start();
    ASSERT_TRUE(run_until([&] { return a.meter.is_restored(); }));
    spend_counts(a, 2);
    ASSERT_TRUE(run_until([&] { return std::abs(stored_x() - 0.010) < 1e-9; })) << stored_x();
    a.keeper.stop();
    settle();  // let the last flush land
  }
  Instance again(io, *database, clock);
  again.keeper.start();
  ASSERT_TRUE(run_until([&] { return again.meter.is_restored(); }));
  spend_counts(again, 1);
  ASSERT_TRUE(run_until([&] { return std::abs(stored_x() - 0.015) < 1e-9; })) << stored_x();
  settle();
  EXPECT_NEAR(stored_x(), 0.015, 1e-9);
  EXPECT_NEAR(again.meter.month_to_date("x", clock.now()), 0.015, 1e-9);
}

}  // namespace
}  // namespace mamori
