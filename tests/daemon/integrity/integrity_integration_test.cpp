// Own-account integrity end to end: PostgreSQL, the fake platform, a local fake homepage and a
// real mamorid. An announced profile change only moves the baseline; an unexpected one opens an
// account_compromise incident with its playbook; the compliance audit reports each item for a
// compliant and a non-compliant account; flagging an own post starts the erroneous_post playbook.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

// The city's homepage, serving one page over loopback (HTTP/1.1, Connection: close).
class FakeHomepage {
 public:
  explicit FakeHomepage(std::string html) : html_(std::move(html)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 8) != 0) {
      ADD_FAILURE() << "homepage server could not listen";
      return;
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeHomepage() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  unsigned short port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 2000) <= 0) break;
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      ++requests_;
      const bool known = request.rfind("GET /sns/list.html ", 0) == 0;
      const std::string body = known ? html_ : "not found";
      const std::string response =
          std::string(known ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n") +
          "Content-Type: text/html; charset=utf-8\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      std::size_t sent = 0;
      while (sent < response.size()) {
        const ssize_t n = ::write(c, response.data() + sent, response.size() - sent);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::close(c);
    }
  }

  std::string html_;
  int fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

const char* kToken = "integrity-test-token-0123456789abcdef";

testing::HttpResult api(const std::string& method, unsigned short port, const std::string& target,
                        const std::string& body = "") {
  return testing::http_request(
      method, "127.0.0.1", port, target,
      {"Authorization: Bearer " + std::string(kToken), "Content-Type: application/json"}, body);
}

const boost::json::object* find_account(const boost::json::value& compliance,
                                        std::string_view platform) {
  for (const auto& a : compliance.at("accounts").as_array()) {
    if (a.at("platform").as_string() == platform) return &a.as_object();
  }
  return nullptr;
}

std::string item_status(const boost::json::object& account, std::string_view id) {
  for (const auto& i : account.at("items").as_array()) {
    if (i.at("id").as_string() == id) return std::string(i.at("status").as_string());
  }
  return "(missing)";
}

TEST(Integrity, ProfileChangesComplianceAndErroneousPostAgainstARealDaemon) {
  FakeHomepage homepage(
      "<html><body><h1>相馬市公式SNS一覧</h1><ul>"
      "<li><a href=\"https://x.com/soma_city\">相馬市（X）</a></li></ul></body></html>");
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  testing::set_fake_credentials_env();
  setenv("MAMORI_T_API", kToken, 1);
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.polling = "profiles = \"2s\"\nposts = \"2s\"\nreplies = \"5s\"\nsearch = \"60s\"\n";
  // X: two administrators and 2FA recorded (compliant there); Mastodon: neither.
  setup.extra =
      "[[accounts]]\nplatform = \"x\"\nhandle = \"soma_city\"\ndepartment = \"秘書広報課\"\n"
      "administrators = [\"佐藤\", \"鈴木\"]\ntwo_factor = true\n"
      "[[accounts]]\nplatform = \"mastodon\"\nhandle = \"soma_city\"\n"
      "[[api_tokens]]\nname = \"tester\"\nrole = \"responder\"\ntoken = \"env:MAMORI_T_API\"\n";
  std::string config = testing::mamorid_config(setup);
  const std::string list_url =
      "http://127.0.0.1:" + std::to_string(homepage.port()) + "/sns/list.html";
  config.insert(config.find("[municipality]\n") + 15,
                "official_account_list_url = \"" + list_url + "\"\n");
  testing::write_file(dir.path() / "mamori.toml", config);
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  const unsigned short port = setup.http_port;

  // The first observation of each official account becomes its approved baseline.
  ASSERT_TRUE(testing::eventually(
      [&] {
        return mamorid.wait_for_exit(0ms) ||
               sql(db.dsn(), "SELECT count(*) FROM integrity_baselines") == "2";
      },
      40s, 200ms))
      << mamorid.log();
  ASSERT_EQ(sql(db.dsn(), "SELECT count(*) FROM integrity_baselines"), "2") << mamorid.log();
  EXPECT_EQ(sql(db.dsn(), "SELECT display_name FROM integrity_baselines WHERE platform = 'x'"),
            "相馬市");

  // 1. A change announced in advance (soma-city.txt 4(2)) only moves the baseline.
  const std::string new_description = "福島県相馬市の公式アカウントです。運用：秘書広報課";
  auto r = api("POST", port, "/api/v1/integrity/registrations",
               R"({"platform":"x","handle":"soma_city","field":"description","value":")" +
                   new_description + R"(","note":"広報誌で1か月前に告知済み"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(api("POST", port, "/api/v1/integrity/registrations",
                R"({"platform":"x","handle":"nobody","field":"description"})")
                .status,
            404);
  EXPECT_EQ(api("POST", port, "/api/v1/integrity/registrations",
                R"({"platform":"x","handle":"soma_city","field":"password"})")
                .status,
            400);
  ASSERT_EQ(
      fake.control("update_account", R"({"platform":"x","handle":"soma_city","description":")" +
                                         new_description + "\"}"),
      200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(), "SELECT description FROM integrity_baselines WHERE platform = 'x'") ==
               new_description;
      },
      30s))
      << mamorid.log() << sql(db.dsn(), "SELECT * FROM integrity_observed_changes");
  EXPECT_EQ(
      sql(db.dsn(), "SELECT status FROM integrity_observed_changes WHERE field = 'description'"),
      "registered");
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM integrity_registered_changes WHERE applied_at IS NOT NULL"),
            "1");
  std::this_thread::sleep_for(3s);  // a few more polls: still nothing to report
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM incidents WHERE type = 'account_compromise'"), "0");

  // 2. The compliance audit: X compliant except its (later) shortened link; Mastodon not.
  auto added = fake.control(
      "posts",
      R"({"platform":"x","author":"soma_city","text":"イベントの詳細は https://bit.ly/3somaev をご覧ください"})");
  ASSERT_EQ(added, 200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(), "SELECT count(*) FROM observed_posts WHERE text LIKE '%bit.ly%'") ==
               "1";
      },
      30s))
      << sql(db.dsn(), "SELECT platform, post_id, author_id, text FROM observed_posts")
      << mamorid.log().substr(0, 6000);
  const int homepage_requests = homepage.requests();
  ASSERT_EQ(api("POST", port, "/api/v1/compliance/run").status, 202);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(),
                   "SELECT status FROM compliance_results WHERE platform = 'x' AND item_id = "
                   "'no_url_shorteners'") == "fail";
      },
      30s))
      << mamorid.log();
  EXPECT_GT(homepage.requests(), homepage_requests)
      << "the list page is fetched through the allow-listed client";
  r = api("GET", port, "/api/v1/compliance");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto compliance = boost::json::parse(r.body);
  const auto* x = find_account(compliance, "x");
  const auto* m = find_account(compliance, "mastodon");
  ASSERT_NE(x, nullptr) << r.body;
  ASSERT_NE(m, nullptr) << r.body;
  EXPECT_EQ(x->at("items").as_array().size(), 7u);
  EXPECT_FALSE(x->at("checked_at").is_null());
  EXPECT_EQ(item_status(*x, "profile_homepage_url"), "pass") << r.body;
  EXPECT_EQ(item_status(*x, "profile_department"), "pass") << r.body;
  EXPECT_EQ(item_status(*x, "no_url_shorteners"), "fail") << r.body;
  EXPECT_EQ(item_status(*x, "homepage_lists_account"), "pass") << r.body;
  EXPECT_EQ(item_status(*x, "account_links_back"), "pass") << r.body;
  EXPECT_EQ(item_status(*x, "two_administrators"), "pass") << r.body;
  EXPECT_EQ(item_status(*x, "two_factor"), "pass") << r.body;
  EXPECT_EQ(item_status(*m, "homepage_lists_account"), "fail") << r.body;
  EXPECT_EQ(item_status(*m, "two_administrators"), "fail") << r.body;
  EXPECT_EQ(item_status(*m, "two_factor"), "fail") << r.body;
  for (const auto& i : x->at("items").as_array())
    EXPECT_NE(i.at("clause").as_string().find(".txt"), std::string::npos);
  const auto metrics = testing::http_get("127.0.0.1", port, "/metrics");
  EXPECT_NE(
      metrics.body.find("mamori_compliance_items_failing{account=\"soma_city\",platform=\"x\"} 1"),
      std::string::npos)
      << metrics.body.substr(0, 2000);
  EXPECT_EQ(testing::http_request("POST", "127.0.0.1", port, "/api/v1/compliance/run").status, 401);

  // 3. An unexpected change of name and link opens an account_compromise incident.
  ASSERT_EQ(
      fake.control(
          "update_account",
          R"({"platform":"x","handle":"soma_city","display_name":"相馬市【公式】プレゼント企画","url":"https://bit.ly/free-gift"})"),
      200);
  const std::string incident_sql =
      "SELECT id FROM incidents WHERE type = 'account_compromise' AND subject = "
      "'x:official:soma_city'";
  ASSERT_TRUE(testing::eventually([&] { return !sql(db.dsn(), incident_sql).empty(); }, 30s))
      << mamorid.log();
  const std::string id = sql(db.dsn(), incident_sql);
  EXPECT_EQ(sql(db.dsn(), "SELECT severity FROM incidents WHERE id = " + id), "critical");
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_steps WHERE incident_id = " + id +
                              " AND clauses::text LIKE '%ube-city.txt 6%'"),
            "0");
  EXPECT_NE(
      sql(db.dsn(),
          "SELECT array_to_string(reasons, ' / ') FROM incident_findings WHERE incident_id = " + id)
          .find("表示名"),
      std::string::npos);
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM integrity_observed_changes WHERE status = 'open' AND "
                "incident_id = " +
                    id),
            "2");
  std::this_thread::sleep_for(3s);  // later polls see the same change: recorded once
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM integrity_observed_changes WHERE status = 'open'"),
            "2");
  EXPECT_EQ(sql(db.dsn(), "SELECT finding_count FROM incidents WHERE id = " + id), "1");

  r = api("GET", port, "/api/v1/integrity/changes?status=open");
  ASSERT_EQ(r.status, 200);
  const auto changes = boost::json::parse(r.body).at("changes").as_array();
  ASSERT_EQ(changes.size(), 2u) << r.body;
  const long long change_id = changes[0].at("id").as_int64();
  // Staff accept one as the new baseline (e.g. after confirming it was a colleague).
  r = api("POST", port, "/api/v1/integrity/changes/" + std::to_string(change_id) + "/accept", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      api("POST", port, "/api/v1/integrity/changes/" + std::to_string(change_id) + "/accept", "{}")
          .status,
      409);
  EXPECT_EQ(api("POST", port, "/api/v1/integrity/changes/999999/accept", "{}").status, 404);
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM integrity_observed_changes WHERE status = 'open'"),
            "1");
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                              " AND actor = 'tester'"),
            "0");

  // 4. Staff flag an own post as erroneous: the erroneous_post playbook starts.
  const std::string post_id =
      sql(db.dsn(),
          "SELECT post_id FROM observed_posts WHERE platform = 'x' AND text LIKE '%防災訓練%'");
  ASSERT_FALSE(post_id.empty());
  r = api("POST", port, "/api/v1/posts/erroneous",
          R"({"platform":"x","post_id":")" + post_id + R"(","note":"時刻の誤り"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const long long erroneous_id = boost::json::parse(r.body).at("incident_id").as_int64();
  EXPECT_EQ(sql(db.dsn(), "SELECT type FROM incidents WHERE id = " + std::to_string(erroneous_id)),
            "erroneous_post");
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_steps WHERE incident_id = " +
                              std::to_string(erroneous_id) + " AND step_id = 'check_spread'"),
            "0");
  EXPECT_EQ(sql(db.dsn(), "SELECT tracking FROM erroneous_posts WHERE post_id = '" + post_id + "'"),
            "t");
  EXPECT_NE(sql(db.dsn(), "SELECT count(*) FROM incident_timeline WHERE incident_id = " +
                              std::to_string(erroneous_id) + " AND message LIKE '拡散状況%'"),
            "0");
  EXPECT_EQ(api("POST", port, "/api/v1/posts/erroneous",
                R"({"platform":"x","post_id":")" + post_id + "\"}")
                .status,
            200)
      << "flagging again updates the same incident";
  EXPECT_EQ(
      api("POST", port, "/api/v1/posts/erroneous", R"({"platform":"x","post_id":"123"})").status,
      404);
  EXPECT_EQ(api("POST", port, "/api/v1/posts/erroneous", R"({"platform":"myspace","post_id":"1"})")
                .status,
            400);

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
