// Fuzz target: the MeCab analyzer (detectors/text/morphology.h) on untrusted bytes as they come
// (not normalized, invalid UTF-8 and NULs included): spans stay inside the input and in order.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "detectors/text/morphology.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static std::vector<mamori::detectors::text::Morpheme> out;
  mamori::detectors::text::Morphology::shared().analyze(text, out);
  std::uint32_t previous = 0;
  for (const auto& m : out) {
    if (m.begin < previous || m.end < m.begin || m.end > size) __builtin_trap();
    if (m.base.empty() || m.pos.empty()) __builtin_trap();
    previous = m.end;
  }
  return 0;
}
