// Misinformation (デマ) detection end to end: the city posts a fact on the fake platform, replies
// contradict it, and a real mamorid turns the cluster into an incident naming the contradicted
// fact. A rumour staff register over the API is matched the next time it appears, and the
// shipped starter set is loaded at start.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const std::string kToken = "misinfo-integration-token-0123456789abcdef";

std::string reply_json(const std::string& author, const std::string& to, const std::string& text) {
  return R"({"platform":"x","author":")" + author + R"(","in_reply_to":")" + to + R"(","text":")" +
         text + R"("})";
}

TEST(MisinfoDetection, ContradictingClusterAndARumourRegisteredOverTheApi) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  testing::set_fake_credentials_env();
  ::setenv("MAMORI_T_MISINFO_API", kToken.c_str(), 1);
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  setup.accounts = {{"x", "soma_city"}};
  setup.polling = "profiles = \"5s\"\nposts = \"3s\"\nreplies = \"3s\"\nsearch = \"60s\"\n";
  setup.extra =
      "[[api_tokens]]\nname = \"pr-office\"\nrole = \"responder\"\ntoken = "
      "\"env:MAMORI_T_MISINFO_API\"\n";
  testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  const auto metrics = [&] {
    return testing::http_get("127.0.0.1", setup.http_port, "/metrics").body;
  };

  // The shipped starter set (deploy/rumours/starter.toml, found next to the build) is loaded.
  ASSERT_TRUE(testing::eventually(
      [&] {
        return metrics().find(R"(mamori_rumours_loaded{source="file"} 13)") != std::string::npos;
      },
      30s))
      << metrics() << mamorid.log();

  // The city's fact.
  ASSERT_EQ(fake.control(
                "posts",
                R"({"platform":"x","author":"soma_city","key":"fest","text":")"
                "第10回相馬市民まつりは11月3日(日)10時から中央公園で開催します。雨天決行です。\"}"),
            200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(),
                   "SELECT count(*) FROM observed_posts WHERE text LIKE '%中央公園で開催%'") == "1";
      },
      40s))
      << mamorid.log();
  for (const char* who : {"r1", "r2", "r3", "r4"}) {
    ASSERT_EQ(fake.control("accounts", std::string(R"({"platform":"x","handle":")") + who + "\"}"),
              200);
  }
  ASSERT_EQ(
      fake.control("posts", reply_json("r1", "fest", "市民まつり、今年は中止になったらしいよ")),
      200);
  ASSERT_EQ(fake.control("posts", reply_json("r2", "fest", "まつり中止だって！拡散希望")), 200);
  ASSERT_EQ(
      fake.control("posts", reply_json("r3", "fest", "相馬の市民まつり中止って知り合いが言ってた")),
      200);

  const std::string finding_sql =
      "SELECT f.id FROM incident_findings f JOIN incidents i ON i.id = f.incident_id"
      " WHERE i.type = 'misinformation' AND array_to_string(f.reasons, ' ') LIKE '%市の投稿%開催%'"
      " ORDER BY f.id LIMIT 1";
  ASSERT_TRUE(testing::eventually([&] { return !sql(db.dsn(), finding_sql).empty(); }, 60s))
      << mamorid.log() << "\nfindings: " << sql(db.dsn(), "SELECT reasons FROM incident_findings");
  const std::string reasons =
      sql(db.dsn(), "SELECT array_to_string(reasons, ' / ') FROM incident_findings WHERE id = " +
                        sql(db.dsn(), finding_sql));
  EXPECT_NE(reasons.find("中止"), std::string::npos) << reasons;  // what the replies claim instead
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(DISTINCT incident_id) FROM incident_findings f JOIN incidents i ON "
                "i.id = f.incident_id"
                " WHERE i.type = 'misinformation' AND array_to_string(f.reasons, ' ') LIKE "
                "'%市の投稿%開催%'"),
            "1");  // one cluster, one incident

  // A new rumour, not known to the registry yet: it appears once and is not matched.
  const std::string rumour_sql =
      "SELECT count(*) FROM incident_findings WHERE array_to_string(reasons, ' ') LIKE "
      "'%登録済みのデマ「相馬港の岸壁が崩れて%'";
  ASSERT_EQ(fake.control("posts", reply_json("r4", "x-notice",
                                             "相馬港の岸壁が崩れて松川浦大橋が通れないらしい")),
            200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(),
                   "SELECT count(*) FROM observed_posts WHERE text LIKE '%岸壁が崩れて%'") == "1";
      },
      30s));
  std::this_thread::sleep_for(4s);  // one more polling cycle
  EXPECT_EQ(sql(db.dsn(), rumour_sql), "0");

  // Staff register it; the detector has it at once (the API refreshes the registry).
  const auto created = testing::http_request(
      "POST", "127.0.0.1", setup.http_port, "/api/v1/rumours",
      {"Authorization: Bearer " + kToken, "Content-Type: application/json"},
      R"({"claim":"相馬港の岸壁が崩れて松川浦大橋が通行止めになった","wordings":["岸壁が崩れて松川浦大橋が通れない","松川浦大橋が崩落した"],)"
      R"("correction":"岸壁・松川浦大橋に被害はなく、通行できます。","correction_url":"https://www.city.soma.fukushima.jp/"})");
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_TRUE(testing::eventually(
      [&] {
        return metrics().find(R"(mamori_rumours_loaded{source="registry"} 1)") != std::string::npos;
      },
      20s))
      << metrics();
  ASSERT_EQ(fake.control("posts",
                         reply_json("r1", "x-notice",
                                    "相馬港の岸壁が崩れて松川浦大橋が通れないんだって！拡散して")),
            200);
  EXPECT_TRUE(testing::eventually([&] { return sql(db.dsn(), rumour_sql) != "0"; }, 30s))
      << mamorid.log() << "\nfindings: " << sql(db.dsn(), "SELECT reasons FROM incident_findings");

  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(30s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
