// The NAB v1.1 scorer (bench/nab/nab_score.h): NAB's published ADVec score on the development
// files, and the scoring rules on small hand-built files.
#include "bench/nab/nab_score.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace mamori::bench::nab {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(NabScore, ReproducesThePublishedAdvecScoreOnTheDevelopmentFiles) {
  const fs::path dir = testing::data_dir() / "flameup-nab";
  const WindowsResult windows = parse_windows_json(read(dir / "windows.json"));
  ASSERT_FALSE(windows.error) << *windows.error;
  std::vector<Series> corpus;
  for (const auto& e : fs::directory_iterator(dir / "published")) {
    ResultsCsv csv = parse_results_csv(read(e.path()), "anomaly_score");
    ASSERT_FALSE(csv.error) << e.path() << ": " << *csv.error;
    const auto* ws = windows_for(windows.windows, e.path().filename().string());
    ASSERT_NE(ws, nullptr) << e.path();
    corpus.push_back({e.path().filename().string(), csv.times, csv.scores, *ws});
  }
  ASSERT_EQ(corpus.size(), 5u);
  // NAB's published standard score of ADVec on these five files, threshold optimised over them:
  // 66.02 with 15 of the 16 windows detected.
  const CorpusScore c = optimize_threshold(corpus, standard_profile());
  EXPECT_NEAR(c.normalized, 66.02, 0.005);
  EXPECT_EQ(c.found, 15);
  EXPECT_EQ(c.windows, 16);
  EXPECT_DOUBLE_EQ(c.threshold, 1.0);
  // The same threshold given directly scores the same.
  EXPECT_NEAR(score_corpus(corpus, 1.0, standard_profile()).normalized, c.normalized, 1e-9);
}

// 2000 rows a minute apart; probation = 300 rows; one window over rows [1000, 1099].
Series hand_built() {
  Series s;
  s.name = "hand";
  for (std::int64_t i = 0; i < 2000; ++i) s.times.push_back(1'000'000 + 60 * i);
  s.scores.assign(s.times.size(), 0.0);
  s.windows.push_back({s.times[1000], s.times[1099]});
  return s;
}

TEST(NabScore, EarliestDetectionInAWindowCountsOnce) {
  Series s = hand_built();
  const Profile p = standard_profile();
  EXPECT_DOUBLE_EQ(score_file(s, 0.5, p).raw, -1.0);  // missed: -A_FN
  s.scores[1000] = 1.0;                               // at the window's start: the full A_TP
  EXPECT_NEAR(score_file(s, 0.5, p).raw, 1.0, 1e-12);
  s.scores[1000] = 0.0;
  s.scores[1050] = 1.0;  // half way: less
  const double half = score_file(s, 0.5, p).raw;
  EXPECT_GT(half, 0.0);
  EXPECT_LT(half, 0.9);
  s.scores[1090] = 1.0;  // a second detection in the same window changes nothing
  EXPECT_DOUBLE_EQ(score_file(s, 0.5, p).raw, half);
  EXPECT_EQ(score_file(s, 0.5, p).found, 1);
  EXPECT_EQ(score_file(s, 0.5, p).false_alarms, 0);
}

TEST(NabScore, FalseAlarmsCostLessRightAfterAWindowAndNothingInProbation) {
  Series s = hand_built();
  const Profile p = standard_profile();
  s.scores[100] = 1.0;  // probation (first 15% = 300 rows): not scored
  EXPECT_DOUBLE_EQ(score_file(s, 0.5, p).raw, -1.0);
  EXPECT_EQ(score_file(s, 0.5, p).probation, 300u);
  s.scores[100] = 0.0;
  s.scores[500] = 1.0;  // before any window: the full A_FP
  EXPECT_NEAR(score_file(s, 0.5, p).raw, -1.0 - 0.11, 1e-12);
  s.scores[500] = 0.0;
  s.scores[1105] = 1.0;  // just after the window: a small cost
  const double soon = score_file(s, 0.5, p).raw + 1.0;
  EXPECT_LT(soon, 0.0);
  EXPECT_GT(soon, -0.11 / 2);
  s.scores[1105] = 0.0;
  s.scores[1900] = 1.0;  // more than three window widths after it: the full A_FP
  EXPECT_NEAR(score_file(s, 0.5, p).raw, -1.0 - 0.11, 1e-12);
}

TEST(NabScore, NormalisesNullToZeroAndPerfectToHundred) {
  Series s = hand_built();
  const std::vector<Series> none{s};
  EXPECT_NEAR(score_corpus(none, 0.5, standard_profile()).normalized, 0.0, 1e-12);
  s.scores[1000] = 1.0;
  const std::vector<Series> perfect{s};
  EXPECT_NEAR(score_corpus(perfect, 0.5, standard_profile()).normalized, 100.0, 1e-9);
  EXPECT_NEAR(score_corpus(perfect, 0.5, low_fn_profile()).normalized, 100.0, 1e-9);
}

TEST(NabScore, OptimisedThresholdIsTheBestOfEveryDistinctScore) {
  Series s = hand_built();
  s.scores[1000] = 0.6;  // the window
  s.scores[500] = 0.9;   // a false alarm scored higher
  s.scores[600] = 0.3;
  const std::vector<Series> c{s};
  const CorpusScore best = optimize_threshold(c, standard_profile());
  for (double t : {0.2, 0.3, 0.5, 0.6, 0.7, 0.9, 1.0}) {
    EXPECT_GE(best.normalized + 1e-12, score_corpus(c, t, standard_profile()).normalized) << t;
  }
  EXPECT_DOUBLE_EQ(best.threshold, 0.6);
}

TEST(NabScore, BadInputGivesAClearError) {
  EXPECT_TRUE(parse_windows_json("[1, 2]").error);
  EXPECT_TRUE(parse_windows_json("{\"a.csv\": [[\"2015-03-01 00:00:00\"]]}").error);
  EXPECT_TRUE(parse_windows_json("{\"a.csv\": [[\"b\", \"2015-03-01 00:00:00\"]]}").error);
  EXPECT_TRUE(parse_windows_json("{not json").error);
  const auto ok = parse_windows_json(
      "{\"realTweets/Twitter_volume_X.csv\": [[\"2015-03-01 00:00:00.000000\", "
      "\"2015-03-02 00:00:00.000000\"]]}");
  ASSERT_FALSE(ok.error);
  EXPECT_NE(windows_for(ok.windows, "out/detector_Twitter_volume_X.csv"), nullptr);
  EXPECT_EQ(windows_for(ok.windows, "Twitter_volume_Y.csv"), nullptr);

  EXPECT_EQ(*parse_results_csv("timestamp,value\n2015-03-01 00:00:00,1\n", "alert").error,
            "line 1: expected a header with a 'alert' column");
  EXPECT_TRUE(parse_results_csv("timestamp,alert\n2015-03-01 00:00:00,x\n", "alert").error);
  EXPECT_TRUE(parse_results_csv("timestamp,alert\nyesterday,1\n", "alert").error);
  EXPECT_TRUE(
      parse_results_csv("timestamp,alert\n2015-03-01 00:05:00,1\n2015-03-01 00:00:00,0\n", "alert")
          .error);
  const auto csv = parse_results_csv(
      "timestamp,value,score,alert,episode\n2015-03-01 00:00:00,3,0.1,0,0\n"
      "2015-03-01 00:05:00,90,0.8,1,1\n",
      "alert");
  ASSERT_FALSE(csv.error);
  EXPECT_EQ(csv.scores, (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(csv.times[1] - csv.times[0], 300);
}

}  // namespace
}  // namespace mamori::bench::nab
