// libFuzzer target: the NAB scorer's readers (bench/nab/nab_score.h) — a windows JSON and a
// results CSV from the same input (split at the first NUL byte) — and scoring what they accept.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bench/nab/nab_score.h"

namespace nab = mamori::bench::nab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto nul = all.find('\0');
  const std::string_view json = all.substr(0, nul);
  const std::string_view csv = nul == std::string_view::npos ? all : all.substr(nul + 1);
  const nab::WindowsResult windows = nab::parse_windows_json(json);
  if (windows.error && windows.error->empty()) std::abort();
  const nab::ResultsCsv results = nab::parse_results_csv(csv, "alert");
  if (results.error) {
    if (results.error->empty() || !results.times.empty()) std::abort();
    return 0;
  }
  if (results.times.size() != results.scores.size()) std::abort();
  for (std::size_t i = 1; i < results.times.size(); ++i) {
    if (results.times[i - 1] >= results.times[i]) std::abort();
  }
  if (windows.error || results.times.size() > 5000) return 0;
  for (const auto& [name, ws] : windows.windows) {
    const nab::Series s{name, results.times, results.scores, ws};
    const nab::FileScore f = nab::score_file(s, 0.5, nab::standard_profile());
    if (f.found > f.windows || f.found < 0 || f.probation > f.rows) std::abort();
    const nab::CorpusScore best = nab::optimize_threshold({&s, 1}, nab::standard_profile());
    if (!(best.normalized <= 100.0 + 1e-9)) std::abort();
  }
  return 0;
}
