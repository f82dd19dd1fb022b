// Wording markers in a reply: hedging (らしい, って聞いた, 知り合いの話), calls to spread
// (拡散希望, RT/リポストお願い), claims of change (変更, 延期になった), urgent imperatives
// (逃げて, 飲まないで), presenting a link or number as official (公式サイトはこちら), and the cues
// of a correction (「〇〇はデマです」, 公式は予定通り開催).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"

namespace mamori::detectors::misinfo {

enum class MarkerKind : std::uint8_t {
  hedge,
  spread,
  change,
  urgent,
  presented_as_official,
  correction,  // denies the rumour: デマ, 嘘, 違います, 関係ない
  citation,  // cites the official word: 公式は…, 書いてある, 確認したら, のままです
  correction_cancel,  // "市はデマと言ってるけど実際は…": the cue before it is not a correction
  hypothetical,  // "逃げても": a condition, not a claim
  info_request,  // 教えてください, 知りたい: a question without a question mark
};

struct MarkerHit {
  MarkerKind kind = MarkerKind::hedge;
  std::size_t begin = 0;  // code-point span in AnalyzedText::folded
  std::size_t end = 0;
};

struct Markers {
  std::vector<MarkerHit> hits;

  bool any(MarkerKind kind) const;
  // The first hit of a kind, for quoting in reasons.
  const MarkerHit* first(MarkerKind kind) const;
};

Markers find_markers(const AnalyzedText& text);

// The text of a span of `folded`, for reasons.
std::string span_text(const AnalyzedText& text, std::size_t begin, std::size_t end);

}  // namespace mamori::detectors::misinfo
