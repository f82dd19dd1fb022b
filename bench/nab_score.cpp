// NAB v1.1 scores of result files (bench/nab/nab_score.h).
//   build/bin/nab_score --windows WINDOWS.json [--column alert] [--optimize] RESULT.csv...
// Each RESULT.csv has a header with `timestamp` and the scored column (`alert` from
// `mamorictl spikes`, `anomaly_score` from NAB's published results). Without --optimize the rows
// whose column is >= 0.5 are detections (a fixed alert column); with it, the threshold is chosen
// with hindsight over all files together, as NAB's scoreboard does. Prints the standard,
// reward-low-FP and reward-low-FN scores, windows found and false alerts.
#include "bench/nab/nab_score.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nab = mamori::bench::nab;

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr const char* kUsage =
    "usage: nab_score --windows WINDOWS.json [--column NAME] [--optimize] RESULT.csv...\n";

}  // namespace

int main(int argc, char** argv) {
  std::string windows_path;
  std::string column = "alert";
  bool optimize = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--windows" && i + 1 < argc) {
      windows_path = argv[++i];
    } else if (a == "--column" && i + 1 < argc) {
      column = argv[++i];
    } else if (a == "--optimize") {
      optimize = true;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "nab_score: unknown option %s\n%s", a.c_str(), kUsage);
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (windows_path.empty() || files.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const auto windows_text = read_file(windows_path);
  if (!windows_text) {
    std::fprintf(stderr, "%s: cannot open for reading\n", windows_path.c_str());
    return 2;
  }
  const nab::WindowsResult windows = nab::parse_windows_json(*windows_text);
  if (windows.error) {
    std::fprintf(stderr, "%s: %s\n", windows_path.c_str(), windows.error->c_str());
    return 2;
  }
  std::vector<nab::Series> corpus;
  for (const std::string& path : files) {
    const auto text = read_file(path);
    if (!text) {
      std::fprintf(stderr, "%s: cannot open for reading\n", path.c_str());
      return 2;
    }
    nab::ResultsCsv csv = nab::parse_results_csv(*text, column);
    if (csv.error) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), csv.error->c_str());
      return 2;
    }
    const auto* ws = nab::windows_for(windows.windows, path);
    if (ws == nullptr) {
      std::fprintf(stderr, "%s: no windows for this file in %s\n", path.c_str(),
                   windows_path.c_str());
      return 2;
    }
    corpus.push_back({path, std::move(csv.times), std::move(csv.scores), *ws});
  }
  for (const nab::Profile& p :
       {nab::standard_profile(), nab::low_fp_profile(), nab::low_fn_profile()}) {
    const nab::CorpusScore c =
        optimize ? nab::optimize_threshold(corpus, p) : nab::score_corpus(corpus, 0.5, p);
    std::printf("%-20s score %6.2f  threshold %.4g  windows found %d/%d  false alerts %d\n",
                p.name.c_str(), c.normalized, c.threshold, c.found, c.windows, c.false_alarms);
    if (p.name != "standard") continue;
    for (std::size_t i = 0; i < corpus.size(); ++i) {
      const nab::FileScore& f = c.files[i];
      std::printf("  %-60s raw %7.3f  found %d/%d  false alerts %3d  detections %zu/%zu rows\n",
                  corpus[i].name.c_str(), f.raw, f.found, f.windows, f.false_alarms, f.detections,
                  f.rows);
    }
  }
  return 0;
}
