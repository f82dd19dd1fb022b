// Issue 20 end to end: one mamorid serving two towns ([[municipalities]]) against the fake
// platform and a real PostgreSQL. The second town's name is searched too, so an account that
// presents itself only by that name is found; each look-alike's incident belongs to the town it
// imitates; the towns' official accounts are never flagged.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

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

// Two towns of one name (伊達市 in Fukushima and in Hokkaido) besides 相馬市, and, 5 s in, an
// account calling itself 伊達市 with a handle close to both towns' accounts: it imitates both, and
// each town gets one incident of its own, paged to its own on-call (an alert each), and still one
// each after mamorid is restarted and has judged the account again.
std::string shared_name_scenario() {
  return testing::read_file(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml") +
         R"(
[[account]]
platform = "x"
id = "1402345678901230301"
handle = "date_city"
display_name = "伊達市"
description = "伊達市の公式アカウントです。市政情報をお知らせします。"
url = "https://www.city.date.fukushima.jp/"
created_at = "2014-04-01T00:00:00.000Z"
followers = 8000

[[account]]
platform = "x"
id = "1402345678901230311"
handle = "datecity"
display_name = "伊達市"
description = "伊達市の公式アカウントです。市からのお知らせを発信します。"
url = "https://www.city.date.hokkaido.jp/"
created_at = "2015-04-01T00:00:00.000Z"
followers = 6000

[[account]]
platform = "x"
handle = "date_clty"
display_name = "伊達市"
description = "伊達市の公式アカウントです。市政情報をお知らせします。"
appears_at = 5
)";
}

std::string shared_name_config(const testing::MamoridSetup& setup) {
  std::string config = testing::mamorid_config(setup);
  const std::string single = "[municipality]\n";
  config.replace(config.find(single), single.size(), "[[municipalities]]\nid = \"soma\"\n");
  // Each 伊達市 pages its own on-call by mail (to a closed port: the alert stays in the outbox,
  // where the test reads whom it was for).
  return config + R"(
[[municipalities.accounts]]
platform = "x"
handle = "soma_city"

[[municipalities]]
id = "date_fukushima"
name = "伊達市"
name_kana = "だてし"
homepage = "https://www.city.date.fukushima.jp/"

[[municipalities.accounts]]
platform = "x"
handle = "date_city"

[[municipalities.alerts.policies]]
name = "standard"
severities = ["*"]
[[municipalities.alerts.policies.levels]]
targets = ["person:date-fukushima"]

[[municipalities]]
id = "date_hokkaido"
name = "伊達市"
name_kana = "だてし"
homepage = "https://www.city.date.hokkaido.jp/"

[[municipalities.accounts]]
platform = "x"
handle = "datecity"

[[municipalities.alerts.policies]]
name = "standard"
severities = ["*"]
[[municipalities.alerts.policies.levels]]
targets = ["person:date-hokkaido"]

[alerts.channels.mail]
kind = "email"
url = "smtp://127.0.0.1:9"
from = "mamori@pref.example.lg.jp"

[[alerts.people]]
id = "pref"
name = "県 当番"
contacts = [{ channel = "mail", address = "duty@pref.example.lg.jp" }]

[[alerts.people]]
id = "date-fukushima"
name = "伊達（福島） 広報"
contacts = [{ channel = "mail", address = "koho@city.date.fukushima.example.lg.jp" }]

[[alerts.people]]
id = "date-hokkaido"
name = "伊達（北海道） 広報"
contacts = [{ channel = "mail", address = "koho@city.date.hokkaido.example.lg.jp" }]

[[alerts.policies]]
name = "pref"
severities = ["*"]
[[alerts.policies.levels]]
targets = ["person:pref"]
)";
}

TEST(TwoTowns, ALookAlikeOfANameTwoTownsShareIsEachTownsIncidentOnceAcrossARestart) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::write_file(dir.path() / "scenario.toml", shared_name_scenario());
  testing::FakePlatform fake(dir.path() / "scenario.toml", dir);
  testing::set_fake_credentials_env();
  testing::MamoridSetup setup;
  setup.dsn = db.dsn();
  setup.http_port = testing::free_tcp_port();
  setup.fake_base_url = fake.base_url();
  testing::write_file(dir.path() / "mamori.toml", shared_name_config(setup));
  const std::vector<std::string> command{(testing::bin_dir() / "mamorid").string(), "--config",
                                         (dir.path() / "mamori.toml").string()};
  const std::string incidents =
      "SELECT coalesce(string_agg(municipality, ',' ORDER BY municipality), '') FROM incidents"
      " WHERE type = 'impersonation' AND title LIKE '%@date\\_clty（%'";
  // Each town's incident paged its own on-call, once.
  const std::string paged =
      "SELECT coalesce(string_agg(i.municipality || '=' || o.recipient, ',' ORDER BY"
      " i.municipality), '') FROM alert_outbox o JOIN incidents i ON i.id = o.incident_id"
      " WHERE i.type = 'impersonation' AND o.kind = 'trigger' AND i.title LIKE '%@date\\_clty（%'";
  {
    testing::ChildProcess mamorid(command, dir.path() / "mamorid.log");
    ASSERT_TRUE(testing::mamorid_ready(mamorid, setup.http_port)) << mamorid.log();
    ASSERT_TRUE(testing::eventually(
        [&] { return sql(db.dsn(), incidents) == "date_fukushima,date_hokkaido"; }, 60s))
        << mamorid.log() << "\nincidents: "
        << sql(db.dsn(),
               "SELECT string_agg(subject || '/' || municipality || '/' || title, ',')"
               " FROM incidents");
    mamorid.signal(SIGTERM);
    EXPECT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
  }
  // Restarted: the look-alike is looked up and judged again (its stored profile seen anew);
  // each town keeps its one incident.
  const std::string restarted_at = sql(db.dsn(), "SELECT now()");
  testing::ChildProcess again(command, dir.path() / "mamorid2.log");
  ASSERT_TRUE(testing::mamorid_ready(again, setup.http_port)) << again.log();
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db.dsn(),
                   "SELECT count(*) FROM observed_profiles WHERE handle = 'date_clty' AND"
                   " last_seen_at > '" +
                       restarted_at + "'") != "0";
      },
      60s))
      << again.log();
  std::this_thread::sleep_for(2s);  // a second incident would be recorded by now
  EXPECT_EQ(sql(db.dsn(), incidents), "date_fukushima,date_hokkaido") << again.log();
  EXPECT_EQ(sql(db.dsn(), paged),
            "date_fukushima=伊達（福島） 広報,date_hokkaido=伊達（北海道） 広報");
  again.signal(SIGTERM);
  EXPECT_EQ(again.wait_for_exit(20s), std::optional<int>(0)) << again.log();
}

}  // namespace
}  // namespace mamori
