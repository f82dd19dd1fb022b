// The look-alike fold applied around ICU's UTS #39 skeleton (issue 18): letters a reader takes for
// another that ICU 72's confusables data leaves apart — small capitals, kra, IPA, modifier,
// enclosed and mathematical letters, hooked Latin letters, Cyrillic/Greek small-capital forms,
// kanji variants (崎/﨑), CJK radicals, and the kana/kanji pairs of the project list (ソ/ン, シ/ツ,
// 巿/市 …). Built from detectors/impersonation/data/lookalike_fold.tsv (compiled in; its
// generator and sources are documented there). Combining marks on non-kana letters are dropped
// (ō ≈ o), kana keep their voicing marks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::impersonation {

class LookalikeFold {
 public:
  // The fold of the compiled-in table, parsed once. Throws std::runtime_error if the table is
  // malformed (a build defect, caught by the tests).
  static const LookalikeFold& standard();

  // Parses a table in lookalike_fold.tsv format: "XXXX<TAB>YYYY[ YYYY]<TAB>class" per line,
  // '#' comments. Throws std::runtime_error naming the line on bad input.
  explicit LookalikeFold(std::string_view tsv);

  // `text` with every listed character replaced by its target and combining marks dropped from
  // non-kana letters.
  std::u32string apply(std::u32string_view text) const;

  // The target of one character, or an empty view if it is not listed.
  std::u32string_view target(char32_t c) const;

  // The classes of the table with their entry counts (for tests and documentation).
  std::vector<std::pair<std::string, std::size_t>> classes() const;

 private:
  struct Entry {
    char32_t from = 0;
    std::u32string to;
    std::string cls;
  };
  std::vector<Entry> entries_;  // sorted by `from`
};

}  // namespace mamori::detectors::impersonation
