#include "detectors/misinfo/analyzed_text.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "detectors/text/links.h"
#include "detectors/text/normalize.h"
#include "detectors/text/normalized_text.h"
#include "model/text.h"

namespace mamori::detectors::misinfo {
namespace {

// Mirrors text::match_key's default decoration test so that `key` equals match_key(text)
// (a test holds the two together) without a second ICU normalization pass per reply.
bool is_decoration(char32_t c) {
  // Most of a reply is ASCII letters and digits, kana and kanji: letters (L*) and digits (Nd) to
  // ICU, so never decoration. Answered here without the property lookups below.
  if ((c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9') || (c >= 0x3041 && c <= 0x3096) ||
      (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x4E00 && c <= 0x9FFF)) {
    return false;
  }
  const auto cp = static_cast<UChar32>(c);
  if (u_isUWhiteSpace(cp)) return true;
  switch (static_cast<UCharCategory>(u_charType(cp))) {
    case U_CONNECTOR_PUNCTUATION:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL:
    case U_FORMAT_CHAR:
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_CONTROL_CHAR:
      return true;
    default:
      break;
  }
  return u_hasBinaryProperty(cp, UCHAR_VARIATION_SELECTOR) ||
         u_hasBinaryProperty(cp, UCHAR_EMOJI_MODIFIER);
}

// Links as written, found by text::NormalizedText (text/links.h) in the UTF-8 form, blanked to
// spaces in `nfkc` so that no later reading looks inside them. A link is ASCII: its bytes are its
// code points.
void extract_urls(AnalyzedText& t, const text::NormalizedText& n) {
  const std::string& utf8 = n.nfkc();
  std::size_t byte = 0;
  std::size_t cp = 0;
  for (const text::LinkSpan& l : n.links()) {
    for (; byte < l.begin; ++byte) {
      if ((static_cast<unsigned char>(utf8[byte]) & 0xC0) != 0x80) ++cp;
    }
    t.urls.emplace_back(utf8, l.begin, l.size());
    for (std::size_t k = 0; k < l.size(); ++k) t.nfkc[cp + k] = U' ';
  }
}

bool is_terminator(char32_t c) {
  return c == U'。' || c == U'!' || c == U'?' || c == U'\n' || c == U'｡';
}

// Trailing decorations that do not change a sentence's mood: emoji, laughter marks, brackets.
bool is_trailing_noise(char32_t c) {
  return is_decoration(c) || c == U'w' || c == U'草' || c == U'笑';
}

bool is_symbol(const Token& t) {
  return t.m.pos == "記号";
}

// A sentence-final particle that asks (ですか, かな, かしら, っけ, のかね), from the analysis: the
// last word of the sentence before any decoration.
bool has_question_ending(const AnalyzedText& t, std::size_t first, std::size_t last) {
  std::size_t i = last;
  const auto noise = [&](const Token& tok) {
    if (is_symbol(tok)) return true;
    for (std::size_t k = tok.begin; k < tok.end; ++k) {
      if (!is_trailing_noise(t.folded[k])) return false;
    }
    return true;
  };
  while (i > first && noise(t.tokens[i - 1])) --i;
  if (i == first) return false;
  const Token& end = t.tokens[i - 1];
  if (end.m.pos != "助詞") return false;
  static constexpr std::string_view kAsking[] = {"か", "かな", "かね", "かしら", "っけ", "け"};
  for (auto a : kAsking) {
    if (end.m.base == a && end.m.pos1.find("終助詞") != std::string_view::npos) return true;
  }
  // "かな" / "かね" are analysed as か + な/ね: the particle before the last one asks.
  if ((end.m.base == "な" || end.m.base == "ね" || end.m.base == "ねぇ") && i - 1 > first) {
    const Token& before = t.tokens[i - 2];
    return before.m.pos == "助詞" && before.m.base == "か";
  }
  return false;
}

// The tokens of `morphemes`, the analysis of `utf8` (t.nfkc in UTF-8), positioned in code points.
void add_tokens(AnalyzedText& t, std::string_view utf8,
                const std::vector<text::Morpheme>& morphemes) {
  // Byte offset -> code point offset (a continuation byte maps to the next code point).
  thread_local std::vector<std::uint32_t> cp_at;
  cp_at.assign(utf8.size() + 1, 0);
  std::uint32_t cp = 0;
  for (std::size_t b = 0; b < utf8.size(); ++b) {
    cp_at[b] = cp;
    if (b + 1 == utf8.size() || (static_cast<unsigned char>(utf8[b + 1]) & 0xC0) != 0x80) ++cp;
  }
  cp_at[utf8.size()] = cp;
  t.tokens.reserve(morphemes.size());
  for (const auto& m : morphemes) {
    Token tok;
    tok.begin = cp_at[m.begin];
    tok.end = cp_at[m.end];
    tok.m = m;
    if (!m.known) tok.m.base = {};  // views `utf8`, which may end before the tokens
    t.tokens.push_back(tok);
  }
}

void split_sentences(AnalyzedText& t) {
  const auto& f = t.folded;
  std::size_t begin = 0;
  std::size_t i = 0;
  while (i <= f.size()) {
    const bool at_end = i == f.size();
    // A full stop between digits is a decimal point, not a sentence end.
    const bool term = !at_end && is_terminator(f[i]) &&
                      !(f[i] == U'.' && i > 0 && i + 1 < f.size() && is_ascii_digit(f[i - 1]) &&
                        is_ascii_digit(f[i + 1]));
    if (!at_end && !term) {
      ++i;
      continue;
    }
    std::size_t run_end = i;
    bool has_q = false;
    bool has_x = false;
    while (run_end < f.size() && is_terminator(f[run_end])) {
      has_q = has_q || f[run_end] == U'?';
      has_x = has_x || f[run_end] == U'!';
      ++run_end;
    }
    std::size_t content_end = i;
    while (content_end > begin && is_trailing_noise(f[content_end - 1])) --content_end;
    if (content_end > begin) {
      Sentence s;
      s.begin = begin;
      s.end = i;
      s.first_token = token_at(t, begin);
      s.end_token = token_at(t, i);
      s.interrogative = has_q || has_question_ending(t, s.first_token, s.end_token);
      s.exclamatory_question = has_q && has_x;
      t.sentences.push_back(s);
    }
    begin = run_end;
    i = run_end + (at_end ? 1 : 0);
    if (at_end) break;
  }
}

}  // namespace

bool is_kanji(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF) || c == 0x3005 ||
         c == 0x3006 || c == 0x30F6;
}

bool is_katakana(char32_t c) {
  return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC;
}

bool is_hiragana(char32_t c) {
  return c >= 0x3041 && c <= 0x3096;
}

AnalyzedText analyze_text(std::string_view utf8, const text::NormalizedText* normalized) {
  if (utf8.size() > kMaxAnalyzedBytes) utf8 = utf8.substr(0, kMaxAnalyzedBytes);
  // The caller's normalization is of the whole text: it is this one's only if nothing was cut and
  // the same dictionary made it. Otherwise the text is normalized and analysed here, the same way.
  if (normalized != nullptr && (normalized->source_bytes() != utf8.size() ||
                                &normalized->analyzer() != &text::Morphology::shared())) {
    normalized = nullptr;
  }
  std::optional<text::NormalizedText> own;
  if (normalized == nullptr) normalized = &own.emplace(utf8);
  AnalyzedText t;
  t.nfkc = text::to_u32(normalized->nfkc());
  extract_urls(t, *normalized);
  t.folded.resize(t.nfkc.size());
  t.key.reserve(t.nfkc.size());
  for (std::size_t i = 0; i < t.nfkc.size(); ++i) {
    const char32_t c = text::fold_kana_char(t.nfkc[i]);
    t.folded[i] = c;
    if (!is_decoration(c)) t.key.push_back(c);
  }
  // MeCab has read `nfkc` with the same links blanked (text::NormalizedText).
  add_tokens(t, normalized->nfkc(), normalized->morphemes());
  split_sentences(t);
  return t;
}

std::size_t token_at(const AnalyzedText& t, std::size_t pos) {
  const auto it = std::lower_bound(t.tokens.begin(), t.tokens.end(), pos,
                                   [](const Token& tok, std::size_t p) { return tok.begin < p; });
  return static_cast<std::size_t>(it - t.tokens.begin());
}

bool is_negation(const Token& t) {
  const auto& m = t.m;
  if (m.pos == "助動詞") return m.base == "ない" || m.base == "ぬ" || m.base == "ん";
  if (m.pos == "形容詞") return m.base == "ない" || m.base == "無い";
  return m.base == "なし" || m.base == "無し";
}

bool negated_after(const AnalyzedText& t, std::size_t pos, std::size_t limit) {
  for (std::size_t i = token_at(t, pos); i < t.tokens.size(); ++i) {
    const Token& tok = t.tokens[i];
    if (tok.begin >= limit || is_symbol(tok)) return false;
    const auto& m = tok.m;
    if (is_negation(tok)) {
      // 近づかないで (a request), ないと (a condition): not a denial. ないです is.
      if (i + 1 < t.tokens.size()) {
        const auto& next = t.tokens[i + 1].m;
        if (next.pos == "助詞" && (next.base == "で" || next.base == "と") &&
            next.pos1 == "接続助詞") {
          return false;
        }
      }
      return true;
    }
    if (m.pos == "助詞" && m.pos1 == "接続助詞" && m.base != "て" && m.base != "で") return false;
    // Another predicate or topic starts: its denial is its own ("中止は仕方ない", "投票できるの
    // 知らなかった"). Light verbs and formal nouns carry the state's own denial on.
    {
      static constexpr std::string_view kCarry[] = {
          "する", "なる",   "ある",   "いる",     "できる", "くる",   "来る", "やる",
          "おる", "いく",   "行く",   "しまう",   "もらう", "くれる", "れる", "られる",
          "せる", "させる", "起きる", "起こる",   "発生",   "出る",   "予定", "こと",
          "事",   "わけ",   "訳",     "はず",     "様子",   "気配",   "話",   "事実",
          "必要", "心配",   "予約",   "申し込み", "もの",   "物",     "ん",   "の"};
      const bool content =
          (m.pos == "動詞" && m.pos1 == "自立") || (m.pos == "形容詞" && m.pos1 == "自立") ||
          (m.pos == "名詞" && m.pos1 != "非自立" && m.pos1 != "接尾" && m.pos1 != "代名詞");
      if (content && std::find(std::begin(kCarry), std::end(kCarry), m.base) == std::end(kCarry)) {
        return false;
      }
    }
    if (m.pos == "助詞" && m.pos1.find("終助詞") != std::string_view::npos && m.base == "か") {
      return false;  // 中止かどうか…ない: the denial is about knowing, not the state
    }
  }
  return false;
}

std::string url_host(std::string_view url) {
  std::size_t start = 0;
  if (const auto p = url.find("://"); p != std::string_view::npos) start = p + 3;
  std::size_t end = start;
  while (end < url.size() && url[end] != '/' && url[end] != '?' && url[end] != '#' &&
         url[end] != ':') {
    ++end;
  }
  std::string host(url.substr(start, end - start));
  if (const auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
  host = model::ascii_lower(host);
  if (host.rfind("www.", 0) == 0) host.erase(0, 4);
  return host;
}

}  // namespace mamori::detectors::misinfo
