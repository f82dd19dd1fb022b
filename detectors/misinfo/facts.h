// Official facts: the city's own recent posts (and pinned fact sheets from the configuration),
// parsed into slots and indexed by topic so a reply can be checked against what the city said.
// Built once from a list and read-only afterwards; rebuild it when the city posts again, from the
// statements already prepared (prepare(): the costly analysis, done once per statement).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"
#include "detectors/misinfo/contacts.h"
#include "detectors/misinfo/ngram_index.h"
#include "detectors/misinfo/pair_contradiction.h"
#include "detectors/misinfo/slots.h"
#include "model/observation.h"

namespace mamori::detectors::misinfo {

// What the city said: one of its posts, or a pinned fact sheet.
struct OfficialStatement {
  std::string id;  // post id, or the fact sheet's id
  std::string text;
  model::TimePoint published_at{};
  std::vector<std::string> urls;  // expanded links, when the platform gives them
};

struct Fact {
  OfficialStatement statement;
  AnalyzedText text;
  Slots slots;
  std::string topic;  // short label for staff: the 【…】 heading, else the opening words
  // Per state dimension, the value the statement ends on ("断水は…復旧しました" -> 復旧) and the
  // values it denies ("逃走はありません").
  std::vector<StateValue> asserted_states;
  std::vector<StateValue> denied_states;
  std::vector<StateValue> tentative_states;  // conditions and prospects: "復旧を目指して"
  // Things the statement says there are none of: "津波の心配はありません" -> {津波},
  // "ダムの緊急放流は予定されていません" -> {ダム, 緊急, 放流}, with the denying clause.
  struct DeniedThing {
    std::vector<std::string> nouns;  // base forms
    std::string clause;              // as written, for reasons
  };
  std::vector<DeniedThing> denied_things;
  // Each sentence prepared for the sentence-pair check (pair_contradiction.h).
  std::vector<PairSide> sentences;
};

struct FactIndexOptions {
  // Hosts that are the city's own (its homepage). Links in official posts are added to these;
  // *.lg.jp and *.go.jp (registrable only by governments) are always official.
  std::vector<std::string> official_hosts;
  // The city's other genuine contacts from the configuration (official account handles, phone
  // numbers, e-mail, bank accounts). Every contact in the statements is added to them.
  OfficialContacts contacts;
};

class FactIndex {
 public:
  FactIndex() = default;
  explicit FactIndex(std::vector<OfficialStatement> statements, FactIndexOptions options = {});
  // From statements prepared before, shared (not copied) with other indexes built from them.
  // The first of several with the same id wins, as above.
  FactIndex(std::vector<std::shared_ptr<const Fact>> prepared, FactIndexOptions options);

  // The analysis of one statement (MeCab, slots, sentence pairs): most of an index's building,
  // so a daemon keeping the city's last posts prepares each once (issue 20).
  static std::shared_ptr<const Fact> prepare(OfficialStatement statement);

  static OfficialStatement from_post(const model::Post& post);

  const Fact* find(std::string_view id) const;

  struct Related {
    const Fact* fact = nullptr;
    double similarity = 0;  // IDF-weighted bigram cosine
  };
  // Facts on the same topic as a text (given as its bigrams), most similar first.
  std::vector<Related> related(const std::vector<std::uint64_t>& grams, std::size_t max_hits,
                               double min_similarity) const;

  bool is_official_host(std::string_view host) const;
  // The city's genuine contacts: the options' and every one its statements give.
  const OfficialContacts& contacts() const { return contacts_; }

  std::size_t size() const { return facts_.size(); }
  const std::vector<std::shared_ptr<const Fact>>& facts() const { return facts_; }

 private:
  std::vector<std::shared_ptr<const Fact>> facts_;
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::size_t, IdHash, std::equal_to<>> by_id_;
  OfficialContacts contacts_;
  NgramIndex index_;
};

}  // namespace mamori::detectors::misinfo
