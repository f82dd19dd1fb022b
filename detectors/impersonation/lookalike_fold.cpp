#include "detectors/impersonation/lookalike_fold.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>

#include "detectors/impersonation/embedded_data.h"

namespace mamori::detectors::impersonation {
namespace {

bool is_combining_mark(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

bool is_kana(char32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF);
}

char32_t parse_code_point(std::string_view hex, int line) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  if (ec != std::errc() || end != hex.data() + hex.size() || hex.empty() || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF)) {
    throw std::runtime_error("lookalike fold line " + std::to_string(line) + ": bad code point '" +
                             std::string(hex) + "'");
  }
  return static_cast<char32_t>(value);
}

}  // namespace

const LookalikeFold& LookalikeFold::standard() {
  static const LookalikeFold fold(data::lookalike_fold_tsv());
  return fold;
}

LookalikeFold::LookalikeFold(std::string_view tsv) {
  int line_no = 0;
  while (!tsv.empty()) {
    const auto nl = tsv.find('\n');
    std::string_view line = tsv.substr(0, nl);
    tsv.remove_prefix(nl == std::string_view::npos ? tsv.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto tab1 = line.find('\t');
    const auto tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos) {
      throw std::runtime_error("lookalike fold line " + std::to_string(line_no) +
                               ": expected source<TAB>target<TAB>class");
    }
    Entry e;
    e.from = parse_code_point(line.substr(0, tab1), line_no);
    std::string_view targets = line.substr(tab1 + 1, tab2 - tab1 - 1);
    while (!targets.empty()) {
      const auto sp = targets.find(' ');
      e.to.push_back(parse_code_point(targets.substr(0, sp), line_no));
      targets.remove_prefix(sp == std::string_view::npos ? targets.size() : sp + 1);
    }
    if (e.to.empty()) {
      throw std::runtime_error("lookalike fold line " + std::to_string(line_no) + ": no target");
    }
    e.cls = std::string(line.substr(tab2 + 1));
    entries_.push_back(std::move(e));
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.from < b.from; });
  const auto dup =
      std::adjacent_find(entries_.begin(), entries_.end(),
                         [](const Entry& a, const Entry& b) { return a.from == b.from; });
  if (dup != entries_.end()) {
    throw std::runtime_error("lookalike fold: code point listed twice");
  }
}

std::u32string_view LookalikeFold::target(char32_t c) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), c,
                                   [](const Entry& e, char32_t v) { return e.from < v; });
  if (it == entries_.end() || it->from != c) return {};
  return it->to;
}

std::u32string LookalikeFold::apply(std::u32string_view text) const {
  std::u32string out;
  out.reserve(text.size());
  char32_t base = 0;
  for (char32_t c : text) {
    if (is_combining_mark(c)) {
      // ぱ's handakuten arrives from ICU as U+030A: kana keep a voicing mark (ぱ ≈ ば, not は).
      if (is_kana(base)) out.push_back(U'\u3099');
      continue;
    }
    base = c;
    if (c < 0x80) {
      out.push_back(c);
      continue;
    }
    const std::u32string_view t = target(c);
    if (t.empty()) {
      out.push_back(c);
    } else {
      out.append(t);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::size_t>> LookalikeFold::classes() const {
  std::map<std::string, std::size_t> counts;
  for (const auto& e : entries_) ++counts[e.cls];
  return {counts.begin(), counts.end()};
}

}  // namespace mamori::detectors::impersonation
