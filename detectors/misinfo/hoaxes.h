// The starter list of hoaxes and conspiracy claims that have no official counterpart (人工地震,
// 井戸に毒, ワクチンにマイクロチップ, 動物園から猛獣が逃げた, 外国人窃盗団 …), matched on the
// morphological analysis's base forms within one sentence, so 逃げた / 逃げ出したらしい /
// 逃げてる all match 逃げる, while a denial (逃げていません) or a condition (逃げたら) does not.
// Staff-registered rumours (rumours.h) come on top of these.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"

namespace mamori::detectors::misinfo {

enum class HoaxKind { hoax, conspiracy };

struct HoaxMatch {
  std::string_view id;  // stable pattern id, e.g. "zoo-escape"
  HoaxKind kind = HoaxKind::hoax;
  std::string_view claim;  // Japanese, for reasons: "動物園から猛獣が逃げた"
  std::size_t begin = 0;   // code points in AnalyzedText::nfkc: the sentence's first matched word
  std::size_t end = 0;     // … its last
};

// Every pattern matched by an asserted sentence of the text (at most one match per pattern).
std::vector<HoaxMatch> find_hoaxes(const AnalyzedText& text);

}  // namespace mamori::detectors::misinfo
