#include "detectors/impersonation/official_family.h"

#include <array>

#include "detectors/text/normalize.h"

namespace mamori::detectors::impersonation {
namespace {

// In match_key form: katakana as hiragana, Latin casefolded, no spaces. Longest first where one
// contains another, so the reason names the more telling word.
constexpr std::array<std::u32string_view, 59> kStrongWords = {U"教育委員会",
                                                              U"選挙管理委員会",
                                                              U"農業委員会",
                                                              U"社会福祉協議会",
                                                              U"上下水道",
                                                              U"下水道",
                                                              U"水道",
                                                              U"消防",
                                                              U"議会",
                                                              U"図書館",
                                                              U"図書室",
                                                              U"美術館",
                                                              U"博物館",
                                                              U"資料館",
                                                              U"文化会館",
                                                              U"公民館",
                                                              U"体育館",
                                                              U"動物園",
                                                              U"水族館",
                                                              U"植物園",
                                                              U"病院",
                                                              U"保健所",
                                                              U"保健せんたー",
                                                              U"交通局",
                                                              U"公営企業",
                                                              U"観光協会",
                                                              U"観光",
                                                              U"物産",
                                                              U"子育て",
                                                              U"防災",
                                                              U"危機管理",
                                                              U"区役所",
                                                              U"支所",
                                                              U"出張所",
                                                              U"公社",
                                                              U"事業団",
                                                              U"振興",
                                                              U"移住",
                                                              U"定住",
                                                              U"ふるさと納税",
                                                              U"してぃぷろもーしょん",
                                                              U"商工会",
                                                              U"市長",
                                                              U"町長",
                                                              U"村長",
                                                              U"区長",
                                                              U"せんたー",
                                                              U"学校",
                                                              U"bureau",
                                                              U"department",
                                                              U"library",
                                                              U"museum",
                                                              U"fire",
                                                              U"harbor",
                                                              U"waterworks",
                                                              U"assembly",
                                                              U"council",
                                                              U"boardofeducation",
                                                              U"tourism"};

// Suffixes that name an office when the name ends with them (相馬市 広報課 is the main account's
// own office, so 広報 is not a family word: see kNotFamily).
constexpr std::array<std::u32string_view, 11> kSuffixes = {U"課", U"局", U"部", U"室", U"係", U"館",
                                                           U"署", U"団", U"園", U"所", U"会"};

// Offices that run the main account itself, or words every official account uses.
constexpr std::array<std::u32string_view, 5> kNotFamily = {U"広報", U"広聴", U"秘書", U"役所",
                                                           U"役場"};

bool contains(std::u32string_view s, std::u32string_view w) {
  return s.find(w) != std::u32string_view::npos;
}

}  // namespace

std::string family_word(std::u32string_view rest, bool strong_only) {
  for (auto w : kNotFamily) {
    if (contains(rest, w) && rest.size() <= w.size() + 1) return {};
  }
  for (auto w : kStrongWords) {
    if (contains(rest, w)) return text::to_utf8(w);
  }
  if (strong_only || rest.size() < 2) return {};
  for (auto w : kSuffixes) {
    if (rest.back() == w.front()) {
      for (auto n : kNotFamily) {
        if (contains(rest, n)) return {};
      }
      return text::to_utf8(rest);
    }
  }
  return {};
}

}  // namespace mamori::detectors::impersonation

namespace mamori::detectors::impersonation {
namespace {

// Hepburn for one hiragana (U+3041..U+3096), "" for the small ones handled by the caller.
std::string_view kana_romaji(char32_t c) {
  static constexpr std::string_view kTable[] = {
      "a",  "a",  "i",   "i",  "u",  "u",   "e",  "e",   "o",  "o",  "ka", "ga", "ki", "gi", "ku",
      "gu", "ke", "ge",  "ko", "go", "sa",  "za", "shi", "ji", "su", "zu", "se", "ze", "so", "zo",
      "ta", "da", "chi", "ji", "",   "tsu", "zu", "te",  "de", "to", "do", "na", "ni", "nu", "ne",
      "no", "ha", "ba",  "pa", "hi", "bi",  "pi", "fu",  "bu", "pu", "he", "be", "pe", "ho", "bo",
      "po", "ma", "mi",  "mu", "me", "mo",  "ya", "ya",  "yu", "yu", "yo", "yo", "ra", "ri", "ru",
      "re", "ro", "wa",  "wa", "i",  "e",   "o",  "n",   "vu", "ka", "ke"};
  if (c < 0x3041 || c > 0x3096) return {};
  return kTable[c - 0x3041];
}

}  // namespace

std::vector<std::string> romaji_forms(std::string_view hiragana) {
  const std::u32string k = text::to_u32(hiragana);
  std::string full;
  for (std::size_t i = 0; i < k.size(); ++i) {
    const char32_t c = k[i];
    if (c == U'っ') {  // doubles the next consonant (さっぽろ -> sapporo)
      if (i + 1 < k.size()) {
        const std::string_view next = kana_romaji(k[i + 1]);
        if (!next.empty()) full.push_back(next[0] == 'c' ? 't' : next[0]);
      }
      continue;
    }
    std::string_view r = kana_romaji(c);
    if (r.empty()) continue;
    // Contracted sounds: き+ゃ -> kya, し+ゃ -> sha, ち+ょ -> cho, じ+ゅ -> ju.
    if (i + 1 < k.size() && (k[i + 1] == U'ゃ' || k[i + 1] == U'ゅ' || k[i + 1] == U'ょ') &&
        r.size() >= 2 && r.back() == 'i') {
      const char vowel = k[i + 1] == U'ゃ' ? 'a' : k[i + 1] == U'ゅ' ? 'u' : 'o';
      std::string s(r.substr(0, r.size() - 1));
      if (s == "sh" || s == "ch" || s == "j") {
        s.push_back(vowel);
      } else {
        s.push_back('y');
        s.push_back(vowel);
      }
      full += s;
      ++i;
      continue;
    }
    full += r;
  }
  // Long vowels as handles usually write them: ou/oo -> o, uu -> u.
  std::string collapsed;
  for (std::size_t i = 0; i < full.size(); ++i) {
    collapsed.push_back(full[i]);
    if (i + 1 < full.size() && ((full[i] == 'o' && (full[i + 1] == 'u' || full[i + 1] == 'o')) ||
                                (full[i] == 'u' && full[i + 1] == 'u'))) {
      ++i;
    }
  }
  std::vector<std::string> out{full};
  if (collapsed != full) out.push_back(collapsed);
  return out;
}

}  // namespace mamori::detectors::impersonation
