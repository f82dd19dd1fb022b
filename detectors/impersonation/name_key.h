// Display-name comparison (issue 4 "Scoring with reasons"): NFKC, width and kana folding,
// decorations and emoji dropped (detectors/text/normalize.h match_key), then the words an
// impersonator adds to look official (公式, official, オフィシャル) removed. Words that say the
// account is someone else (非公式, ファン, パロディ, bot) are remembered, not removed.
#pragma once

#include <string>
#include <string_view>

#include "detectors/impersonation/handle_key.h"

namespace mamori::detectors::impersonation {

// Longest display-name text looked at; platform limits are 50 (X) to 64 (Bluesky) characters.
inline constexpr std::size_t kMaxNameBytes = 512;

struct NameKey {
  std::u32string key;            // comparison key, claim words removed
  std::u32string skeleton;       // its confusable skeleton (相馬市 vs look-alike kanji/kana)
  bool claims_official = false;  // 公式 / official / オフィシャル was present
  bool disclaims = false;  // 非公式 / ファン / パロディ / bot ...: says it is not the body
};

NameKey make_name_key(std::string_view display_name, const HandleSkeleton& skeletons);

// True when free text (a profile description) says the account is not the official one:
// 非公式, 関係ありません, parody, なりきり ...
bool text_disclaims_official(std::string_view text);

enum class NameRelation {
  equal,       // same key: 相馬市 == 【公式】相馬市 ★ == 相馬市 official
  confusable,  // same skeleton, different letters
  contains,    // one name inside the other: 相馬市役所, 福島県相馬市
  similar,     // small edit distance
  unrelated,
};

std::string_view to_string(NameRelation relation);

struct NameMatch {
  NameRelation relation = NameRelation::unrelated;
  double similarity = 0.0;  // [0, 1]
};

// Allocation-free except for nothing: keys are prepared once.
NameMatch compare_names(const NameKey& candidate, const NameKey& official);

// True if `needle` occurs in `haystack` (both keys); used for neighbouring municipalities.
bool key_contains(std::u32string_view haystack, std::u32string_view needle);

}  // namespace mamori::detectors::impersonation
