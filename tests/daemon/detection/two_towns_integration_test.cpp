// Issue 20 end to end: one mamorid serving two towns ([[municipalities]]) against the fake
// platform and a real PostgreSQL. The second town's name is searched too, so an account that
// presents itself only by that name is found; each look-alike's incident belongs to the town it
// imitates; the towns' official accounts are never flagged.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

// The small scenario plus the second town's official account and, 5 s in, an account that only
// calls itself by that town's name (no look-alike handle, nothing copied).
std::string two_town_scenario() {
  return testing::read_file(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml") +
         R"(
[[account]]
platform = "x"
id = "1402345678901230001"
handle = "minamisoma_koho"
display_name = "南相馬市"
description = "南相馬市広報情報課です。市からのお知らせ、防災・放射線の情報を発信しています。"
url = "https://www.city.minamisoma.lg.jp/"
created_at = "2014-04-01T00:00:00.000Z"
followers = 9800

[[account]]
platform = "x"
handle = "ms_info_fan"
display_name = "【公式】南相馬市"
description = ""
appears_at = 5
)";
}

std::string two_town_config(const testing::MamoridSetup& setup) {
  std::string config = testing::mamorid_config(setup);
  const std::string single = "[municipality]\n";
  config.replace(config.find(single), single.size(), "[[municipalities]]\nid = \"soma\"\n");
  return config + R"(
[[municipalities.accounts]]
platform = "x"
handle = "soma_city"

[[municipalities]]
id = "minamisoma"
name = "南相馬市"
name_kana = "みなみそうまし"
name_romaji = "Minamisoma City"
homepage = "https://www.city.minamisoma.lg.jp/"
neighbours = ["相馬市"]

[[municipalities.accounts]]
platform = "x"
handle = "minamisoma_koho"
)";
}

TEST(TwoTowns, EachTownsNameIsSearchedAndEachLookAlikeBelongsToTheTownItImitates) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::write_file(dir.path() / "scenario.toml", two_town_scenario());
  testing::FakePlatform fake(dir.path() / "scenario.toml", dir);
  testing::set_fake_credentials_env();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  testing::write_file(dir.path() / "mamori.toml", two_town_config(setup));
  testing::ChildProcess mamorid({(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
                                dir.path() / "mamorid.log");
  ASSERT_TRUE(testing::mamorid_ready(mamorid, setup.http_port)) << mamorid.log();

  auto town_of = [&](const std::string& handle) {
    return sql(db.dsn(),
               "SELECT string_agg(municipality, ',') FROM incidents WHERE type ="
               " 'impersonation' AND title LIKE '%@" +
                   handle + "（%'");
  };
  ASSERT_TRUE(testing::eventually(
      [&] {
        return town_of("ms\\_info\\_fan") == "minamisoma" && town_of("soma\\_\\_city") == "soma";
      },
      60s))
      << mamorid.log() << "\nincidents: "
      << sql(db.dsn(), "SELECT type, subject, municipality, title FROM incidents");
  EXPECT_EQ(sql(db.dsn(),
                "SELECT count(*) FROM incidents WHERE type = 'impersonation' AND"
                " (title LIKE '%@soma\\_city（%' OR title LIKE '%@minamisoma\\_koho（%')"),
            "0");
  mamorid.signal(SIGTERM);
  EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
