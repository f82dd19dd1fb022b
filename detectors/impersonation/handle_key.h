// Handle comparison keys (docs/design.md "detectors"): a handle is
// NFKC-casefolded, mapped to its ICU uspoof skeleton (with the look-alike fold of issue 18
// around it), casefolded again, a few ASCII look-alikes
// ICU does not list are folded (vv/w, cl/d, i/l), and separators are collapsed, so that
// s0ma_c1ty, soma__city and somacity all land on the key of soma_city.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "detectors/impersonation/lookalike_fold.h"
#include "model/platform.h"

struct USpoofChecker;

namespace mamori::detectors::impersonation {

// Longest handle text looked at (Bluesky domain handles may be 253 bytes).
inline constexpr std::size_t kMaxHandleBytes = 256;

struct HandleKey {
  std::u32string folded;    // NFKC-casefold, provider suffix and separators removed
  std::u32string skeleton;  // the confusable skeleton of the same text
};

// The part of a handle that names the account: no leading '@', no Bluesky ".bsky.social"
// suffix, no Mastodon "@instance" part.
std::string_view handle_stem(model::Platform platform, std::string_view handle);

// Builds HandleKeys. Owns an ICU USpoofChecker; skeleton look-ups on one instance are
// thread-safe (ICU uspoof.h "Thread Safety"), so one HandleSkeleton may serve all threads.
class HandleSkeleton {
 public:
  HandleSkeleton();  // throws std::runtime_error if ICU's confusables data cannot be loaded
  ~HandleSkeleton();
  HandleSkeleton(const HandleSkeleton&) = delete;
  HandleSkeleton& operator=(const HandleSkeleton&) = delete;

  HandleKey key(model::Platform platform, std::string_view handle) const;
  // The confusable skeleton of any short text (names use it for kana/kanji look-alikes): ICU's
  // UTS #39 skeleton with the project's look-alike fold (lookalike_fold.h) around it.
  std::u32string skeleton(std::u32string_view text) const;

 private:
  std::u32string icu_skeleton(std::u32string_view text) const;
  const LookalikeFold& fold_;
  struct SpoofCheckerDeleter {
    void operator()(USpoofChecker* checker) const;
  };
  std::unique_ptr<USpoofChecker, SpoofCheckerDeleter> checker_;
};

// How a candidate's handle relates to an official one, strongest first.
enum class HandleRelation {
  same_letters,  // equal but for case and separators: soma__city, somacity, soma-city
  confusable,    // equal skeletons: s0ma_c1ty, sorna_city
  affixed,       // official handle plus a known affix: soma_city_official, soma_city2
  edited,        // one or two typing edits: smoa_city, soma_ciity, soma_cty
  contains,      // official handle inside a longer one: soma_city_fan, minamisoma_city
  unrelated,
};

std::string_view to_string(HandleRelation relation);

struct HandleMatch {
  HandleRelation relation = HandleRelation::unrelated;
  double similarity = 0.0;   // [0, 1]: 1 same letters; edits scored by Damerau-Levenshtein + JW
  std::size_t distance = 0;  // Damerau-Levenshtein distance on the closer pair of keys
};

// Allocation-free: the hot path of pair scoring.
HandleMatch compare_handles(const HandleKey& candidate, const HandleKey& official);

}  // namespace mamori::detectors::impersonation
