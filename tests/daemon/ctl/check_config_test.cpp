// `mamorictl check-config`: the shipped example configuration, with its file: credentials
// provided by --credentials-dir as systemd's LoadCredential= would provide them.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "tests/support/test_support.h"

namespace mamori {
namespace {

using testing::run_command;

std::string check_config(const std::string& args) {
  return "env -u CREDENTIALS_DIRECTORY '" + (testing::bin_dir() / "mamorictl").string() +
         "' check-config " + args + " 2>&1";
}

// The credential names the example refers to as file:NAME (outside comments).
std::set<std::string> file_credentials(const std::string& text) {
  std::set<std::string> names;
  const std::regex ref("^[^#]*\"file:([A-Za-z0-9_.-]+)\"");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, ref)) names.insert(m[1].str());
  }
  return names;
}

TEST(CheckConfig, ExampleNeedsItsCredentialsAndPassesWithThem) {
  const auto example = testing::source_dir() / "deploy/config/mamori.example.toml";
  const auto names = file_credentials(testing::read_file(example));
  ASSERT_FALSE(names.empty());

  // Outside systemd there is no $CREDENTIALS_DIRECTORY: a clear error, exit 2.
  const auto without = run_command(check_config("'" + example.string() + "'"));
  EXPECT_EQ(without.exit_code, 2) << without.out;
  EXPECT_NE(without.out.find("CREDENTIALS_DIRECTORY"), std::string::npos) << without.out;

  testing::TempDir dir;
  for (const auto& name : names) {
    testing::write_file(dir.path() / name,
                        name == "db_password" ? "pw\n" : std::string(40, 'k') + "\n");
  }
  const auto with = run_command(
      check_config("--credentials-dir '" + dir.path().string() + "' '" + example.string() + "'"));
  EXPECT_EQ(with.exit_code, 0) << with.out;
  EXPECT_NE(with.out.find(": OK"), std::string::npos) << with.out;

  // A missing credential file is named (never its would-be contents).
  std::filesystem::remove(dir.path() / *names.begin());
  const auto missing = run_command(
      check_config("--credentials-dir '" + dir.path().string() + "' '" + example.string() + "'"));
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.out.find(*names.begin()), std::string::npos) << missing.out;
}

TEST(CheckConfig, RumourFilesAreCheckedWithTheirLineNumbers) {
  const auto example = testing::source_dir() / "deploy/config/mamori.example.toml";
  testing::TempDir dir;
  for (const auto& name : file_credentials(testing::read_file(example))) {
    testing::write_file(dir.path() / name, std::string(40, 'k') + "\n");
  }
  auto with_rumours = [&](const std::string& file_list) {
    std::string text = testing::read_file(example);
    const std::string anchor = "[misinfo]\n";
    text.insert(text.find(anchor) + anchor.size(), "rumour_files = [" + file_list + "]\n");
    testing::write_file(dir.path() / "mamori.toml", text);
    return run_command(check_config("--credentials-dir '" + dir.path().string() + "' '" +
                                    (dir.path() / "mamori.toml").string() + "'"));
  };
  testing::write_file(dir.path() / "good.toml",
                      "format_version = 1\n[[rumour]]\nid = \"dam\"\nclaim = \"ダムが決壊した\"\n"
                      "wordings = [\"ダムが決壊したらしい\"]\n");
  const auto good = with_rumours("\"" + (dir.path() / "good.toml").string() + "\"");
  EXPECT_EQ(good.exit_code, 0) << good.out;
  EXPECT_NE(good.out.find("1 rumour(s) from 1 file(s)"), std::string::npos) << good.out;

  testing::write_file(dir.path() / "bad.toml",
                      "format_version = 1\n[[rumour]]\nid = \"x\"\nclam = \"typo\"\n");
  const auto bad = with_rumours("\"" + (dir.path() / "bad.toml").string() + "\"");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("bad.toml:"), std::string::npos) << bad.out;

  // The shipped starter set (no rumour_files) loads.
  const auto shipped = run_command(
      check_config("--credentials-dir '" + dir.path().string() + "' '" + example.string() + "'"));
  EXPECT_EQ(shipped.exit_code, 0) << shipped.out;
  EXPECT_EQ(shipped.out.find(" 0 rumour(s)"), std::string::npos) << shipped.out;
}

// Facebook, Instagram and YouTube accounts through the same loader mamorid starts with: the
// example with those platforms enabled and their credentials provided is OK; without the YouTube
// key it names the key's reference.
TEST(CheckConfig, FacebookInstagramAndYoutubeAccountsAreChecked) {
  const auto example = testing::source_dir() / "deploy/config/mamori.example.toml";
  std::string text = testing::read_file(example);
  const auto enable = [&](const std::string& table, const std::string& lines) {
    const std::string anchor = "[platforms." + table + "]\nenabled = false\n";
    ASSERT_NE(text.find(anchor), std::string::npos) << anchor;
    text.replace(text.find(anchor), anchor.size(),
                 "[platforms." + table + "]\nenabled = true\n" + lines);
  };
  enable("facebook", "page_access_token = \"file:facebook_page_token\"\n");
  enable("instagram",
         "access_token = \"file:instagram_access_token\"\nig_user_id = \"17841400000000001\"\n");
  enable("youtube", "api_key = \"file:youtube_api_key\"\n");
  text +=
      "\n[[accounts]]\nplatform = \"facebook\"\nhandle = \"soma.city\"\n"
      "[[accounts]]\nplatform = \"instagram\"\nhandle = \"soma_city\"\n"
      "[[accounts]]\nplatform = \"youtube\"\nhandle = \"@soma_city\"\n";
  testing::TempDir dir;
  for (const auto& name : file_credentials(text)) {
    testing::write_file(dir.path() / name, std::string(40, 'k') + "\n");
  }
  testing::write_file(dir.path() / "mamori.toml", text);
  const auto command = check_config("--credentials-dir '" + dir.path().string() + "' '" +
                                    (dir.path() / "mamori.toml").string() + "'");
  const auto ok = run_command(command);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("5 account(s)"), std::string::npos) << ok.out;

  std::filesystem::remove(dir.path() / "youtube_api_key");
  const auto missing = run_command(command);
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.out.find("platforms.youtube.api_key"), std::string::npos) << missing.out;
}

TEST(CheckConfig, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(run_command(check_config("")).exit_code, 2);
  EXPECT_EQ(run_command(check_config("--credentials-dir")).exit_code, 2);
  const auto not_dir = run_command(check_config("--credentials-dir /nonexistent-mamori x.toml"));
  EXPECT_EQ(not_dir.exit_code, 2);
  EXPECT_NE(not_dir.out.find("not a directory"), std::string::npos) << not_dir.out;
}

}  // namespace
}  // namespace mamori
