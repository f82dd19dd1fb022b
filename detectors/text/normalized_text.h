// A reply's text normalized (NFKC with case folding, normalize.h) and analysed with MeCab
// (morphology.h) once, for every detector that reads it: the threat and the misinformation
// detectors both start from this form, so a caller that runs both on the same reply builds one
// and hands it to each (threat::assess, MisinformationDetector::score/observe) instead of letting
// each normalize and analyse the text again. Links (links.h) are blanked to spaces for the
// analysis, as the misinformation detector reads them: no morpheme lies inside a link, and the
// morphemes' byte offsets are still those of `nfkc()` (a link is ASCII).
//
//   const text::NormalizedText normalized(reply.text);
//   const auto threat = threat::assess(normalized);
//   misinfo_detector.observe(reply, normalized, context, now);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/text/links.h"
#include "detectors/text/morphology.h"

namespace mamori::detectors::text {

class NormalizedText {
 public:
  // Untrusted UTF-8: any bytes are accepted (invalid sequences become U+FFFD).
  explicit NormalizedText(std::string_view utf8, const Morphology& analyzer = Morphology::shared());
  // Neither copied nor moved: the morphemes of unknown words view `nfkc()`.
  NormalizedText(const NormalizedText&) = delete;
  NormalizedText& operator=(const NormalizedText&) = delete;

  const std::string& nfkc() const { return nfkc_; }  // nfkc_casefold(utf8)
  // Of nfkc() with its links blanked; unknown words' `base` views that text (kept here).
  const std::vector<Morpheme>& morphemes() const { return morphemes_; }
  const std::vector<LinkSpan>& links() const { return links_; }  // byte spans in nfkc()
  const Morphology& analyzer() const { return analyzer_; }
  std::size_t source_bytes() const { return source_bytes_; }  // utf8.size()

 private:
  const Morphology& analyzer_;
  std::size_t source_bytes_;
  std::string nfkc_;
  std::vector<LinkSpan> links_;
  std::string blanked_;  // nfkc_ with links_ blanked; empty when there is no link
  std::vector<Morpheme> morphemes_;
};

}  // namespace mamori::detectors::text
