#include "detectors/misinfo/detector.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "detectors/misinfo/contacts.h"
#include "detectors/misinfo/hoaxes.h"
#include "detectors/misinfo/markers.h"
#include "detectors/misinfo/pair_contradiction.h"
#include "detectors/misinfo/slots.h"
#include "model/time_text.h"

namespace mamori::detectors::misinfo {
namespace {

constexpr std::string_view kShorteners[] = {
    "bit.ly",    "tinyurl.com", "goo.gl",  "ow.ly",   "is.gd",       "buff.ly", "x.gd",
    "cutt.ly",   "lin.ee",      "amzn.to", "rb.gy",   "shorturl.at", "tiny.cc", "t.ly",
    "forms.gle", "qr.paps.jp",  "onl.la",  "urx.red", "v.gd",        "s.id",    "bl.ink",
};

bool is_shortener(std::string_view host) {
  return std::find(std::begin(kShorteners), std::end(kShorteners), host) != std::end(kShorteners);
}

std::string fmt(const char* format, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

template <class T, class F>
std::string join_values(const std::vector<T>& values, F describe_one, std::size_t max = 4) {
  std::string out;
  std::vector<std::string> seen;
  for (const auto& v : values) {
    std::string d = describe_one(v);
    if (d.empty() || std::find(seen.begin(), seen.end(), d) != seen.end()) continue;
    if (seen.size() == max) {
      out += "…";
      break;
    }
    if (!out.empty()) out += "、";
    out += d;
    seen.push_back(std::move(d));
  }
  return out;
}

std::string quote(const AnalyzedText& t, const MarkerHit& h) {
  return span_text(t, h.begin, h.end);
}

// The evidence of one contradiction against one fact.
struct Contradiction {
  const Fact* fact = nullptr;
  std::size_t begin = 0;  // where the reply states it (code point in AnalyzedText)
  bool state = false;
  bool relative_date = false;
  std::string kind;  // for the claim key: "state:event=1", "venue:…", "date:11-10" …
  std::string reason;
};

bool date_matches(const DateValue& r, const DateValue& f) {
  if (r.month == 0 && r.day == 0) return true;  // weekday only: not compared
  return (r.month == 0 || f.month == 0 || r.month == f.month) &&
         (r.day == 0 || f.day == 0 || r.day == f.day);
}

bool time_matches(const TimeValue& r, const TimeValue& f) {
  // "7時" may mean 19時 when the city wrote 19時.
  const int hour = r.hour < 12 && r.hour + 12 == f.hour ? f.hour : r.hour;
  if (r.approximate || f.approximate) {
    const int a = hour * 60 + r.minute;
    const int b = f.hour * 60 + f.minute;
    return std::abs(a - b) <= 60;
  }
  // "20時" is 20:00: it contradicts 20時30分.
  return hour == f.hour && r.minute == f.minute;
}

std::string phone_text(const std::string& digits) {
  return digits;
}

std::string topic_quote(const Fact& f) {
  return "「" + f.topic + "」";
}

const Sentence* sentence_at(const AnalyzedText& t, std::size_t pos);

void compare_states(const AnalyzedText& reply_text, const Slots& reply, const Fact& fact,
                    std::vector<Contradiction>& out) {
  for (const auto& rs : reply.states) {
    if (rs.tentative || rs.scheduled) continue;
    const StateDimension d = rs.value.dimension;
    const StateValue* fact_asserted = nullptr;
    for (const auto& v : fact.asserted_states) {
      if (v.dimension == d) fact_asserted = &v;
    }
    bool fact_denies = false;
    for (const auto& v : fact.denied_states) {
      fact_denies = fact_denies || (v.dimension == d && v.value == rs.value.value);
    }
    // The reply also states what the city said: a mixed or complaining reply, not a contradiction.
    // Only within the same sentence: "花火中止です。友達が実行委員やってるから" agrees with
    // nothing.
    bool reply_agrees = false;
    const Sentence* here = sentence_at(reply_text, rs.begin);
    if (fact_asserted != nullptr) {
      for (const auto& other : reply.states) {
        reply_agrees =
            reply_agrees || (!other.negated && !other.tentative && other.value.dimension == d &&
                             other.value.value == fact_asserted->value &&
                             sentence_at(reply_text, other.begin) == here);
      }
    }
    // The city announced this value as a prospect ("本日中の復旧を目指して"): a reply reporting it
    // is progress, not a contradiction.
    bool expected = false;
    for (const auto& v : fact.tentative_states) {
      expected = expected || (v.dimension == d && v.value == rs.value.value && !rs.negated);
    }
    if (expected) continue;
    // "無料になった" against a post that only gives a price.
    if (d == StateDimension::fee && rs.value.value == 0 && !rs.negated &&
        fact_asserted == nullptr) {
      const NumberValue* price = nullptr;
      for (const auto& n : fact.slots.numbers) {
        if (!n.negated && n.value.value > 0 && n.value.unit == U"円") price = &n.value;
      }
      if (price != nullptr) {
        Contradiction c;
        c.fact = &fact;
        c.begin = rs.begin;
        c.state = true;
        c.kind = "fee-free";
        c.reason = "市の投稿" + topic_quote(fact) + "では料金（" + describe(*price) +
                   "）がかかるが、返信は「無料」としている";
        out.push_back(std::move(c));
        return;
      }
    }
    if (reply_agrees) continue;
    Contradiction c;
    c.fact = &fact;
    c.begin = rs.begin;
    c.state = true;
    const std::string dim(state_dimension_label(d));
    const std::string value(state_value_label(rs.value));
    if (!rs.negated && fact_asserted != nullptr && fact_asserted->value != rs.value.value &&
        !fact_denies) {
      c.reason = "市の投稿" + topic_quote(fact) + "では" + dim + "は「" +
                 std::string(state_value_label(*fact_asserted)) + "」だが、返信は「" + value +
                 "」としている";
    } else if (!rs.negated && fact_denies) {
      c.reason = "市の投稿" + topic_quote(fact) + "は「" + value + "」を否定しているが、返信は「" +
                 value + "」としている";
    } else if (rs.negated && fact_asserted != nullptr && fact_asserted->value == rs.value.value) {
      c.reason = "市の投稿" + topic_quote(fact) + "では" + dim + "は「" + value +
                 "」だが、返信はこれを否定している";
    } else {
      continue;
    }
    c.kind = "state:" + std::to_string(static_cast<int>(d)) + "=" + std::to_string(rs.value.value) +
             (rs.negated ? "!" : "");
    out.push_back(std::move(c));
    return;  // one state contradiction per fact is enough evidence
  }
}

// The reply asserts something the post says there is none of ("津波が来るらしい" against
// "津波の心配はありません"): the denied nouns (two of them when the clause names several) in a
// sentence of the reply with a predicate of their own that is not denied.
void compare_denied_things(const AnalyzedText& t, const Fact& fact,
                           std::vector<Contradiction>& out) {
  for (const auto& thing : fact.denied_things) {
    for (const auto& s : t.sentences) {
      std::size_t found = 0;
      std::size_t last = 0;
      std::size_t first_pos = 0;
      for (std::size_t i = s.first_token; i < s.end_token; ++i) {
        const auto& m = t.tokens[i].m;
        if (m.pos != "名詞" || m.base.empty()) continue;
        if (!std::binary_search(thing.nouns.begin(), thing.nouns.end(), std::string(m.base))) {
          continue;
        }
        if (found == 0) first_pos = t.tokens[i].begin;
        ++found;
        last = i;
      }
      if (found < std::min<std::size_t>(2, thing.nouns.size())) continue;
      if (negated_after(t, t.tokens[last].end, s.end)) continue;
      bool predicate = false;
      for (std::size_t k = last + 1; k < s.end_token; ++k) {
        const auto& n = t.tokens[k].m;
        if (n.pos == "記号") break;
        predicate = predicate || n.pos == "動詞" || n.pos1 == "サ変接続";
      }
      if (!predicate) continue;
      Contradiction c;
      c.fact = &fact;
      c.begin = first_pos;
      c.state = true;
      c.kind = "denied:" + thing.nouns.front();
      c.reason = "市の投稿" + topic_quote(fact) + "は「" + thing.clause +
                 "」としているが、返信はそれがあるとしている";
      out.push_back(std::move(c));
      return;
    }
  }
}

void compare_slots(const AnalyzedText& t, const Slots& reply, const Fact& fact,
                   std::vector<Contradiction>& out) {
  const Slots& fs = fact.slots;
  // Dates.
  std::vector<DateValue> fact_dates;
  for (const auto& d : fs.dates) {
    if (!d.negated && (d.value.month > 0 || d.value.day > 0)) fact_dates.push_back(d.value);
  }
  if (!fact_dates.empty()) {
    for (const auto& rd : reply.dates) {
      if (rd.value.month == 0 && rd.value.day == 0) continue;
      if (rd.negated) {
        // "16日じゃないから": the reply denies the city's date.
        if (!rd.value.relative && date_matches(rd.value, fact_dates.front())) {
          Contradiction c;
          c.fact = &fact;
          c.begin = rd.begin;
          c.kind = "date-denied:" + describe(rd.value);
          c.reason = "市の発表の日付（" + describe(fact_dates.front()) +
                     "）を否定している（返信: " + span_text(t, rd.begin, rd.end) + "）";
          out.push_back(std::move(c));
          break;
        }
        continue;
      }
      const bool ok = std::any_of(fact_dates.begin(), fact_dates.end(),
                                  [&](const DateValue& f) { return date_matches(rd.value, f); });
      if (ok) continue;
      Contradiction c;
      c.fact = &fact;
      c.begin = rd.begin;
      c.relative_date = rd.value.relative;
      c.kind = "date:" + std::to_string(rd.value.month) + "-" + std::to_string(rd.value.day);
      c.reason = "日付が市の発表と異なる（返信: " + span_text(t, rd.begin, rd.end) + " / 市: " +
                 join_values(fact_dates, [](const DateValue& d) { return describe(d); }) + "）";
      out.push_back(std::move(c));
      break;
    }
  }
  // Times.
  std::vector<TimeValue> fact_times;
  for (const auto& x : fs.times) {
    if (!x.negated) fact_times.push_back(x.value);
  }
  if (!fact_times.empty()) {
    for (const auto& rt : reply.times) {
      if (rt.negated) continue;
      const bool ok = std::any_of(fact_times.begin(), fact_times.end(),
                                  [&](const TimeValue& f) { return time_matches(rt.value, f); });
      if (ok) continue;
      Contradiction c;
      c.fact = &fact;
      c.begin = rt.begin;
      c.kind = "time:" + std::to_string(rt.value.hour) + ":" + std::to_string(rt.value.minute);
      c.reason = "時刻が市の発表と異なる（返信: " + span_text(t, rt.begin, rt.end) + " / 市: " +
                 join_values(fact_times, [](const TimeValue& v) { return describe(v); }) + "）";
      out.push_back(std::move(c));
      break;
    }
  }
  // Places: candidates from one run of characters share `begin`; the run matches when any does.
  const auto compare_places = [&](const std::vector<Slot<PlaceValue>>& reply_places,
                                  const std::vector<Slot<PlaceValue>>& fact_places,
                                  const char* kind, const char* label) {
    std::vector<PlaceValue> known;
    for (const auto& p : fact_places) {
      if (!p.negated) known.push_back(p.value);
    }
    if (known.empty()) return;
    std::size_t i = 0;
    while (i < reply_places.size()) {
      std::size_t j = i;
      bool matched = false;
      bool negated = false;
      while (j < reply_places.size() && reply_places[j].begin == reply_places[i].begin) {
        negated = negated || reply_places[j].negated;
        for (const auto& k : known) matched = matched || same_place(reply_places[j].value, k);
        ++j;
      }
      const auto& longest = reply_places[j - 1];
      // "図書館だけ", "公民館のみ": one of the city's several places said to be the only one.
      const std::u32string_view after =
          std::u32string_view(t.folded).substr(std::min(t.folded.size(), longest.end), 3);
      const bool only = after.starts_with(U"だけ") || after.starts_with(U"のみ");
      std::size_t distinct = 0;
      for (std::size_t a = 0; a < known.size(); ++a) {
        bool dup = false;
        for (std::size_t b = 0; b < a; ++b) dup = dup || same_place(known[a], known[b]);
        distinct += dup ? 0 : 1;
      }
      if (matched && !negated && only && distinct >= 2) {
        Contradiction c;
        c.fact = &fact;
        c.begin = longest.begin;
        c.kind = std::string(kind) + "-only:" + describe(longest.value);
        c.reason = std::string(label) + "を「" + span_text(t, longest.begin, longest.end) +
                   "」だけとしているが、市の発表では " +
                   join_values(known, [](const PlaceValue& p) { return describe(p); }) + "";
        out.push_back(std::move(c));
        return;
      }
      // The reply denies a place the city gave ("海浜公園じゃなくて…").
      if (matched && negated) {
        Contradiction c;
        c.fact = &fact;
        c.begin = longest.begin;
        c.kind = std::string(kind) + "-denied:" + describe(longest.value);
        c.reason = std::string(label) + "について、市の発表にある「" +
                   span_text(t, longest.begin, longest.end) + "」を否定している";
        out.push_back(std::move(c));
        return;
      }
      if (!matched && !negated) {
        // A specific area inside a city-wide statement is not a contradiction.
        const bool city_wide = std::any_of(known.begin(), known.end(),
                                           [](const PlaceValue& p) { return p.whole_city; });
        if (!city_wide) {
          Contradiction c;
          c.fact = &fact;
          c.begin = longest.begin;
          c.kind = std::string(kind) + ":" + describe(longest.value);
          c.reason =
              std::string(label) +
              "が市の発表と異なる（返信: " + span_text(t, longest.begin, longest.end) +
              " / 市: " + join_values(known, [](const PlaceValue& p) { return describe(p); }) +
              "）";
          out.push_back(std::move(c));
          return;
        }
      }
      i = j;
    }
  };
  compare_places(reply.venues, fs.venues, "venue", "場所");
  compare_places(reply.areas, fs.areas, "area", "対象地区");
  // Numbers with the same unit.
  for (const auto& rn : reply.numbers) {
    if (rn.negated) continue;
    std::vector<NumberValue> same_unit;
    for (const auto& fn : fs.numbers) {
      if (!fn.negated && fn.value.unit == rn.value.unit) same_unit.push_back(fn.value);
    }
    if (same_unit.empty()) continue;
    const bool ok = std::any_of(same_unit.begin(), same_unit.end(), [&](const NumberValue& f) {
      return std::abs(f.value - rn.value.value) < 1e-9;
    });
    if (ok) continue;
    Contradiction c;
    c.fact = &fact;
    c.begin = rn.begin;
    c.kind = "number:" + describe(rn.value);
    c.reason = "数値が市の発表と異なる（返信: " + span_text(t, rn.begin, rn.end) + " / 市: " +
               join_values(same_unit, [](const NumberValue& v) { return describe(v); }) + "）";
    out.push_back(std::move(c));
    break;
  }
  // Phone numbers.
  std::vector<std::string> fact_phones;
  for (const auto& p : fs.phones) {
    if (!p.negated) fact_phones.push_back(p.value);
  }
  if (!fact_phones.empty()) {
    for (const auto& rp : reply.phones) {
      if (rp.negated) continue;
      if (std::find(fact_phones.begin(), fact_phones.end(), rp.value) != fact_phones.end())
        continue;
      Contradiction c;
      c.fact = &fact;
      c.begin = rp.begin;
      c.kind = "phone:" + rp.value;
      c.reason = "電話番号が市の発表と異なる（返信: " + span_text(t, rp.begin, rp.end) +
                 " / 市: " + join_values(fact_phones, phone_text) + "）";
      out.push_back(std::move(c));
      break;
    }
  }
}

double noisy_or(const std::vector<double>& weights) {
  double keep = 1.0;
  for (const double w : weights) keep *= 1.0 - std::clamp(w, 0.0, 1.0);
  return 1.0 - keep;
}

// A near-duplicate fingerprint for claims that match neither a rumour nor a fact: the minimum
// hash over the text's bigrams, equal for two texts with probability = their Jaccard similarity.
std::uint64_t min_hash(const std::vector<std::uint64_t>& grams) {
  std::uint64_t best = ~std::uint64_t{0};
  for (std::uint64_t g : grams) {
    g += 0x9E3779B97F4A7C15ull;  // splitmix64
    g = (g ^ (g >> 30)) * 0xBF58476D1CE4E5B9ull;
    g = (g ^ (g >> 27)) * 0x94D049BB133111EBull;
    g ^= g >> 31;
    best = std::min(best, g);
  }
  return best;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Correction cues count unless the same sentence goes on to reassert the rumour
// ("市はデマと言ってるけど実際は逃げてるらしい"). Citing the official word ("公式は…",
// "書いてある") counts only when the reply does not itself state the opposite of the fact.
bool is_correction(const Markers& markers, bool contradicts_state) {
  for (const auto& h : markers.hits) {
    if (h.kind != MarkerKind::correction && h.kind != MarkerKind::citation) continue;
    if (h.kind == MarkerKind::citation && contradicts_state) continue;
    // "…なんて嘘。本当は…": a cancelling cue later in the reply, in any sentence.
    bool cancelled = false;
    for (const auto& c : markers.hits) {
      cancelled = cancelled || (c.kind == MarkerKind::correction_cancel && c.begin >= h.end);
    }
    if (!cancelled) return true;
  }
  return false;
}

// A claim inside 「…」 that the reply goes on to set against something ("「給水所は今日は休み」
// ってLINEが来たけど、さっき普通にもらえた"): quoted, not asserted.
bool quoted_and_countered(const AnalyzedText& t, std::size_t pos) {
  const std::u32string_view f = t.folded;
  const std::size_t open = f.rfind(U'「', pos);
  if (open == std::u32string_view::npos) return false;
  const std::size_t close = f.find(U'」', open);
  if (close == std::u32string_view::npos || close < pos) return false;
  for (std::size_t i = token_at(t, close + 1); i < t.tokens.size(); ++i) {
    const auto& m = t.tokens[i].m;
    if (m.pos == "記号" && m.pos1 == "句点") break;
    if (m.pos == "助詞" && m.pos1 == "接続助詞" &&
        (m.base == "けど" || m.base == "けれど" || m.base == "が" || m.base == "のに")) {
      return true;
    }
  }
  return false;
}

// A claim the reply reports only to say nobody official said it: "12月にやるなんてどこにも
// 書いてない", "中止って市は言ってない".
bool reported_as_unsaid(const AnalyzedText& t, std::size_t pos) {
  bool quoted = false;
  for (std::size_t i = token_at(t, pos); i < t.tokens.size(); ++i) {
    const auto& m = t.tokens[i].m;
    if (m.pos == "記号" && (m.pos1 == "句点" || m.base == "!" || m.base == "?")) break;
    if (m.pos == "助詞" && (m.base == "なんて" || m.base == "って" || m.base == "とか" ||
                            (m.base == "と" && m.pos2 == "引用"))) {
      quoted = true;
    }
    if (quoted && (m.base == "言う" || m.base == "書く" || m.base == "発表" || m.base == "載る") &&
        negated_after(t, t.tokens[i].end, std::min(t.folded.size(), t.tokens[i].end + 8))) {
      return true;
    }
  }
  return false;
}

const Sentence* sentence_at(const AnalyzedText& t, std::size_t pos) {
  for (const auto& s : t.sentences) {
    if (pos >= s.begin && pos < s.end) return &s;
  }
  return nullptr;
}

// A question: the reply ends by asking, or every place where it states a checkable claim is
// inside a question ("まつり延期ってマジ？友達が言ってたんだけど").
bool is_question(const AnalyzedText& t, const Markers& markers,
                 const std::vector<std::size_t>& claim_positions) {
  const bool spread = markers.any(MarkerKind::spread);
  // Any sentence that asks, unless the reply calls for spreading ("中止だって!? 拡散して").
  if (!spread && std::any_of(t.sentences.begin(), t.sentences.end(),
                             [](const Sentence& s) { return s.interrogative; })) {
    return true;
  }
  if (!claim_positions.empty() && !spread &&
      std::all_of(claim_positions.begin(), claim_positions.end(), [&](std::size_t p) {
        const Sentence* s = sentence_at(t, p);
        return s != nullptr && s->interrogative;
      })) {
    return true;
  }
  return markers.any(MarkerKind::info_request) && !spread;
}

std::string iso_time(model::TimePoint t) {
  return model::iso8601_utc(t);
}

}  // namespace

MisinformationDetector::MisinformationDetector(std::shared_ptr<const FactIndex> facts,
                                               std::shared_ptr<const RumourRegistry> rumours,
                                               DetectorSettings settings)
    : facts_(std::move(facts)), rumours_(std::move(rumours)), settings_(settings) {
  if (!facts_) facts_ = std::make_shared<const FactIndex>();
  if (!rumours_) rumours_ = std::make_shared<const RumourRegistry>();
}

void MisinformationDetector::set_facts(std::shared_ptr<const FactIndex> facts) {
  facts_ = facts ? std::move(facts) : std::make_shared<const FactIndex>();
}

void MisinformationDetector::set_rumours(std::shared_ptr<const RumourRegistry> rumours) {
  rumours_ = rumours ? std::move(rumours) : std::make_shared<const RumourRegistry>();
}

ReplyAssessment MisinformationDetector::score(const model::Post& reply,
                                              const ReplyContext& context) const {
  return score_reply(reply, nullptr, context);
}

ReplyAssessment MisinformationDetector::score(const model::Post& reply,
                                              const text::NormalizedText& normalized,
                                              const ReplyContext& context) const {
  return score_reply(reply, &normalized, context);
}

ReplyAssessment MisinformationDetector::score_reply(const model::Post& reply,
                                                    const text::NormalizedText* normalized,
                                                    const ReplyContext& context) const {
  const SignalWeights& w = settings_.weights;
  ReplyAssessment out;
  const AnalyzedText text = analyze_text(reply.text, normalized);
  Slots slots = extract_slots(text, reply.created_at);
  for (const auto& url : reply.urls) {
    if (auto h = url_host(url);
        !h.empty() &&
        std::find(slots.url_hosts.begin(), slots.url_hosts.end(), h) == slots.url_hosts.end()) {
      slots.url_hosts.push_back(std::move(h));
    }
  }
  const Markers markers = find_markers(text);
  const auto grams = bigrams(text.key);

  // Which official facts the reply is about: the post it answers, else the closest in topic.
  const Fact* answered =
      reply.in_reply_to_post_id ? facts_->find(*reply.in_reply_to_post_id) : nullptr;
  std::vector<const Fact*> facts;
  if (answered != nullptr) facts.push_back(answered);
  if (facts.empty()) {
    for (const auto& r :
         facts_->related(grams, settings_.max_topic_facts, settings_.min_topic_similarity)) {
      facts.push_back(r.fact);
    }
  }

  std::vector<Contradiction> contradictions;
  for (const Fact* f : facts) {
    compare_states(text, slots, *f, contradictions);
    compare_slots(text, slots, *f, contradictions);
    compare_denied_things(text, *f, contradictions);
  }

  std::erase_if(contradictions, [&](const Contradiction& c) {
    return quoted_and_countered(text, c.begin) || reported_as_unsaid(text, c.begin);
  });

  std::vector<double> signals;
  // 1. Similarity to a registered rumour.
  std::optional<RumourRegistry::Match> rumour;
  if (rumours_->size() > 0) rumour = rumours_->best_match(grams);
  if (rumour && rumour->similarity >= w.rumour_floor) {
    const double strength = std::clamp(
        (rumour->similarity - w.rumour_floor) / (w.rumour_full - w.rumour_floor), 0.0, 1.0);
    signals.push_back(w.rumour_max * strength);
    out.rumour_id = rumour->rumour->id;
    out.rumour_similarity = rumour->similarity;
    out.reasons.push_back("登録済みのデマ「" + rumour->rumour->claim + "」に類似（類似度 " +
                          fmt("%.2f", rumour->similarity) + "）");
  } else {
    rumour.reset();
  }
  // 2. Contradiction of an official fact.
  const Contradiction* state = nullptr;
  std::vector<const Contradiction*> slot_contradictions;
  for (const auto& c : contradictions) {
    if (c.state && state == nullptr) state = &c;
    if (!c.state) slot_contradictions.push_back(&c);
  }
  if (state != nullptr) {
    signals.push_back(w.state_contradiction);
    out.reasons.push_back(state->reason);
  }
  std::size_t firm_slots = 0;
  for (const Contradiction* c : slot_contradictions) {
    if (c->relative_date) {
      signals.push_back(w.relative_date_contradiction);
    } else {
      signals.push_back(firm_slots == 0 ? w.slot_contradiction : w.second_slot_contradiction);
      ++firm_slots;
    }
    out.reasons.push_back(c->reason);
  }
  // 2b. Beyond slots: the reply is one of the answered post's sentences with a word swapped for
  //     one that excludes it, another count, or the opposite polarity.
  bool pair_contradicts = false;
  if (state == nullptr && slot_contradictions.empty()) {
    if (const Fact* f = answered; f != nullptr && !f->sentences.empty()) {
      const PairSide side = pair_side(text);
      for (const auto& sentence : f->sentences) {
        const PairVerdict pv = check_pair(sentence, side);
        if (!pv.contradiction) continue;
        signals.push_back(w.pair_contradiction);
        out.reasons.push_back("市の投稿" + topic_quote(*f) + "の文と食い違う（" + pv.reason + "）");
        out.fact_id = f->statement.id;
        out.contradiction = out.reasons.back();
        pair_contradicts = true;
        break;
      }
    }
  }
  const bool contradicts = state != nullptr || !slot_contradictions.empty();
  if (contradicts) {
    const Contradiction* primary = state != nullptr ? state : slot_contradictions.front();
    out.fact_id = primary->fact->statement.id;
    out.contradiction = primary->reason;
    if (const MarkerHit* h = markers.first(MarkerKind::change)) {
      signals.push_back(w.change_claim);
      out.reasons.push_back("変更を主張する表現（「" + quote(text, *h) + "」）");
    }
  }
  // 3. Hedging, spreading and urgent wording.
  const MarkerHit* hedge = markers.first(MarkerKind::hedge);
  if (const MarkerHit* h = hedge) {
    signals.push_back(w.hedge);
    out.reasons.push_back("伝聞・不確かな表現（「" + quote(text, *h) + "」）");
  }
  // Saying the city hides the truth (隠してる, 隠蔽) is how rumours answer official denials.
  if (const MarkerHit* h = markers.first(MarkerKind::correction_cancel);
      h != nullptr && (text.folded.compare(h->begin, 1, U"隠") == 0)) {
    signals.push_back(w.cover_up);
    out.reasons.push_back("公式発表が事実を隠しているという主張（「" + quote(text, *h) + "」）");
    if (hedge == nullptr) hedge = h;
  }
  if (const MarkerHit* h = markers.first(MarkerKind::spread)) {
    signals.push_back(w.spread);
    out.reasons.push_back("拡散を求める表現（「" + quote(text, *h) + "」）");
  }
  if (const MarkerHit* h = markers.first(MarkerKind::urgent)) {
    signals.push_back(w.urgent);
    out.reasons.push_back("不安をあおる呼びかけ（「" + quote(text, *h) + "」）");
  }
  // A hedged claim that something changed, which no official post says.
  if (!contradicts && hedge != nullptr) {
    if (const MarkerHit* h = markers.first(MarkerKind::change)) {
      signals.push_back(w.unannounced_change);
      out.reasons.push_back("市の発表にない変更を伝聞で伝えている（「" + quote(text, *h) + "」）");
    }
  }
  // 4. Contact details that are not the city's (issue 17): a phone number or bank account the
  //    city never gave, a link/handle/e-mail presented as official or imitating the city's.
  //    National numbers (110, 119, #7119, 188) are never read as contacts.
  const bool presented = markers.any(MarkerKind::presented_as_official);
  const OfficialContacts& genuine = facts_->contacts();
  bool link_signal = false;
  bool contact_signal = false;
  for (const auto& c : extract_contacts(text, slots)) {
    if (genuine.is_official(c)) continue;
    const std::string imitated = genuine.imitated(c);
    const std::string_view what = contact_kind_label(c.kind);
    double weight = 0;
    std::string reason;
    if (c.kind == ContactKind::link && is_shortener(c.value)) {
      weight = w.shortened_link + (presented ? w.presented_as_official : 0.0);
      reason = "短縮URL（" + c.value + "）でリンク先を隠している";
    } else if (c.kind == ContactKind::phone || c.kind == ContactKind::account) {
      weight = w.fake_contact;
      reason = "市の" + std::string(what) + "ではない（返信: " + c.written + "）";
    } else if (presented || !imitated.empty()) {
      weight = w.fake_channel;
      reason = "市の公式ではない" + std::string(what) + "（" + c.written + "）" +
               (presented ? "を公式のように示している" : "");
    } else {
      weight = c.kind == ContactKind::link ? w.other_link : w.other_link * 0.5;
      reason = "市の公式ではない" + std::string(what) + "（" + c.written + "）";
    }
    if (!imitated.empty()) {
      reason += "。市の" + std::string(what) + "「" + imitated + "」に似せている";
    } else if (c.kind == ContactKind::phone && !genuine.phones.empty()) {
      reason += "。市の発表の番号: " + join_values(genuine.phones, phone_text, 3);
    }
    signals.push_back(weight);
    out.reasons.push_back(std::move(reason));
    link_signal = link_signal || c.kind == ContactKind::link;
    contact_signal = true;
    if (out.contact.empty()) out.contact = c.value;
    break;  // one contact names the problem; more add nothing staff need
  }
  // Claims that the city (or a utility) collects money at home or asks for transfers and ATM
  // operations, which cities say they never do.
  if (!contact_signal) {
    for (const auto& st : slots.states) {
      if (st.negated || st.tentative || st.value.dimension != StateDimension::solicitation)
        continue;
      // Visits and collection at home; a transfer alone is what the city's own posts ask for.
      const std::u32string_view word(text.folded.data() + st.begin, st.end - st.begin);
      if (word.find(U"振") != std::u32string_view::npos ||
          word.find(U"口座") != std::u32string_view::npos) {
        continue;
      }
      signals.push_back(w.solicitation);
      out.reasons.push_back("訪問集金・振込・ATM操作の依頼を伝えている（「" +
                            span_text(text, st.begin, st.end) + "」）。市はこうした依頼をしない");
      contact_signal = true;
      break;
    }
  }
  // 4b. Hoaxes and conspiracy claims of the starter list.
  auto hoaxes = find_hoaxes(text);
  std::erase_if(hoaxes, [&](const HoaxMatch& h) { return quoted_and_countered(text, h.begin); });
  if (!hoaxes.empty()) {
    const HoaxMatch& h = hoaxes.front();
    signals.push_back(w.hoax);
    out.reasons.push_back(std::string(h.kind == HoaxKind::hoax ? "よくあるデマ" : "陰謀論") + "「" +
                          std::string(h.claim) + "」にあたる（「" +
                          span_text(text, h.begin, h.end) + "」）");
    out.hoax_id = std::string(h.id);
  }
  // Presenting the contradicting claim as the city's own ("市の指示", "こちらの口座").
  if (contradicts && presented && !link_signal) {
    signals.push_back(w.presented_as_official);
    out.reasons.push_back("市の情報であるかのように示している（「" +
                          quote(text, *markers.first(MarkerKind::presented_as_official)) + "」）");
  }
  // 5. The author imitates an official account.
  if (context.author_flagged_impersonator) {
    signals.push_back(w.impersonator);
    out.reasons.push_back("投稿者は成りすましとして検知されたアカウント");
  }

  double score = noisy_or(signals);

  // What the reply does: corrections and questions are not misinformation.
  std::vector<std::size_t> claim_positions;
  for (const auto& c : contradictions) claim_positions.push_back(c.begin);
  if (is_correction(markers, state != nullptr)) {
    out.kind = ReplyKind::correction;
    score *= w.correction_factor;
    out.reasons.insert(out.reasons.begin(), "デマを否定・訂正する返信と判断（誤情報には数えない）");
  } else if (is_question(text, markers, claim_positions)) {
    out.kind = ReplyKind::question;
    score *= w.question_factor;
    out.reasons.insert(out.reasons.begin(),
                       "真偽を尋ねる質問と判断（噂が広がっている兆候として集計）");
  }

  out.score = std::clamp(score, 0.0, 1.0);
  if (out.kind == ReplyKind::other && out.score >= settings_.threshold) {
    out.kind = ReplyKind::claim;
    out.verdict = Verdict::misinformation;
  }

  // The claim this reply makes (or asks about), for clustering.
  if (rumour) {
    out.matched = "rumour:" + rumour->rumour->id;
    out.claim_key = out.matched;
  } else if (contradicts) {
    const Contradiction* primary = state != nullptr ? state : slot_contradictions.front();
    out.matched = "fact:" + primary->fact->statement.id;
    out.claim_key = out.matched + ":" + primary->kind;
  } else if (pair_contradicts) {
    out.matched = "fact:" + out.fact_id;
    out.claim_key = out.matched + ":pair";
  } else if (!out.contact.empty()) {
    out.claim_key = "contact:" + out.contact;
  } else if (!out.hoax_id.empty()) {
    out.matched = "hoax:" + out.hoax_id;
    out.claim_key = out.matched;
  } else if (out.kind == ReplyKind::claim && !grams.empty()) {
    out.claim_key = "text:" + hex64(min_hash(grams));
  }
  if (out.reasons.empty()) out.reasons.push_back("誤情報の兆候は見つからない");
  return out;
}

std::string MisinformationDetector::cluster_subject(std::string_view claim_key) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (const char c : claim_key) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return "cluster:" + hex64(h);
}

ReplyAssessment MisinformationDetector::observe(const model::Post& reply,
                                                const ReplyContext& context, model::TimePoint now) {
  ReplyAssessment a = score_reply(reply, nullptr, context);
  add_to_cluster(reply, a, now);
  return a;
}

ReplyAssessment MisinformationDetector::observe(const model::Post& reply,
                                                const text::NormalizedText& normalized,
                                                const ReplyContext& context, model::TimePoint now) {
  ReplyAssessment a = score_reply(reply, &normalized, context);
  add_to_cluster(reply, a, now);
  return a;
}

void MisinformationDetector::add_to_cluster(const model::Post& reply, const ReplyAssessment& a,
                                            model::TimePoint now) {
  if (a.claim_key.empty() || a.kind == ReplyKind::other) return;
  auto [it, inserted] = clusters_.try_emplace(a.claim_key);
  Cluster& c = it->second;
  if (inserted) {
    c.claim_key = a.claim_key;
    c.first_seen = now;
  }
  c.last_seen = now;
  c.platform = reply.platform;
  if (!a.rumour_id.empty() && a.rumour_similarity >= c.rumour_similarity) {
    c.rumour_id = a.rumour_id;
    c.rumour_similarity = a.rumour_similarity;
  }
  if (!a.fact_id.empty() && c.fact_id.empty()) {
    c.fact_id = a.fact_id;
    c.contradiction = a.contradiction;
  }
  if (a.kind == ReplyKind::claim && a.rumour_similarity >= settings_.high_confidence_similarity) {
    c.high_confidence = true;
  }
  Member m;
  m.post_id = reply.post_id;
  m.author = reply.author_handle.empty() ? reply.author_id : reply.author_handle;
  m.text = reply.text.substr(0, 600);
  m.score = a.score;
  m.kind = a.kind;
  m.spread =
      std::max<std::int64_t>(0, reply.repost_count) + std::max<std::int64_t>(0, reply.quote_count);
  m.at = reply.created_at == model::TimePoint{} ? now : reply.created_at;
  m.reasons = a.reasons;
  auto same = std::find_if(c.members.begin(), c.members.end(),
                           [&](const Member& x) { return x.post_id == m.post_id; });
  if (same != c.members.end() && !m.post_id.empty()) {
    *same = std::move(m);
  } else {
    c.members.push_back(std::move(m));
  }
  // Memory bound: beyond the cap, forget the cluster seen least recently.
  if (clusters_.size() > settings_.max_clusters) {
    auto oldest = clusters_.end();
    for (auto i = clusters_.begin(); i != clusters_.end(); ++i) {
      if (i->first == a.claim_key) continue;
      if (oldest == clusters_.end() || i->second.last_seen < oldest->second.last_seen) oldest = i;
    }
    if (oldest != clusters_.end()) clusters_.erase(oldest);
  }
}

std::vector<model::Finding> MisinformationDetector::advance(model::TimePoint now) {
  std::vector<model::Finding> findings;
  const auto window_start = now - settings_.window;
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    Cluster& c = it->second;
    // Members older than the window no longer count.
    std::erase_if(c.members, [&](const Member& m) { return m.at < window_start; });
    if (c.members.empty()) {
      if (c.last_seen < window_start) {
        it = clusters_.erase(it);
        continue;
      }
      ++it;
      continue;
    }
    std::size_t claims = 0, questions = 0, corrections = 0;
    std::int64_t spread = 0;
    for (const auto& m : c.members) {
      if (m.kind == ReplyKind::claim) {
        ++claims;
        spread += m.spread;
      } else if (m.kind == ReplyKind::question) {
        ++questions;
      } else if (m.kind == ReplyKind::correction) {
        ++corrections;
      }
    }
    // Questions show the rumour is circulating: two count as one claim toward opening,
    // but a cluster needs at least one actual claim.
    const std::size_t weight = claims + questions / 2;
    int level = 0;
    if (claims > 0) {
      if (weight >= settings_.open_min_claims || spread >= settings_.open_min_spread ||
          c.high_confidence) {
        level = static_cast<int>(model::Severity::low);
      }
      if (level > 0 && (weight >= settings_.medium_claims || spread >= settings_.medium_spread)) {
        level = static_cast<int>(model::Severity::medium);
      }
      if (level > 0 && (weight >= settings_.high_claims || spread >= settings_.high_spread)) {
        level = static_cast<int>(model::Severity::high);
      }
    }
    if (level > c.emitted_level) {
      findings.push_back(make_finding(c, static_cast<model::Severity>(level), claims, questions,
                                      corrections, spread, now));
      c.emitted_level = level;
    }
    ++it;
  }
  return findings;
}

std::map<std::string, std::vector<model::TimePoint>> MisinformationDetector::reported_activity()
    const {
  std::map<std::string, std::vector<model::TimePoint>> out;
  for (const auto& [key, c] : clusters_) {
    if (c.emitted_level == 0) continue;
    auto& times = out[cluster_subject(c.claim_key)];
    for (const auto& m : c.members)
      if (m.kind == ReplyKind::claim || m.kind == ReplyKind::question) times.push_back(m.at);
    std::sort(times.begin(), times.end());
  }
  return out;
}

model::Finding MisinformationDetector::make_finding(const Cluster& c, model::Severity severity,
                                                    std::size_t claims, std::size_t questions,
                                                    std::size_t corrections, std::int64_t spread,
                                                    model::TimePoint now) const {
  model::Finding f;
  f.type = model::IncidentType::misinformation;
  f.subject = cluster_subject(c.claim_key);
  f.platform = c.platform;
  f.severity = severity;
  f.severity_label = severity == model::Severity::low      ? "デマ注意"
                     : severity == model::Severity::medium ? "デマ警戒"
                                                           : "デマ拡散";
  f.detected_at = now;
  double top = 0;
  for (const auto& m : c.members) {
    if (m.kind == ReplyKind::claim) top = std::max(top, m.score);
  }
  // More replies and more spread raise confidence that staff must act.
  f.score = std::clamp(top + 0.05 * static_cast<double>(claims > 1 ? claims - 1 : 0), 0.0, 1.0);

  const Rumour* rumour = nullptr;
  for (const auto& r : rumours_->rumours()) {
    if (r.id == c.rumour_id) rumour = &r;
  }
  const Fact* fact = c.fact_id.empty() ? nullptr : facts_->find(c.fact_id);
  const auto minutes = settings_.window.count();
  f.reasons.push_back("同じ主張の返信が" + std::to_string(claims) + "件（直近" +
                      std::to_string(minutes) + "分）");
  if (spread > 0) f.reasons.push_back("リポスト・引用が計" + std::to_string(spread) + "件");
  if (questions > 0) {
    f.reasons.push_back("真偽を尋ねる質問が" + std::to_string(questions) +
                        "件（噂が広がっている兆候）");
  }
  if (c.high_confidence && rumour != nullptr) {
    f.reasons.push_back("登録済みのデマ「" + rumour->claim + "」とほぼ一致");
  } else if (rumour != nullptr) {
    f.reasons.push_back("登録済みのデマ「" + rumour->claim + "」に類似");
  }
  if (!c.contradiction.empty()) f.reasons.push_back(c.contradiction);
  if (corrections > 0) {
    f.reasons.push_back("訂正する返信も" + std::to_string(corrections) + "件あり");
  }

  namespace json = boost::json;
  json::object ev;
  ev["cluster"] = f.subject;
  ev["claim_key"] = c.claim_key;
  ev["claims"] = claims;
  ev["questions"] = questions;
  ev["corrections"] = corrections;
  ev["spread"] = spread;
  ev["window_minutes"] = minutes;
  ev["first_seen"] = iso_time(c.first_seen);
  ev["last_seen"] = iso_time(c.last_seen);
  if (rumour != nullptr) {
    ev["rumour"] = json::object{{"id", rumour->id},
                                {"claim", rumour->claim},
                                {"similarity", c.rumour_similarity},
                                {"correction", rumour->correction},
                                {"correction_url", rumour->correction_url}};
  }
  if (fact != nullptr) {
    ev["fact"] = json::object{{"id", fact->statement.id},
                              {"topic", fact->topic},
                              {"text", fact->statement.text},
                              {"published_at", iso_time(fact->statement.published_at)},
                              {"contradiction", c.contradiction}};
  }
  // Samples: the claims with the highest scores first, then questions.
  std::vector<const Member*> order;
  for (const auto& m : c.members) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(), [](const Member* a, const Member* b) {
    if ((a->kind == ReplyKind::claim) != (b->kind == ReplyKind::claim)) {
      return a->kind == ReplyKind::claim;
    }
    return a->score > b->score;
  });
  json::array samples;
  for (const Member* m : order) {
    if (samples.size() == settings_.max_samples) break;
    json::array reasons;
    for (const auto& r : m->reasons) reasons.emplace_back(r);
    samples.push_back(json::object{{"id", m->post_id},
                                   {"author", m->author},
                                   {"text", m->text},
                                   {"kind", std::string(to_string(m->kind))},
                                   {"score", m->score},
                                   {"created_at", iso_time(m->at)},
                                   {"reasons", std::move(reasons)}});
  }
  ev["samples"] = std::move(samples);
  f.evidence_json = json::serialize(ev);
  return f;
}

}  // namespace mamori::detectors::misinfo
