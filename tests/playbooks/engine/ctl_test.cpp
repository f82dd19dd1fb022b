// `mamorictl playbook validate` and `playbook render` as staff run them.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace mamori::playbooks {
namespace {

using mamori::testing::bin_dir;
using mamori::testing::run_command;
using mamori::testing::source_dir;

std::string ctl() {
  return (bin_dir() / "mamorictl").string();
}

TEST(PlaybookCommand, ValidatesTheShippedAndSomaDirectories) {
  auto r = run_command(ctl() + " playbook validate 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("OK (7 playbooks"), std::string::npos) << r.out;
  const auto pb = (source_dir() / "playbooks").string();
  r = run_command(ctl() + " playbook validate " + pb + " " + pb + "/cities/soma 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("overrides"), std::string::npos) << r.out;
}

TEST(PlaybookCommand, BrokenDirectoryPrintsFileLineColumnAndExitsTwo) {
  mamori::testing::TempDir dir;
  const auto src = source_dir() / "playbooks";
  std::filesystem::copy(src / "templates", dir.path() / "templates");
  for (const auto& e : std::filesystem::directory_iterator(src)) {
    if (e.path().extension() == ".toml") std::filesystem::copy(e.path(), dir.path());
  }
  auto text = mamori::testing::read_file(dir.path() / "threat.toml");
  const std::string from =
      "depends_on = [\"preserve_evidence\"]\nclauses = [\"shiroi-city.txt 4(5)\", \"hokkaido.txt "
      "2\"]";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(),
               "depends_on = [\"preserve_evidnce\"]\nclauses = [\"shiroi-city.txt 4(5)\", "
               "\"hokkaido.txt 2\"]");
  mamori::testing::write_file(dir.path() / "threat.toml", text);
  const auto r = run_command(ctl() + " playbook validate " + dir.path().string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find((dir.path() / "threat.toml").string() + ":24:15: error[unknown_dependency]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("preserve_evidnce"), std::string::npos);
  const auto missing = run_command(ctl() + " playbook validate /nonexistent/dir 2>&1");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("/nonexistent/dir"), std::string::npos);
}

TEST(PlaybookCommand, RendersADraftAndReportsItsLength) {
  mamori::testing::TempDir dir;
  const auto incident = dir.path() / "incident.json";
  mamori::testing::write_file(
      incident,
      R"({"platform": "bluesky", "municipality": "相馬市", "department": "秘書広報課",
          "homepage_url": "https://www.city.soma.fukushima.jp/", "official_handle": "city.soma.fukushima.jp",
          "impersonator_handle": "soma-fake.bsky.social", "detected_at": "2025-11-25T14:05:00+09:00"})");
  auto r = run_command(ctl() + " playbook render impersonation account_notice_post --incident " +
                       incident.string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("@soma-fake.bsky.social"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-- bluesky_post: "), std::string::npos) << r.out;
  r = run_command(ctl() + " playbook render impersonation apology_post --incident " +
                  incident.string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("takedown_report"), std::string::npos) << r.out;
  mamori::testing::write_file(incident, R"({"platform": "x", "municipality": 3})");
  r = run_command(ctl() + " playbook render flameup apology_post --incident " + incident.string() +
                  " 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("'municipality'"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace mamori::playbooks
