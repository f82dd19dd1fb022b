#include "detectors/misinfo/ngram_index.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace mamori::detectors::misinfo {

std::vector<std::uint64_t> bigrams(std::u32string_view key) {
  std::vector<std::uint64_t> grams;
  if (key.size() == 1) {
    grams.push_back(static_cast<std::uint64_t>(key[0]) & 0x1FFFFF);
    return grams;
  }
  grams.reserve(key.size());
  for (std::size_t i = 0; i + 1 < key.size(); ++i) {
    const std::uint64_t a = static_cast<std::uint64_t>(key[i]) & 0x1FFFFF;
    const std::uint64_t b = static_cast<std::uint64_t>(key[i + 1]) & 0x1FFFFF;
    grams.push_back((a << 21) | b | (std::uint64_t{1} << 42));
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

NgramIndex::NgramIndex(const std::vector<std::u32string>& documents) {
  std::vector<std::vector<std::uint64_t>> grams_of(documents.size());
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> postings;
  for (std::size_t d = 0; d < documents.size(); ++d) {
    grams_of[d] = bigrams(documents[d]);
    for (const auto g : grams_of[d]) postings[g].push_back(static_cast<std::uint32_t>(d));
    gram_counts_.push_back(static_cast<std::uint32_t>(grams_of[d].size()));
  }
  weights_.resize(documents.size(), 0.0);  // idf() needs the document count
  idf_of_.resize(documents.size() + 1);
  for (std::size_t df = 0; df <= documents.size(); ++df) idf_of_[df] = idf(df);
  std::size_t size = 64;
  while (size < postings.size() * 2) size *= 2;
  table_.assign(size, Slot{});
  table_mask_ = size - 1;
  for (const auto& [g, docs] : postings) {
    std::size_t i = GramSet::mix(g) & table_mask_;
    while (table_[i].gram != 0) i = (i + 1) & table_mask_;
    table_[i] = Slot{g, static_cast<std::uint32_t>(posting_docs_.size()),
                     static_cast<std::uint32_t>(docs.size())};
    posting_docs_.insert(posting_docs_.end(), docs.begin(), docs.end());
  }
  offsets_.reserve(documents.size() + 1);
  offsets_.push_back(0);
  for (std::size_t d = 0; d < documents.size(); ++d) {
    double w = 0;
    for (const auto g : grams_of[d]) {
      const double x = idf(postings[g].size());
      grams_.push_back(WeightedGram{g, static_cast<float>(x)});
      w += x;
    }
    weights_[d] = w;
    offsets_.push_back(static_cast<std::uint32_t>(grams_.size()));
  }
}

NgramIndex::Postings NgramIndex::postings(std::uint64_t gram) const {
  if (table_.empty()) return {};
  for (std::size_t i = GramSet::mix(gram) & table_mask_;; i = (i + 1) & table_mask_) {
    const Slot& slot = table_[i];
    if (slot.gram == gram) return Postings{posting_docs_.data() + slot.offset, slot.size};
    if (slot.gram == 0) return {};
  }
}

double NgramIndex::idf(std::size_t df) const {
  return std::log(1.0 + static_cast<double>(weights_.size() + 1) / static_cast<double>(df + 1));
}

std::vector<NgramIndex::Hit> NgramIndex::search(const std::vector<std::uint64_t>& query_grams,
                                                std::size_t max_hits, bool by_cosine) const {
  std::vector<Hit> hits;
  if (weights_.empty() || query_grams.empty() || max_hits == 0) return hits;
  // Phase 1: candidates from the query's selective grams. Grams found in many documents
  // ("らしい", "した") carry little weight and would make the walk linear in the index size;
  // they are added back exactly in phase 2 for the few best candidates.
  const std::size_t common = std::max<std::size_t>(32, weights_.size() / 16);
  thread_local std::vector<float> acc;
  thread_local std::vector<std::uint32_t> touched;
  if (acc.size() < weights_.size()) acc.assign(weights_.size(), 0.0f);
  touched.clear();
  double query_weight = 0;
  const double unseen = idf_of_[0];
  for (const auto g : query_grams) {
    const Postings docs = postings(g);
    if (docs.size == 0) {
      query_weight += unseen;
      continue;
    }
    const double w = idf_of_[docs.size];
    query_weight += w;
    if (docs.size > common) continue;
    for (std::size_t k = 0; k < docs.size; ++k) {
      const std::uint32_t d = docs.begin[k];
      if (acc[d] == 0.0f) touched.push_back(d);
      acc[d] += static_cast<float>(w);
    }
  }
  if (touched.empty()) return hits;
  // Phase 2: the best candidates by selective overlap, scored exactly against a hash set of the
  // query's grams.
  const std::size_t keep = std::min(touched.size(), max_hits * 2);
  thread_local GramSet query_set;
  query_set.assign(query_grams);
  const auto by_partial = [](std::uint32_t a, std::uint32_t b) {
    return acc[a] != acc[b] ? acc[a] > acc[b] : a < b;
  };
  std::partial_sort(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(keep),
                    touched.end(), by_partial);
  hits.reserve(keep);
  for (std::size_t i = 0; i < keep; ++i) {
    const std::uint32_t d = touched[i];
    double overlap = 0;
    for (std::uint32_t k = offsets_[d]; k < offsets_[d + 1]; ++k) {
      if (query_set.contains(grams_[k].gram)) overlap += grams_[k].idf;
    }
    Hit h;
    h.document = d;
    h.containment = weights_[d] > 0 ? overlap / weights_[d] : 0.0;
    h.cosine =
        weights_[d] > 0 && query_weight > 0 ? overlap / std::sqrt(weights_[d] * query_weight) : 0.0;
    hits.push_back(h);
  }
  for (const auto d : touched) acc[d] = 0.0f;
  const auto better = [by_cosine](const Hit& a, const Hit& b) {
    const double x = by_cosine ? a.cosine : a.containment;
    const double y = by_cosine ? b.cosine : b.containment;
    return x != y ? x > y : a.document < b.document;
  };
  std::sort(hits.begin(), hits.end(), better);
  if (hits.size() > max_hits) hits.resize(max_hits);
  return hits;
}

double NgramIndex::containment(std::uint32_t document,
                               const std::vector<std::uint64_t>& query_grams) const {
  if (document >= weights_.size() || weights_[document] <= 0) return 0;
  double matched = 0;
  for (std::uint32_t k = offsets_[document]; k < offsets_[document + 1]; ++k) {
    if (std::binary_search(query_grams.begin(), query_grams.end(), grams_[k].gram)) {
      matched += grams_[k].idf;
    }
  }
  return matched / weights_[document];
}

void NgramIndex::GramSet::assign(const std::vector<std::uint64_t>& grams) {
  std::size_t size = 64;
  while (size < grams.size() * 2) size *= 2;
  slots_.assign(size, 0);  // 0 is never a gram: every gram has bit 42 or a non-zero code point
  mask_ = size - 1;
  for (const auto g : grams) {
    std::size_t i = mix(g) & mask_;
    while (slots_[i] != 0 && slots_[i] != g) i = (i + 1) & mask_;
    slots_[i] = g;
  }
}

bool NgramIndex::GramSet::contains(std::uint64_t g) const {
  std::size_t i = mix(g) & mask_;
  while (slots_[i] != 0) {
    if (slots_[i] == g) return true;
    i = (i + 1) & mask_;
  }
  return false;
}

std::size_t NgramIndex::GramSet::mix(std::uint64_t g) {
  g ^= g >> 29;
  g *= 0xBF58476D1CE4E5B9ull;
  g ^= g >> 32;
  return static_cast<std::size_t>(g);
}

}  // namespace mamori::detectors::misinfo
