#include "detectors/text/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <stdexcept>

#include "model/text.h"

namespace mamori::detectors::text {
namespace {

const icu::Normalizer2& nfkc_cf() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || n == nullptr) {
    throw std::runtime_error(std::string("ICU NFKC_Casefold unavailable: ") + u_errorName(status));
  }
  return *n;
}

bool is_decoration(UChar32 c, const MatchKeyOptions& o) {
  if (o.drop_whitespace && u_isUWhiteSpace(c)) return true;
  const auto category = static_cast<UCharCategory>(u_charType(c));
  switch (category) {
    case U_CONNECTOR_PUNCTUATION:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
      return o.drop_punctuation;
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL:
    case U_FORMAT_CHAR:       // ZWJ, variation selectors' neighbours, bidi controls
    case U_NON_SPACING_MARK:  // combining marks left over (emoji skin tones are symbols)
    case U_ENCLOSING_MARK:
    case U_CONTROL_CHAR:
      return o.drop_symbols;
    default:
      break;
  }
  // Variation selectors and emoji modifiers are marks in ICU's tables but belong to decoration.
  if (o.drop_symbols && (u_hasBinaryProperty(c, UCHAR_VARIATION_SELECTOR) ||
                         u_hasBinaryProperty(c, UCHAR_EMOJI_MODIFIER))) {
    return true;
  }
  return false;
}

}  // namespace

std::string nfkc_casefold(std::string_view utf8) {
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString out = nfkc_cf().normalize(in, status);
  std::string result;
  if (U_FAILURE(status)) {
    in.toUTF8String(result);  // cannot happen for valid UnicodeString; keep the input
    return result;
  }
  out.toUTF8String(result);
  return result;
}

std::u32string to_u32(std::string_view utf8) {
  std::u32string out;
  to_u32(utf8, out);
  return out;
}

void to_u32(std::string_view utf8, std::u32string& out) {
  out.clear();
  out.reserve(utf8.size());
  int32_t i = 0;
  const auto length = static_cast<int32_t>(utf8.size());
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  while (i < length) {
    UChar32 c = 0;
    U8_NEXT(s, i, length, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
}

std::string to_utf8(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size() * 3);
  for (char32_t c : cps) model::append_utf8(out, c);
  return out;
}

std::string fold_kana(std::string_view utf8) {
  std::u32string cps = to_u32(utf8);
  for (char32_t& c : cps) c = fold_kana_char(c);
  return to_utf8(cps);
}

std::string match_key(std::string_view utf8, const MatchKeyOptions& options) {
  const std::u32string folded = to_u32(fold_kana(nfkc_casefold(utf8)));
  std::u32string kept;
  kept.reserve(folded.size());
  for (char32_t c : folded) {
    if (!is_decoration(static_cast<UChar32>(c), options)) kept.push_back(c);
  }
  return to_utf8(kept);
}

}  // namespace mamori::detectors::text
