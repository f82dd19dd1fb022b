// Municipalities as tenants (issue 20): a caller who works for one town cannot read or change
// anything of another, over real HTTP on a real PostgreSQL. Every route is registered as
// mamorid registers it; the towns are 相馬市 (soma) and 新地町 (shinchi).
#include "daemon/store/municipality_scope.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <thread>

#include "collectors/ratelimit/clock.h"
#include "daemon/alerts/ack_link_routes.h"
#include "daemon/alerts/live_alerts.h"
#include "daemon/api/account_change_api.h"
#include "daemon/api/document_api.h"
#include "daemon/api/evidence_api.h"
#include "daemon/api/incident_api.h"
#include "daemon/api/takedown_api.h"
#include "daemon/detection/disposition_api.h"
#include "daemon/http/server.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/integrity/integrity_api.h"
#include "daemon/signin/accounts_api.h"
#include "daemon/store/connection.h"
#include "daemon/store/own_posts.h"
#include "playbooks/engine/loader.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::api {
namespace {

using namespace std::chrono_literals;

const std::string kSomaToken = "soma-responder-token-0123456789abcdefghij";
const std::string kShinchiToken = "shinchi-viewer-token-0123456789abcdefghi";
const std::string kPrefectureToken = "prefecture-token-0123456789abcdefghijklm";
const std::string kShinchiResponderToken = "shinchi-responder-token-0123456789abcdefg";

class MunicipalityScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = playbooks::load_playbooks(testing::source_dir() / "playbooks");
    ASSERT_TRUE(loaded.ok()) << loaded.text();
    playbooks_ = loaded.set;
    auto cfg = std::make_shared<config::Config>();
    config::Municipality soma;
    soma.id = "soma";
    soma.name = "相馬市";
    soma.department = "秘書課広報広聴係";
    soma.police_station = "相馬警察署 生活安全課";
    soma.homepage_url = "https://www.city.soma.fukushima.jp/";
    config::Municipality shinchi;
    shinchi.id = "shinchi";
    shinchi.name = "新地町";
    shinchi.department = "企画振興課";
    shinchi.police_station = "相馬警察署 新地駐在所";
    shinchi.contact_phone = "0244-62-2111";
    shinchi.homepage_url = "https://www.shinchi-town.jp/";
    cfg->municipalities = {soma, shinchi};
    cfg->municipality = soma;
    config::Account a;
    a.platform = model::Platform::x;
    a.municipality = "soma";
    a.handle = "soma_city";
    config::Account b = a;
    b.municipality = "shinchi";
    b.handle = "shinchi_town";
    cfg->accounts = {a, b};
    cfg->server.public_url = "https://mamori.pref.example.lg.jp/";
    config_ = cfg;

    std::vector<config::ApiToken> tokens(4);
    tokens[0].name = "相馬 広報";
    tokens[0].role = "responder";
    tokens[0].token.value = config::Secret(kSomaToken);
    tokens[0].municipalities = {"soma"};
    tokens[1].name = "新地 閲覧";
    tokens[1].role = "viewer";
    tokens[1].token.value = config::Secret(kShinchiToken);
    tokens[1].municipalities = {"shinchi"};
    tokens[2].name = "県 情報政策課";
    tokens[2].role = "responder";
    tokens[2].token.value = config::Secret(kPrefectureToken);
    tokens[3].name = "新地 企画";
    tokens[3].role = "responder";
    tokens[3].token.value = config::Secret(kShinchiResponderToken);
    tokens[3].municipalities = {"shinchi"};
    auth_ = std::make_unique<TokenAuthenticator>(tokens);
    register_incident_routes(rig_.router, *rig_.database, *auth_);
    register_rumour_routes(rig_.router, *rig_.database, *auth_);
    register_evidence_routes(rig_.router, *rig_.database, *auth_);
    register_document_routes(
        rig_.router, *rig_.database, clock_, *auth_, [this] { return playbooks_; },
        [this] { return config_; });
    register_account_change_routes(
        rig_.router, *rig_.database, clock_, *auth_, [this] { return playbooks_; },
        [this] { return config_; });
    register_takedown_routes(rig_.router, *rig_.database, clock_, *auth_, rig_.io,
                             [] { return nullptr; });
    integrity::register_integrity_routes(rig_.router, *rig_.database, clock_, *auth_,
                                         [] { return nullptr; });
    signin::register_account_routes(rig_.router, *rig_.database, *auth_, clock_, {});
    detection::register_disposition_routes(rig_.router, *rig_.database, *auth_, {}, {});
    alerts::register_ack_link_routes(
        rig_.router, *rig_.database, clock_,
        std::make_shared<const alerts::LiveAlerts>(
            alerts::AlertsSnapshot{std::make_shared<const alerts::AlertsConfig>(), nullptr, signer_,
                                   "https://mamori.pref.example.lg.jp", "相馬市"}),
        {}, nullptr);
    rig_.start();

    {
      pqxx::work tx(*rig_.direct);
      tx.exec(
          "INSERT INTO official_accounts (platform, handle, account_id, municipality) VALUES"
          " ('x', 'soma_city', '100', 'soma'), ('x', 'shinchi_town', '200', 'shinchi')");
      tx.commit();
    }
    soma_ = record("soma", "x:9001");
    shinchi_ = record("shinchi", "x:9002");
    {
      pqxx::work tx(*rig_.direct);
      shinchi_evidence_ =
          tx.exec1("SELECT id FROM evidence WHERE incident_id = " + std::to_string(shinchi_))[0]
              .as<long long>();
      for (const auto& [incident, handle] :
           {std::pair{soma_, "soma_city"}, std::pair{shinchi_, "shinchi_town"}}) {
        tx.exec_params(
            "INSERT INTO takedown_requests (incident_id, platform, target, method, status, text,"
            " filed_by, deadline) VALUES ($1, 'x', $2, 'form', 'filed', '削除のお願い', 'x',"
            " now() + interval '7 days')",
            incident, std::string("imp_") + handle);
        tx.exec_params(
            "INSERT INTO compliance_results (platform, handle, item_id, position, title, clause,"
            " status, checked_at) VALUES ('x', $1, 'two_factor', 0, '二段階認証', '5(4)', 'pass',"
            " now())",
            std::string(handle));
        tx.exec_params(
            "INSERT INTO integrity_observed_changes (platform, handle, field, before_value,"
            " after_value, observed_at) VALUES ('x', $1, 'display_name', 'a', 'b', now())",
            std::string(handle));
        tx.exec_params(
            "INSERT INTO rumours (claim, correction, created_by, municipality)"
            " VALUES ($1, '正しい情報', 'x', $2)",
            std::string("デマ ") + handle, handle == std::string("soma_city") ? "soma" : "shinchi");
      }
      shinchi_takedown_ = tx.exec1("SELECT max(id) FROM takedown_requests")[0].as<long long>();
      shinchi_change_ =
          tx.exec1("SELECT max(id) FROM integrity_observed_changes")[0].as<long long>();
      shinchi_rumour_ = tx.exec1("SELECT max(id) FROM rumours")[0].as<long long>();
      tx.commit();
    }
  }

  long long record(const std::string& municipality, const std::string& subject) {
    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = subject;
    f.platform = model::Platform::x;
    f.severity = model::Severity::medium;
    f.score = 0.9;
    f.reasons = {"表示名が公式と一致"};
    f.detected_at = std::chrono::time_point_cast<std::chrono::milliseconds>(model::Clock::now());
    incidents::NewIncident n;
    n.title = "成りすましの疑い";
    n.municipality = municipality;
    incidents::StepPlan report;
    report.id = "report";
    report.title = "プラットフォームへ削除を申請する";
    n.steps = {report};
    incidents::EvidenceItem e;
    e.kind = "note";
    e.content_type = "text/plain";
    e.content = "captured";
    e.captured_at = f.detected_at;
    return incidents::record_finding(*rig_.direct, f, {e}, n).incident_id;
  }

  void TearDown() override { rig_.stop(); }

  testing::HttpResult call(const std::string& method, const std::string& target,
                           const std::string& token, const std::string& body = "") {
    std::vector<std::string> headers{"Authorization: Bearer " + token};
    return testing::http_request(method, "127.0.0.1", rig_.port(), target, headers, body);
  }

  std::string incident_path(long long id) { return "/api/v1/incidents/" + std::to_string(id); }

  std::string scalar(const std::string& sql) {
    pqxx::work tx(*rig_.direct);
    return tx.exec1(sql)[0].c_str();
  }

  testing::RouteServer rig_;
  std::shared_ptr<const playbooks::PlaybookSet> playbooks_;
  std::shared_ptr<const config::Config> config_;
  collectors::SystemClock clock_;
  std::unique_ptr<TokenAuthenticator> auth_;
  std::shared_ptr<const alerts::AckLinkSigner> signer_ = std::make_shared<alerts::AckLinkSigner>(
      config::Secret("ack-link-secret-0123456789abcdefghijklmnop"),
      "https://mamori.pref.example.lg.jp", 3600s);
  long long soma_ = 0;
  long long shinchi_ = 0;
  long long shinchi_evidence_ = 0;
  long long shinchi_takedown_ = 0;
  long long shinchi_change_ = 0;
  long long shinchi_rumour_ = 0;
};

TEST_F(MunicipalityScopeTest, AGuessedIncidentIdOfAnotherTownIsNotFound) {
  EXPECT_EQ(call("GET", incident_path(soma_), kSomaToken).status, 200);
  const auto other = call("GET", incident_path(shinchi_), kSomaToken);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body.find("新地"), std::string::npos);
  // Same answer as an id that does not exist at all.
  EXPECT_EQ(call("GET", incident_path(shinchi_ + 1000), kSomaToken).status, 404);
  EXPECT_EQ(call("GET", incident_path(shinchi_), kShinchiToken).status, 200);
  EXPECT_EQ(call("GET", incident_path(soma_), kShinchiToken).status, 404);
  EXPECT_EQ(call("GET", incident_path(shinchi_), kPrefectureToken).status, 200);
}

TEST_F(MunicipalityScopeTest, IncidentListShowsOnlyTheCallersTown) {
  const auto r = call("GET", "/api/v1/incidents", kSomaToken);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto list = boost::json::parse(r.body).at("incidents").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("id").as_int64(), soma_);
  EXPECT_EQ(list[0].at("municipality").as_string(), "soma");
  const auto all = call("GET", "/api/v1/incidents", kPrefectureToken);
  EXPECT_EQ(boost::json::parse(all.body).at("incidents").as_array().size(), 2u);
}

TEST_F(MunicipalityScopeTest, AnotherTownsIncidentCannotBeChanged) {
  const std::string p = incident_path(shinchi_);
  EXPECT_EQ(call("POST", p + "/acknowledge", kSomaToken, "{}").status, 404);
  EXPECT_EQ(call("POST", p + "/status", kSomaToken, R"({"status":"resolved"})").status, 404);
  EXPECT_EQ(call("POST", p + "/resolve", kSomaToken, "{}").status, 404);
  EXPECT_EQ(call("POST", p + "/close", kSomaToken, R"({"closure_reason":"x"})").status, 404);
  EXPECT_EQ(call("POST", p + "/assign", kSomaToken, R"({"assignee":"相馬"})").status, 404);
  EXPECT_EQ(call("POST", p + "/notes", kSomaToken, R"({"text":"見ました"})").status, 404);
  EXPECT_EQ(call("POST", p + "/severity", kSomaToken, R"({"severity":"low"})").status, 404);
  EXPECT_EQ(call("POST", p + "/steps/report/complete", kSomaToken, "{}").status, 404);
  EXPECT_EQ(call("POST", p + "/takedowns", kSomaToken, R"({"text":"削除してください"})").status,
            404);
  EXPECT_EQ(scalar("SELECT status || '/' || coalesce(assignee, '') || '/' || severity FROM "
                   "incidents WHERE id = " +
                   std::to_string(shinchi_)),
            "open//medium");
  EXPECT_EQ(scalar("SELECT count(*) FROM incident_timeline WHERE actor = '相馬 広報'"), "0");
  EXPECT_EQ(
      scalar("SELECT status FROM incident_steps WHERE incident_id = " + std::to_string(shinchi_)),
      "pending");
  // Its own town's incident, the same calls work.
  EXPECT_EQ(call("POST", incident_path(soma_) + "/acknowledge", kSomaToken, "{}").status, 200);
}

TEST_F(MunicipalityScopeTest, EvidenceBundleAndDocumentsOfAnotherTownAreNotFound) {
  const std::string p = incident_path(shinchi_);
  EXPECT_EQ(call("GET", p + "/evidence/" + std::to_string(shinchi_evidence_), kSomaToken).status,
            404);
  EXPECT_EQ(call("GET", p + "/evidence-bundle", kSomaToken).status, 404);
  EXPECT_EQ(call("GET", p + "/documents", kSomaToken).status, 404);
  EXPECT_EQ(call("GET", p + "/takedowns", kSomaToken).status, 404);
  EXPECT_EQ(call("GET", p + "/evidence/" + std::to_string(shinchi_evidence_), kShinchiToken).status,
            200);
  EXPECT_EQ(call("GET", p + "/evidence-bundle", kShinchiToken).status, 200);
}

TEST_F(MunicipalityScopeTest, DocumentsUseTheIncidentsOwnTown) {
  const auto r = call("GET", incident_path(shinchi_) + "/documents", kShinchiToken);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("新地町"), std::string::npos) << r.body.substr(0, 3000);
  EXPECT_EQ(r.body.find("相馬市"), std::string::npos);
  const auto soma = call("GET", incident_path(soma_) + "/documents", kSomaToken);
  ASSERT_EQ(soma.status, 200) << soma.body;
  EXPECT_NE(soma.body.find("相馬市"), std::string::npos);
  EXPECT_EQ(soma.body.find("新地町"), std::string::npos);
}

TEST_F(MunicipalityScopeTest, RumoursOfAnotherTownCannotBeReadOrChanged) {
  const auto list = call("GET", "/api/v1/rumours", kSomaToken);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(boost::json::parse(list.body).at("rumours").as_array().size(), 1u);
  EXPECT_EQ(list.body.find("shinchi_town"), std::string::npos);
  const std::string p = "/api/v1/rumours/" + std::to_string(shinchi_rumour_);
  EXPECT_EQ(call("PUT", p, kSomaToken, R"({"claim":"書き換え","correction":"x"})").status, 404);
  EXPECT_EQ(call("DELETE", p, kSomaToken).status, 404);
  EXPECT_EQ(scalar("SELECT claim || '/' || active FROM rumours WHERE id = " +
                   std::to_string(shinchi_rumour_)),
            "デマ shinchi_town/true");
  EXPECT_EQ(call("POST", "/api/v1/rumours", kSomaToken,
                 R"({"claim":"a","correction":"b","municipality":"shinchi"})")
                .status,
            403);
  const auto added =
      call("POST", "/api/v1/rumours", kSomaToken, R"({"claim":"断水","correction":"断水なし"})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(boost::json::parse(added.body).at("municipality").as_string(), "soma");
}

TEST_F(MunicipalityScopeTest, AccountsComplianceAndChangesListOnlyTheCallersTown) {
  for (const char* path : {"/api/v1/accounts", "/api/v1/compliance", "/api/v1/integrity/changes",
                           "/api/v1/takedowns", "/api/v1/account-changes"}) {
    const auto own = call("GET", path, kSomaToken);
    ASSERT_EQ(own.status, 200) << path << own.body;
    EXPECT_EQ(own.body.find("shinchi_town"), std::string::npos) << path << own.body;
    const auto all = call("GET", path, kPrefectureToken);
    ASSERT_EQ(all.status, 200) << path;
    if (std::string(path) != "/api/v1/account-changes") {
      EXPECT_NE(all.body.find("shinchi_town"), std::string::npos) << path << all.body;
    }
  }
  EXPECT_NE(call("GET", "/api/v1/accounts", kSomaToken).body.find("soma_city"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/takedowns/" + std::to_string(shinchi_takedown_), kSomaToken,
                 R"({"status":"removed"})")
                .status,
            404);
  EXPECT_EQ(scalar("SELECT status FROM takedown_requests WHERE id = " +
                   std::to_string(shinchi_takedown_)),
            "filed");
  EXPECT_EQ(call("POST", "/api/v1/integrity/changes/" + std::to_string(shinchi_change_) + "/accept",
                 kSomaToken, "{}")
                .status,
            404);
  EXPECT_EQ(scalar("SELECT status FROM integrity_observed_changes WHERE id = " +
                   std::to_string(shinchi_change_)),
            "open");
}

TEST_F(MunicipalityScopeTest, FindingsAboutAnOfficialAccountBelongToItsTown) {
  model::Finding f;
  f.type = model::IncidentType::flameup;
  f.subject = "x:account:200";  // shinchi_town's platform id
  f.platform = model::Platform::x;
  f.severity = model::Severity::high;
  f.detected_at = std::chrono::time_point_cast<std::chrono::milliseconds>(model::Clock::now());
  const long long flame = incidents::record_finding(*rig_.direct, f, {}, {}).incident_id;
  EXPECT_EQ(scalar("SELECT municipality FROM incidents WHERE id = " + std::to_string(flame)),
            "shinchi");
  f.type = model::IncidentType::impersonation;
  f.subject = "x:777";
  f.evidence_json = R"({"handle":"shinchi_tovvn","matched_official":"Shinchi_Town"})";
  const long long imp = incidents::record_finding(*rig_.direct, f, {}, {}).incident_id;
  EXPECT_EQ(scalar("SELECT municipality FROM incidents WHERE id = " + std::to_string(imp)),
            "shinchi");
  f.subject = "x:778";
  f.evidence_json = "{}";
  const long long unknown = incidents::record_finding(*rig_.direct, f, {}, {}).incident_id;
  EXPECT_EQ(scalar("SELECT municipality FROM incidents WHERE id = " + std::to_string(unknown)),
            "default");
}

// The compliance audit runs town by town: staff of one town start their own town's, not another's
// (tests/daemon/integrity/town_compliance_test.cpp runs them).
TEST_F(MunicipalityScopeTest, StaffStartTheComplianceAuditOfTheirOwnTownOnly) {
  const auto refused =
      call("POST", "/api/v1/compliance/run", kSomaToken, R"({"municipality":"shinchi"})");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.body.find("新地"), std::string::npos) << refused.body;
  // Past the scope check (here no monitor runs, so it is not started).
  EXPECT_EQ(call("POST", "/api/v1/compliance/run", kSomaToken, "{}").status, 503);
  EXPECT_EQ(call("POST", "/api/v1/compliance/run", kSomaToken, R"({"municipality":"soma"})").status,
            503);
  EXPECT_EQ(call("POST", "/api/v1/compliance/run", kPrefectureToken, "{}").status, 503);
  EXPECT_EQ(
      call("POST", "/api/v1/compliance/run", kPrefectureToken, R"({"municipality":"shinchi"})")
          .status,
      503);
}

TEST_F(MunicipalityScopeTest, DispositionsAndRelatedAccountsOfAnotherTownAreNotListed) {
  {
    pqxx::work tx(*rig_.direct);
    for (const auto& [incident, handle] :
         {std::pair{soma_, "soma_city"}, std::pair{shinchi_, "shinchi_town"}}) {
      tx.exec_params(
          "INSERT INTO impersonation_dispositions (municipality, platform, account_ref,"
          " disposition, handle, incident_id, decided_by) VALUES ($3, 'x', $1, 'benign', $1, $2,"
          " 'x')",
          std::string("cand_") + handle, incident,
          std::string(handle == std::string("soma_city") ? "soma" : "shinchi"));
      tx.exec_params(
          "INSERT INTO impersonation_related (platform, account_ref, handle, family,"
          " matched_official) VALUES ('x', $1, $1, '図書館', $2)",
          std::string("library_") + handle, std::string(handle));
    }
    tx.commit();
  }
  for (const char* path : {"/api/v1/impersonation/dispositions", "/api/v1/impersonation/related"}) {
    const auto own = call("GET", path, kSomaToken);
    ASSERT_EQ(own.status, 200) << path << own.body;
    EXPECT_NE(own.body.find("soma_city"), std::string::npos) << path << own.body;
    EXPECT_EQ(own.body.find("shinchi_town"), std::string::npos) << path << own.body;
    const auto all = call("GET", path, kPrefectureToken);
    EXPECT_NE(all.body.find("shinchi_town"), std::string::npos) << path << all.body;
  }
}

// A decision on a look-alike (benign / related) is its town's (070_disposition_municipality.sql):
// another town's staff cannot read or change it, and their own decision on the same account
// leaves it as it was.
TEST_F(MunicipalityScopeTest, ATownsDecisionsOnALookAlikeAreItsOwn) {
  const auto decided = call("POST", incident_path(soma_) + "/disposition", kSomaToken,
                            R"({"disposition":"benign","note":"相馬の判断"})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  const std::string soma_row =
      "SELECT disposition || '/' || decided_by || '/' || note FROM impersonation_dispositions"
      " WHERE municipality = 'soma' AND platform = 'x' AND account_ref = '9001'";
  EXPECT_EQ(scalar(soma_row), "benign/相馬 広報/相馬の判断");
  // Another town's staff: not listed, and the incident it was made on is not found.
  const auto listed = call("GET", "/api/v1/impersonation/dispositions", kShinchiResponderToken);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(boost::json::parse(listed.body).at("dispositions").as_array().size(), 0u)
      << listed.body;
  EXPECT_EQ(call("POST", incident_path(soma_) + "/disposition", kShinchiResponderToken,
                 R"({"disposition":"related"})")
                .status,
            404);
  EXPECT_EQ(scalar(soma_row), "benign/相馬 広報/相馬の判断");
  // The same account imitating 新地町 too is 新地町's incident; its decision is its own row.
  const long long shinchi_case = record("shinchi", "x:9001");
  EXPECT_NE(shinchi_case, soma_);
  const auto own = call("POST", incident_path(shinchi_case) + "/disposition",
                        kShinchiResponderToken, R"({"disposition":"related"})");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(scalar(soma_row), "benign/相馬 広報/相馬の判断");
  EXPECT_EQ(scalar("SELECT disposition || '/' || decided_by FROM impersonation_dispositions"
                   " WHERE municipality = 'shinchi' AND account_ref = '9001'"),
            "related/新地 企画");
  for (const auto& [token, town, disposition] :
       {std::tuple{kSomaToken, "soma", "benign"},
        std::tuple{kShinchiResponderToken, "shinchi", "related"}}) {
    const auto r = call("GET", "/api/v1/impersonation/dispositions", token);
    const auto list = boost::json::parse(r.body).at("dispositions").as_array();
    ASSERT_EQ(list.size(), 1u) << r.body;
    EXPECT_EQ(list[0].at("municipality").as_string(), town);
    EXPECT_EQ(list[0].at("disposition").as_string(), disposition);
  }
  const auto all = call("GET", "/api/v1/impersonation/dispositions", kPrefectureToken);
  EXPECT_EQ(boost::json::parse(all.body).at("dispositions").as_array().size(), 2u);
}

// Flagging an own post as erroneous finds the post within the caller's towns only (the route
// answers 404 as for a post never fetched), and the incident belongs to the post's town.
TEST_F(MunicipalityScopeTest, AnotherTownsPostIsNotFoundToFlagAsErroneous) {
  {
    pqxx::work tx(*rig_.direct);
    tx.exec(
        "INSERT INTO observed_posts (platform, post_id, author_id, author_handle, text,"
        " created_at, observed_at) VALUES ('x', '5001', '200', 'shinchi_town', '誤った告知',"
        " now(), now())");
    tx.exec("UPDATE official_accounts SET department = '企画振興課' WHERE handle = 'shinchi_town'");
    tx.commit();
  }
  const auto find_as = [&](const std::string& scope) {
    const store::MunicipalityScope scoped(*rig_.direct, scope);
    return store::find_own_post(*rig_.direct, model::Platform::x, "5001").has_value();
  };
  EXPECT_FALSE(find_as("soma"));
  EXPECT_TRUE(find_as("shinchi"));
  EXPECT_TRUE(find_as("soma,shinchi"));
  EXPECT_TRUE(find_as("*"));
  model::Finding f;
  f.type = model::IncidentType::erroneous_post;
  f.subject = "x:post:5001";  // names no account: the handle the route found does
  f.platform = model::Platform::x;
  f.severity = model::Severity::medium;
  incidents::NewIncident n;
  n.title = "誤った投稿への対応";
  n.official_handle = "shinchi_town";
  const long long id = incidents::record_finding(*rig_.direct, f, {}, n).incident_id;
  EXPECT_EQ(scalar("SELECT municipality || '/' || department FROM incidents WHERE id = " +
                   std::to_string(id)),
            "shinchi/企画振興課");
}

// An acknowledge link acts within the town of the incident it was sent about.
TEST_F(MunicipalityScopeTest, AnAcknowledgeLinkWorksOnlyInItsOwnTown) {
  const auto link = [&](const std::string& municipality) {
    const std::string url =
        signer_->url(shinchi_, 1, "新地 阿部", "mail",
                     std::chrono::floor<std::chrono::seconds>(clock_.now()), 0, municipality);
    return url.substr(url.find("/ack/"));
  };
  const std::string elsewhere = link("soma");  // signed, but for another town's scope
  EXPECT_EQ(testing::http_request("GET", "127.0.0.1", rig_.port(), elsewhere, {}).status, 404);
  const auto refused = testing::http_request("POST", "127.0.0.1", rig_.port(), elsewhere, {});
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_EQ(refused.body.find("成りすまし"), std::string::npos);  // the title is not shown
  EXPECT_EQ(scalar("SELECT status FROM incidents WHERE id = " + std::to_string(shinchi_)), "open");
  const auto used = testing::http_request("POST", "127.0.0.1", rig_.port(), link("shinchi"), {});
  EXPECT_EQ(used.status, 200) << used.body;
  EXPECT_EQ(scalar("SELECT status FROM incidents WHERE id = " + std::to_string(shinchi_)),
            "acknowledged");
}

}  // namespace
}  // namespace mamori::api
