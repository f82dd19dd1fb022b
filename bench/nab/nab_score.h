// A scorer of the Numenta Anomaly Benchmark (NAB v1.1), written from NAB's published description
// (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection Algorithms - the Numenta Anomaly
// Benchmark", and NAB's README/wiki on scoring), not from its code. Used to measure the flame-up
// detector on real count series with labelled anomaly windows (bench/flameup_nab_bench.cpp,
// bench/nab_score.cpp) and checked against NAB's published ADVec score (tests/bench/).
//
// Rules: the first min(15% of the rows, 750) rows are a probation period and not scored. Inside a
// window only the earliest detection counts, worth A_TP x sigma(position) / sigma(window start);
// a detection outside every window costs A_FP x sigma(distance past the preceding window, in window
// widths), the full A_FP with no preceding window; each window without a detection costs A_FN.
// sigma(y) = 2 / (1 + e^(5y)) - 1, and -1 beyond 3 window widths. A corpus score is normalised to
// 100 x (raw - null) / (perfect - null) with null = -A_FN x windows, perfect = A_TP x windows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::bench::nab {

struct Profile {
  std::string name;
  double tp = 1.0;   // A_TP
  double fp = 0.11;  // A_FP (a cost: subtracted)
  double fn = 1.0;   // A_FN (a cost: subtracted)
};
// NAB's three application profiles: standard, reward_low_FP_rate, reward_low_FN_rate.
Profile standard_profile();
Profile low_fp_profile();
Profile low_fn_profile();

// An anomaly window, inclusive, in seconds since the epoch.
struct Window {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// One result file: row times (strictly increasing) and the detector's per-row scores.
struct Series {
  std::string name;
  std::vector<std::int64_t> times;
  std::vector<double> scores;
  std::vector<Window> windows;
};

struct FileScore {
  double raw = 0.0;  // unnormalised score of the file
  int windows = 0;
  int found = 0;               // windows with a detection
  int false_alarms = 0;        // detections outside every window (after probation)
  std::size_t detections = 0;  // rows detected after probation
  std::size_t rows = 0;
  std::size_t probation = 0;
};

// Scores one file with detections = rows whose score >= threshold.
FileScore score_file(const Series& series, double threshold, const Profile& profile);

struct CorpusScore {
  double threshold = 0.0;
  double raw = 0.0;
  double normalized = 0.0;
  int windows = 0;
  int found = 0;
  int false_alarms = 0;
  std::vector<FileScore> files;
};

// All files at one threshold.
CorpusScore score_corpus(std::span<const Series> corpus, double threshold, const Profile& profile);

// The threshold that maximises the corpus score (NAB's hindsight optimisation): every distinct
// score is tried, as NAB's sweep does. O(rows log rows).
CorpusScore optimize_threshold(std::span<const Series> corpus, const Profile& profile);

double normalize(double raw, int windows, const Profile& profile);

// --- input files ---

// NAB's windows file (labels/combined_windows.json): {"dir/file.csv": [["start", "end"], ...]}.
// Returns the windows by key, or an error message.
struct WindowsResult {
  std::map<std::string, std::vector<Window>> windows;
  std::optional<std::string> error;
};
WindowsResult parse_windows_json(std::string_view text);

// The windows of a result file: the key whose file name ends the result file's name
// ("twitterADVec_Twitter_volume_AAPL.csv" matches "realTweets/Twitter_volume_AAPL.csv").
const std::vector<Window>* windows_for(const std::map<std::string, std::vector<Window>>& windows,
                                       std::string_view file_name);

// A CSV with a header naming `timestamp` and `column` (e.g. "anomaly_score", "alert"): times
// (UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]" or ISO-8601) and that column as scores.
struct ResultsCsv {
  std::vector<std::int64_t> times;
  std::vector<double> scores;
  std::optional<std::string> error;  // "line N: ..."
};
ResultsCsv parse_results_csv(std::string_view text, std::string_view column);

}  // namespace mamori::bench::nab
