// Edit-distance measures on code points, bounded so that a comparison never allocates:
// the detector compares every candidate with every official account, often millions of pairs.
#pragma once

#include <cstddef>
#include <string_view>

namespace mamori::detectors::impersonation {

// Inputs longer than this are compared on their first kMaxCompareLength code points. Handles are
// at most 30 characters (Mastodon) and display names 50 (X); longer text is not a name.
inline constexpr std::size_t kMaxCompareLength = 64;

// Damerau-Levenshtein distance in its optimal-string-alignment form: insertions, deletions,
// substitutions and transpositions of adjacent characters each cost 1 (soma_city -> smoa_city = 1).
std::size_t damerau_levenshtein(std::u32string_view a, std::u32string_view b);

// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4 characters).
double jaro_winkler(std::u32string_view a, std::u32string_view b);

// 1 - distance / longer length, in [0, 1]; 1 for two empty strings.
double edit_similarity(std::u32string_view a, std::u32string_view b);
// The same from an already computed damerau_levenshtein(a, b).
double edit_similarity(std::u32string_view a, std::u32string_view b, std::size_t distance);

}  // namespace mamori::detectors::impersonation
