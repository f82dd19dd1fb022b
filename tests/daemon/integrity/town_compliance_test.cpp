// The compliance audit per town (issue 20), over real HTTP on loopback and a real PostgreSQL:
// each [[municipalities]] entry's accounts are checked against that town's own official account
// list page, a town's staff start their own town's audit (not another's) and the prefecture's
// staff every town's, and the results say which town each account belongs to. The towns are
// 相馬市 (soma) and 新地町 (shinchi); their list pages are served by the test on the same loop.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <future>

#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/api/auth.h"
#include "daemon/integrity/integrity_api.h"
#include "daemon/integrity/integrity_monitor.h"
#include "playbooks/engine/loader.h"
#include "tests/support/fake_platform.h"
#include "tests/support/route_server.h"
#include "tests/support/test_support.h"

namespace mamori::integrity {
namespace {

using namespace std::chrono_literals;
namespace bh = boost::beast::http;

const std::string kSomaToken = "soma-responder-token-0123456789abcdefghij";
const std::string kPrefectureToken = "prefecture-token-0123456789abcdefghijklm";

class TownComplianceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<config::ApiToken> tokens(2);
    tokens[0].name = "相馬 広報";
    tokens[0].role = "responder";
    tokens[0].token.value = config::Secret(kSomaToken);
    tokens[0].municipalities = {"soma"};
    tokens[1].name = "県 情報政策課";
    tokens[1].role = "responder";
    tokens[1].token.value = config::Secret(kPrefectureToken);
    auth_ = std::make_unique<api::TokenAuthenticator>(tokens);
    // Each town's page lists its own account only: read for the other town, it would fail.
    page("/soma/sns.html", "<ul><li><a href=\"https://x.com/soma_city\">相馬市（X）</a></li></ul>",
         soma_hits_);
    page("/shinchi/sns.html",
         "<ul><li><a href=\"https://x.com/shinchi_town\">新地町（X）</a></li></ul>", shinchi_hits_);
    register_integrity_routes(rig_.router, *rig_.database, clock_, *auth_,
                              [this] { return monitor_.get(); });
    rig_.start();

    const std::string base = "http://127.0.0.1:" + std::to_string(rig_.port());
    config::Config cfg;
    config::Municipality soma;
    soma.id = "soma";
    soma.name = "相馬市";
    soma.homepage_url = "https://www.city.soma.fukushima.jp/";
    soma.official_account_list_url = base + "/soma/sns.html";
    config::Municipality shinchi;
    shinchi.id = "shinchi";
    shinchi.name = "新地町";
    shinchi.homepage_url = "https://www.shinchi-town.jp/";
    shinchi.official_account_list_url = base + "/shinchi/sns.html";
    cfg.municipalities = {soma, shinchi};
    cfg.municipality = soma;
    config::Account a;
    a.platform = model::Platform::x;
    a.municipality = "soma";
    a.handle = "soma_city";
    config::Account b = a;
    b.municipality = "shinchi";
    b.handle = "shinchi_town";
    cfg.accounts = {a, b};
    {
      pqxx::work tx(*rig_.direct);
      tx.exec(
          "INSERT INTO official_accounts (platform, handle, account_id, municipality) VALUES"
          " ('x', 'soma_city', '100', 'soma'), ('x', 'shinchi_town', '200', 'shinchi')");
      tx.commit();
    }
    auto loaded = playbooks::load_playbooks(testing::source_dir() / "playbooks");
    ASSERT_TRUE(loaded.ok()) << loaded.text();

    collectors::CurlClientOptions o;
    o.allowed_hosts.add_url_host(base);
    IntegrityOptions options;
    options.hash_avatars = false;
    options.first_audit_after = std::chrono::hours(1);  // only the audits the test asks for
    on_loop([&] {
      curl_ = std::make_unique<collectors::CurlMultiClient>(rig_.io, o);
      monitor_ = std::make_unique<IntegrityMonitor>(
          alerts::FindingServices{rig_.io, *rig_.database, clock_, alerts::AlertContext{}, nullptr,
                                  nullptr},
          cfg, loaded.set, IntegritySources{curl_.get(), {}}, options);
      monitor_->start();
    });
  }

  void TearDown() override {
    on_loop([&] {
      if (monitor_) monitor_->stop();
      if (curl_) curl_->shutdown();
    });
    rig_.stop();
    rig_.database->drain_and_stop(5s);  // the monitor's jobs end while it is alive
    monitor_.reset();
    curl_.reset();
  }

  // Runs `f` on the rig's loop (where the monitor lives) and waits for it.
  template <typename F>
  void on_loop(F f) {
    std::promise<void> done;
    boost::asio::post(rig_.io, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  void page(const std::string& path, const std::string& html, std::atomic<int>& hits) {
    rig_.router.add(
        bh::verb::get, path, path, [html, &hits](const http::Request& req, const http::Params&) {
          ++hits;
          return http::make_response(req, bh::status::ok, "<html><body>" + html + "</body></html>",
                                     "text/html; charset=utf-8");
        });
  }

  testing::HttpResult call(const std::string& method, const std::string& target,
                           const std::string& token, const std::string& body = "") {
    return rig_.request(method, target, {"Authorization: Bearer " + token}, body);
  }

  // "status|detail" of the account's homepage_lists_account item, "" before its audit.
  std::string listed(const std::string& handle) {
    return testing::sql(rig_.db.dsn(),
                        "SELECT status || '|' || detail FROM compliance_results WHERE handle = '" +
                            handle + "' AND item_id = 'homepage_lists_account'");
  }

  testing::RouteServer rig_;
  collectors::SystemClock clock_;
  std::unique_ptr<api::TokenAuthenticator> auth_;
  std::unique_ptr<collectors::CurlMultiClient> curl_;
  std::unique_ptr<IntegrityMonitor> monitor_;
  std::atomic<int> soma_hits_{0};
  std::atomic<int> shinchi_hits_{0};
};

TEST_F(TownComplianceTest, ATownsStaffAuditTheirOwnTownAgainstItsOwnListPage) {
  const auto other =
      call("POST", "/api/v1/compliance/run", kSomaToken, R"({"municipality":"shinchi"})");
  EXPECT_EQ(other.status, 403) << other.body;
  const auto own = call("POST", "/api/v1/compliance/run", kSomaToken, "{}");
  ASSERT_EQ(own.status, 202) << own.body;
  EXPECT_EQ(boost::json::serialize(boost::json::parse(own.body).at("municipalities")),
            R"(["soma"])");
  ASSERT_TRUE(testing::eventually([&] { return !listed("soma_city").empty(); }, 10s));
  EXPECT_EQ(listed("soma_city").rfind("pass|", 0), 0u) << listed("soma_city");
  EXPECT_NE(listed("soma_city").find("/soma/sns.html"), std::string::npos);
  // Naming its own town works the same.
  EXPECT_EQ(call("POST", "/api/v1/compliance/run", kSomaToken, R"({"municipality":"soma"})").status,
            202);
  ASSERT_TRUE(testing::eventually([&] { return soma_hits_ == 2; }, 10s));
  std::this_thread::sleep_for(300ms);  // a stray audit of the other town would show by now
  EXPECT_EQ(shinchi_hits_, 0);
  EXPECT_EQ(listed("shinchi_town"), "");

  const auto mine = call("GET", "/api/v1/compliance", kSomaToken);
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto accounts = boost::json::parse(mine.body).at("accounts").as_array();
  ASSERT_EQ(accounts.size(), 1u) << mine.body;
  EXPECT_EQ(accounts[0].at("municipality").as_string(), "soma");
  // The console's heading for the town: its own town only, by name.
  EXPECT_EQ(boost::json::serialize(boost::json::parse(mine.body).at("municipalities")),
            R"([{"id":"soma","name":"相馬市"}])");
}

TEST_F(TownComplianceTest, ThePrefecturesStaffAuditEveryTownEachAgainstItsOwnPage) {
  const auto all = call("POST", "/api/v1/compliance/run", kPrefectureToken, "");
  ASSERT_EQ(all.status, 202) << all.body;
  EXPECT_EQ(boost::json::serialize(boost::json::parse(all.body).at("municipalities")),
            R"(["soma","shinchi"])");
  ASSERT_TRUE(testing::eventually(
      [&] { return !listed("soma_city").empty() && !listed("shinchi_town").empty(); }, 10s));
  EXPECT_EQ(listed("soma_city").rfind("pass|", 0), 0u) << listed("soma_city");
  EXPECT_EQ(listed("shinchi_town").rfind("pass|", 0), 0u) << listed("shinchi_town");
  EXPECT_NE(listed("shinchi_town").find("/shinchi/sns.html"), std::string::npos);
  EXPECT_EQ(soma_hits_, 1);
  EXPECT_EQ(shinchi_hits_, 1);
  // One town alone, and a town not served.
  EXPECT_EQ(
      call("POST", "/api/v1/compliance/run", kPrefectureToken, R"({"municipality":"shinchi"})")
          .status,
      202);
  ASSERT_TRUE(testing::eventually([&] { return shinchi_hits_ == 2; }, 10s));
  EXPECT_EQ(soma_hits_, 1);
  EXPECT_EQ(call("POST", "/api/v1/compliance/run", kPrefectureToken, R"({"municipality":"iitate"})")
                .status,
            404);

  const auto every = call("GET", "/api/v1/compliance", kPrefectureToken);
  ASSERT_EQ(every.status, 200);
  std::map<std::string, std::string> town_of;
  const auto parsed = boost::json::parse(every.body);
  ASSERT_TRUE(parsed.is_object() && parsed.as_object().contains("accounts")) << every.body;
  for (const auto& a : parsed.at("accounts").as_array()) {
    const auto& o = a.as_object();
    ASSERT_TRUE(o.contains("handle") && o.contains("municipality")) << every.body;
    town_of[std::string(o.at("handle").as_string())] = o.at("municipality").as_string();
  }
  EXPECT_EQ(town_of["soma_city"], "soma") << every.body;
  EXPECT_EQ(town_of["shinchi_town"], "shinchi") << every.body;
  // Every town by name, in configuration order (the console's groups).
  EXPECT_EQ(boost::json::serialize(parsed.at("municipalities")),
            R"([{"id":"soma","name":"相馬市"},{"id":"shinchi","name":"新地町"}])");
}

}  // namespace
}  // namespace mamori::integrity
