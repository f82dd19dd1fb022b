// The flame-up detector on real series with labelled anomaly windows (NAB realTweets, development
// files in tests/data/flameup-nab/): NAB v1.1 scores of `mamorictl spikes` with its defaults and
// its fixed `alert` column (no threshold search), windows found, false alerts, and the share of
// rows with alert = 1.
//   build/bin/flameup_nab_bench [DIR]          defaults (DIR: tests/data/flameup-nab)
//   build/bin/flameup_nab_bench --sweep [DIR]  also the calibration reference alone around the
//                                              defaults, and a small grid of the main settings
//                                              (calibration reference 0 = off), with a
//                                              leave-one-series-out estimate of generalisation
// The reserved acceptance series are not in DIR and must never be added to it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench/nab/nab_score.h"
#include "detectors/flameup/spikes.h"

namespace fs = std::filesystem;
namespace fu = mamori::detectors::flameup;
namespace nab = mamori::bench::nab;

namespace {

struct DevSeries {
  std::string name;
  std::vector<fu::Sample> samples;  // as `mamorictl spikes` reads them (naive = +09:00)
  nab::Series scored;               // times as NAB reads them (naive = UTC)
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<DevSeries> load(const fs::path& dir) {
  const nab::WindowsResult windows = nab::parse_windows_json(read_file(dir / "windows.json"));
  if (windows.error) throw std::runtime_error("windows.json: " + *windows.error);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "series")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<DevSeries> out;
  for (const fs::path& f : files) {
    const std::string text = read_file(f);
    const auto parsed = fu::parse_spikes_csv(text, fu::Settings{}.utc_offset);
    if (!parsed.ok()) throw std::runtime_error(f.string() + ": " + parsed.error->message);
    const nab::ResultsCsv utc = nab::parse_results_csv(text, "value");
    if (utc.error) throw std::runtime_error(f.string() + ": " + *utc.error);
    const auto* ws = nab::windows_for(windows.windows, f.filename().string());
    if (ws == nullptr) throw std::runtime_error(f.string() + ": no windows");
    DevSeries d;
    d.name = f.filename().string();
    d.samples = parsed.data.samples;
    d.scored = {d.name, utc.times, std::vector<double>(utc.times.size(), 0.0), *ws};
    out.push_back(std::move(d));
  }
  return out;
}

struct Run {
  std::vector<nab::Series> alerts;  // per file, the alert column as the scores (1 or 0)
  nab::CorpusScore fixed;           // the alert column as written
  nab::CorpusScore hindsight;       // the score column, threshold optimised over the files
  std::size_t rows = 0;
  std::size_t alert_rows = 0;
  std::size_t episode_rows = 0;
  std::size_t max_alert_rows = 0;  // the worst file's alert rows ...
  std::size_t max_alert_of = 1;    // ... out of its rows
  double seconds = 0.0;
};

Run run(const std::vector<DevSeries>& corpus, const fu::Settings& settings, bool hindsight) {
  Run r;
  std::vector<nab::Series> scores;
  const auto t0 = std::chrono::steady_clock::now();
  for (const DevSeries& d : corpus) {
    const auto out = fu::spikes(d.samples, settings);
    nab::Series alerts = d.scored;
    nab::Series raw = d.scored;
    std::size_t file_alerts = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      alerts.scores[i] = out[i].alert ? 1.0 : 0.0;
      raw.scores[i] = out[i].score;
      file_alerts += out[i].alert;
      r.episode_rows += out[i].episode;
    }
    r.rows += out.size();
    r.alert_rows += file_alerts;
    if (file_alerts * r.max_alert_of >= r.max_alert_rows * out.size()) {
      r.max_alert_rows = file_alerts;
      r.max_alert_of = out.size();
    }
    r.alerts.push_back(std::move(alerts));
    scores.push_back(std::move(raw));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.fixed = nab::score_corpus(r.alerts, 0.5, nab::standard_profile());
  if (hindsight) r.hindsight = nab::optimize_threshold(scores, nab::standard_profile());
  return r;
}

void print_defaults(const std::vector<DevSeries>& corpus) {
  const Run r = run(corpus, fu::Settings{}, true);
  std::printf("flame-up defaults on %zu NAB realTweets development files (%zu rows, %.2f s):\n",
              corpus.size(), r.rows, r.seconds);
  std::printf("  NAB standard, fixed alert column:  %6.2f  windows found %d/%d  false alerts %d\n",
              r.fixed.normalized, r.fixed.found, r.fixed.windows, r.fixed.false_alarms);
  for (const nab::Profile& p : {nab::low_fp_profile(), nab::low_fn_profile()}) {
    const auto c = nab::score_corpus(r.alerts, 0.5, p);
    std::printf("  NAB %-18s fixed alert:    %6.2f\n", p.name.c_str(), c.normalized);
  }
  std::printf(
      "  rows with alert = 1: %zu of %zu (%.3f%%), worst file %.3f%%; rows in an episode "
      "%.2f%%\n",
      r.alert_rows, r.rows, 100.0 * static_cast<double>(r.alert_rows) / r.rows,
      100.0 * static_cast<double>(r.max_alert_rows) / r.max_alert_of,
      100.0 * static_cast<double>(r.episode_rows) / r.rows);
  std::printf(
      "  (reference) score column, threshold optimised with hindsight: %.2f at %.3f, "
      "found %d/%d, false alerts %d\n",
      r.hindsight.normalized, r.hindsight.threshold, r.hindsight.found, r.hindsight.windows,
      r.hindsight.false_alarms);
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const nab::FileScore& f = r.fixed.files[i];
    std::printf("  %-28s NAB %6.2f  found %d/%d  false alerts %2d  alerts %zu\n",
                corpus[i].name.c_str(), nab::normalize(f.raw, f.windows, nab::standard_profile()),
                f.found, f.windows, f.false_alarms, f.detections);
  }
}

// Leave one series out over candidate settings (each with its corpus score): for each file the
// candidate best on the other files, scored on it. Returns the pooled held-out score and, per
// file, the chosen candidate's index and its score on the others.
struct HeldOut {
  double normalized = 0.0;
  std::vector<std::size_t> chosen;
  std::vector<double> on_others;
};

HeldOut leave_one_out(const std::vector<const nab::CorpusScore*>& candidates, std::size_t files) {
  const auto profile = nab::standard_profile();
  HeldOut out;
  double held_raw = 0.0;
  int held_windows = 0;
  for (std::size_t k = 0; k < files; ++k) {
    std::size_t best = 0;
    double best_score = -1e9;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      double raw = 0.0;
      int w = 0;
      for (std::size_t i = 0; i < files; ++i) {
        if (i == k) continue;
        raw += candidates[c]->files[i].raw;
        w += candidates[c]->files[i].windows;
      }
      if (nab::normalize(raw, w, profile) > best_score) {
        best_score = nab::normalize(raw, w, profile);
        best = c;
      }
    }
    held_raw += candidates[best]->files[k].raw;
    held_windows += candidates[best]->files[k].windows;
    out.chosen.push_back(best);
    out.on_others.push_back(best_score);
  }
  out.normalized = nab::normalize(held_raw, held_windows, profile);
  return out;
}

// A small grid around the defaults and, for each file, the grid point best on the other four
// scored on it (leave-one-series-out): what tuning on these files would carry over.
void sweep(const std::vector<DevSeries>& corpus) {
  struct Point {
    double open;
    double share;
    int max_episode_min;
    double reference;
    double exponent;
    nab::CorpusScore score;
  };
  // The calibration alone, around the defaults: how far the score holds on either side.
  std::printf("calibration_reference at the other defaults (exponent %.2f, then 1 = linear):\n",
              fu::Settings{}.calibration_exponent);
  const auto profile = nab::standard_profile();
  for (double exponent : {fu::Settings{}.calibration_exponent, 1.0}) {
    std::vector<std::pair<double, nab::CorpusScore>> line;
    for (double reference : {0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22,
                             0.25, 0.30, 0.35, 0.40}) {
      fu::Settings s;
      s.calibration_reference = reference;
      s.calibration_exponent = exponent;
      const Run r = run(corpus, s, false);
      line.emplace_back(reference, r.fixed);
      std::printf("  exponent %.2f reference %.2f: NAB %6.2f  found %2d/%d  false alerts %3d |",
                  exponent, reference, r.fixed.normalized, r.fixed.found, r.fixed.windows,
                  r.fixed.false_alarms);
      for (const nab::FileScore& f : r.fixed.files) {
        std::printf(" %6.2f", nab::normalize(f.raw, f.windows, nab::standard_profile()));
      }
      std::printf("\n");
    }
    // Leave one series out along this line: the reference best on the other four, on the fifth.
    std::vector<const nab::CorpusScore*> candidates;
    for (const auto& point : line) candidates.push_back(&point.second);
    const HeldOut held = leave_one_out(candidates, corpus.size());
    for (std::size_t k = 0; k < corpus.size(); ++k) {
      std::printf("    held out %-28s reference %.2f\n", corpus[k].name.c_str(),
                  line[held.chosen[k]].first);
    }
    std::printf("  exponent %.2f: leave-one-series-out over the reference: %.2f\n", exponent,
                held.normalized);
  }
  std::vector<Point> grid;
  for (double open : {4.0, 6.0, 8.0}) {
    for (double share : {0.0, 0.5, 0.8}) {
      for (int max_ep : {60, 120, 240, 10080}) {
        for (const auto& [reference, exponent] :
             std::initializer_list<std::pair<double, double>>{{0.0, 1.0},
                                                              {0.05, 0.5},
                                                              {0.1, 0.5},
                                                              {0.15, 0.5},
                                                              {0.2, 1.0},
                                                              {0.25, 1.0},
                                                              {0.3, 1.0}}) {
          fu::Settings s;
          s.open_surprise = open;
          s.hostile_open_surprise = std::min(s.hostile_open_surprise, open);
          s.memory_share = share;
          s.max_episode = std::chrono::minutes(max_ep);
          s.calibration_reference = reference;
          s.calibration_exponent = exponent;
          grid.push_back({open, share, max_ep, reference, exponent, run(corpus, s, false).fixed});
          const Point& p = grid.back();
          std::printf(
              "  open %4.1f  memory_share %.1f  max_episode %5d min  calibration %.2f^%.1f: NAB "
              "%6.2f  found %2d/%d  false alerts %3d\n",
              open, share, max_ep, reference, exponent, p.score.normalized, p.score.found,
              p.score.windows, p.score.false_alarms);
        }
      }
    }
  }
  std::vector<const nab::CorpusScore*> candidates;
  for (const Point& g : grid) candidates.push_back(&g.score);
  const HeldOut held = leave_one_out(candidates, corpus.size());
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    const Point& best = grid[held.chosen[k]];
    const nab::FileScore& f = best.score.files[k];
    std::printf(
        "  held out %-28s best on the others: open %.1f share %.1f max_episode %d calibration "
        "%.2f^%.1f (%.2f) -> held %.2f\n",
        corpus[k].name.c_str(), best.open, best.share, best.max_episode_min, best.reference,
        best.exponent, held.on_others[k], nab::normalize(f.raw, f.windows, profile));
  }
  std::printf("  leave-one-series-out NAB standard (pooled over the held-out files): %.2f\n",
              held.normalized);
}

}  // namespace

int main(int argc, char** argv) {
  bool do_sweep = false;
  fs::path dir = fs::path(MAMORI_SOURCE_DIR) / "tests" / "data" / "flameup-nab";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sweep") {
      do_sweep = true;
    } else {
      dir = a;
    }
  }
  try {
    const auto corpus = load(dir);
    print_defaults(corpus);
    if (do_sweep) {
      std::printf("sweep (fixed alert column):\n");
      sweep(corpus);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flameup_nab_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
