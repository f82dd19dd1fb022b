#include "detectors/misinfo/phrase_set.h"

#include <algorithm>

#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {

std::u32string fold_phrase(std::string_view utf8) {
  return text::to_u32(text::fold_kana(text::nfkc_casefold(utf8)));
}

void PhraseSet::add(std::string_view phrase, std::uint32_t tag) {
  std::u32string folded = fold_phrase(phrase);
  if (folded.empty() || folded.front() == 0) return;
  const auto index = static_cast<std::uint32_t>(phrases_.size());
  const char32_t first = folded.front();
  first_filter_[(first >> 6) & 63] |= std::uint64_t{1} << (first & 63);
  phrases_.push_back(Entry{std::move(folded), tag});
  auto& bucket = by_first_[first];
  bucket.push_back(index);
  std::stable_sort(bucket.begin(), bucket.end(), [this](std::uint32_t a, std::uint32_t b) {
    return phrases_[a].text.size() > phrases_[b].text.size();
  });
  std::size_t size = 16;
  while (size < by_first_.size() * 2) size *= 2;
  buckets_.assign(size, Bucket{});
  bucket_mask_ = size - 1;
  ordered_.clear();
  for (const auto& [c, indices] : by_first_) {
    std::size_t i = static_cast<std::size_t>(c) & bucket_mask_;
    while (buckets_[i].first != 0) i = (i + 1) & bucket_mask_;
    buckets_[i] = Bucket{c, static_cast<std::uint32_t>(ordered_.size()),
                         static_cast<std::uint32_t>(indices.size())};
    ordered_.insert(ordered_.end(), indices.begin(), indices.end());
  }
}

bool PhraseSet::match_at(std::u32string_view text, std::size_t pos, PhraseMatch& out) const {
  if (pos >= text.size()) return false;
  const char32_t c = text[pos];
  if ((first_filter_[(c >> 6) & 63] & (std::uint64_t{1} << (c & 63))) == 0) return false;
  std::size_t b = static_cast<std::size_t>(c) & bucket_mask_;
  while (buckets_[b].first != c) {
    if (buckets_[b].first == 0) return false;
    b = (b + 1) & bucket_mask_;
  }
  for (std::uint32_t k = buckets_[b].begin; k < buckets_[b].begin + buckets_[b].size; ++k) {
    const std::uint32_t index = ordered_[k];
    const auto& p = phrases_[index].text;
    if (text.size() - pos >= p.size() && text.compare(pos, p.size(), p) == 0) {
      out = PhraseMatch{pos, pos + p.size(), phrases_[index].tag};
      return true;
    }
  }
  return false;
}

std::vector<PhraseMatch> PhraseSet::find_all(std::u32string_view text, std::size_t begin,
                                             std::size_t end) const {
  std::vector<PhraseMatch> out;
  end = std::min(end, text.size());
  const std::u32string_view bounded = text.substr(0, end);
  std::size_t i = begin;
  while (i < end) {
    PhraseMatch m;
    if (match_at(bounded, i, m)) {
      out.push_back(m);
      i = m.end;
    } else {
      ++i;
    }
  }
  return out;
}

bool PhraseSet::contains_any(std::u32string_view text, std::size_t begin, std::size_t end) const {
  end = std::min(end, text.size());
  const std::u32string_view bounded = text.substr(0, end);
  PhraseMatch m;
  for (std::size_t i = begin; i < end; ++i) {
    if (match_at(bounded, i, m)) return true;
  }
  return false;
}

}  // namespace mamori::detectors::misinfo
