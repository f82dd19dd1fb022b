#include "detectors/misinfo/phrase_set.h"

#include <algorithm>

#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {

std::u32string fold_phrase(std::string_view utf8) {
  return text::to_u32(text::fold_kana(text::nfkc_casefold(utf8)));
}

void PhraseSet::add(std::string_view phrase, std::uint32_t tag) {
  std::u32string folded = fold_phrase(phrase);
  if (folded.empty()) return;
  const auto index = static_cast<std::uint32_t>(phrases_.size());
  const char32_t first = folded.front();
  first_filter_[(first >> 6) & 63] |= std::uint64_t{1} << (first & 63);
  phrases_.push_back(Entry{std::move(folded), tag});
  auto& bucket = by_first_[first];
  bucket.push_back(index);
  std::stable_sort(bucket.begin(), bucket.end(), [this](std::uint32_t a, std::uint32_t b) {
    return phrases_[a].text.size() > phrases_[b].text.size();
  });
}

bool PhraseSet::match_at(std::u32string_view text, std::size_t pos, PhraseMatch& out) const {
  if (pos >= text.size()) return false;
  const char32_t c = text[pos];
  if ((first_filter_[(c >> 6) & 63] & (std::uint64_t{1} << (c & 63))) == 0) return false;
  const auto it = by_first_.find(c);
  if (it == by_first_.end()) return false;
  for (const std::uint32_t index : it->second) {
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
