// Through a real mamorid on the fake platform: the impersonation incident's drafted documents
// over the API carry the configured city; the city's own warning post and the notice appearing
// on a (local, fake) homepage complete their steps by themselves.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "daemon/http/server.h"
#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const std::string kToken = "documents-test-token-0123456789abcdefghijkl";

// The city's web site, where staff publish the notice partway through the test.
class FakeHomepage {
 public:
  FakeHomepage() {
    router_.add(boost::beast::http::verb::get, "/notice", "/notice",
                [this](const http::Request& req, const http::Params&) {
                  const std::string page =
                      published_ ? "<h1>本市の公式アカウントの成りすましにご注意ください</h1>"
                                 : "<h1>新着情報</h1><p>市民まつりのお知らせ</p>";
                  return http::make_response(req, boost::beast::http::status::ok,
                                             "<html><body>" + page + "</body></html>",
                                             "text/html; charset=utf-8");
                });
    server_ = std::make_unique<http::HttpServer>(io_, router_, http::ServerLimits{}, nullptr);
    server_->listen("127.0.0.1", 0);
    guard_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeHomepage() {
    boost::asio::post(io_, [this] {
      server_->stop_accepting();
      server_->close_all();
    });
    guard_.reset();
    thread_.join();
  }
  std::string url() const { return origin() + "/notice"; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void publish() { published_ = true; }

 private:
  boost::asio::io_context io_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread thread_;
  std::atomic<bool> published_{false};
};

TEST(IncidentDocuments, ThroughMamoridWithAutomaticChecksOnPostsAndHomepage) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  FakeHomepage homepage;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  testing::set_fake_credentials_env();
  ::setenv("MAMORI_T_DOCS_API", kToken.c_str(), 1);
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"x", "soma_city"}};
  setup.extra =
      "[playbooks]\ncheck_interval = \"1s\"\nhomepage_check_interval = \"1s\"\n"
      "[[api_tokens]]\nname = \"docs\"\nrole = \"viewer\"\ntoken = \"env:MAMORI_T_DOCS_API\"\n";
  std::string config = testing::mamorid_config(setup);
  const std::string default_notice =
      "notice_url = \"" + setup.fake_base_url + "/city/oshirase/\"\n";
  ASSERT_NE(config.find(default_notice), std::string::npos) << config;
  config.erase(config.find(default_notice), default_notice.size());
  const std::string anchor = "neighbours = [\"南相馬市\"]\n";
  const auto at = config.find(anchor);
  ASSERT_NE(at, std::string::npos) << config;
  config.insert(
      at + anchor.size(),
      "department = \"秘書課広報広聴係\"\ncontact_email = \"koho@city.soma.example.lg.jp\"\n"
      "official_account_list_url = \"" +
          homepage.origin() +
          "/sns/\"\n"
          "notice_url = \"" +
          homepage.url() + "\"\n");
  testing::write_file(dir.path() / "mamori.toml", config);
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");

  const auto incident_sql =
      "SELECT id FROM incidents WHERE type = 'impersonation' AND title LIKE '%soma\\_\\_city%'";
  ASSERT_TRUE(testing::eventually([&] { return !sql(db.dsn(), incident_sql).empty(); }, 40s))
      << mamorid.log();
  const std::string id = sql(db.dsn(), incident_sql);

  // The drafted documents, rendered by mamorid with the configured city.
  const auto r = testing::http_request("GET", "127.0.0.1", setup.http_port,
                                       "/api/v1/incidents/" + id + "/documents",
                                       {"Authorization: Bearer " + kToken});
  ASSERT_EQ(r.status, 200) << r.body << mamorid.log();
  const auto docs = boost::json::parse(r.body).at("documents").as_array();
  ASSERT_GE(docs.size(), 4u) << r.body;
  bool saw_takedown = false;
  for (const auto& d : docs) {
    const auto& o = d.as_object();
    EXPECT_FALSE(o.contains("error")) << boost::json::serialize(o);
    if (o.at("id").as_string() != "takedown_report") continue;
    saw_takedown = true;
    const std::string text(o.at("body").as_string());
    EXPECT_NE(text.find("相馬市 秘書課広報広聴係"), std::string::npos) << text;
    EXPECT_NE(text.find("@soma__city"), std::string::npos) << text;
    EXPECT_NE(text.find(homepage.origin() + "/sns/"), std::string::npos) << text;
  }
  EXPECT_TRUE(saw_takedown) << r.body;

  const auto step_done = [&](const std::string& kind) {
    return sql(db.dsn(), "SELECT count(*) FROM incident_steps WHERE incident_id = " + id +
                             " AND auto_check->>'kind' = '" + kind +
                             "' AND status = 'done' AND completed_by = 'system:check'") != "0";
  };
  // Staff post the warning on the official account: the step completes from the poller's data.
  std::this_thread::sleep_for(2s);
  EXPECT_FALSE(step_done("official_post_since_open"));
  ASSERT_EQ(
      fake.control(
          "posts",
          R"({"platform":"x","author":"soma_city","text":"【ご注意ください】相馬市の公式アカウントを装った成りすましアカウントが確認されています。"})"),
      200);
  EXPECT_TRUE(testing::eventually([&] { return step_done("official_post_since_open"); }, 30s))
      << mamorid.log() << sql(db.dsn(), "SELECT post_id, author_id, text FROM observed_posts");

  // The notice is not on the homepage yet; once published, the step completes.
  EXPECT_FALSE(step_done("homepage_contains"));
  homepage.publish();
  EXPECT_TRUE(testing::eventually([&] { return step_done("homepage_contains"); }, 30s))
      << mamorid.log();
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                              " AND actor = 'system:check' AND message LIKE '%/notice "
                              "に「成りすまし」の掲載を確認しました%'"),
            "0");

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
