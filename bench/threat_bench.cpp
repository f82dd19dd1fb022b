// Threat detection: evaluation figures on tests/data/threat (tune part and held part, per kind)
// printed first, then the throughput of `threat::assess` (MeCab analysis included).
//
//   build/bin/threat_bench                 # figures, then throughput
//   build/bin/threat_bench --show-errors   # also lists the tune part's misses and false alarms
//                                          # (the held part's are never listed: it is not for
//                                          tuning)
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "detectors/threat/detector.h"

namespace {

namespace th = mamori::detectors::threat;

struct Item {
  std::string id, text, label, kind;
};

std::vector<Item> load(const std::string& path) {
  std::vector<Item> items;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto o = boost::json::parse(line).as_object();
    items.push_back({std::string(o.at("id").as_string()), std::string(o.at("text").as_string()),
                     std::string(o.at("label").as_string()),
                     std::string(o.at("kind").as_string())});
  }
  return items;
}

bool g_show_errors = false;

void evaluate(const char* part, const std::vector<Item>& items, bool may_show) {
  int tp = 0, fp = 0, fn = 0, tn = 0;
  std::map<std::string, std::pair<int, int>> per_kind;  // kind -> (flagged, total)
  for (const Item& it : items) {
    const th::Assessment a = th::assess(it.text);
    const bool truth = it.label == "threat";
    auto& k = per_kind[it.label + "/" + it.kind];
    ++k.second;
    if (a.threat) ++k.first;
    if (a.threat && truth) ++tp;
    if (a.threat && !truth) ++fp;
    if (!a.threat && truth) ++fn;
    if (!a.threat && !truth) ++tn;
    if (may_show && g_show_errors && a.threat != truth) {
      std::printf("  %s %s %s: %s\n", truth ? "MISS" : "FALSE", it.id.c_str(), it.kind.c_str(),
                  it.text.c_str());
    }
  }
  const double p = tp + fp ? double(tp) / (tp + fp) : 0.0;
  const double r = tp + fn ? double(tp) / (tp + fn) : 0.0;
  const double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  std::printf(
      "%s: %zu replies, threats %d: precision %.3f recall %.3f F1 %.3f "
      "(tp %d fp %d fn %d tn %d)\n",
      part, items.size(), tp + fn, p, r, f1, tp, fp, fn, tn);
  for (const auto& [kind, v] : per_kind) {
    std::printf("  %-22s flagged %d of %d\n", kind.c_str(), v.first, v.second);
  }
}

std::vector<Item> g_all;

void BM_Assess(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(th::assess(g_all[i++ % g_all.size()].text));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Assess)->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--show-errors") == 0) {
      g_show_errors = true;
    } else {
      rest.push_back(argv[i]);
    }
  }
  const std::string dir = std::string(MAMORI_SOURCE_DIR) + "/tests/data/threat/";
  const auto tune = load(dir + "tune.jsonl");
  const auto held = load(dir + "held.jsonl");
  evaluate("tune", tune, true);
  evaluate("held", held, false);
  g_all = tune;
  g_all.insert(g_all.end(), held.begin(), held.end());
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
