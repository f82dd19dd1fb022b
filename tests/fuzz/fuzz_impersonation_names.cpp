// libFuzzer target: what the impersonation detector does with an untrusted display name (the
// visual key with the look-alike fold, ICU's skeleton, local-government mentions, family words),
// and its table parsers (look-alike fold TSV, local-government CSV) on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "detectors/impersonation/handle_key.h"
#include "detectors/impersonation/local_governments.h"
#include "detectors/impersonation/lookalike_fold.h"
#include "detectors/impersonation/name_key.h"
#include "detectors/impersonation/official_family.h"

namespace imp = mamori::detectors::impersonation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const imp::HandleSkeleton skeletons;
  const imp::NameKey name = imp::make_name_key(text, skeletons);
  const auto& directory = imp::LocalGovernmentDirectory::japan();
  for (const auto& m : directory.mentions(name.key)) {
    if (m.begin + m.length > name.key.size() || m.bodies.empty()) std::abort();
    for (auto b : m.bodies) {
      if (b >= directory.bodies().size()) std::abort();
    }
  }
  (void)imp::family_word(name.key);
  (void)imp::family_word(name.key, true);
  (void)directory.homepage_body(text.substr(0, 300));
  try {
    const imp::LookalikeFold fold(text);
    (void)fold.apply(name.key);
  } catch (const std::runtime_error&) {
  }
  try {
    const imp::LocalGovernmentDirectory parsed(text, text);
    (void)parsed.mentions(name.key);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
