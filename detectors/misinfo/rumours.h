// The rumour registry: claims staff have confirmed false, each with the typical ways it is
// written and the official correction. Storage (PostgreSQL, TOML files) is the daemon's; this is
// the in-memory, read-only matcher built from plain structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "detectors/misinfo/ngram_index.h"

namespace mamori::detectors::misinfo {

struct Rumour {
  std::string id;                     // stable, e.g. "zoo-animal-escape"
  std::string claim;                  // the false claim in one sentence, as staff would name it
  std::vector<std::string> wordings;  // typical phrasings seen in posts
  std::string correction;             // the official correction text
  std::string correction_url;         // where the correction is published (may be empty)
};

class RumourRegistry {
 public:
  RumourRegistry() = default;
  // Wordings shorter than a few characters are ignored (they would match everything).
  explicit RumourRegistry(std::vector<Rumour> rumours);

  struct Match {
    const Rumour* rumour = nullptr;
    std::size_t wording = 0;  // index into wordings; wordings.size() means the claim itself
    double similarity = 0;    // [0, 1]
  };
  // The registered rumour a text (given as its key bigrams) is closest to, if any shares grams.
  std::optional<Match> best_match(const std::vector<std::uint64_t>& grams) const;

  std::size_t size() const { return rumours_.size(); }
  const std::vector<Rumour>& rumours() const { return rumours_; }

 private:
  struct Phrase {
    std::uint32_t rumour = 0;
    std::uint32_t wording = 0;
  };
  std::vector<Rumour> rumours_;
  std::vector<Phrase> phrases_;
  NgramIndex index_;
};

// Smallest number of distinct bigrams a wording needs to be matched on its own.
inline constexpr std::size_t kMinWordingGrams = 4;

}  // namespace mamori::detectors::misinfo
