#include "detectors/text/normalized_text.h"

#include "detectors/text/normalize.h"

namespace mamori::detectors::text {

NormalizedText::NormalizedText(std::string_view utf8, const Morphology& analyzer)
    : analyzer_(analyzer),
      source_bytes_(utf8.size()),
      nfkc_(nfkc_casefold(utf8)),
      links_(find_links(std::string_view(nfkc_))) {
  if (links_.empty()) {
    analyzer_.analyze(nfkc_, morphemes_);
    return;
  }
  blanked_ = nfkc_;
  for (const LinkSpan& l : links_) blanked_.replace(l.begin, l.size(), l.size(), ' ');
  analyzer_.analyze(blanked_, morphemes_);
}

}  // namespace mamori::detectors::text
