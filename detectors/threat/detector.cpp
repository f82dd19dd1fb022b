#include "detectors/threat/detector.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <string>

#include "detectors/text/morphology.h"
#include "detectors/text/normalized_text.h"
#include "model/observation_json.h"

namespace mamori::detectors::threat {
namespace {

using text::Morpheme;

// One analysed token: the MeCab features plus its surface in the normalized text.
struct Token {
  const Morpheme* m = nullptr;
  std::string_view surface;
  bool quoted = false;  // inside 「」『』“”"" brackets
  int sentence = 0;     // index of the sentence (split at 。！？!?\n and closing brackets)
};

template <std::size_t N>
bool in(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// The lemma as a comparison key: hiragana/katakana spellings of the same verb (ころす, コロス)
// meet the kanji one through its reading, which MeCab gives for known words.
bool lemma_is(const Token& t, std::string_view kanji, std::string_view reading = {}) {
  if (t.m->base == kanji) return true;
  if (reading.empty()) return false;
  // Unknown katakana words (ｺﾛｽ after NFKC is コロス) carry no reading: compare the surface.
  if (t.surface == reading) return true;
  // Known words written in kana: compare MeCab's reading of the lemma's surface.
  return t.m->pos == "動詞" && t.m->conj_form == "基本形" && t.m->reading == reading;
}

bool is_noun(const Token& t) {
  return t.m->pos == "名詞";
}
bool is_particle(const Token& t, std::string_view s) {
  return t.m->pos == "助詞" && t.m->base == s;
}
bool is_aux(const Token& t) {
  return t.m->pos == "助動詞";
}
bool is_negation(const Token& t) {
  return (t.m->pos == "助動詞" &&
          (t.m->conj_type == "特殊・ナイ" || t.m->conj_type == "特殊・ヌ" || t.m->base == "ない" ||
           t.m->base == "ん" || t.m->base == "ぬ")) ||
         (t.m->pos == "形容詞" && t.m->base == "ない");
}

// People and places a threat is aimed at: officials, staff, facilities, families.
bool is_target(const Token& t) {
  if (!is_noun(t)) return false;
  static constexpr std::array<std::string_view, 37> kWords = {
      "市長", "町長",   "村長", "知事", "議員",   "職員",   "担当",   "担当者", "課長",   "部長",
      "役所", "市役所", "庁舎", "学校", "保育園", "幼稚園", "会場",   "お前",   "おまえ", "てめえ",
      "貴様", "あいつ", "奴",   "やつ", "連中",   "家族",   "子ども", "子供",   "娘",     "息子",
      "全員", "みんな", "市民", "住民", "じじい", "ばばあ", "野郎"};
  if (in(t.m->base, kWords)) return true;
  // Departments and facilities by their suffix: 広報課, 水道局, 図書館, 避難所, 保健センター.
  static constexpr std::array<std::string_view, 12> kSuffixes = {
      "課", "局", "館", "所", "園", "校", "センター", "ホール", "駅", "病院", "署", "庁"};
  return std::any_of(kSuffixes.begin(), kSuffixes.end(),
                     [&](std::string_view s) { return ends_with(t.m->base, s); });
}

struct Cue {
  Kind kind;
  std::size_t first;  // token range of the cue
  std::size_t last;
  bool weak;  // needs a target in the sentence (燃やす, 襲う …)
};

// How the writer uses the cue that ends at token `last`.
enum class Use { asserted, negated, reported, modifier, passive, question };

// Follows the predicate chain after the cue (auxiliaries, て-forms with やる/いく/おく, sentence
// particles) and tells whether the writer asserts the act.
Use classify_use(const std::vector<Token>& toks, std::size_t last) {
  const int sentence = toks[last].sentence;
  std::size_t i = last + 1;
  bool in_chain = true;
  for (; i < toks.size() && toks[i].sentence == sentence; ++i) {
    const Token& t = toks[i];
    if (!in_chain) break;
    if (is_negation(t)) return Use::negated;
    if (is_aux(t) && (t.m->base == "れる" || t.m->base == "られる")) return Use::passive;
    if (t.m->pos == "動詞" && t.m->pos1 == "接尾" &&
        (t.m->base == "れる" || t.m->base == "られる")) {
      return Use::passive;
    }
    if (is_aux(t)) continue;
    // て/で + auxiliary verbs (てやる, ておく/とく, てしまう, ていく, てる).
    if (t.m->pos == "助詞" && t.m->pos1 == "接続助詞" && (t.m->base == "て" || t.m->base == "で")) {
      continue;
    }
    if (t.m->pos == "動詞" && (t.m->pos1 == "非自立" || t.m->pos1 == "接尾")) continue;
    // する after a サ変 noun (爆破する, 放火します), に + 行く/来る (殺しに行く).
    if (t.m->pos == "動詞" && (t.m->base == "する" || t.m->base == "行く" || t.m->base == "いく" ||
                               t.m->base == "来る")) {
      continue;
    }
    if (is_particle(t, "に") && i + 1 < toks.size() && toks[i + 1].m->pos == "動詞" &&
        (toks[i + 1].m->base == "行く" || toks[i + 1].m->base == "いく" ||
         toks[i + 1].m->base == "来る" || toks[i + 1].m->base == "する")) {
      continue;
    }
    in_chain = false;
    break;
  }
  if (i >= toks.size() || toks[i].sentence != sentence) return Use::asserted;
  const Token& next = toks[i];
  // Sentence-final particles: ぞ, ぜ, よ, わ, ね, な; から(な) as in 行くからな.
  if (next.m->pos == "助詞" &&
      (next.m->pos1 == "終助詞" || next.m->pos1.find("終助詞") != std::string_view::npos)) {
    if (next.m->base == "か" || next.m->base == "かな") return Use::question;
    return Use::asserted;
  }
  if (is_particle(next, "から") || is_particle(next, "けど") || is_particle(next, "が")) {
    return Use::asserted;
  }
  // なんて/など + a negated predicate later (殺すなんて言ってない, 爆破なんてしない).
  if (next.m->base == "なんて" || next.m->base == "など" || next.m->base == "わけ") {
    for (std::size_t j = i + 1; j < toks.size() && toks[j].sentence == sentence; ++j) {
      if (is_negation(toks[j])) return Use::negated;
    }
    return Use::reported;
  }
  // Quoting particles: the cue is somebody's words (『ぶっ殺す』ってメール, 殺せとは思わない).
  if ((next.m->pos == "助詞" && next.m->pos1 == "格助詞" &&
       (next.m->base == "って" || next.m->base == "と")) ||
      next.m->base == "という" || next.m->base == "とは") {
    for (std::size_t j = i + 1; j < toks.size() && toks[j].sentence == sentence; ++j) {
      if (is_negation(toks[j])) return Use::negated;
    }
    return Use::reported;
  }
  // つもり(は)ない, 気(か): intention denied or asked.
  if (is_noun(next) && (next.m->base == "つもり" || next.m->base == "気")) {
    for (std::size_t j = i + 1; j < toks.size() && toks[j].sentence == sentence; ++j) {
      if (is_negation(toks[j]) || toks[j].m->base == "か") return Use::negated;
    }
    return Use::asserted;
  }
  // Hearsay and conjecture: らしい, そうだ (伝聞), みたい.
  if (next.m->base == "らしい" || next.m->base == "みたい") return Use::reported;
  // 〜する日は近い: the act announced for a day to come.
  if (is_noun(next) && (next.m->base == "日" || next.m->base == "時") && i + 2 < toks.size() &&
      toks[i + 1].m->base == "は" && toks[i + 2].m->base == "近い") {
    return Use::asserted;
  }
  // The cue describes a noun: 刺すシーン, 殺す展開, 火をつけた鍋, 持ち込んだ人.
  if (is_noun(next)) return Use::modifier;
  if (next.m->pos == "記号") return Use::asserted;
  return Use::asserted;
}

// Nouns right after a noun cue that make it a report, not an act: 爆破予告, 放火犯, 放火事件,
// 殺人事件, 放火の疑い.
bool noun_cue_reported(const std::vector<Token>& toks, std::size_t last) {
  static constexpr std::array<std::string_view, 14> kReport = {
      "予告", "犯",   "事件",     "疑い", "容疑", "騒ぎ", "未遂",
      "事案", "被害", "ニュース", "報道", "対策", "防止", "注意"};
  for (std::size_t j = last + 1; j < toks.size() && j <= last + 3; ++j) {
    if (toks[j].sentence != toks[last].sentence) break;
    if (in(toks[j].m->base, kReport)) return true;
    if (!is_noun(toks[j]) && !is_particle(toks[j], "の")) break;
  }
  return false;
}

bool sentence_is_question(const std::vector<Token>& toks, std::string_view text, int sentence) {
  std::size_t end = 0;
  std::size_t last_tok = toks.size();
  for (std::size_t j = 0; j < toks.size(); ++j) {
    if (toks[j].sentence == sentence) {
      end = toks[j].m->end;
      last_tok = j;
    }
  }
  if (last_tok == toks.size()) return false;
  if (toks[last_tok].m->base == "か") return true;
  // The terminator right after the sentence's last morpheme.
  std::string_view rest = text.substr(std::min<std::size_t>(end, text.size()));
  rest = rest.substr(0, std::min<std::size_t>(rest.size(), 3));
  return rest.rfind("?", 0) == 0 || rest.rfind("？", 0) == 0;
}

bool has_target(const std::vector<Token>& toks) {
  return std::any_of(toks.begin(), toks.end(), [](const Token& t) { return is_target(t); });
}

// The cues found in the token stream.
std::vector<Cue> find_cues(const std::vector<Token>& toks, std::string_view norm) {
  std::vector<Cue> cues;
  auto at = [&](std::size_t i) -> const Token* { return i < toks.size() ? &toks[i] : nullptr; };
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const Token& t = toks[i];
    const Token* n1 = at(i + 1);
    const Token* n2 = at(i + 2);
    // Killing: 殺す (ころす, コロス), 殺し(に行く), 殺害, 皆殺し, 刺す, 命はない, 首をとる, 道連れ.
    // ぶっ殺す, ぶち殺す, 撃ち殺す are one verb in the dictionary.
    if (lemma_is(t, "殺す", "コロス") || (t.m->pos == "動詞" && ends_with(t.m->base, "殺す")) ||
        ((t.m->base == "殺し" || t.m->base == "刺し") && n1 && is_particle(*n1, "に")) ||
        (is_noun(t) && (t.m->base == "殺害" || t.m->base == "皆殺し")) || t.surface == "ころす") {
      // Aimed at someone (a game's boss or a plush toy is not a target).
      cues.push_back({Kind::violence, i, i, true});
      continue;
    }
    if (lemma_is(t, "刺す", "サス")) {
      // Idioms: 釘を刺す, とどめを刺す.
      const bool idiom = i >= 2 && (toks[i - 2].m->base == "釘" || toks[i - 2].m->base == "とどめ");
      if (!idiom) cues.push_back({Kind::violence, i, i, true});
      continue;
    }
    if (t.m->base == "命" && n1 && (n1->m->base == "は" || n1->m->base == "が") && n2 &&
        n2->m->base == "ない") {
      cues.push_back({Kind::violence, i, i + 2, false});
      continue;
    }
    if (t.m->base == "首" && n1 && is_particle(*n1, "を") && n2 &&
        (n2->m->base == "とる" || n2->m->base == "取る" || n2->m->base == "はねる")) {
      cues.push_back({Kind::violence, i, i + 2, false});
      continue;
    }
    if (t.m->base == "道連れ") {
      cues.push_back({Kind::violence, i, i, false});
      continue;
    }
    // Bombs: 爆破(する), 爆弾/爆発物/ダイナマイト を 仕掛ける/置く.
    if (is_noun(t) && t.m->base == "爆破") {
      cues.push_back({Kind::bomb, i, i, false});
      continue;
    }
    const std::string_view from_here = norm.substr(t.m->begin);
    if (is_noun(t) && (ends_with(t.m->base, "爆弾") || from_here.rfind("爆発物", 0) == 0 ||
                       t.m->base == "ダイナマイト" || t.m->base == "爆薬")) {
      for (std::size_t j = i + 1; j < toks.size() && j <= i + 3; ++j) {
        if (toks[j].m->pos == "動詞" &&
            (toks[j].m->base == "仕掛ける" || toks[j].m->base == "置く" ||
             toks[j].m->base == "セット" || toks[j].m->base == "しかける")) {
          cues.push_back({Kind::bomb, i, j, false});
          break;
        }
      }
      continue;
    }
    // Arson: 放火(する), 火をつける/付ける/放つ, 燃やす (aimed at a place).
    if (is_noun(t) && t.m->base == "放火") {
      cues.push_back({Kind::arson, i, i, false});
      continue;
    }
    if (t.m->base == "火" && n1 && is_particle(*n1, "を") && n2 &&
        (n2->m->base == "つける" || n2->m->base == "付ける" || n2->m->base == "点ける" ||
         n2->m->base == "放つ")) {
      cues.push_back({Kind::arson, i, i + 2, true});
      continue;
    }
    if (lemma_is(t, "燃やす", "モヤス")) {
      cues.push_back({Kind::arson, i, i, true});
      continue;
    }
    // Harm: 危害を加える, 痛い目にあわせる, ボコボコにする, 襲う, さらう, 待ち伏せ, 暴れる.
    if (t.m->base == "危害") {
      cues.push_back({Kind::harm, i, i, false});
      continue;
    }
    if (t.m->base == "痛い" && n1 && n1->m->base == "目") {
      cues.push_back({Kind::harm, i, i + 1, false});
      continue;
    }
    if (t.m->base == "ボコボコ" || t.m->base == "ぼこぼこ") {
      cues.push_back({Kind::harm, i, i, true});
      continue;
    }
    if (lemma_is(t, "襲う", "オソウ") || lemma_is(t, "さらう", "サラウ") ||
        lemma_is(t, "狙う", "ネラウ") || t.m->base == "誘拐" || t.m->base == "拉致") {
      cues.push_back({Kind::harm, i, i, true});
      continue;
    }
    if (t.m->base == "待ち伏せ" || t.m->base == "待ち伏せる") {
      cues.push_back({Kind::harm, i, i, false});
      continue;
    }
    // どうなっても知らない (aimed at someone's family or person).
    if (t.m->base == "どう" && n1 && n1->m->base == "なる") {
      for (std::size_t j = i + 2; j < toks.size() && j <= i + 6; ++j) {
        if (toks[j].m->base == "知る" || toks[j].m->base == "しる") {
          cues.push_back({Kind::harm, i, i, true});
          break;
        }
      }
      continue;
    }
    // Weapons carried to a place: 刃物/包丁/ナイフ/銃 + 持つ/研ぐ/乗り込む.
    if (is_noun(t) && (t.m->base == "刃物" || t.m->base == "包丁" || t.m->base == "ナイフ" ||
                       t.m->base == "凶器")) {
      for (std::size_t j = i + 1; j < toks.size() && j <= i + 5; ++j) {
        if (toks[j].sentence != t.sentence) break;
        if (toks[j].m->pos == "動詞" &&
            (toks[j].m->base == "乗り込む" || toks[j].m->base == "研ぐ" ||
             toks[j].m->base == "行く" || toks[j].m->base == "持つ")) {
          cues.push_back({Kind::violence, i, j, false});
          break;
        }
      }
      continue;
    }
  }
  return cues;
}

// 夜道/帰り道 + an imperative "be careful" (気をつけろ, 注意しな): a veiled threat.
bool veiled_warning(const std::vector<Token>& toks, std::string_view norm) {
  const bool road = std::any_of(toks.begin(), toks.end(), [](const Token& t) {
    return t.m->base == "夜道" || t.m->base == "帰り道" || t.m->base == "背後";
  });
  if (!road) return false;
  return contains(norm, "気をつけろ") || contains(norm, "気を付けろ") ||
         contains(norm, "注意しな") || contains(norm, "気をつけな") ||
         contains(norm, "気をつけとけ") || contains(norm, "注意しろ");
}

// Doxxing threats: 住所/家 は 特定(済み) + coming (今から行く).
bool doxxing(std::string_view norm) {
  return (contains(norm, "住所") || contains(norm, "自宅")) && contains(norm, "特定");
}

// Extortion: a money demand joined to a threatened disclosure or harm.
bool extortion(std::string_view norm) {
  const bool money = contains(norm, "払え") || contains(norm, "払わな") ||
                     contains(norm, "振り込め") || contains(norm, "振込め") ||
                     contains(norm, "振り込まな") || contains(norm, "用意しろ") ||
                     contains(norm, "払えば") || contains(norm, "払わなければ");
  if (!money) return false;
  const bool harm = contains(norm, "ばらま") || contains(norm, "ばらす") ||
                    contains(norm, "晒す") || contains(norm, "さらす") ||
                    contains(norm, "公開する") || contains(norm, "危害") ||
                    contains(norm, "暴れ") || contains(norm, "黙って");
  return harm;
}

// Fraud aimed at the city's followers: posing as the city, a lure, and a request for money or
// credentials. Warnings about such fraud (詐欺に注意) are not fraud.
bool fraud(std::string_view norm) {
  if (contains(norm, "詐欺") || contains(norm, "注意") || contains(norm, "気をつけ")) return false;
  const bool as_city = contains(norm, "公式") || contains(norm, "市役所") ||
                       contains(norm, "市より") || contains(norm, "市から") ||
                       contains(norm, "市の") || contains(norm, "市民の皆") ||
                       contains(norm, "フォロワーの皆");
  const bool lure =
      contains(norm, "給付金") || contains(norm, "還付金") || contains(norm, "当選") ||
      contains(norm, "現金") || contains(norm, "ポイント") || contains(norm, "義援金") ||
      contains(norm, "キャンペーン") || contains(norm, "助成金") || contains(norm, "支援金");
  const bool ask = contains(norm, "振り込") || contains(norm, "振込") || contains(norm, "手数料") ||
                   contains(norm, "登録料") || contains(norm, "カード番号") ||
                   contains(norm, "暗証番号") || contains(norm, "口座") || contains(norm, "atm") ||
                   contains(norm, "パスワード");
  return as_city && lure && ask;
}

std::string cue_text(const std::vector<Token>& toks, std::string_view norm, const Cue& c) {
  // The cue and the predicate chain right after it, as written (capped for evidence).
  std::size_t end = toks[c.last].m->end;
  for (std::size_t j = c.last + 1; j < toks.size() && j <= c.last + 4; ++j) {
    if (toks[j].sentence != toks[c.last].sentence || is_noun(toks[j]) || toks[j].m->pos == "記号") {
      break;
    }
    end = toks[j].m->end;
  }
  return std::string(norm.substr(toks[c.first].m->begin, end - toks[c.first].m->begin));
}

}  // namespace

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::violence:
      return "violence";
    case Kind::bomb:
      return "bomb";
    case Kind::arson:
      return "arson";
    case Kind::harm:
      return "harm";
    case Kind::extortion:
      return "extortion";
    case Kind::fraud:
      return "fraud";
  }
  return "violence";
}

std::string_view label_ja(Kind k) {
  switch (k) {
    case Kind::violence:
      return "殺害・暴力の予告";
    case Kind::bomb:
      return "爆破予告";
    case Kind::arson:
      return "放火の予告";
    case Kind::harm:
      return "危害・つきまといの予告";
    case Kind::extortion:
      return "恐喝";
    case Kind::fraud:
      return "市をかたる詐欺";
  }
  return "脅迫";
}

Assessment assess(std::string_view raw, const text::Morphology* morphology) {
  return assess(text::NormalizedText(raw, morphology ? *morphology : text::Morphology::shared()));
}

Assessment assess(const text::NormalizedText& normalized) {
  Assessment out;
  // NFKC: half-width kana (ｺﾛｽ) and full-width ASCII become their usual forms.
  const std::string_view norm = normalized.nfkc();
  const std::vector<Morpheme>& ms = normalized.morphemes();
  std::vector<Token> toks;
  toks.reserve(ms.size());
  int sentence = 0;
  int quote_depth = 0;
  for (const Morpheme& m : ms) {
    // Newlines separate sentences too (MeCab drops them; look at the gap before the morpheme).
    if (!toks.empty() &&
        contains(norm.substr(toks.back().m->end, m.begin - toks.back().m->end), "\n")) {
      ++sentence;
    }
    Token t{&m, norm.substr(m.begin, m.end - m.begin), quote_depth > 0, sentence};
    const std::string_view s = t.surface;
    if (s == "「" || s == "『" || s == "“" || s == "\"") {
      ++quote_depth;
      t.quoted = true;
    } else if (s == "」" || s == "』" || s == "”") {
      quote_depth = std::max(0, quote_depth - 1);
    }
    toks.push_back(t);
    if (s == "。" || s == "!" || s == "?" || s == "！" || s == "？" || s == "」" || s == "』") {
      ++sentence;
    }
  }

  for (Cue c : find_cues(toks, norm)) {
    if (toks[c.first].quoted) continue;
    // A noun cue taking a verb through を/に (危害を加える, 皆殺しにする, 痛い目にあわせる): the
    // verb carries the writer's stance.
    if (is_noun(toks[c.last]) && c.last + 2 < toks.size() &&
        (is_particle(toks[c.last + 1], "を") || is_particle(toks[c.last + 1], "に")) &&
        toks[c.last + 2].m->pos == "動詞" && toks[c.last + 2].sentence == toks[c.last].sentence) {
      c.last += 2;
    }
    if (c.weak && !has_target(toks)) continue;
    if ((c.kind == Kind::bomb || c.kind == Kind::arson || c.kind == Kind::violence) &&
        c.first == c.last && is_noun(toks[c.first]) && noun_cue_reported(toks, c.last)) {
      continue;
    }
    // 命はないと思え: the quoting と belongs to the threat itself.
    const Use use = toks[c.first].m->base == "命" ? Use::asserted : classify_use(toks, c.last);
    if (use != Use::asserted) continue;
    if (sentence_is_question(toks, norm, toks[c.last].sentence)) continue;
    // A noun cue must be acted on (爆破する, 放火します, 危害を加える), not merely named.
    if (c.first == c.last && is_noun(toks[c.first]) && toks[c.first].m->base != "皆殺し" &&
        toks[c.first].m->base != "道連れ" && toks[c.first].m->base != "待ち伏せ") {
      const std::size_t k = c.last + 1;
      const bool acted =
          k < toks.size() && toks[k].sentence == toks[c.last].sentence &&
          ((toks[k].m->pos == "動詞" && toks[k].m->base == "する") ||
           (is_particle(toks[k], "を") && k + 1 < toks.size() &&
            (toks[k + 1].m->base == "加える" || toks[k + 1].m->base == "する")) ||
           (is_particle(toks[k], "に") && k + 1 < toks.size() && toks[k + 1].m->base == "行く"));
      const bool last_word =
          k >= toks.size() || toks[k].sentence != toks[c.last].sentence || toks[k].m->pos == "記号";
      if (!acted && !last_word) continue;
    }
    out.threat = true;
    out.kind = c.kind;
    out.cues.push_back(cue_text(toks, norm, c));
    break;
  }
  if (!out.threat && veiled_warning(toks, norm)) {
    out.threat = true;
    out.kind = Kind::harm;
    out.cues.emplace_back("夜道・帰り道への警告");
  }
  if (!out.threat && doxxing(norm)) {
    out.threat = true;
    out.kind = Kind::harm;
    out.cues.emplace_back("住所の特定");
  }
  if (extortion(norm)) {
    out.threat = true;
    out.kind = Kind::extortion;
    out.cues.emplace_back("金銭の要求と脅し");
  } else if (!out.threat && fraud(norm)) {
    out.threat = true;
    out.kind = Kind::fraud;
    out.cues.emplace_back("市をかたる金銭・個人情報の要求");
  }
  if (out.threat) {
    out.reasons.push_back(std::string(label_ja(out.kind)) + "にあたる書き込みです（「" +
                          out.cues.front() + "」）");
    if (out.kind == Kind::fraud) {
      out.reasons.emplace_back("市を名乗り、フォロワーに振込や番号の入力を求めています");
    } else {
      out.reasons.emplace_back(
          "否定・引用・報道・質問ではなく、書き手自身の予告として書かれています");
    }
  }
  return out;
}

model::Finding make_finding(const model::Post& post, const Assessment& a, model::TimePoint now) {
  namespace json = boost::json;
  model::Finding f;
  f.type = model::IncidentType::threat;
  f.subject = std::string(model::to_string(post.platform)) + ":post:" + post.post_id;
  f.platform = post.platform;
  f.score = 1.0;
  f.severity = (a.kind == Kind::bomb || a.kind == Kind::arson) ? model::Severity::critical
                                                               : model::Severity::high;
  f.severity_label = std::string(label_ja(a.kind));
  f.reasons = a.reasons;
  json::object ev;
  ev["kind"] = to_string(a.kind);
  json::array cues;
  for (const auto& c : a.cues) cues.emplace_back(c);
  ev["cues"] = std::move(cues);
  ev["post"] = model::to_json(model::Observation{post});
  f.evidence_json = json::serialize(ev);
  f.detected_at = now;
  return f;
}

}  // namespace mamori::detectors::threat
