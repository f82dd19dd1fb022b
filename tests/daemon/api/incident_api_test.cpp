// The /api/v1 endpoints over real HTTP, on a real PostgreSQL, with token authentication.
#include "daemon/api/incident_api.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <thread>

#include "daemon/http/server.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::api {
namespace {

using namespace std::chrono_literals;

const std::string kResponderToken = "responder-token-0123456789abcdefghijklmnop";
const std::string kViewerToken = "viewer-token-0123456789abcdefghijklmnopqrs";

class IncidentApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<config::ApiToken> tokens(2);
    tokens[0].name = "広報 花子";
    tokens[0].role = "responder";
    tokens[0].token.value = config::Secret(kResponderToken);
    tokens[1].name = "閲覧 端末";
    tokens[1].role = "viewer";
    tokens[1].token.value = config::Secret(kViewerToken);
    auth_ = std::make_unique<TokenAuthenticator>(tokens);
    register_incident_routes(rig_.router, *rig_.database, *auth_);
    register_rumour_routes(rig_.router, *rig_.database, *auth_);
    rig_.start();

    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = "x:1234";
    f.platform = model::Platform::x;
    f.severity = model::Severity::medium;
    f.score = 0.93;
    f.reasons = {"表示名が公式と一致"};
    f.detected_at =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    incidents::NewIncident n;
    n.title = "成りすましの疑い: @soma__city (X)";
    incidents::StepPlan report;
    report.id = "report";
    report.title = "プラットフォームへ削除を申請する";
    n.steps = {report};
    incident_id_ = incidents::record_finding(*rig_.direct, f, {}, n).incident_id;
  }

  void TearDown() override { rig_.stop(); }

  testing::HttpResult call(const std::string& method, const std::string& target,
                           const std::string& token, const std::string& body = "") {
    std::vector<std::string> headers;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    return testing::http_request(method, "127.0.0.1", rig_.port(), target, headers, body);
  }

  static boost::json::value json(const testing::HttpResult& r) {
    return boost::json::parse(r.body);
  }

  testing::RouteServer rig_;
  std::unique_ptr<TokenAuthenticator> auth_;
  long long incident_id_ = 0;
};

TEST_F(IncidentApiTest, RequiresAValidToken) {
  EXPECT_EQ(call("GET", "/api/v1/incidents", "").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/incidents", "wrong-token").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/incidents", kResponderToken.substr(0, 20)).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/incidents", kViewerToken).status, 200);
}

TEST_F(IncidentApiTest, ViewerCanReadButNotChange) {
  const std::string path = "/api/v1/incidents/" + std::to_string(incident_id_);
  EXPECT_EQ(call("GET", path, kViewerToken).status, 200);
  EXPECT_EQ(call("POST", path + "/acknowledge", kViewerToken, "{}").status, 403);
  EXPECT_EQ(call("POST", path + "/notes", kViewerToken, R"({"text":"x"})").status, 403);
  EXPECT_EQ(
      call("POST", "/api/v1/rumours", kViewerToken, R"({"claim":"a","correction":"b"})").status,
      403);
  EXPECT_EQ(json(call("GET", path, kViewerToken)).at("status").as_string(), "open");
}

TEST_F(IncidentApiTest, ListFiltersAndGetOne) {
  auto r = call("GET", "/api/v1/incidents?type=impersonation&live=1", kViewerToken);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = json(r);
  const auto& list = body.at("incidents").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("title").as_string(), "成りすましの疑い: @soma__city (X)");
  EXPECT_EQ(json(call("GET", "/api/v1/incidents?type=flameup", kViewerToken))
                .at("incidents")
                .as_array()
                .size(),
            0u);
  EXPECT_EQ(call("GET", "/api/v1/incidents?type=nonsense", kViewerToken).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/incidents?limit=abc", kViewerToken).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/incidents/999999", kViewerToken).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/incidents/abc", kViewerToken).status, 400);
}

TEST_F(IncidentApiTest, ResponderWorksTheIncidentAndTheTimelineNamesThem) {
  const std::string path = "/api/v1/incidents/" + std::to_string(incident_id_);
  auto r = call("POST", path + "/acknowledge", kResponderToken, "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r).at("status").as_string(), "acknowledged");
  EXPECT_EQ(call("POST", path + "/acknowledge", kResponderToken, "{}").status, 409);
  r = call("POST", path + "/steps/report/complete", kResponderToken,
           R"({"note":"受付番号 12345"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r).at("steps").as_array()[0].at("status").as_string(), "done");
  EXPECT_EQ(json(r).at("steps").as_array()[0].at("completed_by").as_string(), "広報 花子");
  EXPECT_EQ(call("POST", path + "/steps/nope/complete", kResponderToken, "{}").status, 404);
  EXPECT_EQ(call("POST", path + "/notes", kResponderToken, "{broken").status, 400);
  EXPECT_EQ(call("POST", path + "/notes", kResponderToken, "[1,2]").status, 400);
  EXPECT_EQ(
      call("POST", path + "/notes", kResponderToken, R"j({"text":"<script>alert(1)</script>"})j")
          .status,
      200);
  EXPECT_EQ(call("POST", path + "/severity", kResponderToken, R"({"severity":"extreme"})").status,
            400);
  EXPECT_EQ(
      call("POST", path + "/severity", kResponderToken, R"({"severity":"high","reason":"拡散"})")
          .status,
      200);
  EXPECT_EQ(call("POST", path + "/assign", kResponderToken, R"({"assignee":"広報 太郎"})").status,
            200);
  EXPECT_EQ(call("POST", path + "/resolve", kResponderToken, "{}").status, 200);
  r = call("POST", path + "/close", kResponderToken, "{}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(json(r).at("error").as_string().find("終了理由"), std::string::npos);
  r = call("POST", path + "/close", kResponderToken, R"({"closure_reason":"削除を確認"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto incident = json(call("GET", path, kViewerToken));
  EXPECT_EQ(incident.at("status").as_string(), "closed");
  int by_hanako = 0;
  bool note_kept_verbatim = false;
  for (const auto& t : incident.at("timeline").as_array()) {
    if (t.at("actor").as_string() == "広報 花子") ++by_hanako;
    if (t.at("message").as_string() == "<script>alert(1)</script>") note_kept_verbatim = true;
  }
  EXPECT_GE(by_hanako, 7);
  EXPECT_TRUE(note_kept_verbatim);  // stored as text; escaping is the console's job on output
}

TEST_F(IncidentApiTest, EvidenceBundleDownloads) {
  const auto r =
      call("GET", "/api/v1/incidents/" + std::to_string(incident_id_) + "/evidence-bundle",
           kViewerToken);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r).at("format").as_string(), "mamori-evidence-bundle/1");
}

TEST_F(IncidentApiTest, RumourRegistryCrud) {
  auto r = call(
      "POST", "/api/v1/rumours", kResponderToken,
      R"({"claim":"動物園からライオンが逃げた","wordings":["ライオンが逃げた","猛獣が脱走"],)"
      R"("correction":"動物園の動物は逃げていません","correction_url":"https://www.city.example.lg.jp/news/1"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const long long id = json(r).at("id").as_int64();
  EXPECT_EQ(json(r).at("wordings").as_array().size(), 2u);
  EXPECT_EQ(json(r).at("created_by").as_string(), "広報 花子");
  EXPECT_EQ(call("POST", "/api/v1/rumours", kResponderToken, R"({"claim":"x"})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/rumours", kResponderToken,
                 R"j({"claim":"x","correction":"y","correction_url":"javascript:alert(1)"})j")
                .status,
            400);
  r = call("PUT", "/api/v1/rumours/" + std::to_string(id), kResponderToken,
           R"({"claim":"動物園から猛獣が逃げた","correction":"逃げていません"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r).at("claim").as_string(), "動物園から猛獣が逃げた");
  EXPECT_EQ(call("DELETE", "/api/v1/rumours/" + std::to_string(id), kResponderToken).status, 200);
  const auto list = json(call("GET", "/api/v1/rumours", kViewerToken)).at("rumours").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].at("active").as_bool());
  EXPECT_EQ(call("DELETE", "/api/v1/rumours/424242", kResponderToken).status, 404);
}

}  // namespace
}  // namespace mamori::api
