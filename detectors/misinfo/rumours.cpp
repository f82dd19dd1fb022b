#include "detectors/misinfo/rumours.h"

#include <algorithm>

#include "detectors/misinfo/analyzed_text.h"

namespace mamori::detectors::misinfo {

RumourRegistry::RumourRegistry(std::vector<Rumour> rumours) : rumours_(std::move(rumours)) {
  std::vector<std::u32string> keys;
  for (std::uint32_t r = 0; r < rumours_.size(); ++r) {
    const auto& rumour = rumours_[r];
    const auto add = [&](const std::string& text, std::uint32_t wording) {
      std::u32string key = analyze_text(text).key;
      if (bigrams(key).size() < kMinWordingGrams) return;
      keys.push_back(std::move(key));
      phrases_.push_back(Phrase{r, wording});
    };
    for (std::uint32_t w = 0; w < rumour.wordings.size(); ++w) add(rumour.wordings[w], w);
    add(rumour.claim, static_cast<std::uint32_t>(rumour.wordings.size()));
  }
  index_ = NgramIndex(keys);
}

std::optional<RumourRegistry::Match> RumourRegistry::best_match(
    const std::vector<std::uint64_t>& grams) const {
  // A few candidates by containment; short wordings are discounted so that a two-word phrase
  // found inside a long reply does not count as much as a full sentence.
  const auto hits = index_.search(grams, 5);
  std::optional<Match> best;
  for (const auto& hit : hits) {
    const double length_factor =
        std::min(1.0, static_cast<double>(index_.gram_count(hit.document)) / 7.0);
    const double similarity = hit.containment * (0.75 + 0.25 * length_factor);
    if (!best || similarity > best->similarity) {
      const auto& p = phrases_[hit.document];
      best = Match{&rumours_[p.rumour], p.wording, similarity};
    }
  }
  return best;
}

}  // namespace mamori::detectors::misinfo
