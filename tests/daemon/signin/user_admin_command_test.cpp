// `mamorictl user role|enable|totp-reset` against a real PostgreSQL, and a demotion reaching a
// running mamorid: the demoted user's open browser loses its session.
#include <gtest/gtest.h>

#include <regex>

#include "daemon/signin/session_store.h"
#include "daemon/signin/totp.h"
#include "tests/support/fake_platform.h"
#include "tests/support/test_support.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

struct CtlRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

CtlRun user(const std::string& dsn, const std::string& args, const std::string& stdin_text = "") {
  const auto r = testing::run_command("printf '%s\\n' '" + stdin_text + "' | " +
                                      (testing::bin_dir() / "mamorictl").string() + " user " +
                                      args + " --dsn '" + dsn + "' 2>&1");
  return {r.exit_code, r.out};
}

// A signed-in browser of `name` whose cookie value is `id` (as the sign-in route stores it).
void add_session(const std::string& dsn, const std::string& name, const std::string& id) {
  sql(dsn,
      "INSERT INTO console_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at,"
      " idle_timeout_s, absolute_expires_at) SELECT '" +
          signin::SessionStore::hash_id(id) +
          "', id, 'c', now(), now(), 1800, now() + interval '12 hours'"
          " FROM console_users WHERE name = '" +
          name + "'");
}

std::string sessions_of(const std::string& dsn, const std::string& name) {
  return sql(dsn,
             "SELECT count(*) FROM console_sessions s JOIN console_users u ON u.id = s.user_id"
             " WHERE u.name = '" +
                 name + "'");
}

std::string column(const std::string& dsn, const std::string& name, const std::string& expr) {
  return sql(dsn, "SELECT " + expr + " FROM console_users WHERE name = '" + name + "'");
}

class UserAdminCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(user(db_.dsn(), "add hanako --role admin --totp", "Kawa#Sakura9").exit_code, 0);
    ASSERT_EQ(user(db_.dsn(), "add taro --role viewer", "Yama#Kawa2024").exit_code, 0);
    add_session(db_.dsn(), "hanako", "hanako-browser-1");
    add_session(db_.dsn(), "hanako", "hanako-browser-2");
    add_session(db_.dsn(), "taro", "taro-browser");
  }
  testing::ScratchDatabase db_;
};

TEST_F(UserAdminCommand, RoleChangesTheRoleAndEndsOnlyThatUsersSessions) {
  const CtlRun r = user(db_.dsn(), "role hanako --role viewer");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "role of hanako changed from admin to viewer; the user's sessions were ended\n");
  EXPECT_EQ(column(db_.dsn(), "hanako", "role"), "viewer");
  EXPECT_EQ(sessions_of(db_.dsn(), "hanako"), "0");
  EXPECT_EQ(sessions_of(db_.dsn(), "taro"), "1");
  EXPECT_EQ(column(db_.dsn(), "taro", "role"), "viewer");
  // Nothing else about the user changed.
  EXPECT_EQ(column(db_.dsn(), "hanako", "totp_secret IS NOT NULL AND NOT disabled"), "t");

  ASSERT_EQ(user(db_.dsn(), "role taro --role responder").exit_code, 0);
  EXPECT_EQ(column(db_.dsn(), "taro", "role"), "responder");
  EXPECT_EQ(sessions_of(db_.dsn(), "taro"), "0");
}

TEST_F(UserAdminCommand, BadRoleAndUnknownUserAreExitTwoWithOneLine) {
  CtlRun r = user(db_.dsn(), "role hanako --role chief");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--role: expected viewer, responder or admin"), std::string::npos) << r.out;
  r = user(db_.dsn(), "role hanako");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--role: expected viewer, responder or admin"), std::string::npos) << r.out;
  for (const std::string args : {"role nobody --role admin", "enable nobody", "totp-reset nobody",
                                 "totp-reset nobody --off"}) {
    r = user(db_.dsn(), args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(r.out, "mamorictl user " + args.substr(0, args.find(' ')) +
                         ": ユーザー nobody はありません\n")
        << args;
  }
  r = user(db_.dsn(), "enable hanako --off");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--off belongs to 'user totp-reset'"), std::string::npos) << r.out;
  r = user(db_.dsn(), "totp-reset hanako --role viewer");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--role belongs to"), std::string::npos) << r.out;
  r = user(db_.dsn(), "enable");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("NAME is missing"), std::string::npos) << r.out;
  // None of them changed anything.
  EXPECT_EQ(column(db_.dsn(), "hanako", "role"), "admin");
  EXPECT_EQ(sql(db_.dsn(), "SELECT count(*) FROM console_sessions"), "3");
  EXPECT_EQ(sql(db_.dsn(), "SELECT count(*) FROM console_users"), "2");
}

TEST_F(UserAdminCommand, EnableReversesDisableWithoutRevivingOldSessions) {
  ASSERT_EQ(user(db_.dsn(), "disable taro").exit_code, 0);
  ASSERT_EQ(column(db_.dsn(), "taro", "disabled"), "t");
  // A row that outlived the disabling (e.g. written by a sign-in racing it) stays dead.
  add_session(db_.dsn(), "taro", "taro-stale");
  CtlRun r = user(db_.dsn(), "enable taro");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "user taro enabled\n");
  EXPECT_EQ(column(db_.dsn(), "taro", "disabled"), "f");
  EXPECT_EQ(sessions_of(db_.dsn(), "taro"), "0");
  EXPECT_EQ(sessions_of(db_.dsn(), "hanako"), "2");
  // Enabling an active user signs nobody out.
  add_session(db_.dsn(), "taro", "taro-new-browser");
  r = user(db_.dsn(), "enable taro");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "user taro was already enabled\n");
  EXPECT_EQ(sessions_of(db_.dsn(), "taro"), "1");
  // The listing agrees.
  r = user(db_.dsn(), "list");
  const auto line = r.out.substr(r.out.find("taro"));
  EXPECT_NE(line.substr(0, line.find('\n')).find("active"), std::string::npos) << r.out;
}

TEST_F(UserAdminCommand, TotpResetIssuesANewSecretAndForgetsTheOldStep) {
  const std::string old_secret = column(db_.dsn(), "hanako", "totp_secret");
  ASSERT_EQ(old_secret.size(), 32u);
  sql(db_.dsn(), "UPDATE console_users SET totp_last_step = 99999999 WHERE name = 'hanako'");
  const CtlRun r = user(db_.dsn(), "totp-reset hanako");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string secret = column(db_.dsn(), "hanako", "totp_secret");
  ASSERT_EQ(secret.size(), 32u);
  EXPECT_NE(secret, old_secret);
  ASSERT_TRUE(signin::base32_decode(secret).has_value());
  // Printed exactly as `user add --totp` prints it, for the new phone's authenticator app.
  EXPECT_NE(r.out.find("\nTOTP secret (base32): " + secret + "\n"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("\notpauth URI: otpauth://totp/mamori:hanako?secret=" + secret + "&issuer=mamori"),
      std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find(old_secret), std::string::npos);
  EXPECT_EQ(column(db_.dsn(), "hanako", "totp_last_step IS NULL"), "t");
  EXPECT_EQ(sessions_of(db_.dsn(), "hanako"), "0");
  EXPECT_EQ(sessions_of(db_.dsn(), "taro"), "1");

  // A user without TOTP gets one the same way.
  ASSERT_EQ(user(db_.dsn(), "totp-reset taro").exit_code, 0);
  EXPECT_EQ(column(db_.dsn(), "taro", "length(totp_secret)"), "32");
}

TEST_F(UserAdminCommand, TotpResetOffRemovesTheSecondFactor) {
  sql(db_.dsn(), "UPDATE console_users SET totp_last_step = 42 WHERE name = 'hanako'");
  const CtlRun r = user(db_.dsn(), "totp-reset hanako --off");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "TOTP of hanako turned off; the user's sessions were ended\n");
  EXPECT_EQ(column(db_.dsn(), "hanako", "totp_secret IS NULL AND totp_last_step IS NULL"), "t");
  EXPECT_EQ(sessions_of(db_.dsn(), "hanako"), "0");
  const CtlRun list = user(db_.dsn(), "list");
  const auto line = list.out.substr(list.out.find("hanako"));
  EXPECT_NE(line.substr(0, line.find('\n')).find(" no "), std::string::npos) << list.out;
}

// The point of ending sessions on a role change: a demoted admin's open browser must not keep
// admin rights in a running mamorid (whose session cache reloads from the table).
TEST(UserAdminCommandDaemon, ADemotedUsersOpenBrowserIsSignedOut) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  ASSERT_EQ(user(db.dsn(), "add hanako --role admin", "Kawa#Sakura9").exit_code, 0);
  add_session(db.dsn(), "hanako", "hanako-open-browser");
  testing::set_fake_credentials_env();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"x", "soma_city"}};
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  ASSERT_TRUE(testing::eventually(
      [&] { return testing::http_get("127.0.0.1", setup.http_port, "/readyz").status == 200; },
      30s))
      << mamorid.log();
  const auto whoami = [&] {
    return testing::http_request("GET", "127.0.0.1", setup.http_port, "/api/v1/session",
                                 {"Cookie: mamori_session=hanako-open-browser"});
  };
  testing::HttpResult before;
  ASSERT_TRUE(testing::eventually(
      [&] {
        before = whoami();
        return before.status == 200;
      },
      30s, 500ms))
      << mamorid.log();
  EXPECT_NE(before.body.find("\"admin\""), std::string::npos) << before.body;

  ASSERT_EQ(user(db.dsn(), "role hanako --role viewer").exit_code, 0);
  EXPECT_TRUE(testing::eventually([&] { return whoami().status == 401; }, 30s, 500ms))
      << mamorid.log();
  EXPECT_EQ(column(db.dsn(), "hanako", "role"), "viewer");
}

}  // namespace
}  // namespace mamori
