// Links written in a reply's NFKC text: "https://…", "http://…" and bare domains such as
// "bit.ly/abc" or "wakaba-bokin.jp". Every character of a link is ASCII, so the same spans are
// found in code points (std::u32string_view) and in UTF-8 bytes (std::string_view), each in its
// own offsets: the misinformation detector reads the links' text, and text::NormalizedText blanks
// them before the morphological analysis (what a link spells is not Japanese).
//
//   for (const text::LinkSpan& l : text::find_links(nfkc)) url = nfkc.substr(l.begin, l.size());
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace mamori::detectors::text {

struct LinkSpan {
  std::size_t begin = 0;  // offsets in the searched text's units (code points or bytes)
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

// Links in order, not overlapping. Expects NFKC (case-folded) text; any input is safe.
std::vector<LinkSpan> find_links(std::u32string_view nfkc);
std::vector<LinkSpan> find_links(std::string_view nfkc_utf8);

}  // namespace mamori::detectors::text
