#include "detectors/impersonation/handle_key.h"

#include <unicode/uspoof.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "detectors/impersonation/lookalike_fold.h"
#include "detectors/impersonation/string_distance.h"
#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::detectors::impersonation {
namespace {

bool is_separator(char32_t c) {
  return c == U'_' || c == U'-' || c == U'.' || c == U' ' || c == U'\u30FB' || c == U'\u3000';
}

// ASCII look-alikes that ICU's confusables table (ICU 72) leaves apart but that a reader
// confuses in a handle: w/vv, d/cl, and i/l (an upper-case I has become i by case folding).
std::u32string fold_extra_confusables(std::u32string_view in) {
  std::u32string out;
  out.reserve(in.size() + 4);
  for (char32_t c : in) {
    switch (c) {
      case U'w':
        out += U"vv";
        break;
      case U'd':
        out += U"cl";
        break;
      case U'i':
        out += U'l';
        break;
      default:
        if (!is_separator(c)) out.push_back(c);
        break;
    }
  }
  return out;
}

std::u32string drop_separators(std::u32string_view in) {
  std::u32string out;
  out.reserve(in.size());
  for (char32_t c : in) {
    if (!is_separator(c)) out.push_back(c);
  }
  return out;
}

// Affixes impersonators add to an official handle (issue 4: _official, official_, _jp, _pr,
// _koho, _info, digits), in folded form (no separators).
constexpr std::array<std::u32string_view, 22> kAffixes = {
    U"official", U"offical", U"officials", U"koushiki", U"kousiki", U"koshiki", U"jp",   U"japan",
    U"pr",       U"koho",    U"kouhou",    U"kohou",    U"info",    U"net",     U"real", U"the",
    U"staff",    U"admin",   U"city",      U"shi",      U"town",    U"support"};

bool is_affix(std::u32string_view rest) {
  if (rest.empty()) return false;
  // Digits alone (soma_city2, soma_city_2024) or digits around a known affix.
  while (!rest.empty() && rest.front() >= U'0' && rest.front() <= U'9') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() >= U'0' && rest.back() <= U'9') rest.remove_suffix(1);
  if (rest.empty()) return true;
  return std::find(kAffixes.begin(), kAffixes.end(), rest) != kAffixes.end();
}

bool starts_with(std::u32string_view s, std::u32string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
bool ends_with(std::u32string_view s, std::u32string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool affixed(std::u32string_view candidate, std::u32string_view official) {
  if (official.size() < 3 || candidate.size() <= official.size()) return false;
  if (starts_with(candidate, official) && is_affix(candidate.substr(official.size()))) return true;
  if (ends_with(candidate, official) &&
      is_affix(candidate.substr(0, candidate.size() - official.size()))) {
    return true;
  }
  return false;
}

}  // namespace

std::string_view handle_stem(model::Platform platform, std::string_view handle) {
  handle = handle.substr(0, std::min(handle.size(), kMaxHandleBytes));
  while (!handle.empty() && handle.front() == '@') handle.remove_prefix(1);
  switch (platform) {
    case model::Platform::bluesky: {
      constexpr std::string_view kHosted = ".bsky.social";
      if (handle.size() > kHosted.size()) {
        const std::string tail = model::ascii_lower(handle.substr(handle.size() - kHosted.size()));
        if (tail == kHosted) handle.remove_suffix(kHosted.size());
      }
      break;
    }
    case model::Platform::mastodon: {
      const auto at = handle.find('@');
      if (at != std::string_view::npos) handle = handle.substr(0, at);
      break;
    }
    case model::Platform::x:
    case model::Platform::facebook:
    case model::Platform::instagram:
    case model::Platform::youtube:
      break;
  }
  return handle;
}

void HandleSkeleton::SpoofCheckerDeleter::operator()(USpoofChecker* checker) const {
  uspoof_close(checker);
}

HandleSkeleton::HandleSkeleton() : fold_(LookalikeFold::standard()) {
  UErrorCode status = U_ZERO_ERROR;
  checker_.reset(uspoof_open(&status));
  if (U_FAILURE(status) || !checker_) {
    throw std::runtime_error(std::string("ICU uspoof_open failed: ") + u_errorName(status));
  }
}

HandleSkeleton::~HandleSkeleton() = default;

std::u32string HandleSkeleton::icu_skeleton(std::u32string_view text) const {
  const std::string utf8 = text::to_utf8(text);
  std::array<char, 512> buffer{};
  UErrorCode status = U_ZERO_ERROR;
  const int32_t length =
      uspoof_getSkeletonUTF8(checker_.get(), 0, utf8.data(), static_cast<int32_t>(utf8.size()),
                             buffer.data(), static_cast<int32_t>(buffer.size()), &status);
  if (status == U_BUFFER_OVERFLOW_ERROR && length > 0) {
    std::string big(static_cast<std::size_t>(length), '\0');
    status = U_ZERO_ERROR;
    uspoof_getSkeletonUTF8(checker_.get(), 0, utf8.data(), static_cast<int32_t>(utf8.size()),
                           big.data(), length, &status);
    if (U_FAILURE(status)) return std::u32string(text);
    return text::to_u32(text::nfkc_casefold(big));
  }
  // A skeleton failure (e.g. unpaired surrogates already replaced) leaves the text as is.
  if (U_FAILURE(status)) return std::u32string(text);
  return text::to_u32(
      text::nfkc_casefold(std::string_view(buffer.data(), static_cast<std::size_t>(length))));
}

std::u32string HandleSkeleton::skeleton(std::u32string_view text) const {
  // The fold before the skeleton covers letters ICU does not list (ᴋ, 🅺, 巿); the fold after it
  // covers what ICU maps to a letter that is not the one shown (к, κ and ᴋ all become kra ĸ);
  // the folded result goes through ICU once more so both sides end in the same form (m -> rn).
  std::u32string s = icu_skeleton(fold_.apply(text));
  std::u32string folded = fold_.apply(s);
  if (folded != s) s = fold_.apply(icu_skeleton(folded));
  return s;
}

HandleKey HandleSkeleton::key(model::Platform platform, std::string_view handle) const {
  const std::u32string folded_text =
      text::to_u32(text::nfkc_casefold(handle_stem(platform, handle)));
  HandleKey key;
  key.folded = drop_separators(folded_text);
  key.skeleton = fold_extra_confusables(skeleton(folded_text));
  return key;
}

std::string_view to_string(HandleRelation relation) {
  switch (relation) {
    case HandleRelation::same_letters:
      return "same_letters";
    case HandleRelation::confusable:
      return "confusable";
    case HandleRelation::affixed:
      return "affixed";
    case HandleRelation::edited:
      return "edited";
    case HandleRelation::contains:
      return "contains";
    case HandleRelation::unrelated:
      return "unrelated";
  }
  return "unrelated";
}

HandleMatch compare_handles(const HandleKey& candidate, const HandleKey& official) {
  HandleMatch match;
  if (candidate.folded.empty() || official.folded.empty()) return match;
  if (candidate.folded == official.folded) {
    match.relation = HandleRelation::same_letters;
    match.similarity = 1.0;
    return match;
  }
  if (candidate.skeleton == official.skeleton) {
    match.relation = HandleRelation::confusable;
    match.similarity = 0.97;
    return match;
  }
  if (affixed(candidate.folded, official.folded) ||
      affixed(candidate.skeleton, official.skeleton)) {
    match.relation = HandleRelation::affixed;
    match.similarity = 0.9;
    match.distance = candidate.folded.size() - official.folded.size();
    return match;
  }
  // Typing edits are measured on the plain letters and on the skeletons; the closer pair wins
  // (an omitted m is one edit on letters but two on skeletons, where m became rn).
  const std::size_t d_folded = damerau_levenshtein(candidate.folded, official.folded);
  const std::size_t d_skeleton = damerau_levenshtein(candidate.skeleton, official.skeleton);
  const bool use_folded = d_folded <= d_skeleton;
  const std::u32string_view a = use_folded ? candidate.folded : candidate.skeleton;
  const std::u32string_view b = use_folded ? official.folded : official.skeleton;
  match.distance = std::min(d_folded, d_skeleton);
  match.similarity = 0.5 * edit_similarity(a, b, match.distance) + 0.5 * jaro_winkler(a, b);
  const std::size_t shorter = std::min(a.size(), b.size());
  if ((match.distance == 1 && shorter >= 4) || (match.distance == 2 && shorter >= 7)) {
    match.relation = HandleRelation::edited;
    return match;
  }
  if (official.folded.size() >= 4 &&
      candidate.folded.find(official.folded) != std::u32string::npos) {
    match.relation = HandleRelation::contains;
    match.similarity = std::max(match.similarity, 0.7);
    return match;
  }
  return match;
}

}  // namespace mamori::detectors::impersonation
