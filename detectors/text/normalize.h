// Text normalization shared by the detectors (impersonation names, misinformation claims).
// Input is untrusted UTF-8 from platforms: invalid sequences become U+FFFD, never a crash.
#pragma once

#include <string>
#include <string_view>

namespace mamori::detectors::text {

// Unicode NFKC with case folding: full-width ASCII -> ASCII, half-width kana -> full-width,
// compatibility forms (㈱, ①, ｱ) decomposed, Latin case folded.
std::string nfkc_casefold(std::string_view utf8);

// Katakana -> hiragana (ア -> あ, ヴ -> ゔ); other characters unchanged. Expects NFKC input.
std::string fold_kana(std::string_view utf8);
// The same for one code point: katakana ァ (U+30A1) .. ヶ (U+30F6) to hiragana ぁ .. ゖ, the
// iteration marks ヽヾ to ゝゞ.
constexpr char32_t fold_kana_char(char32_t c) {
  return (c >= 0x30A1 && c <= 0x30F6) || c == 0x30FD || c == 0x30FE ? c - 0x60 : c;
}

struct MatchKeyOptions {
  bool drop_whitespace = true;   // 相馬 市 == 相馬市
  bool drop_punctuation = true;  // 「相馬市」！ == 相馬市
  bool drop_symbols = true;      // emoji, ★, ♪ and other decorations
};

// The comparison key: NFKC-casefold, kana folded, and (by default) whitespace, punctuation
// and symbol/emoji characters removed. Two strings a reader would call "the same" map equal.
std::string match_key(std::string_view utf8, const MatchKeyOptions& options = {});

// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::u32string to_u32(std::string_view utf8);
// The same into `out` (replacing its contents), reusing its storage in a loop.
void to_u32(std::string_view utf8, std::u32string& out);
std::string to_utf8(std::u32string_view cps);

}  // namespace mamori::detectors::text
