#include "detectors/misinfo/pair_contradiction.h"

#include <algorithm>
#include <set>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {
namespace {

// Words that exclude each other when they fill the same place in otherwise matching sentences.
const std::vector<std::vector<std::string_view>>& exclusive_groups() {
  static const std::vector<std::vector<std::string_view>> g = {
      {"男性", "女性", "男", "女", "男の子", "女の子", "少年", "少女", "おじいさん", "おばあさん"},
      {"大人", "子供", "子ども", "赤ちゃん", "老人"},
      {"犬",       "猫", "馬",   "牛",     "羊", "鳥",     "象",   "キリン", "熊",     "クマ",
       "シマウマ", "鳩", "ハト", "カモメ", "猿", "ウサギ", "ヤギ", "豚",     "アヒル", "白鳥"},
      {"白", "黒", "赤", "青", "緑", "黄色", "茶色", "ピンク", "オレンジ", "紫", "灰色", "銀色",
       "白い", "黒い", "赤い", "青い", "黄色い", "茶色い"},
      {"上", "下"},
      {"左", "右"},
      {"前", "後ろ"},
      {"立つ", "座る", "寝る", "寝そべる", "横たわる"},
      {"走る", "歩く", "止まる", "停まる", "座る", "寝る"},
      {"昼", "夜"},
      {"晴れ", "雨", "雪", "曇り"},
      {"室内", "屋外", "屋内", "外"},
      {"海", "山", "川", "湖", "砂漠", "雪山"},
      {"電車", "バス", "車", "自転車", "バイク", "飛行機", "船", "トラック", "列車", "ボート"},
      {"テニス", "野球", "サッカー", "スキー", "スノーボード", "サーフィン", "ゴルフ",
       "バスケットボール", "スケートボード", "フリスビー"},
      {"ピザ", "ケーキ", "サンドイッチ", "ハンバーガー", "ホットドッグ", "ドーナツ", "パン",
       "サラダ"},
      {"大きい", "小さい"},
      {"多い", "少ない"},
      {"新しい", "古い"},
      {"長い", "短い"},
      {"空", "満"},
      {"一人", "二人", "三人", "四人", "五人"},
      {"乗る", "降りる"},
      {"開く", "閉じる", "閉まる"},
  };
  return g;
}

struct Content {
  std::vector<std::string> words;  // content lemmas in order
  std::set<std::string> set;
  std::vector<std::pair<std::string, std::string>> counts;  // (number, counter)
  int negations = 0;
};

bool is_content(const Token& t) {
  const auto& m = t.m;
  if (m.pos == "名詞") {
    return m.pos1 != "非自立" && m.pos1 != "代名詞" && m.pos1 != "数" && m.pos1 != "接尾";
  }
  if (m.pos == "動詞" || m.pos == "形容詞") return m.pos1 == "自立";
  return false;
}

Content content_of(const AnalyzedText& t) {
  Content c;
  for (std::size_t i = 0; i < t.tokens.size(); ++i) {
    const Token& tok = t.tokens[i];
    if (is_negation(tok)) ++c.negations;
    if (tok.m.pos == "名詞" && tok.m.pos1 == "数" && i + 1 < t.tokens.size() &&
        t.tokens[i + 1].m.pos1 == "接尾") {
      c.counts.emplace_back(
          text::to_utf8(std::u32string_view(t.nfkc).substr(tok.begin, tok.end - tok.begin)),
          std::string(t.tokens[i + 1].m.base));
    }
    if (!is_content(tok)) continue;
    std::string base = tok.m.base.empty() ? std::string() : std::string(tok.m.base);
    if (base.empty()) continue;
    c.words.push_back(base);
    c.set.insert(base);
  }
  return c;
}

int group_of(std::string_view w) {
  const auto& g = exclusive_groups();
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::find(g[i].begin(), g[i].end(), w) != g[i].end()) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

PairVerdict check_pair(std::string_view premise, std::string_view hypothesis) {
  PairVerdict v;
  const AnalyzedText pt = analyze_text(premise);
  const AnalyzedText ht = analyze_text(hypothesis);
  const Content p = content_of(pt);
  const Content h = content_of(ht);
  if (h.set.empty()) return v;
  std::size_t shared = 0;
  for (const auto& w : h.set) shared += p.set.count(w);
  v.overlap = static_cast<double>(shared) / static_cast<double>(h.set.size());

  // A word of the hypothesis that the premise replaces by an exclusive one.
  for (const auto& w : h.set) {
    if (p.set.count(w) != 0) continue;
    const int g = group_of(w);
    if (g < 0) continue;
    for (const auto& x : p.set) {
      if (x == w || h.set.count(x) != 0 || group_of(x) != g) continue;
      if (v.overlap >= 0.34) {
        v.contradiction = true;
        v.reason = "「" + x + "」と「" + w + "」は両立しない";
        return v;
      }
    }
  }
  // The same count word with another number.
  for (const auto& [hn, hc] : h.counts) {
    for (const auto& [pn, pc] : p.counts) {
      if (hc == pc && hn != pn && v.overlap >= 0.34) {
        v.contradiction = true;
        v.reason = "数が異なる（" + pn + pc + " / " + hn + hc + "）";
        return v;
      }
    }
  }
  // One denies what the other says.
  if ((p.negations > 0) != (h.negations > 0) && v.overlap >= 0.6) {
    v.contradiction = true;
    v.reason = "一方が他方を否定している";
  }
  return v;
}

}  // namespace mamori::detectors::misinfo
