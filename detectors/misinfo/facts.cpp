#include "detectors/misinfo/facts.h"

#include <algorithm>

#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {
namespace {

std::string topic_of(const std::string& text) {
  // 【避難所開設】… -> 避難所開設
  const std::string open = "【";
  const std::string close = "】";
  if (const auto a = text.find(open); a != std::string::npos && a < 8) {
    if (const auto b = text.find(close, a); b != std::string::npos && b - a < 90) {
      return text.substr(a + open.size(), b - a - open.size());
    }
  }
  const std::u32string cps = text::to_u32(text);
  std::size_t end = std::min<std::size_t>(cps.size(), 24);
  for (std::size_t i = 0; i < end; ++i) {
    if (cps[i] == U'。' || cps[i] == U'\n') {
      end = i;
      break;
    }
  }
  std::string out = text::to_utf8(std::u32string_view(cps).substr(0, end));
  if (end < cps.size() && cps[end] != U'。' && cps[end] != U'\n') out += "…";
  return out;
}

}  // namespace

OfficialStatement FactIndex::from_post(const model::Post& post) {
  OfficialStatement s;
  s.id = post.post_id;
  s.text = post.text;
  s.published_at = post.created_at;
  s.urls = post.urls;
  return s;
}

FactIndex::FactIndex(std::vector<OfficialStatement> statements, FactIndexOptions options) {
  contacts_ = std::move(options.contacts);
  for (auto& h : options.official_hosts) contacts_.hosts.push_back(std::move(h));
  std::vector<std::u32string> keys;
  facts_.reserve(statements.size());
  for (auto& s : statements) {
    if (by_id_.contains(s.id)) continue;  // the first statement with an id wins
    Fact f;
    f.text = analyze_text(s.text);
    f.slots = extract_slots(f.text, s.published_at);
    for (const auto& url : s.urls) {
      if (auto h = url_host(url); !h.empty()) f.slots.url_hosts.push_back(std::move(h));
    }
    contacts_.add_from(f.text, f.slots);
    f.topic = topic_of(s.text);
    for (const auto& sentence : f.text.sentences) {
      f.sentences.push_back(pair_side(
          analyze_text(text::to_utf8(std::u32string_view(f.text.nfkc)
                                         .substr(sentence.begin, sentence.end - sentence.begin)))));
    }
    // The last asserted value per dimension is where the statement ends up.
    for (const auto& st : f.slots.states) {
      if (st.tentative) {
        if (!st.negated) f.tentative_states.push_back(st.value);
        continue;
      }
      if (st.negated) {
        f.denied_states.push_back(st.value);
        continue;
      }
      auto it =
          std::find_if(f.asserted_states.begin(), f.asserted_states.end(),
                       [&](const StateValue& v) { return v.dimension == st.value.dimension; });
      if (it == f.asserted_states.end()) {
        f.asserted_states.push_back(st.value);
      } else {
        *it = st.value;
      }
    }
    f.statement = std::move(s);
    by_id_.emplace(f.statement.id, facts_.size());
    keys.push_back(f.text.key);
    facts_.push_back(std::move(f));
  }
  contacts_.finish();
  index_ = NgramIndex(keys);
}

const Fact* FactIndex::find(std::string_view id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &facts_[it->second];
}

std::vector<FactIndex::Related> FactIndex::related(const std::vector<std::uint64_t>& grams,
                                                   std::size_t max_hits,
                                                   double min_similarity) const {
  std::vector<Related> out;
  for (const auto& hit : index_.search(grams, max_hits, /*by_cosine=*/true)) {
    if (hit.cosine < min_similarity) break;
    out.push_back(Related{&facts_[hit.document], hit.cosine});
  }
  return out;
}

bool FactIndex::is_official_host(std::string_view host) const {
  return contacts_.has_host(host);
}

}  // namespace mamori::detectors::misinfo
