// A set of short phrases matched against folded text (NFKC, case- and kana-folded), longest
// match first at each position. Lexicons (hedging, spreading, states, …) are written in natural
// Japanese and folded once when the set is built, so デマ also matches でま and ﾃﾞﾏ.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mamori::detectors::misinfo {

struct PhraseMatch {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::uint32_t tag = 0;
};

class PhraseSet {
 public:
  // `tag` is returned with each match (an index into the caller's table).
  void add(std::string_view phrase, std::uint32_t tag);

  // All non-overlapping matches in [begin, end), scanning left to right and preferring the
  // longest phrase at each position.
  std::vector<PhraseMatch> find_all(std::u32string_view text, std::size_t begin = 0,
                                    std::size_t end = std::u32string_view::npos) const;

  // The longest phrase starting exactly at `pos`, if any.
  bool match_at(std::u32string_view text, std::size_t pos, PhraseMatch& out) const;

  bool contains_any(std::u32string_view text, std::size_t begin = 0,
                    std::size_t end = std::u32string_view::npos) const;

  bool empty() const { return phrases_.empty(); }

 private:
  struct Entry {
    std::u32string text;
    std::uint32_t tag = 0;
  };
  std::vector<Entry> phrases_;
  // First code point -> phrase indices, longest first.
  std::unordered_map<char32_t, std::vector<std::uint32_t>> by_first_;
  // The same as a flat open-addressing table read per position of a reply: each first code
  // point's run of indices in `ordered_`. Rebuilt by add().
  struct Bucket {
    char32_t first = 0;  // 0: empty (no phrase starts with U+0000: NFKC keeps it, folding too,
                         // but add() skips such phrases)
    std::uint32_t begin = 0;
    std::uint32_t size = 0;
  };
  std::vector<Bucket> buckets_;
  std::size_t bucket_mask_ = 0;
  std::vector<std::uint32_t> ordered_;
  // A 4096-bit filter on first code points: most characters start no phrase, and this answers
  // that without a hash lookup (the detector tries every position of every reply).
  std::array<std::uint64_t, 64> first_filter_{};
};

// NFKC casefold + kana fold, as code points: the form phrases and `AnalyzedText::folded` share.
std::u32string fold_phrase(std::string_view utf8);

}  // namespace mamori::detectors::misinfo
