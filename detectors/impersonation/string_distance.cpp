#include "detectors/impersonation/string_distance.h"

#include <algorithm>
#include <array>

namespace mamori::detectors::impersonation {
namespace {

std::u32string_view bounded(std::u32string_view s) {
  return s.substr(0, std::min(s.size(), kMaxCompareLength));
}

}  // namespace

std::size_t damerau_levenshtein(std::u32string_view a_in, std::u32string_view b_in) {
  std::u32string_view a = bounded(a_in);
  std::u32string_view b = bounded(b_in);
  // Common prefix and suffix cost nothing and are the usual case for look-alikes.
  while (!a.empty() && !b.empty() && a.front() == b.front()) {
    a.remove_prefix(1);
    b.remove_prefix(1);
  }
  while (!a.empty() && !b.empty() && a.back() == b.back()) {
    a.remove_suffix(1);
    b.remove_suffix(1);
  }
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  if (n == 0) return m;
  if (m == 0) return n;
  // Three rolling rows, rotated by pointer: the transposition step looks two rows back.
  std::array<std::size_t, kMaxCompareLength + 1> rows[3];
  std::size_t* before = rows[0].data();
  std::size_t* previous = rows[1].data();
  std::size_t* current = rows[2].data();
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    const char32_t ai = a[i - 1];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = ai == b[j - 1] ? 0 : 1;
      std::size_t best = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, before[j - 2] + 1);
      }
      current[j] = best;
    }
    std::size_t* recycled = before;
    before = previous;
    previous = current;
    current = recycled;
  }
  return previous[m];
}

double jaro_winkler(std::u32string_view a_in, std::u32string_view b_in) {
  const std::u32string_view a = bounded(a_in);
  const std::u32string_view b = bounded(b_in);
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const std::size_t window =
      std::max(a.size(), b.size()) / 2 - (std::max(a.size(), b.size()) >= 2 ? 1 : 0);
  std::array<bool, kMaxCompareLength> a_matched{};
  std::array<bool, kMaxCompareLength> b_matched{};
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(b.size(), i + window + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (!b_matched[j] && a[i] == b[j]) {
        a_matched[i] = true;
        b_matched[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  std::size_t half_transpositions = 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a_matched[i]) continue;
    while (!b_matched[k]) ++k;
    if (a[i] != b[k]) ++half_transpositions;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double t = static_cast<double>(half_transpositions) / 2.0;
  const double jaro =
      (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) / 3.0;
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

double edit_similarity(std::u32string_view a, std::u32string_view b) {
  return edit_similarity(a, b, damerau_levenshtein(a, b));
}

double edit_similarity(std::u32string_view a, std::u32string_view b, std::size_t distance) {
  const std::size_t longer = std::min(std::max(a.size(), b.size()), kMaxCompareLength);
  if (longer == 0) return 1.0;
  return 1.0 - static_cast<double>(std::min(distance, longer)) / static_cast<double>(longer);
}

}  // namespace mamori::detectors::impersonation
