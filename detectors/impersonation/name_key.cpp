#include "detectors/impersonation/name_key.h"

#include <algorithm>
#include <array>

#include "detectors/impersonation/lookalike_fold.h"
#include "detectors/impersonation/string_distance.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::impersonation {
namespace {

// In match_key form: casefolded, katakana folded to hiragana, no spaces or punctuation.
constexpr std::array<std::u32string_view, 16> kDisclaimers = {
    U"非公式",   U"unofficial", U"notofficial", U"非公認", U"ぱろでぃ", U"parody",
    U"なりきり", U"ふぁん",     U"fan",         U"応援",   U"bot",      U"ぼっと",
    U"まとめ",   U"にゅーす",   U"news",        U"速報"};

// Removed from names before comparison, longest first so 公式あかうんと goes before 公式.
constexpr std::array<std::u32string_view, 9> kClaimWords = {
    U"公式あかうんと", U"officialaccount", U"おふぃしゃる", U"official", U"公式", U"公認", U"本物",
    U"本人",           U"認証済"};

constexpr std::array<std::string_view, 12> kTextDisclaimers = {
    "非公式",   "unofficial", "関係ありません",   "関係はありません", "無関係", "parody",
    "パロディ", "なりきり",   "ファンアカウント", "fan account",      "非公認", "not affiliated"};

void erase_all(std::u32string& s, std::u32string_view word) {
  for (auto pos = s.find(word); pos != std::u32string::npos; pos = s.find(word, pos)) {
    s.erase(pos, word.size());
  }
}

std::string_view bounded(std::string_view s, std::size_t limit) {
  if (s.size() <= limit) return s;
  // Do not cut inside a UTF-8 sequence: step back to a lead byte.
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0U) == 0x80U) --end;
  return s.substr(0, end);
}

// Katakana parked in a private-use plane while match_key runs, so it keeps them as they look.
constexpr char32_t kParked = 0xF0000;
// Katakana letters and marks, not the middle dot ・ (punctuation match_key drops).
bool is_katakana(char32_t c) {
  return (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x30FC && c <= 0x30FF) ||
         (c >= 0x31F0 && c <= 0x31FF);
}

// The name as it looks: like the key, but katakana kept (ICU's skeleton maps ロ to 口, not ろ)
// and look-alike letters folded before decorations are dropped (🅺 is a symbol, k is not).
std::u32string visual_key(std::string_view display_name, bool remove_claims) {
  std::u32string folded = LookalikeFold::standard().apply(
      text::to_u32(text::nfkc_casefold(bounded(display_name, kMaxNameBytes))));
  for (char32_t& c : folded) {
    if (is_katakana(c)) c = kParked + (c - 0x3000);
  }
  std::u32string visual = text::to_u32(text::match_key(text::to_utf8(folded)));
  for (char32_t& c : visual) {
    if (c >= kParked + 0xA0 && c <= kParked + 0x1FF) c = c - kParked + 0x3000;
  }
  std::u32string twin;  // the same characters with katakana as hiragana, to find claim words
  twin.reserve(visual.size());
  for (char32_t c : visual) twin.push_back(text::fold_kana_char(c));
  for (auto word : kClaimWords) {
    if (!remove_claims) break;
    for (auto pos = twin.find(word); pos != std::u32string::npos; pos = twin.find(word, pos)) {
      twin.erase(pos, word.size());
      visual.erase(pos, word.size());
    }
  }
  return visual;
}

}  // namespace

bool key_contains(std::u32string_view haystack, std::u32string_view needle) {
  return !needle.empty() && haystack.find(needle) != std::u32string_view::npos;
}

NameKey make_name_key(std::string_view display_name, const HandleSkeleton& skeletons) {
  NameKey name;
  std::u32string key = text::to_u32(text::match_key(bounded(display_name, kMaxNameBytes)));
  for (auto word : kDisclaimers) {
    if (key_contains(key, word)) {
      name.disclaims = true;
      break;
    }
  }
  if (!name.disclaims) {
    for (auto word : kClaimWords) {
      if (key_contains(key, word)) {
        name.claims_official = true;
        erase_all(key, word);
      }
    }
  }
  name.key = std::move(key);
  if (!name.key.empty()) {
    const std::u32string visual = visual_key(display_name, !name.disclaims);
    name.skeleton = skeletons.skeleton(visual.empty() ? name.key : visual);
  }
  return name;
}

bool text_disclaims_official(std::string_view text) {
  const std::string folded = text::nfkc_casefold(bounded(text, 4096));
  for (auto word : kTextDisclaimers) {
    if (folded.find(text::nfkc_casefold(word)) != std::string::npos) return true;
  }
  return false;
}

std::string_view to_string(NameRelation relation) {
  switch (relation) {
    case NameRelation::equal:
      return "equal";
    case NameRelation::confusable:
      return "confusable";
    case NameRelation::contains:
      return "contains";
    case NameRelation::similar:
      return "similar";
    case NameRelation::unrelated:
      return "unrelated";
  }
  return "unrelated";
}

NameMatch compare_names(const NameKey& candidate, const NameKey& official) {
  NameMatch match;
  const std::u32string_view c = candidate.key;
  const std::u32string_view o = official.key;
  if (c.empty() || o.empty()) return match;
  if (c == o) {
    match.relation = NameRelation::equal;
    match.similarity = 1.0;
    return match;
  }
  if (candidate.skeleton == official.skeleton) {
    match.relation = NameRelation::confusable;
    match.similarity = 0.95;
    return match;
  }
  // Containment counts when the shorter name is a real part of the longer one, not a
  // two-letter family name inside a person's full name.
  const std::u32string_view shorter = c.size() < o.size() ? c : o;
  const std::u32string_view longer = c.size() < o.size() ? o : c;
  const double coverage = static_cast<double>(shorter.size()) / static_cast<double>(longer.size());
  if (shorter.size() >= 2 && key_contains(longer, shorter) &&
      (shorter == o ? shorter.size() >= 3 || coverage >= 0.5 : coverage >= 0.6)) {
    match.relation = NameRelation::contains;
    match.similarity = 0.6 + 0.3 * coverage;
    return match;
  }
  const std::size_t distance = damerau_levenshtein(c, o);
  match.similarity =
      std::max(edit_similarity(c, o, distance),
               edit_similarity(candidate.skeleton, official.skeleton,
                               damerau_levenshtein(candidate.skeleton, official.skeleton)));
  if (distance == 1 && std::min(c.size(), o.size()) >= 3) {
    match.relation = NameRelation::similar;
  } else if (distance <= 2 && std::min(c.size(), o.size()) >= 6) {
    match.relation = NameRelation::similar;
  }
  return match;
}

}  // namespace mamori::detectors::impersonation
