// Fuzz target: the misinformation detector's text path on untrusted reply text — normalization
// (NFKC, kana folding, link extraction, sentences), slot extraction (dates, times, places,
// numbers, phones, states), morphemes (MeCab), contact details, starter hoaxes, the pair check,
// markers, and a full score against a small fact and rumour set; the analysis shared with the
// threat detector (text::NormalizedText) gives the same result as the detector's own, and links
// are the same found in UTF-8 bytes as in code points (text/links.h).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "detectors/misinfo/contacts.h"
#include "detectors/misinfo/detector.h"
#include "detectors/misinfo/hoaxes.h"
#include "detectors/misinfo/markers.h"
#include "detectors/misinfo/pair_contradiction.h"
#include "detectors/misinfo/slots.h"
#include "detectors/text/links.h"
#include "detectors/text/normalize.h"
#include "detectors/text/normalized_text.h"

namespace {

namespace mi = mamori::detectors::misinfo;

const mi::MisinformationDetector& detector() {
  static const mi::MisinformationDetector d = [] {
    const auto t =
        mamori::model::TimePoint(std::chrono::sys_days(std::chrono::year(2024) / 11 / 1));
    auto facts = std::make_shared<const mi::FactIndex>(std::vector<mi::OfficialStatement>{
        {"p1",
         "【避難所開設】11月3日(日)15時に若葉第一小学校体育館を開設しました。0299-55-1111",
         t,
         {}},
        {"p2", "わかば市民まつりは予定通り開催します。自己負担3,000円。緑町1〜3丁目", t, {}}});
    auto rumours = std::make_shared<const mi::RumourRegistry>(std::vector<mi::Rumour>{
        {"zoo", "動物園から猛獣が逃げた", {"動物園からライオンが逃げた"}, "", ""}});
    return mi::MisinformationDetector(facts, rumours);
  }();
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto analyzed = mi::analyze_text(text);
  // An analysis shared with other detectors (text::NormalizedText) must give the same result.
  const mamori::detectors::text::NormalizedText normalized(text);
  const auto shared = mi::analyze_text(text, &normalized);
  {
    namespace tx = mamori::detectors::text;
    const std::string& bytes = normalized.nfkc();
    const std::u32string cps = tx::to_u32(bytes);
    const auto in_bytes = tx::find_links(std::string_view(bytes));
    const auto in_cps = tx::find_links(std::u32string_view(cps));
    if (in_bytes.size() != in_cps.size()) __builtin_trap();
    for (std::size_t i = 0; i < in_bytes.size(); ++i) {
      const std::u32string_view link =
          std::u32string_view(cps).substr(in_cps[i].begin, in_cps[i].size());
      if (bytes.substr(in_bytes[i].begin, in_bytes[i].size()) != tx::to_utf8(link))
        __builtin_trap();
    }
  }
  if (shared.nfkc != analyzed.nfkc || shared.urls != analyzed.urls ||
      shared.tokens.size() != analyzed.tokens.size() ||
      shared.sentences.size() != analyzed.sentences.size()) {
    __builtin_trap();
  }
  for (std::size_t i = 0; i < shared.tokens.size(); ++i) {
    const auto& x = shared.tokens[i];
    const auto& y = analyzed.tokens[i];
    if (x.begin != y.begin || x.end != y.end || x.m.pos != y.m.pos || x.m.base != y.m.base) {
      __builtin_trap();
    }
  }
  const auto when = mamori::model::TimePoint(std::chrono::milliseconds(1730419200000));
  const auto slots = mi::extract_slots(analyzed, when);
  // Reasons quote spans and describe values: exercise those paths too.
  for (const auto& d : slots.dates) (void)mi::describe(d.value);
  for (const auto& t : slots.times) (void)mi::describe(t.value);
  for (const auto& n : slots.numbers) (void)mi::describe(n.value);
  for (const auto& p : slots.venues) (void)mi::span_text(analyzed, p.begin, p.end);
  for (const auto& p : slots.areas) (void)mi::describe(p.value);
  for (const auto& s : slots.states) (void)mi::state_value_label(s.value);
  for (const auto& u : analyzed.urls) (void)mi::url_host(u);
  for (const auto& c : mi::extract_contacts(analyzed, slots)) {
    (void)mi::span_text(analyzed, c.begin, c.end);
  }
  for (const auto& h : mi::find_hoaxes(analyzed)) (void)mi::span_text(analyzed, h.begin, h.end);
  for (const auto& tok : analyzed.tokens) {
    if (tok.begin > tok.end || tok.end > analyzed.nfkc.size()) __builtin_trap();
  }
  (void)mi::check_pair(mi::pair_side(analyzed), mi::pair_side(analyzed));
  const auto markers = mi::find_markers(analyzed);
  for (const auto& h : markers.hits) (void)mi::span_text(analyzed, h.begin, h.end);
  mamori::model::Post post;
  post.post_id = "fuzz";
  post.text = std::string(text);
  post.created_at = when;
  if (size > 0 && (data[0] & 1) != 0) post.in_reply_to_post_id = "p1";
  const auto a = detector().score(post);
  if (a.score < 0.0 || a.score > 1.0) __builtin_trap();
  return 0;
}
