// Sign-in end to end: users made with `mamorictl user`, a real mamorid polling the fake
// platform, and the browser's view of HTTP (cookies, CSRF header, Retry-After).
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <functional>
#include <regex>
#include <thread>
#include <utility>

#include "daemon/signin/totp.h"
#include "model/text.h"
#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using testing::sql;

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  boost::json::value json() const { return boost::json::parse(body); }
};

Reply exchange(unsigned short port, bh::verb method, const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers = {},
               const std::string& body = "") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  stream.expires_after(15s);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  bh::request<bh::string_body> req{method, target, 11};
  req.set(bh::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.insert(k, v);
  if (!body.empty() && req.find(bh::field::content_type) == req.end())
    req.set(bh::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  bh::write(stream, req);
  beast::flat_buffer buffer;
  bh::response<bh::string_body> res;
  bh::read(stream, buffer, res);
  Reply r;
  r.status = res.result_int();
  r.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    name = model::ascii_lower(name);
    r.headers[name] = std::string(f.value());
  }
  beast::error_code ec;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return r;
}

std::string mamorictl_user(const std::string& dsn, const std::string& args,
                           const std::string& stdin_text, int& exit_code) {
  const std::string cmd = "printf '%s\\n' '" + stdin_text + "' | " +
                          (testing::bin_dir() / "mamorictl").string() + " user " + args +
                          " --dsn '" + dsn + "'";
  auto r = testing::run_command(cmd);
  exit_code = r.exit_code;
  return r.out;
}

struct Signed {
  std::string cookie;  // "mamori_session=..."
  std::string csrf;
};

class SigninIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    int rc = -1;
    mamorictl_user(db_.dsn(), "add hanako --role responder --display-name '広報 花子'",
                   "Kawa#Sakura9", rc);
    ASSERT_EQ(rc, 0);
    mamorictl_user(db_.dsn(), "add taro --role viewer", "Yama#Kawa2024", rc);
    ASSERT_EQ(rc, 0);
    const std::string out =
        mamorictl_user(db_.dsn(), "add jiro --role admin --totp", "Umi!Sora2024x", rc);
    ASSERT_EQ(rc, 0) << out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex("TOTP secret \\(base32\\): ([A-Z2-7]+)")))
        << out;
    totp_secret_ = *signin::base32_decode(m[1].str());
    ASSERT_NE(out.find("otpauth://totp/mamori:jiro?secret=" + m[1].str()), std::string::npos)
        << out;

    testing::set_fake_credentials_env();
    ::setenv("MAMORI_T_TOTP_KEY", "totp-key-for-the-signin-test-0123456789", 1);
    setup_.extra = "[console]\ntotp_key = \"env:MAMORI_T_TOTP_KEY\"\n";
    setup_.dsn = db_.dsn();
    setup_.http_port = testing::free_tcp_port();
    setup_.fake_base_url = fake_.base_url();
    setup_.accounts = {{"x", "soma_city"}};
    testing::write_file(dir_.path() / "mamori.toml", testing::mamorid_config(setup_));
    start();
  }

  void start() {
    mamorid_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir_.path() / "mamori.toml").string()},
        dir_.path() / "mamorid.log");
    ASSERT_TRUE(testing::eventually(
        [&] { return testing::http_get("127.0.0.1", setup_.http_port, "/readyz").status == 200; },
        30s))
        << mamorid_->log();
  }

  void stop() {
    mamorid_->signal(SIGTERM);
    EXPECT_EQ(mamorid_->wait_for_exit(20s), std::optional<int>(0)) << mamorid_->log();
  }

  void TearDown() override {
    if (mamorid_) {
      // Nothing secret ever reaches the log.
      const std::string log = mamorid_->log();
      for (const std::string& secret : secrets_)
        EXPECT_EQ(log.find(secret), std::string::npos) << secret;
      stop();
    }
  }

  Reply login(const std::string& name, const std::string& password, const std::string& totp = "") {
    boost::json::object body{{"name", name}, {"password", password}};
    if (!totp.empty()) body["totp"] = totp;
    return exchange(setup_.http_port, bh::verb::post, "/api/v1/session", {},
                    boost::json::serialize(body));
  }

  Signed sign_in(const std::string& name, const std::string& password,
                 const std::string& totp = "") {
    const Reply r = login(name, password, totp);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    const std::string set_cookie = r.headers.at("set-cookie");
    Signed s;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = std::string(r.json().at("csrf_token").as_string());
    secrets_.push_back(s.cookie.substr(s.cookie.find('=') + 1));
    secrets_.push_back(s.csrf);
    secrets_.push_back(password);
    return s;
  }

  // The first official account as /api/v1/accounts shows it once `until` holds (40 s at most);
  // the last answer seen otherwise.
  std::pair<bool, boost::json::object> first_account_when(
      const Signed& who, const std::function<bool(const boost::json::object&)>& until) {
    boost::json::object account;
    const bool held = testing::eventually(
        [&] {
          const Reply r = exchange(setup_.http_port, bh::verb::get, "/api/v1/accounts",
                                   {{"Cookie", who.cookie}});
          if (r.status != 200) return false;
          const boost::json::value body = r.json();
          const auto& list = body.at("accounts").as_array();
          if (list.empty()) return false;
          account = list[0].as_object();
          return until(account);
        },
        40s, 500ms);
    return {held, account};
  }

  std::string current_totp(int step_offset = 0) const {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return signin::totp_code(totp_secret_, signin::totp_step(now) + step_offset);
  }

  testing::ScratchDatabase db_;
  testing::TempDir dir_;
  testing::FakePlatform fake_{testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                              dir_};
  testing::MamoridSetup setup_;
  std::unique_ptr<testing::ChildProcess> mamorid_;
  std::vector<unsigned char> totp_secret_;
  std::vector<std::string> secrets_;
};

TEST_F(SigninIntegration, SignInUseTheApiWithCsrfAndSignOut) {
  const Reply r = login("hanako", "Kawa#Sakura9");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string set_cookie = r.headers.at("set-cookie");
  EXPECT_EQ(set_cookie.rfind("mamori_session=", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // plain http here
  const auto body = r.json();
  EXPECT_EQ(body.at("user").at("name").as_string(), "hanako");
  EXPECT_EQ(body.at("user").at("display_name").as_string(), "広報 花子");
  EXPECT_EQ(body.at("user").at("role").as_string(), "responder");
  EXPECT_EQ(body.at("user").at("totp_enabled").as_bool(), false);
  EXPECT_EQ(body.at("idle_timeout_s").as_int64(), 1800);
  EXPECT_EQ(body.at("absolute_timeout_s").as_int64(), 43200);
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf(body.at("csrf_token").as_string());
  secrets_ = {cookie.substr(15), csrf, "Kawa#Sakura9"};

  const Reply me =
      exchange(setup_.http_port, bh::verb::get, "/api/v1/session", {{"Cookie", cookie}});
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("csrf_token").as_string(), csrf);
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::get, "/api/v1/session").status, 401);
  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::get, "/api/v1/incidents", {{"Cookie", cookie}}).status,
      200);

  const std::string rumour =
      R"({"claim":"市役所が閉鎖される","correction":"通常どおり開庁しています"})";
  const Reply no_csrf =
      exchange(setup_.http_port, bh::verb::post, "/api/v1/rumours", {{"Cookie", cookie}}, rumour);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_NE(no_csrf.body.find("CSRF"), std::string::npos);
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::post, "/api/v1/rumours",
                     {{"Cookie", cookie}, {"X-CSRF-Token", "not-the-token"}}, rumour)
                .status,
            403);
  const Reply ok = exchange(setup_.http_port, bh::verb::post, "/api/v1/rumours",
                            {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, rumour);
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(sql(db_.dsn(), "SELECT created_by FROM rumours"), "hanako");  // the actor is the user

  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::delete_, "/api/v1/session", {{"Cookie", cookie}}).status,
      403);
  const Reply out = exchange(setup_.http_port, bh::verb::delete_, "/api/v1/session",
                             {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.headers.at("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::get, "/api/v1/session", {{"Cookie", cookie}}).status,
      401);
  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::get, "/api/v1/incidents", {{"Cookie", cookie}}).status,
      401);
}

TEST_F(SigninIntegration, WrongPasswordUnknownUserAndThrottling) {
  const Reply wrong = login("hanako", "Kawa#Sakura8");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json().at("error").as_string(), "ユーザー名またはパスワードが正しくありません");
  const Reply unknown = login("nobody", "Kawa#Sakura9");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body, wrong.body);  // the same answer: names cannot be probed
  EXPECT_EQ(login("Robert'); DROP TABLE console_users;--", "x").status, 401);
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::post, "/api/v1/session", {}, "not json").status,
            400);
  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::post, "/api/v1/session", {}, R"({"name":"hanako"})")
          .status,
      400);

  // Five failures are free; the sixth makes the next attempt wait.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(login("taro", "Wrong#Pass123").status, 401) << i;
  const Reply throttled = login("taro", "Yama#Kawa2024");  // right, but too late
  ASSERT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_GE(std::stoi(throttled.headers.at("retry-after")), 1);
  EXPECT_NE(throttled.json().at("error").as_string().find("秒後に再度お試しください"),
            std::string::npos);
  // Other users are not locked out by it.
  EXPECT_EQ(login("hanako", "Kawa#Sakura9").status, 200);
}

// Anyone could lock a staff member out by guessing at the name. The block is per name AND
// client address (as the local reverse proxy reports it in X-Forwarded-For, read from the right;
// IPv6 per /64), and `mamorictl user unblock` lifts it.
TEST_F(SigninIntegration, GuessingANameBlocksOnlyTheGuessersAddressUntilUnblocked) {
  const auto attempt = [&](const std::vector<std::string>& forwarded, const std::string& password) {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& line : forwarded) headers.emplace_back("X-Forwarded-For", line);
    return exchange(setup_.http_port, bh::verb::post, "/api/v1/session", headers,
                    boost::json::serialize(
                        boost::json::object{{"name", "taro"}, {"password", password}}))
        .status;
  };
  for (int i = 0; i < 6; ++i) EXPECT_EQ(attempt({"203.0.113.5"}, "Wrong#Pass123"), 401) << i;
  EXPECT_EQ(attempt({"203.0.113.5"}, "Yama#Kawa2024"), 429);
  // Two more failures after waiting: the block doubles to 4 s, then 8 s.
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(attempt({"203.0.113.5"}, "Wrong#Pass123"), 401);
  std::this_thread::sleep_for(4100ms);
  EXPECT_EQ(attempt({"203.0.113.5"}, "Wrong#Pass123"), 401);
  const auto blocked_for_8s = std::chrono::steady_clock::now();
  // The guesser's own first line naming a clean address changes nothing: the proxy's entry counts.
  EXPECT_EQ(attempt({"198.51.100.7", "203.0.113.5"}, "Yama#Kawa2024"), 429);
  // The owner, from an address without failures, signs in with the right password.
  EXPECT_EQ(attempt({"198.51.100.7"}, "Yama#Kawa2024"), 200);

  // IPv6: a host can take any address of its /64, so the block covers the /64.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(attempt({"2001:db8:1:2::5"}, "Wrong#Pass123"), 401) << i;
  EXPECT_EQ(attempt({"2001:db8:1:2::99"}, "Yama#Kawa2024"), 429);
  EXPECT_EQ(attempt({"2001:db8:1:3::1"}, "Yama#Kawa2024"), 200);

  int rc = -1;
  const std::string out = mamorictl_user(db_.dsn(), "unblock taro --address 203.0.113.5", "", rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(testing::eventually([&] { return attempt({"203.0.113.5"}, "Yama#Kawa2024") == 200; },
                                  15s, 500ms))
      << mamorid_->log();
  EXPECT_LT(std::chrono::steady_clock::now() - blocked_for_8s, 7s) << "the block ran out instead";
  EXPECT_NE(mamorid_->log().find("signin.unblocked"), std::string::npos) << mamorid_->log();
}

// Login CSRF: another site's form can post text/plain or form data, and names its origin.
TEST_F(SigninIntegration, CrossSiteSignInsAreRefused) {
  const std::string body = R"({"name":"hanako","password":"Kawa#Sakura9"})";
  const auto post = [&](std::vector<std::pair<std::string, std::string>> headers) {
    return exchange(setup_.http_port, bh::verb::post, "/api/v1/session", headers, body);
  };
  EXPECT_EQ(post({{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(post({{"Content-Type", "application/x-www-form-urlencoded"}}).status, 415);
  const Reply cross = post({{"Origin", "https://evil.example"}});
  EXPECT_EQ(cross.status, 403) << cross.body;
  EXPECT_EQ(cross.headers.count("set-cookie"), 0u);
  EXPECT_EQ(post({{"Origin", "null"}}).status, 403);
  // The console's own origin, and clients that are not browsers (no Origin), sign in.
  const Reply same = post({{"Origin", "http://127.0.0.1:" + std::to_string(setup_.http_port)},
                           {"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(post({}).status, 200);
}

TEST_F(SigninIntegration, TotpIsRequiredCheckedAndNotReusable) {
  // The secret (stored by `mamorictl user add --totp` before any key) was encrypted by mamorid
  // at start-up with [console] totp_key: the table alone signs nobody in.
  std::string stored;
  EXPECT_TRUE(testing::eventually(
      [&] {
        stored = sql(db_.dsn(), "SELECT totp_secret FROM console_users WHERE name = 'jiro'");
        return stored.rfind("enc1:", 0) == 0;
      },
      10s))
      << stored;
  EXPECT_EQ(stored.find(signin::base32_encode(totp_secret_)), std::string::npos);
  EXPECT_NE(mamorid_->log().find("signin.totp_secrets_encrypted"), std::string::npos);
  const Reply missing = login("jiro", "Umi!Sora2024x");
  ASSERT_EQ(missing.status, 401) << missing.body;
  EXPECT_EQ(missing.json().at("totp_required").as_bool(), true);
  EXPECT_EQ(login("jiro", "Umi!Sora2024x", current_totp(5)).status, 401);  // 2.5 min ahead
  EXPECT_EQ(login("jiro", "Umi!Sora2024x", "12345a").status, 401);
  // A right code with a wrong password reveals nothing.
  const Reply wrong_pw = login("jiro", "Umi!Sora2024y", current_totp());
  EXPECT_EQ(wrong_pw.json().at("error").as_string(),
            "ユーザー名またはパスワードが正しくありません");
  const std::string code = current_totp(1);  // within the ±1 window, and not older than any used
  const Signed s = sign_in("jiro", "Umi!Sora2024x", code);
  ASSERT_FALSE(s.cookie.empty());
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::get, "/api/v1/session", {{"Cookie", s.cookie}})
                .json()
                .at("user")
                .at("totp_enabled")
                .as_bool(),
            true);
  const Reply replay = login("jiro", "Umi!Sora2024x", code);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(replay.json().at("error").as_string().find("確認コード"), std::string::npos);
}

TEST_F(SigninIntegration, ViewerCannotChangeAnything) {
  const Signed viewer = sign_in("taro", "Yama#Kawa2024");
  const std::string rumour = R"({"claim":"a","correction":"b"})";
  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::get, "/api/v1/rumours", {{"Cookie", viewer.cookie}})
          .status,
      200);
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::post, "/api/v1/rumours",
                     {{"Cookie", viewer.cookie}, {"X-CSRF-Token", viewer.csrf}}, rumour)
                .status,
            403);
  EXPECT_EQ(sql(db_.dsn(), "SELECT count(*) FROM rumours"), "0");
}

TEST_F(SigninIntegration, SessionsSurviveARestartAndEndWhenTheUserIsDisabled) {
  const Signed hanako = sign_in("hanako", "Kawa#Sakura9");
  const Signed taro = sign_in("taro", "Yama#Kawa2024");
  stop();
  start();
  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::get, "/api/v1/session", {{"Cookie", hanako.cookie}})
          .status,
      200)
      << mamorid_->log();
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::get, "/api/v1/session", {{"Cookie", taro.cookie}})
                .status,
            200);
  int rc = -1;
  mamorictl_user(db_.dsn(), "disable taro", "", rc);
  ASSERT_EQ(rc, 0);
  EXPECT_TRUE(testing::eventually(
      [&] {
        return exchange(setup_.http_port, bh::verb::get, "/api/v1/session",
                        {{"Cookie", taro.cookie}})
                   .status == 401;
      },
      30s, 500ms));
  EXPECT_EQ(login("taro", "Yama#Kawa2024").status, 401);
  EXPECT_EQ(
      exchange(setup_.http_port, bh::verb::get, "/api/v1/session", {{"Cookie", hanako.cookie}})
          .status,
      200);
}

TEST_F(SigninIntegration, AccountsShowPollingHealth) {
  const Signed viewer = sign_in("taro", "Yama#Kawa2024");
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::get, "/api/v1/accounts").status, 401);
  boost::json::value last;
  const bool healthy = testing::eventually(
      [&] {
        const Reply r = exchange(setup_.http_port, bh::verb::get, "/api/v1/accounts",
                                 {{"Cookie", viewer.cookie}});
        if (r.status != 200) return false;
        last = r.json();
        const auto& list = last.at("accounts").as_array();
        return list.size() == 1 && list[0].at("healthy").as_bool();
      },
      40s, 500ms);
  ASSERT_TRUE(healthy) << boost::json::serialize(last) << mamorid_->log();
  const auto& a = last.at("accounts").as_array()[0];
  EXPECT_EQ(a.at("platform").as_string(), "x");
  EXPECT_EQ(a.at("handle").as_string(), "soma_city");
  EXPECT_EQ(a.at("last_poll_ok").as_bool(), true);
  EXPECT_TRUE(a.at("last_poll_at").is_string());
  EXPECT_TRUE(a.at("last_error").is_null());
  EXPECT_TRUE(a.as_object().contains("quota_remaining"));
  EXPECT_TRUE(a.as_object().contains("quota_reset_at"));
  EXPECT_TRUE(a.as_object().contains("account_id"));
  EXPECT_TRUE(a.as_object().contains("display_name"));
  EXPECT_TRUE(a.at("last_error_at").is_null());

  // The token loses access to mentions: the page names the failing job and the platform's
  // answer, and the account is no longer healthy although its posts still come in.
  ASSERT_EQ(fake_.control("faults", R"({"platform":"x","endpoint":"users/:id/mentions",)"
                                    R"("kind":"status","status":403,"count":100000})"),
            200);
  const auto [reported, failing] = first_account_when(
      viewer, [](const boost::json::object& shown) { return shown.at("last_error").is_string(); });
  ASSERT_TRUE(reported) << boost::json::serialize(failing) << mamorid_->log();
  const std::string error(failing.at("last_error").as_string());
  EXPECT_NE(error.find("返信・メンションの取得に失敗しています"), std::string::npos) << error;
  EXPECT_NE(error.find("HTTP 403"), std::string::npos) << error;
  EXPECT_FALSE(failing.at("healthy").as_bool());
  EXPECT_TRUE(failing.at("last_error_at").is_string());
  EXPECT_TRUE(failing.at("last_poll_ok").as_bool());  // the posts job still succeeds
}

// The platform refuses the look-alike search (an X plan without users/search answers 403):
// impersonators are not being looked for, and the accounts page says so.
TEST_F(SigninIntegration, AccountsShowARefusedImpersonationSearch) {
  const Signed viewer = sign_in("taro", "Yama#Kawa2024");
  ASSERT_EQ(fake_.control("faults", R"({"platform":"x","endpoint":"users/search",)"
                                    R"("kind":"status","status":403,"count":100000})"),
            200);
  const auto [reported, account] = first_account_when(viewer, [](const boost::json::object& a) {
    return a.at("last_error").is_string() &&
           std::string(a.at("last_error").as_string()).find("検索") != std::string::npos;
  });
  ASSERT_TRUE(reported) << boost::json::serialize(account) << mamorid_->log();
  const std::string error(account.at("last_error").as_string());
  EXPECT_NE(error.find("成りすましアカウントの検索に失敗しています"), std::string::npos) << error;
  EXPECT_NE(error.find("HTTP 403"), std::string::npos) << error;
  EXPECT_FALSE(account.at("healthy").as_bool());
}

TEST_F(SigninIntegration, AUserScopedToOneTownSeesOnlyItsIncidents) {
  // 相馬市's incident and another town's, as a shared instance holds them.
  testing::sql(
      db_.dsn(),
      "INSERT INTO incidents (type, subject, dedup_key, title, severity, municipality)"
      " VALUES ('impersonation', 'x:1', 'impersonation:x:1', '相馬市の件', 'medium', 'soma'),"
      " ('impersonation', 'x:2', 'impersonation:x:2', '新地町の件', 'medium', 'shinchi')");
  const std::string other =
      testing::sql(db_.dsn(), "SELECT id FROM incidents WHERE municipality = 'shinchi'");
  const Signed before = sign_in("taro", "Yama#Kawa2024");
  int rc = -1;
  const std::string out = mamorictl_user(db_.dsn(), "scope taro --municipalities soma", "", rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(
      testing::sql(db_.dsn(), "SELECT municipalities::text FROM console_users WHERE name = 'taro'"),
      "{soma}");
  // The change ends the user's sessions (mamorid drops them at its next reload).
  ASSERT_TRUE(testing::eventually(
      [&] {
        return exchange(setup_.http_port, bh::verb::get, "/api/v1/session",
                        {{"Cookie", before.cookie}})
                   .status == 401;
      },
      40s, 500ms));
  const Signed taro = sign_in("taro", "Yama#Kawa2024");
  const Reply me =
      exchange(setup_.http_port, bh::verb::get, "/api/v1/session", {{"Cookie", taro.cookie}});
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(boost::json::serialize(me.json().at("user").at("municipalities")), R"(["soma"])");
  const Reply list =
      exchange(setup_.http_port, bh::verb::get, "/api/v1/incidents", {{"Cookie", taro.cookie}});
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("相馬市の件"), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find("新地町の件"), std::string::npos) << list.body;
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::get, "/api/v1/incidents/" + other,
                     {{"Cookie", taro.cookie}})
                .status,
            404);
  // Unscoped staff (a prefecture's) still see both.
  const Signed hanako = sign_in("hanako", "Kawa#Sakura9");
  EXPECT_EQ(exchange(setup_.http_port, bh::verb::get, "/api/v1/incidents/" + other,
                     {{"Cookie", hanako.cookie}})
                .status,
            200);
  ASSERT_EQ(mamorictl_user(db_.dsn(), "scope taro --municipalities all", "", rc),
            std::string("taro now works for all municipalities; the user's sessions were ended\n"));
  EXPECT_EQ(testing::sql(db_.dsn(),
                         "SELECT municipalities IS NULL FROM console_users WHERE name = 'taro'"),
            "t");
}

}  // namespace
}  // namespace mamori
