// The sign-in block's window in-process, over real HTTP on a real PostgreSQL, with the daemon's
// clock injected: a guesser's block lasts exactly 2 s, then 4 s, then 8 s of that clock, and a
// `mamorictl user unblock` request lifts it before it runs out (looked for at most every 2 s).
// No sleeping: the whole-process test (signin_integration_test.cpp) covers the proxy headers
// and mamorictl itself.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <optional>
#include <thread>

#include "collectors/ratelimit/clock.h"
#include "daemon/http/server.h"
#include "daemon/signin/password.h"
#include "daemon/signin/signin_api.h"
#include "daemon/signin/user_store.h"
#include "daemon/store/connection.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::signin {
namespace {

using namespace std::chrono_literals;

class SigninThrottleWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    add_user(*rig_.direct, "taro", "広報 太郎", api::Role::responder,
             hash_password("Yama#Kawa2024", HashCost::minimum()), std::nullopt);
    SigninOptions so;
    so.dummy_hash_cost = HashCost::minimum();
    signin_ = std::make_unique<ConsoleSignin>(*rig_.database, so, clock_);
    register_signin_routes(rig_.router, *rig_.database, *signin_);
    rig_.start();
  }

  void TearDown() override {
    rig_.stop();
    signin_.reset();
  }

  // A sign-in as taro from `address` (as the local reverse proxy reports it).
  testing::HttpResult attempt(const std::string& password,
                              const std::string& address = "203.0.113.5") {
    return testing::http_request(
        "POST", "127.0.0.1", rig_.port(), "/api/v1/session",
        {"Content-Type: application/json", "X-Forwarded-For: " + address},
        boost::json::serialize(boost::json::object{{"name", "taro"}, {"password", password}}));
  }

  testing::RouteServer rig_;
  collectors::ManualClock clock_{model::TimePoint(std::chrono::seconds(1743444720))};
  std::unique_ptr<ConsoleSignin> signin_;
};

TEST_F(SigninThrottleWindow, TheBlockDoublesByTheClockAndAnUnblockLiftsItBeforeItEnds) {
  const std::string wrong = "Wrong#Pass123", right = "Yama#Kawa2024";
  for (int i = 0; i < 6; ++i) ASSERT_EQ(attempt(wrong).status, 401) << i;
  // Blocked for 2 s from the sixth failure, even with the right password.
  auto r = attempt(right);
  ASSERT_EQ(r.status, 429) << r.body;
  EXPECT_NE(r.body.find("2 秒後"), std::string::npos) << r.body;
  clock_.advance(1999ms);
  EXPECT_EQ(attempt(right).status, 429);
  clock_.advance(1ms);
  EXPECT_EQ(attempt(wrong).status, 401);  // the block is over; the seventh failure: 4 s
  clock_.advance(3s);
  EXPECT_EQ(attempt(right).status, 429);
  clock_.advance(1s);
  EXPECT_EQ(attempt(wrong).status, 401);  // the eighth: 8 s
  // The owner from a clean address is never blocked.
  EXPECT_EQ(attempt(right, "198.51.100.7").status, 200);

  clock_.advance(5s);  // 3 s of the 8 left
  EXPECT_EQ(attempt(right).status, 429);
  {
    pqxx::work tx(*rig_.direct);  // what `mamorictl user unblock taro --address 203.0.113.5` leaves
    tx.exec("INSERT INTO console_signin_unblocks (name, address) VALUES ('taro', '203.0.113.5')");
    tx.commit();
  }
  // Looked for at most every 2 s of the clock: not yet at once…
  EXPECT_EQ(attempt(right).status, 429);
  // …but 2 s later, with 1 s of the block still left, the request has lifted it.
  clock_.advance(2s);
  r = attempt(right);
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace mamori::signin
