#include "detectors/text/normalized_text.h"

#include "detectors/text/normalize.h"

namespace mamori::detectors::text {

NormalizedText::NormalizedText(std::string_view utf8, const Morphology& analyzer)
    : analyzer_(analyzer), source_bytes_(utf8.size()), nfkc_(nfkc_casefold(utf8)) {
  analyzer_.analyze(nfkc_, morphemes_);
}

}  // namespace mamori::detectors::text
