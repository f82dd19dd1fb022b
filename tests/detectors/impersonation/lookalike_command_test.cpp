// `mamorictl lookalike` end to end: the binary on files, as staff and backtests use it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <sstream>

#include "tests/detectors/impersonation/avatar_recipes.h"
#include "tests/support/test_support.h"

namespace mamori::testing::impersonation {
namespace {

namespace fs = std::filesystem;

std::string mamorictl() {
  const fs::path p = bin_dir() / "mamorictl";
  EXPECT_TRUE(fs::exists(p)) << p << " is not built";
  return p.string();
}

void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& b) {
  write_file(p, std::string(b.begin(), b.end()));
}

std::vector<boost::json::object> lines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(boost::json::parse(line).as_object());
  return out;
}

class LookalikeCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path& d = dir_.path();
    write_bytes(d / "official.png", encode(render_emblem(0), "png"));
    write_bytes(d / "copy.jpg", encode(render_emblem(0), "jpeg", 60));
    write_file(
        d / "official.jsonl",
        R"({"platform":"x","handle":"soma_city","display_name":"相馬市","description":"相馬市の公式アカウントです。","url":"https://www.city.soma.fukushima.jp/","avatar":"official.png"})"
        "\n");
  }
  std::string run(const std::string& args) {
    const auto r =
        run_command("cd '" + dir_.path().string() + "' && '" + mamorictl() + "' lookalike " + args);
    exit_code_ = r.exit_code;
    return r.out;
  }
  TempDir dir_;
  int exit_code_ = -1;
};

TEST_F(LookalikeCommand, ScoresEachCandidateWithReasons) {
  write_file(
      dir_.path() / "candidates.jsonl",
      R"({"platform":"x","handle":"s0ma_city","display_name":"【公式】相馬市","avatar":"copy.jpg"})"
      "\n"
      R"({"platform":"x","handle":"minamisoma_city","display_name":"南相馬市"})"
      "\n"
      R"({"platform":"x","handle":"soma_bousai","display_name":"相馬市 防災","avatar":"copy.jpg"})"
      "\n");
  write_file(dir_.path() / "allow.jsonl", R"({"platform":"x","handle":"soma_bousai"})"
                                          "\n");
  const std::string out =
      run("--official official.jsonl --candidates candidates.jsonl --allow allow.jsonl --neighbour "
          "南相馬市 -o out.jsonl");
  ASSERT_EQ(exit_code_, 0);
  EXPECT_TRUE(out.empty());
  const auto result = lines(read_file(dir_.path() / "out.jsonl"));
  ASSERT_EQ(result.size(), 3U);
  EXPECT_EQ(result[0].at("handle").as_string(), "s0ma_city");
  EXPECT_EQ(result[0].at("matched_official").as_string(), "soma_city");
  EXPECT_EQ(result[0].at("verdict").as_string(), "impersonation");
  EXPECT_GE(result[0].at("score").as_double(), 0.7);
  const std::string reasons = boost::json::serialize(result[0].at("reasons"));
  EXPECT_NE(reasons.find("アイコンが一致"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("表示名が公式と一致"), std::string::npos) << reasons;
  EXPECT_EQ(result[1].at("verdict").as_string(), "benign");
  EXPECT_EQ(result[2].at("verdict").as_string(), "benign");
}

// Issue 18: the city's departments are `related`, other real local governments are known without
// --neighbour, and an account the list page names is known official.
TEST_F(LookalikeCommand, RelatedAccountsOtherBodiesAndListedAccounts) {
  write_bytes(dir_.path() / "own.png", encode(render_emblem(4321), "png"));
  write_file(
      dir_.path() / "candidates.jsonl",
      R"({"platform":"x","handle":"soma_fd","display_name":"相馬市消防本部","description":"火災と救急のお知らせ","avatar":"own.png"})"
      "\n"
      R"({"platform":"x","handle":"minamisoma_city","display_name":"南相馬市","url":"https://www.city.minamisoma.lg.jp/"})"
      "\n"
      R"({"platform":"x","handle":"soma_kanko","display_name":"相馬市","avatar":"copy.jpg"})"
      "\n"
      R"({"platform":"x","handle":"soma_shobo","display_name":"相馬市消防本部","avatar":"copy.jpg"})"
      "\n");
  write_file(dir_.path() / "allow.jsonl", R"({"platform":"x","handle":"soma_kanko","listed":true})"
                                          "\n");
  const std::string out =
      run("--official official.jsonl --candidates candidates.jsonl --allow allow.jsonl");
  ASSERT_EQ(exit_code_, 0);
  const auto result = lines(out);
  ASSERT_EQ(result.size(), 4U);
  EXPECT_EQ(result[0].at("verdict").as_string(), "related");
  EXPECT_NE(boost::json::serialize(result[0].at("reasons")).find("関連アカウント"),
            std::string::npos);
  EXPECT_EQ(result[1].at("verdict").as_string(), "benign");
  EXPECT_NE(boost::json::serialize(result[1].at("reasons")).find("別の地方公共団体"),
            std::string::npos);
  EXPECT_EQ(result[2].at("verdict").as_string(), "benign");
  EXPECT_NE(boost::json::serialize(result[2].at("reasons")).find("一覧ページ"), std::string::npos);
  EXPECT_NE(result[3].at("verdict").as_string(), "related");  // the official's icon: a copy
  EXPECT_NE(result[3].at("verdict").as_string(), "benign");

  write_file(dir_.path() / "bad_allow.jsonl", R"({"platform":"x","handle":"a","listed":"yes"})"
                                              "\n");
  run("--official official.jsonl --candidates candidates.jsonl --allow bad_allow.jsonl");
  EXPECT_EQ(exit_code_, 2);
}

TEST_F(LookalikeCommand, RefusedImagesAreReportedNotFatal) {
  const std::vector<std::uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0};
  write_bytes(dir_.path() / "icon.gif", gif);
  write_file(
      dir_.path() / "candidates.jsonl",
      R"({"platform":"bluesky","handle":"soma-city.bsky.social","display_name":"相馬市","avatar":"icon.gif"})"
      "\n");
  const auto result = lines(run("--official official.jsonl --candidates candidates.jsonl"));
  ASSERT_EQ(exit_code_, 0);
  ASSERT_EQ(result.size(), 1U);
  EXPECT_NE(result[0].at("verdict").as_string(), "benign");
  EXPECT_NE(boost::json::serialize(result[0].at("reasons")).find("GIF"), std::string::npos);
}

TEST_F(LookalikeCommand, BadInputNamesFileLineAndFieldAndExits2) {
  write_file(dir_.path() / "bad.jsonl", R"({"platform":"x","handle":"ok"})"
                                        "\n"
                                        R"({"platform":"myspace","handle":"b"})"
                                        "\n");
  run("--official official.jsonl --candidates bad.jsonl -o out.jsonl 2> err.txt");
  EXPECT_EQ(exit_code_, 2);
  EXPECT_NE(read_file(dir_.path() / "err.txt").find("bad.jsonl:2: field 'platform'"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir_.path() / "out.jsonl"));

  write_file(dir_.path() / "missing.jsonl", R"({"platform":"x","handle":"a","avatar":"nope.png"})"
                                            "\n");
  run("--official official.jsonl --candidates missing.jsonl 2> err.txt");
  EXPECT_EQ(exit_code_, 2);
  EXPECT_NE(read_file(dir_.path() / "err.txt").find("missing.jsonl:1: field 'avatar'"),
            std::string::npos);

  run("--official official.jsonl 2> err.txt");
  EXPECT_EQ(exit_code_, 2);
}

}  // namespace
}  // namespace mamori::testing::impersonation
