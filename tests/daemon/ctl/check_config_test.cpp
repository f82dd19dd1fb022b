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
  return "env -u CREDENTIALS_DIRECTORY '" + (testing::bin_dir() / "mamorictl").string() + "' check-config " + args +
         " 2>&1";
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
    testing::write_file(dir.path() / name, name == "db_password" ? "pw\n" : std::string(40, 'k') + "\n");
  }
  const auto with = run_command(check_config("--credentials-dir '" + dir.path().string() + "' '" + example.string() + "'"));
  EXPECT_EQ(with.exit_code, 0) << with.out;
  EXPECT_NE(with.out.find(": OK"), std::string::npos) << with.out;

  // A missing credential file is named (never its would-be contents).
  std::filesystem::remove(dir.path() / *names.begin());
  const auto missing = run_command(check_config("--credentials-dir '" + dir.path().string() + "' '" + example.string() + "'"));
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.out.find(*names.begin()), std::string::npos) << missing.out;
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
