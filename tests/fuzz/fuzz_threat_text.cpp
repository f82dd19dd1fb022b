// Fuzz target: the threat detector on untrusted reply text — NFKC, MeCab analysis, quote and
// sentence tracking, cue matching and the evidence of a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/threat/detector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace th = mamori::detectors::threat;
  const th::Assessment a = th::assess(text);
  if (a.threat) {
    mamori::model::Post post;
    post.post_id = "1";
    post.text = std::string(text);
    (void)th::make_finding(post, a, mamori::model::TimePoint{});
  }
  return 0;
}
