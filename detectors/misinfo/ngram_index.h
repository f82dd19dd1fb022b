// Character bigram index over normalized keys (AnalyzedText::key), weighted by inverse document
// frequency. Built once from a list and then read-only, so it can be shared between threads.
// Lookup walks the postings of the query's bigrams instead of scanning every document, which is
// what keeps scoring against thousands of rumours and facts within the per-reply budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::misinfo {

// Distinct bigrams of a key (a single character counts as one gram), sorted.
std::vector<std::uint64_t> bigrams(std::u32string_view key);

class NgramIndex {
 public:
  NgramIndex() = default;
  explicit NgramIndex(const std::vector<std::u32string>& documents);

  struct Hit {
    std::uint32_t document = 0;
    double containment = 0;  // IDF-weighted share of the document's grams found in the query
    double cosine = 0;       // IDF-weighted overlap relative to both sizes
  };

  // Documents sharing at least one gram with the query, best `containment` first (or best
  // `cosine` first when `by_cosine`), at most `max_hits`.
  std::vector<Hit> search(const std::vector<std::uint64_t>& query_grams, std::size_t max_hits,
                          bool by_cosine = false) const;

  std::size_t size() const { return weights_.size(); }
  std::size_t gram_count(std::uint32_t document) const { return gram_counts_[document]; }

  // IDF-weighted containment of one document's grams in a query, without the index walk.
  double containment(std::uint32_t document, const std::vector<std::uint64_t>& query_grams) const;

 private:
  double idf(std::size_t df) const;

  // Open-addressing set of a query's grams, reused per thread.
  class GramSet {
   public:
    void assign(const std::vector<std::uint64_t>& grams);
    bool contains(std::uint64_t g) const;
    static std::size_t mix(std::uint64_t g);

   private:
    std::vector<std::uint64_t> slots_;
    std::size_t mask_ = 0;
  };

  // The documents containing a gram, in document order: an open-addressing table from gram to
  // its run in `posting_docs_` (a flat table: the per-reply walk looks up every query gram).
  struct Postings {
    const std::uint32_t* begin = nullptr;
    std::size_t size = 0;
  };
  Postings postings(std::uint64_t gram) const;
  struct Slot {
    std::uint64_t gram = 0;  // 0 = empty (never a gram, see GramSet)
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  std::vector<Slot> table_;
  std::size_t table_mask_ = 0;
  std::vector<std::uint32_t> posting_docs_;
  struct WeightedGram {
    std::uint64_t gram = 0;
    float idf = 0;
  };
  // All documents' grams in one array (document d at [offsets_[d], offsets_[d + 1])), so the
  // exact scoring of candidates walks contiguous memory.
  std::vector<WeightedGram> grams_;
  std::vector<std::uint32_t> offsets_;
  std::vector<double> weights_;  // sum of the document's gram IDFs
  std::vector<double> idf_of_;   // idf(df) for df in [0, size()], computed once (no log per gram)
  std::vector<std::uint32_t> gram_counts_;
};

}  // namespace mamori::detectors::misinfo
