// A reply or official post prepared once for every signal the misinformation detector computes:
// normalized forms (reusing detectors/text/normalize.h), the URLs it links to, its morphemes
// (detectors/text/morphology.h, MeCab) and its sentences with their mood.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/text/morphology.h"

namespace mamori::detectors::text {
class NormalizedText;
}  // namespace mamori::detectors::text

namespace mamori::detectors::misinfo {

// One morpheme of `nfkc`, positioned in code points. `m.base` is empty for words the dictionary
// does not know (compare their surface in `folded` instead).
struct Token {
  std::size_t begin = 0;  // code-point offsets into AnalyzedText::nfkc / folded
  std::size_t end = 0;
  text::Morpheme m;
};

struct Sentence {
  std::size_t begin = 0;  // code-point offsets into AnalyzedText::nfkc / folded
  std::size_t end = 0;
  bool interrogative = false;  // ends in "?" or a sentence-final question particle (か, かな…)
  bool exclamatory_question = false;  // "!?" / "？！": surprise, often a spread rumour
  std::size_t first_token = 0;        // tokens [first_token, end_token) lie in the sentence
  std::size_t end_token = 0;
};

struct AnalyzedText {
  // NFKC with case folding (full-width digits and Latin to ASCII, half-width kana widened),
  // with URLs blanked to spaces so that slot parsing never reads inside a link.
  std::u32string nfkc;
  // Same length as `nfkc`, katakana folded to hiragana: used for markers and state words so
  // that ライオン / らいおん and デマ / でま compare equal.
  std::u32string folded;
  // `folded` without whitespace, punctuation, symbols, emoji and links: text::match_key's
  // defaults, computed from the same pass. Character n-grams are taken from it.
  std::u32string key;
  // Links as written (lower-cased; scheme may be missing for bare "bit.ly/…" forms).
  std::vector<std::string> urls;
  std::vector<Token> tokens;
  std::vector<Sentence> sentences;
};

// Whether a token denies what precedes it: the auxiliary ない/ぬ/ん (ません, ず), the adjective
// ない (じゃない, ではない) or なし.
bool is_negation(const Token& t);

// Whether the predicate ending at code point `pos` is denied within its clause ("中止じゃない",
// "開催しません", "出ていない"); a request ("近づかないで") or a condition ("ないと") is not a
// denial. The scan stops at punctuation, at a clause-joining particle (けど, から, ので …) and at
// `limit`.
bool negated_after(const AnalyzedText& t, std::size_t pos, std::size_t limit);

// The first token starting at or after code point `pos` (tokens.size() when none).
std::size_t token_at(const AnalyzedText& t, std::size_t pos);

// Never throws on untrusted input: invalid UTF-8 becomes U+FFFD. Input longer than
// `kMaxAnalyzedBytes` is cut there (a reply is at most a few thousand bytes on any platform).
// `normalized`, if given, is `utf8` already normalized and analysed (shared with other
// detectors): its NFKC form and morphemes are used instead of computing them again wherever they
// are the same (the result is identical either way).
AnalyzedText analyze_text(std::string_view utf8, const text::NormalizedText* normalized = nullptr);
inline constexpr std::size_t kMaxAnalyzedBytes = 16 * 1024;

// The host of a URL as written ("https://Bit.ly/x" -> "bit.ly"), empty when none.
std::string url_host(std::string_view url);

// Character classes used across the detector (code points after NFKC).
bool is_kanji(char32_t c);
bool is_katakana(char32_t c);
bool is_hiragana(char32_t c);
inline bool is_ascii_digit(char32_t c) {
  return c >= U'0' && c <= U'9';
}
inline bool is_ascii_alpha(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}

}  // namespace mamori::detectors::misinfo
