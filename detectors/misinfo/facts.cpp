#include "detectors/misinfo/facts.h"

#include <algorithm>
#include <unordered_set>

#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {
namespace {

std::string topic_of(const std::string& text) {
  // 【避難所開設】… -> 避難所開設
  const std::string open = "【";
  const std::string close = "】";
  if (const auto a = text.find(open); a < 8) {  // npos is never < 8
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

// Things a statement says there are none of: "津波の心配はありません" -> 津波, "けが人はいません"
// -> けが人, "被害は確認されていません" -> 被害. The nouns of the clause before a denial of
// ある/いる/確認, without the words that only frame it (心配, 予定, 情報 …).
std::vector<Fact::DeniedThing> denied_things(const AnalyzedText& t) {
  static constexpr std::string_view kFrame[] = {
      "心配", "こと",   "事",   "予定",     "必要", "問題",   "影響", "情報",
      "連絡", "変更",   "予約", "申し込み", "料金", "負担",   "費用", "現在",
      "時点", "現時点", "市",   "場合",     "方",   "ところ", "者",   "もの",
      "物",   "様子",   "報告", "確認",     "今",   "今回",   "特",   "特に"};
  std::vector<Fact::DeniedThing> out;
  for (std::size_t i = 0; i < t.tokens.size(); ++i) {
    const auto& m = t.tokens[i].m;
    if (!(m.pos == "動詞" && (m.base == "ある" || m.base == "いる" || m.base == "する" ||
                              m.base == "れる" || m.base == "られる"))) {
      continue;
    }
    if (!negated_after(t, t.tokens[i].end, std::min(t.folded.size(), t.tokens[i].end + 10))) {
      continue;
    }
    // Back over the clause: particles, 確認 (される), frame words, to the nouns it denies.
    Fact::DeniedThing thing;
    std::size_t clause_begin = t.tokens[i].begin;
    for (std::size_t k = i; k-- > 0;) {
      const auto& b = t.tokens[k].m;
      // "この地震による津波の心配は…": the clause is 津波's, not 地震's.
      if (b.pos == "記号" || (b.pos == "助詞" && b.pos1 == "接続助詞") ||
          (b.pos == "助詞" && b.pos2 == "連語") || b.pos == "動詞" || b.pos == "形容詞" ||
          b.pos == "連体詞" || i - k > 8) {
        break;
      }
      clause_begin = t.tokens[k].begin;
      if (b.pos != "名詞" || b.base.empty() || b.pos1 == "数" || b.pos1 == "非自立") continue;
      if (std::find(std::begin(kFrame), std::end(kFrame), b.base) != std::end(kFrame)) continue;
      if (text::to_u32(b.base).size() < 2) continue;
      thing.nouns.emplace_back(b.base);
    }
    if (thing.nouns.empty()) continue;
    std::size_t clause_end = t.tokens[i].end;
    for (std::size_t k = i + 1; k < t.tokens.size() && t.tokens[k].m.pos != "記号"; ++k) {
      clause_end = t.tokens[k].end;
    }
    thing.clause =
        text::to_utf8(std::u32string_view(t.nfkc).substr(clause_begin, clause_end - clause_begin));
    std::sort(thing.nouns.begin(), thing.nouns.end());
    thing.nouns.erase(std::unique(thing.nouns.begin(), thing.nouns.end()), thing.nouns.end());
    out.push_back(std::move(thing));
  }
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

std::shared_ptr<const Fact> FactIndex::prepare(OfficialStatement s) {
  auto f = std::make_shared<Fact>();
  f->text = analyze_text(s.text);
  f->slots = extract_slots(f->text, s.published_at);
  for (const auto& url : s.urls) {
    if (auto h = url_host(url); !h.empty()) f->slots.url_hosts.push_back(std::move(h));
  }
  f->topic = topic_of(s.text);
  for (const auto& sentence : f->text.sentences) {
    f->sentences.push_back(pair_side(analyze_text(text::to_utf8(
        std::u32string_view(f->text.nfkc).substr(sentence.begin, sentence.end - sentence.begin)))));
  }
  f->denied_things = denied_things(f->text);
  // The last asserted value per dimension is where the statement ends up.
  for (const auto& st : f->slots.states) {
    // "放流は予定されていません": a plan denied is a denial.
    if (st.tentative && !st.negated) {
      f->tentative_states.push_back(st.value);
      continue;
    }
    if (st.negated) {
      f->denied_states.push_back(st.value);
      continue;
    }
    auto it = std::find_if(f->asserted_states.begin(), f->asserted_states.end(),
                           [&](const StateValue& v) { return v.dimension == st.value.dimension; });
    if (it == f->asserted_states.end()) {
      f->asserted_states.push_back(st.value);
    } else {
      *it = st.value;
    }
  }
  f->statement = std::move(s);
  return f;
}

namespace {

std::vector<std::shared_ptr<const Fact>> prepare_all(std::vector<OfficialStatement> statements) {
  std::vector<std::shared_ptr<const Fact>> out;
  out.reserve(statements.size());
  std::unordered_set<std::string> seen;
  for (auto& s : statements) {
    if (!seen.insert(s.id).second) continue;  // the first statement with an id wins
    out.push_back(FactIndex::prepare(std::move(s)));
  }
  return out;
}

}  // namespace

FactIndex::FactIndex(std::vector<OfficialStatement> statements, FactIndexOptions options)
    : FactIndex(prepare_all(std::move(statements)), std::move(options)) {}

FactIndex::FactIndex(std::vector<std::shared_ptr<const Fact>> prepared, FactIndexOptions options) {
  contacts_ = std::move(options.contacts);
  for (auto& h : options.official_hosts) contacts_.hosts.push_back(std::move(h));
  std::vector<std::u32string> keys;
  facts_.reserve(prepared.size());
  for (auto& f : prepared) {
    if (!f || by_id_.contains(f->statement.id)) continue;  // the first statement with an id wins
    contacts_.add_from(f->text, f->slots);
    by_id_.emplace(f->statement.id, facts_.size());
    keys.push_back(f->text.key);
    facts_.push_back(std::move(f));
  }
  contacts_.finish();
  index_ = NgramIndex(keys);
}

const Fact* FactIndex::find(std::string_view id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : facts_[it->second].get();
}

std::vector<FactIndex::Related> FactIndex::related(const std::vector<std::uint64_t>& grams,
                                                   std::size_t max_hits,
                                                   double min_similarity) const {
  std::vector<Related> out;
  for (const auto& hit : index_.search(grams, max_hits, /*by_cosine=*/true)) {
    if (hit.cosine < min_similarity) break;
    out.push_back(Related{facts_[hit.document].get(), hit.cosine});
  }
  return out;
}

bool FactIndex::is_official_host(std::string_view host) const {
  return contacts_.has_host(host);
}

}  // namespace mamori::detectors::misinfo
