// PostgreSQL goes away under a running mamorid and comes back: mamorid reports it (/readyz,
// mamori_db_up, its log) and keeps polling; the replies posted and the impersonator that
// appeared while the database was down are stored exactly once afterwards, and every
// impersonation incident pages the on-call person exactly once.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/alerts/http_receiver.h"
#include "tests/support/fake_platform.h"

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;
using testing::HttpReceiver;

// Webhook triggers about incident `id` the receiver got.
std::size_t triggers_for(const HttpReceiver& hook, const std::string& id) {
  std::size_t n = 0;
  for (const auto& r : hook.requests()) {
    if (r.header("x-mamori-event") != "trigger") continue;
    if (r.body.find("\"id\":" + id + ",") != std::string::npos) ++n;
  }
  return n;
}

TEST(DatabaseRestart, NothingPolledOrPagedIsLostOrDuplicatedAcrossAPostgresRestart) {
  HttpReceiver hook;
  mamori::testing::OwnPostgres pg;
  mamori::testing::TempDir dir;
  mamori::testing::FakePlatform fake(
      mamori::testing::source_dir() / "tests/fakeplatform/scenarios/small.toml", dir);
  mamori::testing::set_fake_credentials_env();
  ::setenv("MAMORI_T_HOOK", "hook-secret-0123456789abcdef0123456789ab", 1);
  mamori::testing::MamoridSetup s;
  s.dsn = pg.dsn();
  s.http_port = mamori::testing::free_tcp_port();
  s.fake_base_url = fake.base_url();
  s.accounts = {{"x", "soma_city"}};
  s.extra =
      "[alerts]\nretry_backoff = \"1s\"\nretry_backoff_max = \"2s\"\n"
      "[alerts.channels.hook]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:" +
      std::to_string(hook.port()) +
      "/mamori\"\nsecret = \"env:MAMORI_T_HOOK\"\ntimeout = 10\n"
      "[[alerts.people]]\nid = \"sato\"\nname = \"佐藤 花子\"\ncontacts = [{ channel = \"hook\" "
      "}]\n"
      "[[alerts.policies]]\nname = \"all\"\nseverities = [\"*\"]\n"
      "[[alerts.policies.levels]]\ntargets = [\"person:sato\"]\nescalate_after = \"15m\"\n";
  const auto config = dir.path() / "mamori.toml";
  mamori::testing::write_file(config, mamori::testing::mamorid_config(s));
  mamori::testing::ChildProcess mamorid(
      {(mamori::testing::bin_dir() / "mamorid").string(), "--config", config.string()},
      dir.path() / "mamorid.log");
  const auto get = [&](const std::string& path) {
    return mamori::testing::http_get("127.0.0.1", s.http_port, path, 2s);
  };
  const auto q = [&](const std::string& query) { return mamori::testing::sql(pg.dsn(), query); };
  ASSERT_TRUE(mamori::testing::eventually([&] { return get("/readyz").status == 200; }, 30s))
      << mamorid.log();
  ASSERT_TRUE(mamori::testing::eventually(
      [&] { return q("SELECT count(*) FROM observed_posts WHERE text LIKE '%防災訓練%'") == "1"; },
      30s))
      << mamorid.log();

  // The database goes away.
  pg.stop();
  ASSERT_TRUE(mamori::testing::eventually([&] { return get("/readyz").status == 503; }, 20s))
      << mamorid.log();
  EXPECT_NE(get("/metrics").body.find("mamori_db_up 0"), std::string::npos);
  // Meanwhile citizens reply and a look-alike account appears; mamorid keeps polling.
  ASSERT_EQ(fake.control("accounts", R"({"platform":"x","handle":"outage_citizen",)"
                                     R"("display_name":"市民"})"),
            200);
  constexpr int kReplies = 5;
  for (int i = 0; i < kReplies; ++i) {
    ASSERT_EQ(fake.control("posts", R"({"platform":"x","author":"outage_citizen",)"
                                    R"("in_reply_to":"x-notice","text":"停電中の返信)" +
                                        std::to_string(i) + R"("})"),
              200);
  }
  ASSERT_EQ(
      fake.control("accounts", R"({"platform":"x","handle":"soma_clty","display_name":"相馬市",)"
                               R"("description":"福島県相馬市の公式アカウントです。"})"),
      200);
  std::this_thread::sleep_for(12s);  // several polling and search cycles without a database
  EXPECT_EQ(get("/healthz").status, 200) << "mamorid must keep running without its database";

  // The database comes back: everything seen meanwhile arrives, once.
  pg.start();
  ASSERT_TRUE(mamori::testing::eventually([&] { return get("/readyz").status == 200; }, 30s))
      << mamorid.log();
  EXPECT_TRUE(mamori::testing::eventually(
      [&] {
        return q("SELECT count(DISTINCT text) FROM observed_posts WHERE text LIKE "
                 "'%停電中の返信%'") == std::to_string(kReplies);
      },
      60s, 500ms))
      << mamorid.log();
  const std::string look_alike =
      "SELECT id FROM incidents WHERE type = 'impersonation' AND title LIKE '%soma\\_clty%'";
  ASSERT_TRUE(mamori::testing::eventually([&] { return !q(look_alike).empty(); }, 60s, 500ms))
      << mamorid.log();

  // Every impersonation incident (the scenario's own impersonator too) pages once.
  const std::string ids =
      q("SELECT string_agg(id::text, ' ' ORDER BY id) FROM incidents WHERE type = 'impersonation'");
  std::vector<std::string> incidents;
  for (std::size_t at = 0; at < ids.size();) {
    const auto space = ids.find(' ', at);
    incidents.push_back(
        ids.substr(at, space == std::string::npos ? std::string::npos : space - at));
    at = space == std::string::npos ? ids.size() : space + 1;
  }
  ASSERT_GE(incidents.size(), 1u);
  for (const auto& id : incidents) {
    EXPECT_TRUE(mamori::testing::eventually([&] { return triggers_for(hook, id) >= 1; }, 30s))
        << "incident " << id << "\n"
        << q("SELECT incident_id, channel, state, attempts, last_error FROM alert_outbox");
  }
  std::this_thread::sleep_for(5s);  // more polling and delivery cycles: nothing may repeat
  for (const auto& id : incidents) {
    EXPECT_EQ(triggers_for(hook, id), 1u) << "incident " << id;
    EXPECT_EQ(q("SELECT count(*) FROM alert_outbox WHERE kind = 'trigger' AND incident_id = " + id),
              "1");
  }
  EXPECT_EQ(q("SELECT count(*) FROM observed_posts WHERE text LIKE '%停電中の返信%'"),
            std::to_string(kReplies));
  EXPECT_EQ(q("SELECT count(*) FROM observed_posts WHERE text LIKE '%防災訓練%'"), "1");
  EXPECT_NE(mamorid.log().find("db.connection_lost"), std::string::npos)
      << "the outage is in the log";

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori::alerts
