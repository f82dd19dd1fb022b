// The API spend meter through mamorid and the fake platform, which prices what it serves with
// the same table: the meter agrees with the platform's bill, the month's spend survives a
// restart, polling degrades in the documented order (look-alike search first, profiles only
// later), and no request passes the monthly budget — checked in the fake platform's log.
#include "collectors/ratelimit/api_spend.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <sstream>
#include <thread>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

constexpr double kBudget = 1000.0;

// Sum of a metric's samples whose labels contain `label`.
double metric_sum(const std::string& metrics, const std::string& name, const std::string& label) {
  double sum = 0;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + "{", 0) == 0 && line.find(label) != std::string::npos) {
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return sum;
}

struct FakeBill {
  double x_usd = 0;
  long long last = 0;
};

// What the fake platform charged for X answers after request `since`.
FakeBill fake_bill(const testing::FakePlatform& fake, long long since) {
  const auto body =
      testing::http_get("127.0.0.1", fake.port(), "/_control/log?since=" + std::to_string(since))
          .body;
  const auto doc = boost::json::parse(body).as_object();
  FakeBill bill;
  bill.last = doc.at("last").to_number<long long>();
  for (const auto& e : doc.at("requests").as_array()) {
    const auto& o = e.as_object();
    if (o.at("platform").as_string() == "x") bill.x_usd += o.at("usd").to_number<double>();
  }
  return bill;
}

long long fake_requests(const testing::FakePlatform& fake) {
  const auto stats = testing::http_get("127.0.0.1", fake.port(), "/_control/stats").body;
  return boost::json::parse(stats).as_object().at("requests").to_number<long long>();
}

std::string month_now() {
  return collectors::month_of(std::chrono::floor<std::chrono::milliseconds>(model::Clock::now()));
}

void seed_spend(const std::string& dsn, double usd) {
  testing::sql(dsn, "DELETE FROM api_spend");
  testing::sql(dsn, "INSERT INTO api_spend (month, platform, job, usd, requests) VALUES ('" +
                        month_now() + "', 'x', 'users/search', " + std::to_string(usd) + ", 1)");
}

double stored_spend(const std::string& dsn) {
  return std::stod(testing::sql(
      dsn, "SELECT coalesce(sum(usd), 0) FROM api_spend WHERE platform = 'x' AND month = '" +
               month_now() + "'"));
}

TEST(ApiSpendMamorid, MetersDegradesInOrderAndNeverPassesTheBudget) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  const unsigned short port = testing::free_tcp_port();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = port;
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"x", "soma_city"}};
  setup.polling = "profiles = \"3s\"\nposts = \"1s\"\nreplies = \"1s\"\nsearch = \"1s\"\n";
  setup.extra = "[api_spend.budget_usd]\nx = " + std::to_string(kBudget) + "\n";
  const auto config = dir.path() / "mamori.toml";
  testing::write_file(config, testing::mamorid_config(setup));
  testing::set_fake_credentials_env();
  auto start = [&] {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 config.string()},
        dir.path() / "mamorid.log");
  };
  auto metrics = [&] { return testing::http_get("127.0.0.1", port, "/metrics").body; };

  // Run 1: a month projected at 85% of the budget (level 1): look-alike search thins out,
  // profiles keep their interval. Migrate first (a run that exits at once), then seed.
  {
    auto mamorid = start();
    ASSERT_TRUE(testing::eventually([&] { return metrics().find("mamori_") != std::string::npos; },
                                    30s, 200ms))
        << mamorid->log();
    mamorid->signal(SIGTERM);
    ASSERT_EQ(mamorid->wait_for_exit(20s), std::optional<int>(0)) << mamorid->log();
  }
  const double elapsed = std::max(
      collectors::month_elapsed(std::chrono::floor<std::chrono::milliseconds>(model::Clock::now())),
      1.0 / 31.0);
  const double seeded = 0.85 * kBudget * elapsed;
  seed_spend(db.dsn(), seeded);
  const long long before_run1 = fake_requests(fake);
  {
    auto mamorid = start();
    ASSERT_TRUE(testing::eventually(
        [&] {
          return metric_sum(metrics(), "mamori_api_spend_usd_total", "platform=\"x\"") > 0 &&
                 mamorid->log().find("job=search") != std::string::npos;
        },
        30s, 200ms))
        << mamorid->log();
    const std::string m = metrics();
    EXPECT_NEAR(metric_sum(m, "mamori_api_spend_month_to_date_usd", "platform=\"x\""),
                seeded + metric_sum(m, "mamori_api_spend_usd_total", "platform=\"x\""), 0.5);
    EXPECT_EQ(metric_sum(m, "mamori_api_spend_degradation_level", "platform=\"x\""), 1);
    // The meter's sum matches the platform's bill at a quiet moment between polls.
    double metered = 0;
    ASSERT_TRUE(testing::eventually(
        [&] {
          metered = metric_sum(metrics(), "mamori_api_spend_usd_total", "platform=\"x\"");
          return std::abs(fake_bill(fake, before_run1).x_usd - metered) < 1e-6;
        },
        20s, 50ms))
        << "metered " << metered << ", billed " << fake_bill(fake, before_run1).x_usd;
    const std::string log = mamorid->log();
    EXPECT_NE(log.find("poll.round_skipped_for_budget platform=x job=search"), std::string::npos)
        << log;
    EXPECT_EQ(log.find("poll.round_skipped_for_budget platform=x job=profiles"), std::string::npos)
        << log;
    mamorid->signal(SIGTERM);
    ASSERT_EQ(mamorid->wait_for_exit(20s), std::optional<int>(0)) << mamorid->log();
    // The month's spend is stored: what was seeded plus what this run spent.
    EXPECT_GE(stored_spend(db.dsn()), seeded + metered - 1e-6);
  }

  // Run 2: three cents left of the month's budget. A few single-user reads may go; nothing that
  // could pass the budget is sent, the search stops and profiles slow down.
  seed_spend(db.dsn(), kBudget - 0.03);
  const long long before_run2 = fake_requests(fake);
  {
    auto mamorid = start();
    ASSERT_TRUE(testing::eventually(
        [&] {
          const std::string m = metrics();
          return m.find("outcome=\"rate_limited\"") != std::string::npos &&
                 m.find("platform=\"x\"") != std::string::npos;
        },
        30s, 200ms))
        << mamorid->log();
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(metric_sum(metrics(), "mamori_api_spend_degradation_level", "platform=\"x\""), 3);
    EXPECT_LE(fake_bill(fake, before_run2).x_usd, 0.03 + 1e-9);
    const std::string log = mamorid->log();
    EXPECT_NE(log.find("job=search runs_every=0"), std::string::npos) << log;
    mamorid->signal(SIGTERM);
    ASSERT_EQ(mamorid->wait_for_exit(20s), std::optional<int>(0)) << mamorid->log();
  }
  EXPECT_LE(stored_spend(db.dsn()), kBudget + 1e-9);
  EXPECT_GE(stored_spend(db.dsn()), kBudget - 0.03 - 1e-9);
}

}  // namespace
}  // namespace mamori
