// The takedown routes in-process, over real HTTP on a real PostgreSQL, with the daemon's clock
// injected: a request filed through X's form gets the platform's response period from the
// moment it was filed, and is overdue exactly when that period has passed by the clock (no
// moving rows back in time, no waiting for a week).
#include "daemon/api/takedown_api.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <optional>
#include <thread>

#include "collectors/ratelimit/clock.h"
#include "daemon/http/server.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::api {
namespace {

using namespace std::chrono_literals;

const std::string kResponderToken = "responder-token-0123456789abcdefghijklmn";

class TakedownApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<config::ApiToken> tokens(1);
    tokens[0].name = "広報 花子";
    tokens[0].role = "responder";
    tokens[0].token.value = config::Secret(kResponderToken);
    auth_ = std::make_unique<TokenAuthenticator>(tokens);
    // No filer: X has no report API, its requests are recorded after staff used the form.
    register_takedown_routes(rig_.router, *rig_.database, clock_, *auth_, rig_.io,
                             [] { return static_cast<incidents::TakedownFiler*>(nullptr); });
    rig_.start();
  }

  void TearDown() override { rig_.stop(); }

  long long open_incident() {
    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = "x:777";
    f.platform = model::Platform::x;
    f.severity = model::Severity::high;
    incidents::NewIncident n;
    n.title = "成りすましの疑い: @soma__city（X）";
    return incidents::record_finding(*rig_.direct, f, {}, n).incident_id;
  }

  testing::HttpResult call(const std::string& method, const std::string& target,
                           const std::string& body = "") {
    return testing::http_request(
        method, "127.0.0.1", rig_.port(), target,
        {"Authorization: Bearer " + kResponderToken, "Content-Type: application/json"}, body);
  }

  // The open requests as GET /api/v1/takedowns shows them.
  boost::json::array open_requests() {
    const auto r = call("GET", "/api/v1/takedowns");
    EXPECT_EQ(r.status, 200) << r.body;
    return boost::json::parse(r.body).at("takedowns").as_array();
  }

  testing::RouteServer rig_;
  // 2025-04-01T03:12:00Z.
  collectors::ManualClock clock_{model::TimePoint(std::chrono::seconds(1743477120))};
  std::unique_ptr<TokenAuthenticator> auth_;
};

TEST_F(TakedownApiTest, AFormRequestIsFiledNowByTheClockAndOverdueWhenItsPeriodHasPassed) {
  const long long incident = open_incident();
  const auto filed =
      call("POST", "/api/v1/incidents/" + std::to_string(incident) + "/takedowns",
           R"({"platform":"x","account_id":"777","handle":"soma__city",)"
           R"("text":"成りすましアカウントの削除をお願いします","receipt":"0123-4567"})");
  ASSERT_EQ(filed.status, 201) << filed.body;
  const auto request = boost::json::parse(filed.body).as_object();
  const auto period_days = request.at("legal_period_days").as_int64();
  ASSERT_GT(period_days, 0) << filed.body;
  const long long id = request.at("id").as_int64();
  {
    // Filed at the clock's time, due that many days later (both as the database stores them).
    pqxx::nontransaction tx(*rig_.direct);
    const auto row = tx.exec_params1(
        "SELECT extract(epoch FROM filed_at)::bigint, extract(epoch FROM deadline)::bigint"
        " FROM takedown_requests WHERE id = $1",
        id);
    EXPECT_EQ(row[0].as<long long>(), 1743477120);
    EXPECT_EQ(row[1].as<long long>(), 1743477120 + period_days * 86400);
  }

  clock_.advance(std::chrono::days(period_days) - 1min);
  auto open = open_requests();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_FALSE(open[0].at("overdue").as_bool()) << "a minute before the deadline";

  clock_.advance(2min);
  open = open_requests();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_TRUE(open[0].at("overdue").as_bool()) << "a minute after the deadline";
  const auto listed = call("GET", "/api/v1/incidents/" + std::to_string(incident) + "/takedowns");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(
      boost::json::parse(listed.body).at("takedowns").as_array().at(0).at("overdue").as_bool());
}

}  // namespace
}  // namespace mamori::api
