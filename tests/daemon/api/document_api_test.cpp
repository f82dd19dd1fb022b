// GET /api/v1/incidents/:id/documents over real HTTP on a real PostgreSQL, rendering the shipped
// playbooks' templates with the incident's data and the configured [municipality].
#include "daemon/api/document_api.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <thread>

#include "collectors/ratelimit/clock.h"
#include "daemon/http/server.h"
#include "daemon/incidents/incident_documents.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "playbooks/engine/loader.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::api {
namespace {

using namespace std::chrono_literals;

const std::string kViewerToken = "viewer-token-0123456789abcdefghijklmnopqrs";

class DocumentApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = playbooks::load_playbooks(testing::source_dir() / "playbooks");
    ASSERT_TRUE(loaded.ok()) << loaded.text();
    playbooks_ = loaded.set;
    auto cfg = std::make_shared<config::Config>();
    cfg->municipality.name = "相馬市";
    cfg->municipality.name_romaji = "Soma City";
    cfg->municipality.homepage_url = "https://www.city.soma.fukushima.jp/";
    cfg->municipality.official_account_list_url = "https://www.city.soma.fukushima.jp/sns/";
    cfg->municipality.department = "秘書課広報広聴係";
    cfg->municipality.contact_email = "koho@city.soma.example.lg.jp";
    cfg->server.public_url = "https://mamori.city.example.lg.jp/";
    config::Account x;
    x.platform = model::Platform::x;
    x.handle = "soma_city";
    x.department = "秘書課広報広聴係";
    cfg->accounts = {x};
    config_ = cfg;

    std::vector<config::ApiToken> tokens(1);
    tokens[0].name = "閲覧 端末";
    tokens[0].role = "viewer";
    tokens[0].token.value = config::Secret(kViewerToken);
    auth_ = std::make_unique<TokenAuthenticator>(tokens);
    register_document_routes(
        rig_.router, *rig_.database, clock_, *auth_, [this] { return playbooks_; },
        [this] { return config_; });
    rig_.start();
    {
      pqxx::work tx(*rig_.direct);
      tx.exec(
          "INSERT INTO official_accounts (platform, handle, account_id, department)"
          " VALUES ('x', 'soma_city', '100', '秘書課広報広聴係')");
      tx.commit();
    }
  }

  void TearDown() override { rig_.stop(); }

  // `components` is the detector's component JSON (detectors/impersonation/detector.cpp).
  long long impersonation(
      const std::string& components = R"({"name_relation":"equal","handle_relation":"same_letters",
      "avatar_phash_distance":4,"description_similarity":0.1,"url_evidence":1})",
      const std::string& subject = "x:777") {
    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = subject;
    f.platform = model::Platform::x;
    f.severity = model::Severity::high;
    f.severity_label = "成りすまし";
    f.score = 0.95;
    f.reasons = {"表示名が公式と一致"};
    f.evidence_json = R"({"handle":"soma__city","display_name":"相馬市【公式】","account_id":"777",
      "matched_official":"soma_city","components":)" +
                      components + "}";
    f.detected_at = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
    incidents::NewIncident n;
    n.title = "成りすましの疑い: @soma__city（X）";
    n.summary = "公式アカウント @soma_city に似たアカウントを検知しました。";
    incidents::EvidenceItem e;
    e.kind = "observation";
    e.description = "成りすましアカウントのプロフィール";
    e.source_url = "https://x.com/soma__city";
    e.content_type = "application/json";
    e.content = R"({"handle":"soma__city"})";
    e.captured_at = f.detected_at;
    return incidents::record_finding(*rig_.direct, f, {e}, n).incident_id;
  }

  testing::HttpResult get(const std::string& target, const std::string& token = kViewerToken) {
    std::vector<std::string> headers;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    return testing::http_request("GET", "127.0.0.1", rig_.port(), target, headers);
  }

  static const boost::json::object* find(const boost::json::array& docs, std::string_view id) {
    for (const auto& d : docs) {
      if (d.as_object().at("id").as_string() == id) return &d.as_object();
    }
    return nullptr;
  }

  testing::RouteServer rig_;
  // The documents' date ("today"): 2025-03-31T15:30:00Z, already 1 April in Japan.
  collectors::ManualClock clock_{model::TimePoint(std::chrono::seconds(1743435000))};
  std::shared_ptr<const playbooks::PlaybookSet> playbooks_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<TokenAuthenticator> auth_;
};

TEST_F(DocumentApiTest, ARecolouredIconCountsAsACopiedIconOnlyWhenTheHueInvariantHashIsClose) {
  const auto takedown_text = [&](const std::string& components, const std::string& subject) {
    const long long id = impersonation(components, subject);
    const auto r = get("/api/v1/incidents/" + std::to_string(id) + "/documents");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = boost::json::parse(r.body);
    const auto* takedown = find(body.at("documents").as_array(), "takedown_report");
    return takedown ? std::string(takedown->at("body").as_string()) : std::string();
  };
  const std::string recoloured = takedown_text(
      R"({"name_relation":"equal","avatar_phash_distance":30,"avatar_crop_distance":28,"avatar_value_phash_distance":2})",
      "x:778");
  EXPECT_NE(recoloured.find("・プロフィール画像（公式アカウントのアイコン）"), std::string::npos)
      << recoloured;
  const std::string different = takedown_text(
      R"({"name_relation":"equal","avatar_phash_distance":30,"avatar_crop_distance":28,"avatar_value_phash_distance":25,"avatar_value_crop_distance":20})",
      "x:779");
  EXPECT_EQ(different.find("・プロフィール画像（公式アカウントのアイコン）"), std::string::npos)
      << different;
  EXPECT_NE(different.find("・表示名（自治体名）"), std::string::npos) << different;
}

// A document is dated by the daemon's clock, in Japan's calendar: the press release drafted at
// 00:30 JST on 1 April says 1 April, not the UTC date (31 March) nor the machine's today.
TEST_F(DocumentApiTest, DocumentsAreDatedByTheDaemonsClockInJapan) {
  const long long id = impersonation();
  const auto dated = [&] {
    const auto r = get("/api/v1/incidents/" + std::to_string(id) + "/documents");
    EXPECT_EQ(r.status, 200) << r.body;
    std::string all;
    const auto body = boost::json::parse(r.body);
    for (const auto& d : body.at("documents").as_array())
      all += std::string(d.as_object().at("body").as_string()) + "\n";
    return all;
  };
  const std::string first = dated();
  EXPECT_NE(first.find("令和7年4月1日（火）"), std::string::npos) << first;
  EXPECT_EQ(first.find("令和7年3月31日"), std::string::npos) << first;
  clock_.advance(std::chrono::days(1));
  const std::string next = dated();
  EXPECT_NE(next.find("令和7年4月2日（水）"), std::string::npos) << next;
}

TEST_F(DocumentApiTest, RendersThePlaybooksDocumentsWithTheIncidentAndTheCity) {
  const long long id = impersonation();
  const auto r = get("/api/v1/incidents/" + std::to_string(id) + "/documents");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = boost::json::parse(r.body);
  const auto& docs = body.at("documents").as_array();
  // Every template the impersonation playbook's steps offer, once each.
  std::set<std::string> expected;
  for (const auto& step : playbooks_->find(model::IncidentType::impersonation)->steps) {
    expected.insert(step.documents.begin(), step.documents.end());
  }
  ASSERT_EQ(docs.size(), expected.size());
  for (const auto& d : docs) {
    const auto& o = d.as_object();
    EXPECT_FALSE(o.contains("error"))
        << o.at("id").as_string().c_str() << ": " << boost::json::serialize(o);
    EXPECT_FALSE(o.at("body").as_string().empty());
    EXPECT_FALSE(o.at("audience").as_string().empty());
    EXPECT_FALSE(o.at("title").as_string().empty());
  }
  const auto* takedown = find(docs, "takedown_report");
  ASSERT_NE(takedown, nullptr);
  EXPECT_EQ(takedown->at("audience").as_string(), "運営会社");
  const std::string text(takedown->at("body").as_string());
  EXPECT_NE(text.find("相馬市 秘書課広報広聴係"), std::string::npos) << text;
  EXPECT_NE(text.find("@soma__city（表示名「相馬市【公式】」）"), std::string::npos) << text;
  EXPECT_NE(text.find("https://x.com/soma__city"), std::string::npos) << text;
  EXPECT_NE(text.find("https://www.city.soma.fukushima.jp/sns/"), std::string::npos) << text;
  EXPECT_NE(text.find("公式アカウント：@soma_city https://x.com/soma_city"), std::string::npos)
      << text;
  EXPECT_NE(text.find("・表示名（自治体名）"), std::string::npos) << text;
  EXPECT_NE(text.find("・プロフィール画像（公式アカウントのアイコン）"), std::string::npos) << text;
  EXPECT_EQ(text.find("・自己紹介文"), std::string::npos) << text;
  EXPECT_NE(text.find("成りすましアカウントのプロフィール https://x.com/soma__city"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("令和"), std::string::npos) << text;
  const auto* post = find(docs, "account_notice_post");
  ASSERT_NE(post, nullptr);
  EXPECT_TRUE(post->at("length").as_object().at("fits").as_bool());
  EXPECT_EQ(post->at("length").as_object().at("max").as_int64(), 280);
}

TEST_F(DocumentApiTest, ReloadedConfigurationAndPlaybooksApplyToTheNextRequest) {
  const long long id = impersonation();
  const std::string path = "/api/v1/incidents/" + std::to_string(id) + "/documents";
  auto cfg = std::make_shared<config::Config>(*config_);
  cfg->municipality.department = "";
  cfg->accounts.clear();
  cfg->municipality.date_style = "western";
  {
    pqxx::work tx(*rig_.direct);
    tx.exec("UPDATE official_accounts SET department = ''");
    tx.commit();
  }
  config_ = cfg;  // as the daemon does on SIGHUP (this test's loop thread is idle meanwhile)
  auto r = get(path);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto docs = boost::json::parse(r.body).at("documents").as_array();
  ASSERT_FALSE(docs.empty());
  for (const auto& d : docs) {
    EXPECT_EQ(d.as_object().at("body").as_string(), "");
    EXPECT_NE(std::string(d.as_object().at("error").as_string()).find("[municipality]"),
              std::string::npos);
  }
  cfg = std::make_shared<config::Config>(*cfg);
  cfg->municipality.department = "広報課";
  config_ = cfg;
  r = get(path);
  const auto again = boost::json::parse(r.body).at("documents").as_array();
  const std::string text(find(again, "takedown_report")->at("body").as_string());
  EXPECT_NE(text.find("相馬市 広報課"), std::string::npos) << text;
  EXPECT_EQ(text.find("令和"), std::string::npos) << text;  // western dates now
}

TEST_F(DocumentApiTest, RejectsBadRequests) {
  const long long id = impersonation();
  EXPECT_EQ(get("/api/v1/incidents/" + std::to_string(id) + "/documents", "").status, 401);
  EXPECT_EQ(get("/api/v1/incidents/999999/documents").status, 404);
  EXPECT_EQ(get("/api/v1/incidents/abc/documents").status, 400);
  EXPECT_EQ(get("/api/v1/incidents/-1/documents").status, 400);
  const auto r = get("/api/v1/incidents/999999/documents");
  EXPECT_NE(boost::json::parse(r.body).at("error").as_string().find("999999"), std::string::npos);
}

TEST(ProfileUrl, BuildsOnlyFromPlainHandles) {
  EXPECT_EQ(incidents::profile_url(model::Platform::x, "@soma_city", ""),
            "https://x.com/soma_city");
  EXPECT_EQ(incidents::profile_url(model::Platform::bluesky, "soma-city.bsky.social", ""),
            "https://bsky.app/profile/soma-city.bsky.social");
  EXPECT_EQ(
      incidents::profile_url(model::Platform::mastodon, "soma_city", "https://mastodon.example/"),
      "https://mastodon.example/@soma_city");
  EXPECT_EQ(incidents::profile_url(model::Platform::mastodon, "soma@other.example",
                                   "https://mastodon.example"),
            "https://other.example/@soma");
  EXPECT_EQ(incidents::profile_url(model::Platform::x, "a b", ""), "");
  EXPECT_EQ(incidents::profile_url(model::Platform::x, "x/../../evil", ""), "");
  EXPECT_EQ(incidents::profile_url(model::Platform::x, "", ""), "");
}

}  // namespace
}  // namespace mamori::api
