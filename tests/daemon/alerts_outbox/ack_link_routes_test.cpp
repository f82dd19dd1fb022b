// The acknowledge link's pages in-process, over real HTTP on a real PostgreSQL, with the daemon's
// clock injected: a link is valid for exactly `valid_for` from when it was sent, judged by that
// clock (no waiting, no forging a token in the past).
#include "daemon/alerts/ack_link_routes.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <optional>
#include <thread>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/http/server.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;

class AckLinkRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The daemon's [alerts] as the pages read it: only the link signer matters here.
    const auto live = std::make_shared<const LiveAlerts>(
        AlertsSnapshot{std::make_shared<const AlertsConfig>(), nullptr, signer_,
                       "https://mamori.example.lg.jp", "相馬市"});
    register_ack_link_routes(rig_.router, *rig_.database, clock_, live, {}, nullptr);
    rig_.start();
  }

  void TearDown() override { rig_.stop(); }

  long long open_incident() {
    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = "x:4242";
    f.severity = model::Severity::high;
    incidents::NewIncident n;
    n.title = "成りすましの疑い: @soma__city (X)";
    return incidents::record_finding(*rig_.direct, f, {}, n).incident_id;
  }

  // The path of a link sent now (by the clock) for level 1 to 佐藤さん.
  std::string link_sent_now(long long incident) const {
    const std::string url = signer_->url(incident, 1, "佐藤 花子", "mail",
                                         std::chrono::floor<std::chrono::seconds>(clock_.now()));
    return url.substr(url.find("/ack/"));
  }

  testing::HttpResult fetch(const std::string& method, const std::string& path) {
    return testing::http_request(method, "127.0.0.1", rig_.port(), path,
                                 {"Content-Type: application/x-www-form-urlencoded"});
  }

  std::string status(long long incident) {
    pqxx::nontransaction tx(*rig_.direct);
    return tx.exec_params1("SELECT status FROM incidents WHERE id = $1", incident)[0].c_str();
  }

  testing::RouteServer rig_;
  collectors::ManualClock clock_{model::TimePoint(std::chrono::seconds(1743444720))};
  std::shared_ptr<const AckLinkSigner> signer_ =
      std::make_shared<AckLinkSigner>(config::Secret("ack-link-secret-0123456789abcdefghijklmnop"),
                                      "https://mamori.example.lg.jp", 3600s);
};

TEST_F(AckLinkRoutesTest, ALinkExpiresExactlyWhenItsValidityEndsByTheDaemonsClock) {
  const long long id = open_incident();
  const std::string path = link_sent_now(id);

  clock_.advance(3599s);  // one second before the end: the page still shows
  const auto shown = fetch("GET", path);
  EXPECT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.body.find("有効期限"), std::string::npos) << shown.body;

  clock_.advance(1s);  // the hour is over: refused, nothing recorded
  const auto late = fetch("POST", path);
  EXPECT_EQ(late.status, 410) << late.body;
  EXPECT_NE(late.body.find("有効期限"), std::string::npos) << late.body;
  EXPECT_EQ(status(id), "open");
}

TEST_F(AckLinkRoutesTest, ALinkUsedWithinItsValidityAcknowledgesOnce) {
  const long long id = open_incident();
  const std::string path = link_sent_now(id);
  clock_.advance(59min);
  const auto ack = fetch("POST", path);
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_NE(ack.body.find("確認を記録しました"), std::string::npos) << ack.body;
  EXPECT_EQ(status(id), "acknowledged");
  EXPECT_EQ(fetch("POST", path).status, 409);  // single use
}

}  // namespace
}  // namespace mamori::alerts
