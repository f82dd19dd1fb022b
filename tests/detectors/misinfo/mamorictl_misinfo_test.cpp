// `mamorictl misinfo` (docs/design.md): the daemon's own detector and rumour-file loader run on
// files. Needs build/bin/mamorictl (tests/run.sh builds everything before running tests).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "detectors/misinfo/detector.h"
#include "tests/detectors/misinfo/eval_support.h"
#include "tests/support/test_support.h"

namespace mamori::detectors::misinfo {
namespace {

using mamori::testing::run_command;

std::string mamorictl() {
  return (mamori::testing::bin_dir() / "mamorictl").string();
}

std::string data(const char* name) {
  return (mamori::testing::data_dir() / "misinfo" / name).string();
}

std::string starter() {
  return (mamori::testing::source_dir() / "deploy" / "rumours" / "starter.toml").string();
}

// Runs a command and returns {exit code, stderr}.
mamori::testing::CommandResult run_stderr(const std::string& command) {
  return run_command(command + " 2>&1 >/dev/null");
}

TEST(MamorictlMisinfo, OutputMatchesTheLibraryOnTheEvaluationSet) {
  ASSERT_TRUE(std::filesystem::exists(mamorictl())) << "build mamorictl first";
  const mamori::testing::TempDir dir;
  // All reply files in one input, exactly as staff would pass an export.
  std::string all;
  for (const char* f :
       {"replies_disaster.jsonl", "replies_events.jsonl", "replies_mentions.jsonl"}) {
    all += mamori::testing::read_file(data(f));
  }
  const auto replies = dir.path() / "replies.jsonl";
  mamori::testing::write_file(replies, all);
  const auto r = run_command(mamorictl() + " misinfo --official " + data("official.jsonl") +
                             " --replies " + replies.string() + " --rumors " + starter());
  ASSERT_EQ(r.exit_code, 0);

  auto facts = std::make_shared<const FactIndex>(testing::load_official(data("official.jsonl")));
  auto rumours = std::make_shared<const RumourRegistry>(testing::load_starter_rumours());
  const MisinformationDetector detector(facts, rumours);
  std::map<std::string, ReplyAssessment> expected;
  for (const auto& lr : testing::load_replies(mamori::testing::data_dir() / "misinfo")) {
    expected[lr.post.post_id] = detector.score(lr.post);
  }

  std::istringstream out(r.out);
  std::string line;
  std::size_t lines = 0;
  while (std::getline(out, line)) {
    ++lines;
    const auto o = boost::json::parse(line).as_object();
    EXPECT_EQ(o.size(), 5u) << line;  // exactly {id, score, verdict, matched, reasons}
    const std::string id(o.at("id").as_string());
    ASSERT_TRUE(expected.contains(id)) << id;
    const auto& e = expected[id];
    EXPECT_EQ(o.at("verdict").as_string(), to_string(e.verdict)) << line;
    EXPECT_NEAR(o.at("score").to_number<double>(), e.score, 0.0006) << line;
    if (e.matched.empty()) {
      EXPECT_TRUE(o.at("matched").is_null()) << line;
    } else {
      EXPECT_EQ(o.at("matched").as_string(), e.matched) << line;
    }
    EXPECT_EQ(o.at("reasons").as_array().size(), e.reasons.size()) << line;
  }
  EXPECT_EQ(lines, std::count(all.begin(), all.end(), '\n'));
}

TEST(MamorictlMisinfo, ImpersonatorFlagAndMinimalInput) {
  const mamori::testing::TempDir dir;
  mamori::testing::write_file(
      dir.path() / "o.jsonl",
      R"({"id":"p","text":"市民まつりは11月3日に開催します","created_at":"2024-10-28T03:00:00Z"})"
      "\n");
  mamori::testing::write_file(
      dir.path() / "r.jsonl",
      R"({"id":"a","text":"まつりは中止です","created_at":1730260800,"in_reply_to":"p"})"
      "\n\n"
      R"({"id":"b","text":"まつりは中止です","created_at":"2024-10-30T04:00:00+09:00","in_reply_to":"p","impersonator":true})"
      "\n");
  const auto r =
      run_command(mamorictl() + " misinfo --official " + (dir.path() / "o.jsonl").string() +
                  " --replies " + (dir.path() / "r.jsonl").string());
  ASSERT_EQ(r.exit_code, 0);
  std::istringstream out(r.out);
  std::string a, b;
  std::getline(out, a);
  std::getline(out, b);
  const auto ja = boost::json::parse(a).as_object();
  const auto jb = boost::json::parse(b).as_object();
  EXPECT_EQ(ja.at("matched").as_string(), "fact:p");
  EXPECT_GT(jb.at("score").to_number<double>(), ja.at("score").to_number<double>());
  EXPECT_EQ(jb.at("verdict").as_string(), "misinformation");
}

TEST(MamorictlMisinfo, WritesToTheOutputFileAndTakesOfficialAccounts) {
  const mamori::testing::TempDir dir;
  mamori::testing::write_file(
      dir.path() / "o.jsonl",
      R"({"id":"p","text":"粗大ごみの受付は 0495-30-5300 へ","created_at":"2024-10-28T03:00:00Z"})"
      "\n");
  mamori::testing::write_file(
      dir.path() / "r.jsonl",
      R"({"id":"a","text":"受付は市公式アカウント @sagi_gomi へ","created_at":1730260800,"in_reply_to":"p"})"
      "\n"
      R"({"id":"b","text":"受付は 0495-30-5300 ですね","created_at":1730260800,"in_reply_to":"p"})"
      "\n");
  const auto out = dir.path() / "out.jsonl";
  const std::string base = mamorictl() + " misinfo --official " +
                           (dir.path() / "o.jsonl").string() + " --replies " +
                           (dir.path() / "r.jsonl").string();
  auto r = run_command(base + " -o " + out.string());
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty()) << r.out;
  std::istringstream lines(mamori::testing::read_file(out));
  std::string a, b;
  std::getline(lines, a);
  std::getline(lines, b);
  EXPECT_EQ(boost::json::parse(a).at("verdict").as_string(), "misinformation") << a;
  EXPECT_NE(a.find("@sagi_gomi"), std::string::npos) << a;
  EXPECT_EQ(boost::json::parse(b).at("verdict").as_string(), "benign") << b;
  // The same handle given as the city's own account is genuine.
  r = run_command(base + " --official-account @sagi_gomi");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(boost::json::parse(r.out.substr(0, r.out.find('\n'))).at("verdict").as_string(),
            "benign")
      << r.out;
  // An output file that cannot be written is a clear error.
  r = run_stderr(base + " -o " + (dir.path() / "missing" / "out.jsonl").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("cannot open for writing"), std::string::npos) << r.out;
}

TEST(MamorictlMisinfo, BadInputNamesFileLineAndFieldAndExitsTwo) {
  const mamori::testing::TempDir dir;
  const auto official = dir.path() / "o.jsonl";
  const auto replies = dir.path() / "r.jsonl";
  mamori::testing::write_file(
      official, R"({"id":"p","text":"開催します","created_at":"2024-10-28T03:00:00Z"})"
                "\n");
  const auto run = [&](const std::string& content) {
    mamori::testing::write_file(replies, content);
    return run_stderr(mamorictl() + " misinfo --official " + official.string() + " --replies " +
                      replies.string());
  };
  auto r = run(R"({"id":"a","text":"x","created_at":"2024-10-28T03:00:00Z"})"
               "\n"
               R"({"id":"b","text":"x"})"
               "\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(replies.string() + ":2: field 'created_at'"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;

  r = run(R"({"id":"a","text":"x","created_at":"yesterday"})");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(":1: field 'created_at': expected ISO-8601"), std::string::npos) << r.out;

  r = run("{not json}\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(":1: invalid JSON"), std::string::npos) << r.out;

  r = run(R"({"id":"a","text":5,"created_at":"2024-10-28T03:00:00Z"})");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("field 'text'"), std::string::npos) << r.out;

  r = run(R"({"id":"a","text":"x","created_at":"2024-10-28T03:00:00Z","in_reply_to":[1]})");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("field 'in_reply_to'"), std::string::npos) << r.out;

  r = run_stderr(mamorictl() + " misinfo --official " + official.string());
  EXPECT_EQ(r.exit_code, 2);
  r = run_stderr(mamorictl() + " misinfo --official " + (dir.path() / "missing.jsonl").string() +
                 " --replies " + replies.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("missing.jsonl: cannot read"), std::string::npos) << r.out;
}

TEST(MamorictlMisinfo, RumourFileErrorsAreReportedWithLineNumbers) {
  const mamori::testing::TempDir dir;
  const auto official = dir.path() / "o.jsonl";
  const auto replies = dir.path() / "r.jsonl";
  const auto rumours = dir.path() / "r.toml";
  mamori::testing::write_file(official,
                              R"({"id":"p","text":"開催","created_at":"2024-10-28T03:00:00Z"})"
                              "\n");
  mamori::testing::write_file(replies,
                              R"({"id":"a","text":"x","created_at":"2024-10-28T03:00:00Z"})"
                              "\n");
  const auto run = [&](const std::string& toml) {
    mamori::testing::write_file(rumours, toml);
    return run_stderr(mamorictl() + " misinfo --official " + official.string() + " --replies " +
                      replies.string() + " --rumors " + rumours.string());
  };
  auto r = run("format_version = 1\n[[rumour]]\nid = \"a\"\nclaim = \"x\"\nwording = [\"typo\"]\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(rumours.string() + ":5:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown key 'wording'"), std::string::npos) << r.out;

  r =
      run("format_version = 1\n[[rumour]]\nid = \"a\"\nclaim = \"x\"\n[[rumour]]\nid = "
          "\"a\"\nclaim = \"y\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("duplicate id 'a'"), std::string::npos) << r.out;

  r = run("format_version = 2\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("format_version: expected 1"), std::string::npos) << r.out;

  r = run("format_version = 1\n[[rumour]]\nid = \"Bad Id\"\nclaim = \"x\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(".id: expected"), std::string::npos) << r.out;

  r = run("format_version = 1\n[[rumour\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("TOML syntax error"), std::string::npos) << r.out;

  r = run(
      "format_version = 1\n[[rumour]]\nid = \"a\"\nclaim = \"x\"\ncorrection_url = \"ftp://x\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("correction_url"), std::string::npos) << r.out;
}

TEST(MamorictlMisinfo, StarterRumourFileLoadsWithTemplateCorrections) {
  // A reply matching a starter rumour without its own correction gets the template's text.
  const mamori::testing::TempDir dir;
  mamori::testing::write_file(
      dir.path() / "o.jsonl",
      R"({"id":"p","text":"地震の被害状況","created_at":"2024-11-16T21:40:00Z"})"
      "\n");
  mamori::testing::write_file(
      dir.path() / "r.jsonl",
      R"({"id":"a","text":"動物園からライオンが逃げた！拡散希望","created_at":"2024-11-16T22:00:00Z"})"
      "\n");
  const auto r = run_command(
      mamorictl() + " misinfo --official " + (dir.path() / "o.jsonl").string() + " --replies " +
      (dir.path() / "r.jsonl").string() + " --rumors " + starter() + " --municipality 若葉市");
  ASSERT_EQ(r.exit_code, 0);
  const auto o = boost::json::parse(r.out).as_object();
  EXPECT_EQ(o.at("matched").as_string(), "rumour:zoo-animal-escape");
  EXPECT_EQ(o.at("verdict").as_string(), "misinformation");
}

}  // namespace
}  // namespace mamori::detectors::misinfo
