#include "detectors/misinfo/pair_contradiction.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {
namespace {

// Words that exclude each other when they fill the same place in otherwise matching sentences.
// Each group lists classes of words that say the same (男性 = 男 = 男の人); two classes of one
// group exclude each other. Hypernyms (人, 鳥, 動物) belong to no class.
using Class = std::vector<std::string_view>;
const std::vector<std::vector<Class>>& exclusive_groups() {
  static const std::vector<std::vector<Class>> g = {
      {{"男性", "男", "男の人", "男の子", "少年", "おじいさん", "父親"},
       {"女性", "女", "女の人", "女の子", "少女", "おばあさん", "母親"}},
      {{"犬", "子犬"},
       {"猫", "子猫", "黒猫"},
       {"馬"},
       {"牛"},
       {"羊"},
       {"象", "ゾウ"},
       {"キリン"},
       {"熊", "クマ", "くま"},
       {"シマウマ"},
       {"猿"},
       {"ウサギ"},
       {"ヤギ", "やぎ"},
       {"豚"}},
      {{"白", "白い", "白色"},
       {"黒", "黒い", "黒色"},
       {"赤", "赤い", "赤色"},
       {"青", "青い", "ブルー"},
       {"緑", "緑色"},
       {"黄色", "黄色い"},
       {"茶色", "茶色い"},
       {"ピンク", "ピンク色"},
       {"オレンジ", "オレンジ色"},
       {"紫", "紫色"},
       {"灰色", "グレー"},
       {"銀色"}},
      {{"上"}, {"下"}},
      {{"左"}, {"右"}},
      {{"立つ"}, {"座る"}, {"寝る", "寝そべる", "横たわる"}},
      {{"走る"}, {"止まる", "停まる", "停車", "停泊"}},
      {{"昼"}, {"夜"}},
      {{"晴れ", "晴れる"}, {"雨"}, {"雪"}, {"曇り", "曇る"}},
      {{"室内", "屋内"}, {"屋外"}},
      {{"電車", "列車", "汽車", "機関車"},
       {"バス"},
       {"自転車"},
       {"バイク", "オートバイ"},
       {"飛行機"},
       {"トラック"}},
      {{"テニス"},
       {"野球"},
       {"サッカー"},
       {"スキー"},
       {"スノーボード"},
       {"サーフィン"},
       {"ゴルフ"},
       {"スケートボード"},
       {"フリスビー"}},
      {{"ピザ"}, {"ケーキ"}, {"サンドイッチ"}, {"ハンバーガー"}, {"ホットドッグ"}, {"ドーナツ"}},
      {{"大きい"}, {"小さい"}},
      {{"多い"}, {"少ない"}},
      {{"新しい"}, {"古い"}},
      {{"長い"}, {"短い"}},
      {{"乗る"}, {"降りる"}},
      {{"開く"}, {"閉じる", "閉まる"}},
  };
  return g;
}

bool is_content(const Token& t) {
  const auto& m = t.m;
  if (m.pos == "名詞") {
    return m.pos1 != "非自立" && m.pos1 != "代名詞" && m.pos1 != "数" && m.pos1 != "接尾";
  }
  if (m.pos == "動詞" || m.pos == "形容詞") return m.pos1 == "自立";
  return false;
}

bool contains(const std::vector<std::string_view>& sorted, std::string_view w) {
  return std::binary_search(sorted.begin(), sorted.end(), w);
}

// (group, class) of a word, or (-1, -1).
std::pair<int, int> class_of(std::string_view w) {
  static const std::unordered_map<std::string_view, std::pair<int, int>> index = [] {
    std::unordered_map<std::string_view, std::pair<int, int>> x;
    const auto& g = exclusive_groups();
    for (std::size_t i = 0; i < g.size(); ++i) {
      for (std::size_t k = 0; k < g[i].size(); ++k) {
        for (const auto word : g[i][k]) {
          x.emplace(word, std::pair<int, int>(static_cast<int>(i), static_cast<int>(k)));
        }
      }
    }
    return x;
  }();
  const auto it = index.find(w);
  return it == index.end() ? std::pair<int, int>(-1, -1) : it->second;
}

// Numbers as written in captions: 2, ２, 二, 十二. Vague counts (数, 何, 複数) are not numbers.
std::string number_value(std::string_view s) {
  static constexpr std::string_view kDigits[] = {"〇", "一", "二", "三", "四",
                                                 "五", "六", "七", "八", "九"};
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] >= '0' && s[i] <= '9') {
      out.push_back(s[i]);
      ++i;
      continue;
    }
    bool found = false;
    for (std::size_t d = 0; d < 10; ++d) {
      if (s.substr(i, kDigits[d].size()) == kDigits[d]) {
        out.push_back(static_cast<char>('0' + d));
        i += kDigits[d].size();
        found = true;
        break;
      }
    }
    if (!found) return {};
  }
  return out;
}

}  // namespace

PairSide pair_side(const AnalyzedText& t) {
  PairSide c;
  for (std::size_t i = 0; i < t.tokens.size(); ++i) {
    const Token& tok = t.tokens[i];
    if (is_negation(tok)) c.negated = true;
    if (tok.m.pos == "名詞" && tok.m.pos1 == "数" && i + 1 < t.tokens.size() &&
        t.tokens[i + 1].m.pos1 == "接尾") {
      c.counts.emplace_back(
          text::to_utf8(std::u32string_view(t.nfkc).substr(tok.begin, tok.end - tok.begin)),
          std::string(t.tokens[i + 1].m.base));
    }
    if (!is_content(tok) || tok.m.base.empty()) continue;
    c.words.push_back(tok.m.base);
    if (tok.m.pos == "名詞") c.nouns.push_back(tok.m.base);
  }
  for (auto* v : {&c.words, &c.nouns}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  c.classes.reserve(c.words.size());
  for (const auto w : c.words) c.classes.push_back(class_of(w));
  return c;
}

PairVerdict check_pair(std::string_view premise, std::string_view hypothesis) {
  return check_pair(pair_side(analyze_text(premise)), pair_side(analyze_text(hypothesis)));
}

PairVerdict check_pair(const PairSide& p, const PairSide& h) {
  PairVerdict v;
  if (h.words.empty()) return v;
  std::size_t shared = 0;
  for (const auto& w : h.words) shared += contains(p.words, w) ? 1 : 0;
  v.overlap = static_cast<double>(shared) / static_cast<double>(h.words.size());
  // Every test below needs an overlap of 0.34 or two shared words: most pairs stop here.
  if (v.overlap < 0.34 && shared < 2) return v;

  // A word of the hypothesis whose class the premise replaces by an exclusive one.
  const auto& p_classes = p.classes;
  const auto& h_classes = h.classes;
  const auto has = [](const std::vector<std::pair<int, int>>& classes, std::pair<int, int> c) {
    return std::find(classes.begin(), classes.end(), c) != classes.end();
  };
  for (std::size_t hi = 0; v.overlap >= 0.34 && hi < h.words.size(); ++hi) {
    const auto& w = h.words[hi];
    const auto cw = h_classes[hi];
    if (cw.first < 0 || has(p_classes, cw)) continue;
    for (std::size_t pi = 0; pi < p.words.size(); ++pi) {
      const auto& x = p.words[pi];
      const auto cx = p_classes[pi];
      if (cx.first != cw.first || cx == cw || has(h_classes, cx)) continue;
      if (v.overlap >= 0.34) {
        v.contradiction = true;
        v.reason = "「" + std::string(x) + "」と「" + std::string(w) + "」は両立しない";
        return v;
      }
    }
  }
  // The same count word with another number.
  for (const auto& [hn, hc] : h.counts) {
    const std::string hv = number_value(hn);
    // Dates and times are slots, compared with their calendar meaning (slots.h), not as counts.
    if (hv.empty() || hc == "日" || hc == "時" || hc == "分" || hc == "月" || hc == "年" ||
        hc == "秒") {
      continue;
    }
    bool same = false, other = false;
    for (const auto& [pn, pc] : p.counts) {
      if (hc != pc) continue;
      const std::string pv = number_value(pn);
      if (pv.empty()) continue;
      same = same || pv == hv;
      other = other || pv != hv;
    }
    if (other && !same && v.overlap >= 0.34) {
      v.contradiction = true;
      v.reason = "数が異なる（" + hn + hc + "）";
      return v;
    }
  }
  // Otherwise the same sentence with one thing put in place of another ("石の上に置いてある携帯
  // 電話" / "椅子の上に置いてある携帯電話"): a minimal edit, as contradictions are usually written.
  {
    std::vector<std::string_view> only_h, only_p;
    for (const auto& w : h.words) {
      if (!contains(p.words, w)) only_h.push_back(w);
    }
    for (const auto& w : p.words) {
      if (!contains(h.words, w)) only_p.push_back(w);
    }
    // A hypernym in place of the word (男性 -> 人, 犬 -> 動物) is entailed, not contradicted.
    static constexpr std::string_view kGeneral[] = {
        "人",   "人々", "人物", "動物", "鳥", "物", "もの",   "乗り物", "食べ物", "建物", "車両",
        "場所", "何",   "誰",   "たち", "達", "皆", "みんな", "何か",   "誰か",   "料理", "飲み物"};
    const auto general = [](std::string_view w) {
      return std::find(std::begin(kGeneral), std::end(kGeneral), w) != std::end(kGeneral);
    };
    if (only_h.size() == 1 && only_p.size() == 1 && shared >= 2 && !general(only_h[0]) &&
        !general(only_p[0]) && contains(h.nouns, only_h[0]) == contains(p.nouns, only_p[0]) &&
        only_h[0].find(only_p[0]) == std::string::npos &&
        only_p[0].find(only_h[0]) == std::string::npos) {
      v.contradiction = true;
      v.reason = "「" + std::string(only_p[0]) + "」が「" + std::string(only_h[0]) +
                 "」に置き換わっている";
      return v;
    }
  }
  // One denies what the other says.
  if (p.negated != h.negated && v.overlap >= 0.6) {
    v.contradiction = true;
    v.reason = "一方が他方を否定している";
  }
  return v;
}

}  // namespace mamori::detectors::misinfo
