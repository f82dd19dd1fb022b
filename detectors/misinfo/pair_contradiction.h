// Contradiction between two general sentences, beyond the slots of an official post: a claim that
// denies what the other states (いる / いない), changes a count (2人 / 3人) or swaps a word for one
// that excludes it (男性 / 女性, 犬 / 猫, 白 / 黒, 立つ / 座る) while the rest of the sentence
// says the same. From the morphological analysis; measured on JGLUE's JNLI (bench/misinfo_eval).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"

namespace mamori::detectors::misinfo {

struct PairVerdict {
  bool contradiction = false;
  double overlap = 0;  // share of the hypothesis's content words found in the premise
  std::string reason;  // Japanese, e.g. "「女性」と「男性」は両立しない"
};

// One sentence prepared for the check (its content words, counts and polarity), so that an
// official post's sentences are prepared once, not for every reply.
struct PairSide {
  // Content base forms, sorted and unique, and those that are nouns. They view the analyzer's
  // dictionary (text::Morphology::shared(), alive as long as the process).
  std::vector<std::string_view> words;
  std::vector<std::pair<int, int>> classes;  // of each word: (group, class) of exclusive words,
                                             // or (-1, -1)
  std::vector<std::string_view> nouns;
  std::vector<std::pair<std::string, std::string>> counts;  // (number as written, counter)
  bool negated = false;
};
PairSide pair_side(const AnalyzedText& sentence);

PairVerdict check_pair(std::string_view premise, std::string_view hypothesis);
PairVerdict check_pair(const PairSide& premise, const PairSide& hypothesis);

}  // namespace mamori::detectors::misinfo
