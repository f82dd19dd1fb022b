// `mamorictl user add|passwd|disable|list` against a real PostgreSQL.
#include <gtest/gtest.h>

#include "daemon/signin/password.h"
#include "tests/support/fake_platform.h"
#include "tests/support/test_support.h"

namespace mamori {
namespace {

using testing::sql;

struct CtlRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

CtlRun user(const std::string& dsn, const std::string& args, const std::string& stdin_text) {
  const auto r = testing::run_command("printf '%s\\n' '" + stdin_text + "' | " +
                                      (testing::bin_dir() / "mamorictl").string() + " user " +
                                      args + " --dsn '" + dsn + "' 2>&1");
  return {r.exit_code, r.out};
}

TEST(UserCommand, AddStoresAnArgon2idHashNeverThePassword) {
  testing::ScratchDatabase db;
  const CtlRun r =
      user(db.dsn(), "add hanako --role responder --display-name '広報 花子'", "Kawa#Sakura9");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("user hanako added (role responder)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Kawa#Sakura9"), std::string::npos);
  EXPECT_EQ(
      sql(db.dsn(),
          "SELECT role || '|' || display_name || '|' || (totp_secret IS NULL) FROM console_users"),
      "responder|広報 花子|true");
  const std::string hash =
      sql(db.dsn(), "SELECT password_hash FROM console_users WHERE name = 'hanako'");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(signin::verify_password("Kawa#Sakura9", hash));
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM console_users WHERE password_hash LIKE '%Sakura%'"),
            "0");
}

TEST(UserCommand, BadInputIsExitTwoWithAOneLineReason) {
  testing::ScratchDatabase db;
  ASSERT_EQ(user(db.dsn(), "list", "").exit_code, 0);  // creates the tables
  CtlRun r = user(db.dsn(), "add hanako --role responder", "short1A!");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("standard input: パスワードは 10 文字以上"), std::string::npos) << r.out;
  r = user(db.dsn(), "add hanako --role responder", "kawasakura99!");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("英大文字"), std::string::npos) << r.out;
  r = user(db.dsn(), "add hanako --role chief", "Kawa#Sakura9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--role: expected viewer, responder or admin"), std::string::npos) << r.out;
  r = user(db.dsn(), "add Hanako --role viewer", "Kawa#Sakura9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("NAME 'Hanako'"), std::string::npos) << r.out;
  r = user(db.dsn(), "add hanako --role viewer --password Kawa#Sakura9", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("never from the command line"), std::string::npos) << r.out;
  r = user(db.dsn(), "rename hanako", "");
  EXPECT_EQ(r.exit_code, 2);
  r = user(db.dsn(), "passwd hanako --totp", "");
  EXPECT_EQ(r.exit_code, 2);
  // Nothing was created by any of them.
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM console_users"), "0");
}

TEST(UserCommand, DuplicatesAndUnknownUsersFail) {
  testing::ScratchDatabase db;
  ASSERT_EQ(user(db.dsn(), "add hanako --role viewer", "Kawa#Sakura9").exit_code, 0);
  CtlRun r = user(db.dsn(), "add hanako --role admin", "Kawa#Sakura9");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("ユーザー hanako はすでに存在します"), std::string::npos) << r.out;
  EXPECT_EQ(sql(db.dsn(), "SELECT role FROM console_users"), "viewer");
  // An unknown name is bad input: exit 2, like every subcommand's usage errors.
  r = user(db.dsn(), "passwd nobody", "Kawa#Sakura9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("ユーザー nobody はありません"), std::string::npos) << r.out;
  EXPECT_EQ(user(db.dsn(), "disable nobody", "").exit_code, 2);
}

TEST(UserCommand, PasswdAndDisableEndTheUsersSessions) {
  testing::ScratchDatabase db;
  ASSERT_EQ(user(db.dsn(), "add hanako --role responder", "Kawa#Sakura9").exit_code, 0);
  ASSERT_EQ(user(db.dsn(), "add taro --role viewer", "Yama#Kawa2024").exit_code, 0);
  const auto add_session = [&](const std::string& name, const std::string& hash) {
    sql(db.dsn(),
        "INSERT INTO console_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at,"
        " idle_timeout_s, absolute_expires_at) SELECT '" +
            hash +
            "', id, 'c', now(), now(), 1800,"
            " now() + interval '12 hours' FROM console_users WHERE name = '" +
            name + "'");
  };
  add_session("hanako", "h1");
  add_session("taro", "t1");
  const std::string old_hash =
      sql(db.dsn(), "SELECT password_hash FROM console_users WHERE name = 'hanako'");
  ASSERT_EQ(user(db.dsn(), "passwd hanako", "Mori@Hayashi77").exit_code, 0);
  const std::string new_hash =
      sql(db.dsn(), "SELECT password_hash FROM console_users WHERE name = 'hanako'");
  EXPECT_NE(new_hash, old_hash);
  EXPECT_TRUE(signin::verify_password("Mori@Hayashi77", new_hash));
  EXPECT_EQ(sql(db.dsn(), "SELECT string_agg(id_hash, ',') FROM console_sessions"), "t1");
  ASSERT_EQ(user(db.dsn(), "disable taro", "").exit_code, 0);
  EXPECT_EQ(sql(db.dsn(), "SELECT count(*) FROM console_sessions"), "0");
  EXPECT_EQ(sql(db.dsn(), "SELECT disabled FROM console_users WHERE name = 'taro'"), "t");
}

TEST(UserCommand, TotpSecretIsPrintedOnceAndListShowsUsers) {
  testing::ScratchDatabase db;
  const CtlRun r = user(db.dsn(), "add jiro --role admin --totp", "Umi!Sora2024x");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string secret =
      sql(db.dsn(), "SELECT totp_secret FROM console_users WHERE name = 'jiro'");
  ASSERT_EQ(secret.size(), 32u);  // 160 bits in base32
  EXPECT_NE(r.out.find("TOTP secret (base32): " + secret), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("otpauth://totp/mamori:jiro?secret=" + secret + "&issuer=mamori"),
            std::string::npos);
  ASSERT_EQ(user(db.dsn(), "add hanako --role viewer", "Kawa#Sakura9").exit_code, 0);
  sql(db.dsn(),
      "UPDATE console_users SET password_changed_at = now() - interval '400 days' WHERE name = "
      "'hanako'");
  const CtlRun list = user(db.dsn(), "list", "");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_EQ(list.out.find(secret), std::string::npos);  // never shown again
  const auto hanako = list.out.find("hanako");
  const auto jiro = list.out.find("jiro");
  ASSERT_NE(hanako, std::string::npos);
  ASSERT_NE(jiro, std::string::npos);
  EXPECT_LT(hanako, jiro);  // sorted by name
  const std::string hanako_line = list.out.substr(hanako, list.out.find('\n', hanako) - hanako);
  const std::string jiro_line = list.out.substr(jiro, list.out.find('\n', jiro) - jiro);
  EXPECT_NE(hanako_line.find("パスワードを 1 年以上変更していません"), std::string::npos)
      << hanako_line;
  EXPECT_NE(jiro_line.find("admin"), std::string::npos);
  EXPECT_NE(jiro_line.find("yes"), std::string::npos);
  EXPECT_EQ(jiro_line.find("1 年以上"), std::string::npos);
}

}  // namespace
}  // namespace mamori
