// `mamorictl check-config`, mamorid's start-up and its SIGHUP reload load the configuration,
// [alerts], the playbooks and the rumour files through one loader (daemon/app/settings.h): a
// file check-config accepts starts mamorid, one it rejects stops the start with the same
// complaint, and a reload to it is refused.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/test_support.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

struct Variant {
  std::string name;
  std::string extra;      // appended to a valid configuration
  std::string complaint;  // a piece of the error both must report ("" when valid)
};

class SettingsAgreement : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_file(dir_.path() / "good_rumours.toml",
                        "format_version = 1\n[[rumour]]\nid = \"dam\"\nclaim = \"ダムが決壊した\"\n"
                        "wordings = [\"ダムが決壊したらしい\"]\n");
    testing::write_file(dir_.path() / "bad_rumours.toml",
                        "format_version = 1\n[[rumour]]\nid = \"x\"\nclam = \"typo\"\n");
    std::filesystem::create_directories(dir_.path() / "city_playbooks");
    testing::write_file(dir_.path() / "city_playbooks" / "broken.toml", "id = \n");
  }

  std::string config(const std::string& dsn, unsigned short port, const std::string& extra) const {
    return "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n"
           "[server]\nlisten = \"127.0.0.1:" +
           std::to_string(port) + "\"\ndrain_timeout = \"5s\"\n[database]\ndsn = \"" + dsn +
           "\"\n" + extra;
  }

  std::vector<Variant> variants() const {
    const std::string d = dir_.path().string();
    return {
        {"valid", "[misinfo]\nrumour_files = [\"" + d + "/good_rumours.toml\"]\n", ""},
        {"bad rumour file", "[misinfo]\nrumour_files = [\"" + d + "/bad_rumours.toml\"]\n",
         "bad_rumours.toml:4"},
        {"bad playbook override", "[playbooks]\noverrides = [\"" + d + "/city_playbooks\"]\n",
         "broken.toml"},
        {"bad [alerts]", "[alerts]\nno_such_key = 1\n", "alerts.no_such_key"},
        {"bad [server]", "[server.extra]\n", "server.extra"},
    };
  }

  testing::CommandResult check_config(const std::filesystem::path& file) const {
    return testing::run_command("'" + (testing::bin_dir() / "mamorictl").string() +
                                "' check-config '" + file.string() + "' 2>&1");
  }

  testing::TempDir dir_;
};

TEST_F(SettingsAgreement, WhatCheckConfigAcceptsMamoridStartsWithAndWhatItRejectsStopsTheStart) {
  testing::ScratchDatabase db;
  for (const auto& v : variants()) {
    SCOPED_TRACE(v.name);
    const unsigned short port = testing::free_tcp_port();
    const auto file = dir_.path() / "mamori.toml";
    testing::write_file(file, config(db.dsn(), port, v.extra));
    const auto checked = check_config(file);
    testing::ChildProcess d({(testing::bin_dir() / "mamorid").string(), "--config", file.string()},
                            dir_.path() / ("mamorid-" + std::to_string(port) + ".log"));
    if (v.complaint.empty()) {
      EXPECT_EQ(checked.exit_code, 0) << checked.out;
      EXPECT_NE(checked.out.find("1 rumour(s) from 1 file(s)"), std::string::npos) << checked.out;
      EXPECT_TRUE(testing::eventually(
          [&] { return testing::http_get("127.0.0.1", port, "/healthz").status == 200; }, 15s,
          50ms))
          << d.log();
      d.signal(SIGTERM);
      EXPECT_EQ(d.wait_for_exit(10s), std::optional<int>(0)) << d.log();
    } else {
      EXPECT_EQ(checked.exit_code, 2) << checked.out;
      EXPECT_NE(checked.out.find(v.complaint), std::string::npos) << checked.out;
      EXPECT_EQ(d.wait_for_exit(10s), std::optional<int>(2)) << d.log();
      EXPECT_NE(d.log().find(v.complaint), std::string::npos) << d.log();
      EXPECT_NE(d.log().find("event=startup.failed step=config"), std::string::npos) << d.log();
    }
  }
}

TEST_F(SettingsAgreement, AReloadToAFileCheckConfigRejectsIsRefusedAndNothingChanges) {
  testing::ScratchDatabase db;
  const unsigned short port = testing::free_tcp_port();
  const auto file = dir_.path() / "mamori.toml";
  const auto variants_list = variants();
  testing::write_file(file, config(db.dsn(), port, variants_list[0].extra));
  testing::ChildProcess d({(testing::bin_dir() / "mamorid").string(), "--config", file.string()},
                          dir_.path() / "mamorid.log");
  ASSERT_TRUE(testing::eventually(
      [&] { return testing::http_get("127.0.0.1", port, "/healthz").status == 200; }, 15s, 50ms))
      << d.log();
  int rejected = 0;
  for (std::size_t i = 1; i < variants_list.size(); ++i) {
    SCOPED_TRACE(variants_list[i].name);
    testing::write_file(file, config(db.dsn(), port, variants_list[i].extra));
    EXPECT_EQ(check_config(file).exit_code, 2);
    d.signal(SIGHUP);
    ++rejected;
    const std::string expected =
        "mamori_config_reloads_total{result=\"rejected\"} " + std::to_string(rejected);
    EXPECT_TRUE(testing::eventually(
        [&] {
          return testing::http_get("127.0.0.1", port, "/metrics").body.find(expected) !=
                 std::string::npos;
        },
        10s))
        << d.log();
  }
  EXPECT_NE(d.log().find("event=rumours.reload_invalid"), std::string::npos) << d.log();
  EXPECT_NE(d.log().find("event=playbooks.reload_invalid"), std::string::npos) << d.log();
  EXPECT_NE(d.log().find("event=alerts.reload_invalid"), std::string::npos) << d.log();
  EXPECT_EQ(d.log().find("event=config.reloaded"), std::string::npos) << d.log();
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait_for_exit(10s), std::optional<int>(0)) << d.log();
}

}  // namespace
}  // namespace mamori
