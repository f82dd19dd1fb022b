// Staff's decisions on impersonation candidates (issue 18): recorded over the real API on a real
// PostgreSQL with who and when, the incident resolved with it in its timeline, and the hub's
// book holding the decision until the candidate's profile changes materially.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <thread>

#include "daemon/detection/candidate_dispositions.h"
#include "daemon/detection/disposition_api.h"
#include "daemon/detection/related_accounts.h"
#include "daemon/http/server.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "tests/support/fake_platform.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;

const std::string kResponderToken = "responder-token-0123456789abcdefghijklmnop";
const std::string kViewerToken = "viewer-token-0123456789abcdefghijklmnopqrs";

model::ProfileSnapshot snapshot(std::string id, std::string handle, std::string name,
                                std::string url = "", std::string avatar = "") {
  model::ProfileSnapshot p;
  p.platform = model::Platform::x;
  p.account_id = std::move(id);
  p.handle = std::move(handle);
  p.display_name = std::move(name);
  p.url = std::move(url);
  p.avatar_url = std::move(avatar);
  return p;
}

TEST(DispositionBook, HoldsUntilNameHandleLinkOrIconChange) {
  CandidateDisposition d;
  d.platform = model::Platform::x;
  d.account_ref = "1234";
  d.disposition = "related";
  d.handle = "soma_fd";
  d.display_name = "相馬市消防本部";
  d.url = "https://www.city.soma.fukushima.jp/shobo/";
  d.avatar_url = "https://pbs.example/a.jpg";
  DispositionBook book;
  book.replace({d});
  const auto same = snapshot("1234", "Soma_FD", "相馬市消防本部", d.url, d.avatar_url);
  EXPECT_NE(book.settled("default", same), nullptr);
  // A reply author's snapshot has no link or icon: unknown is not a change.
  EXPECT_NE(book.settled("default", snapshot("1234", "soma_fd", "相馬市消防本部")), nullptr);
  // Found by handle when the id is unknown.
  EXPECT_NE(book.settled("default", snapshot("", "soma_fd", "相馬市消防本部")), nullptr);
  for (const auto& changed :
       {snapshot("1234", "soma_fd", "【公式】相馬市", d.url, d.avatar_url),
        snapshot("1234", "soma_city_", "相馬市消防本部", d.url, d.avatar_url),
        snapshot("1234", "soma_fd", "相馬市消防本部", "https://evil.example/", d.avatar_url),
        snapshot("1234", "soma_fd", "相馬市消防本部", d.url, "https://pbs.example/b.jpg")}) {
    EXPECT_EQ(book.settled("default", changed), nullptr)
        << changed.handle << " " << changed.display_name;
  }
  book.forget("default", model::Platform::x, "1234");
  EXPECT_EQ(book.decided("default", same), nullptr);
  EXPECT_EQ(book.decided("default", snapshot("", "soma_fd", "相馬市消防本部")), nullptr);
  book.replace({d});
  auto other = same;
  other.platform = model::Platform::bluesky;
  EXPECT_EQ(book.settled("default", other), nullptr);
  EXPECT_EQ(book.settled("default", snapshot("9999", "someone", "相馬市消防本部")), nullptr);
  // A decision is the deciding town's only (issue 20): another town has none on the account.
  EXPECT_EQ(book.decided("shinchi", same), nullptr);
  d.municipality = "shinchi";
  d.disposition = "benign";
  auto soma = d;
  soma.municipality = "default";
  book.replace({soma, d});
  ASSERT_NE(book.settled("shinchi", same), nullptr);
  EXPECT_EQ(book.settled("shinchi", same)->municipality, "shinchi");
  book.forget("shinchi", model::Platform::x, "1234");
  EXPECT_EQ(book.decided("shinchi", same), nullptr);
  EXPECT_NE(book.settled("default", same), nullptr);
}

class DispositionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<config::ApiToken> tokens(2);
    tokens[0].name = "広報 花子";
    tokens[0].role = "responder";
    tokens[0].token.value = config::Secret(kResponderToken);
    tokens[1].name = "閲覧 端末";
    tokens[1].role = "viewer";
    tokens[1].token.value = config::Secret(kViewerToken);
    auth_ = std::make_unique<api::TokenAuthenticator>(tokens);
    register_disposition_routes(rig_.router, *rig_.database, *auth_, {}, [this] { ++changes_; });
    rig_.start();
    {
      pqxx::work tx(*rig_.direct);
      tx.exec(
          "INSERT INTO observed_profiles (platform, account_id, handle, display_name, url,"
          " avatar_url, observed_at, last_seen_at) VALUES ('x', '1234', 'soma_fd', "
          "'相馬市消防本部',"
          " 'https://www.city.soma.fukushima.jp/shobo/', 'https://pbs.example/a.jpg', now(), "
          "now())");
      tx.commit();
    }
    incident_id_ = open_incident(model::IncidentType::impersonation, "x:1234");
  }

  long long open_incident(model::IncidentType type, const std::string& subject) {
    model::Finding f;
    f.type = type;
    f.subject = subject;
    f.platform = model::Platform::x;
    f.severity = model::Severity::medium;
    f.score = 0.5;
    f.reasons = {"表示名に公式の名称を含む"};
    f.detected_at =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    incidents::NewIncident n;
    n.title = "成りすましの可能性: @soma_fd (X)";
    incidents::StepPlan report;
    report.id = "report";
    report.title = "プラットフォームへ削除を申請する";
    report.mandatory = true;
    n.steps = {report};
    return incidents::record_finding(*rig_.direct, f, {}, n).incident_id;
  }

  void TearDown() override { rig_.stop(); }

  testing::HttpResult call(const std::string& method, const std::string& target,
                           const std::string& token, const std::string& body = "") {
    std::vector<std::string> headers;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    return testing::http_request(method, "127.0.0.1", rig_.port(), target, headers, body);
  }

  testing::RouteServer rig_;
  std::unique_ptr<api::TokenAuthenticator> auth_;
  long long incident_id_ = 0;
  std::atomic<int> changes_{0};
};

TEST_F(DispositionApiTest, StaffMarkRelatedWithWhoAndWhenAndTheIncidentIsResolved) {
  const std::string path = "/api/v1/incidents/" + std::to_string(incident_id_) + "/disposition";
  EXPECT_EQ(call("POST", path, kViewerToken, R"({"disposition":"related"})").status, 403);
  EXPECT_EQ(call("POST", path, kResponderToken, R"({"disposition":"maybe"})").status, 400);
  EXPECT_EQ(call("POST", path, kResponderToken, "{broken").status, 400);
  auto r =
      call("POST", path, kResponderToken, R"({"disposition":"related","note":"消防本部の公式"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("status").as_string(), "resolved");
  EXPECT_EQ(changes_.load(), 1);
  EXPECT_EQ(testing::sql(rig_.db.dsn(),
                         "SELECT disposition || '|' || handle || '|' || display_name || '|' ||"
                         " avatar_url || '|' || decided_by || '|' || (decided_at > now() - interval"
                         " '1 minute') FROM impersonation_dispositions WHERE platform = 'x' AND"
                         " account_ref = '1234'"),
            "related|soma_fd|相馬市消防本部|https://pbs.example/a.jpg|広報 花子|true");
  EXPECT_NE(testing::sql(rig_.db.dsn(),
                         "SELECT count(*) FROM incident_timeline WHERE incident_id = " +
                             std::to_string(incident_id_) +
                             " AND actor = '広報 花子' AND message LIKE '%関連アカウント%'"),
            "0");
  // Decided once: the incident is no longer live.
  EXPECT_EQ(call("POST", path, kResponderToken, R"({"disposition":"benign"})").status, 409);

  r = call("GET", "/api/v1/impersonation/dispositions", kViewerToken);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto list = boost::json::parse(r.body).at("dispositions").as_array();
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].at("decided_by").as_string(), "広報 花子");
  EXPECT_EQ(list[0].at("incident_id").as_int64(), incident_id_);

  // What the hub loads holds for the same profile only.
  DispositionBook book;
  book.replace(load_dispositions(*rig_.direct));
  EXPECT_NE(book.settled("default", snapshot("1234", "soma_fd", "相馬市消防本部",
                                             "https://www.city.soma.fukushima.jp/shobo/",
                                             "https://pbs.example/a.jpg")),
            nullptr);
  EXPECT_EQ(book.settled("default",
                         snapshot("1234", "soma_fd", "相馬市", "", "https://pbs.example/a.jpg")),
            nullptr);

  // The hub saw the profile change: the question is open again, the decision kept for the record.
  mark_reopened(*rig_.direct, "default", model::Platform::x, "1234");
  book.replace(load_dispositions(*rig_.direct));
  EXPECT_EQ(book.decided("default", snapshot("1234", "soma_fd", "相馬市消防本部")), nullptr);
  const auto again =
      boost::json::parse(call("GET", "/api/v1/impersonation/dispositions", kViewerToken).body);
  EXPECT_TRUE(again.at("dispositions").as_array()[0].as_object().contains("reopened_at"));
}

TEST_F(DispositionApiTest, RelatedAccountsAreListedForStaff) {
  RelatedSighting s;
  s.account_ref = "555";
  s.handle = "soma_lib";
  s.display_name = "相馬市図書館";
  s.family = "図書館";
  s.matched_official = "soma_city";
  record_related(*rig_.direct, s);
  s.display_name = "相馬市立図書館";
  record_related(*rig_.direct, s);  // seen again under a new name: one row, updated
  EXPECT_EQ(call("GET", "/api/v1/impersonation/related", "").status, 401);
  const auto r = call("GET", "/api/v1/impersonation/related", kViewerToken);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto list = boost::json::parse(r.body).at("related").as_array();
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].at("display_name").as_string(), "相馬市立図書館");
  EXPECT_EQ(list[0].at("family").as_string(), "図書館");
}

TEST_F(DispositionApiTest, OnlyImpersonationIncidentsTakeADisposition) {
  const long long flame = open_incident(model::IncidentType::flameup, "x:soma_city");
  const auto r = call("POST", "/api/v1/incidents/" + std::to_string(flame) + "/disposition",
                      kResponderToken, R"({"disposition":"benign"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(testing::sql(rig_.db.dsn(),
                         "SELECT status FROM incidents WHERE id = " + std::to_string(flame)),
            "open");  // rolled back with the refusal
  EXPECT_EQ(call("POST", "/api/v1/incidents/999999/disposition", kResponderToken,
                 R"({"disposition":"benign"})")
                .status,
            404);
  EXPECT_EQ(testing::sql(rig_.db.dsn(), "SELECT count(*) FROM impersonation_dispositions"), "0");
}

}  // namespace
}  // namespace mamori::detection
