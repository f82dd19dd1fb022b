#include "detectors/misinfo/hoaxes.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {
namespace {

// A pattern matches a sentence when every group has a word in it. Words are base forms; a word of
// two or more characters also matches inside a compound (人工地震 = 人工 + 地震), a one-character
// word only as a whole morpheme (毒, not 気の毒).
struct Pattern {
  std::string_view id;
  HoaxKind kind;
  std::string_view claim;
  std::vector<std::vector<std::string_view>> groups;
};

const std::vector<Pattern>& patterns() {
  using K = HoaxKind;
  static const std::vector<Pattern> p = {
      {"zoo-escape",
       K::hoax,
       "動物園などから猛獣・動物が逃げ出した",
       {{"ライオン", "トラ", "虎", "猛獣", "動物園", "ゾウ", "ワニ", "ヒョウ"},
        {"逃げる", "逃げ出す", "脱走", "逃走", "放つ", "逃がす"}}},
      {"poison",
       K::hoax,
       "水や井戸に毒・薬品が入れられた",
       {{"毒", "毒物", "薬品", "劇物", "ヒ素", "農薬"},
        {"入れる", "混ぜる", "投げ込む", "まく", "撒く", "混入", "入る", "流す", "混ざる", "混じる",
         "仕込む"}}},
      {"artificial-quake",
       K::conspiracy,
       "地震・台風・豪雨は人工的に起こされた（地震兵器など）",
       {{"人工地震", "地震兵器", "気象兵器", "気象操作", "人工台風", "HAARP", "ハープ"}}},
      {"weather-control",
       K::conspiracy,
       "台風や雨が人為的に操作されている",
       {{"人工", "人為", "わざと"},
        {"台風", "進路", "雨", "地震", "天気", "豪雨"},
        {"操作", "起こす", "作る", "操る", "変える", "兵器"}}},
      {"vaccine-chip",
       K::conspiracy,
       "ワクチン・注射にマイクロチップや有害物が入っている",
       {{"ワクチン", "注射", "接種", "予防接種"},
        {"マイクロチップ", "チップ", "5G", "磁石", "不妊", "遺伝子", "ナノ", "毒", "殺す",
         "人口削減"}}},
      {"chip",
       K::conspiracy,
       "マイクロチップを埋め込まれる",
       {{"マイクロチップ"}, {"入る", "入れる", "埋め込む", "仕込む", "混ぜる"}}},
      {"foreign-criminals",
       K::hoax,
       "外国人の窃盗団・強盗団が被災地で犯罪をしている",
       {{"外国人", "窃盗団", "強盗団", "中国人", "韓国人"},
        {"窃盗", "強盗", "略奪", "盗む", "暴動", "窃盗団", "強盗団", "空き巣", "放火"}}},
      {"looting",
       K::hoax,
       "避難所や被災地で窃盗・略奪が多発している",
       {{"避難所", "被災地", "空き家", "留守"},
        {"窃盗", "強盗", "略奪", "泥棒", "空き巣"},
        {"多発", "出る", "いる", "増える", "入る", "盗む", "相次ぐ"}}},
      {"collapse",
       K::hoax,
       "ダム・堤防・橋などが決壊・崩落した",
       {{"ダム", "堤防", "橋", "大橋", "トンネル", "鉄橋", "ビル"},
        {"決壊", "崩れる", "崩落", "倒壊", "壊れる", "落ちる", "流される", "切れる"}}},
      {"dam-release",
       K::conspiracy,
       "ダムをこっそり放流した・市が隠している",
       {{"ダム"},
        {"放流", "開ける", "流す"},
        {"こっそり", "隠す", "隠蔽", "内緒", "黙る", "勝手"}}},
      {"explosion",
       K::hoax,
       "施設で爆発・火災が起きた",
       {{"変電所", "工場", "タンク", "ガス", "発電所", "浄水場", "原発", "化学"},
        {"爆発", "爆破", "炎上", "火災", "火事", "漏れる", "漏洩"}}},
      {"vote-rigging",
       K::conspiracy,
       "選挙の票や開票が操作・改ざんされる",
       {{"開票", "票", "投票", "鉛筆", "投票用紙", "集計", "選挙"},
        {"操作", "改ざん", "書き換える", "不正", "消す", "すり替える", "決まる"}}},
      {"data-sale",
       K::conspiracy,
       "マイナンバーや個人情報が売られる・流出させられる",
       {{"マイナンバー", "個人情報", "住所", "口座"},
        {"売る", "売却", "流す", "流出", "横流し", "抜く", "抜き取る"}}},
      {"radiation",
       K::conspiracy,
       "検査や行政の措置で被曝・健康被害をわざと起こしている",
       {{"被曝", "被ばく", "放射能", "放射線"},
        {"させる", "狙い", "増やす", "浴びる", "わざと", "隠す"}}},
      {"deliberate-harm",
       K::conspiracy,
       "市が住民をわざと害そうとしている",
       {{"市", "市役所", "行政", "役所", "市長", "政府"},
        {"わざと", "故意", "意図的", "狙い"},
        {"放す", "黙らせる", "殺す", "病気", "被曝", "流す", "壊す", "増やす", "減らす"}}},
      {"outbreak",
       K::hoax,
       "施設や水から菌・ウイルス・食中毒が出た",
       {{"レジオネラ", "コレラ", "赤痢", "食中毒", "菌", "ウイルス", "O157", "ノロ"},
        {"出る", "検出", "発生", "出す", "広がる", "蔓延", "集団感染", "いる", "入る"}}},
      {"quake-prediction",
       K::hoax,
       "大地震・大津波が来ると予言・予知されている",
       {{"地震", "大地震", "津波", "余震", "本震", "噴火"},
        {"予言", "予知", "予告", "来る", "起きる"},
        {"日", "明日", "今夜", "今日", "時", "予言", "予知", "予告", "専門家", "確実", "必ず",
         "絶対", "本震", "大きい", "でかい", "大"}}},
      {"health-hoax",
       K::hoax,
       "水道水や飲み物で体調が悪化する・飲んではいけない",
       {{"水道水", "水", "ポカリ", "お茶", "牛乳"},
        {"飲む"},
        {"悪化", "ダメ", "だめ", "危険", "死ぬ", "毒", "いけない", "やばい", "ヤバい"}}},
      {"impostor-collector",
       K::hoax,
       "市や事業者の名で家を回り、または市に代わってお金を集めている",
       {{"集める", "集金", "回る", "まわる", "訪ねる", "訪問"},
        {"市", "職員", "電力会社", "役所", "団体", "支援会", "業者", "市役所", "ガス会社",
         "水道局"},
        {"家", "戸別", "一緒", "代わり", "委託", "公認", "訪問"}}},
      {"cover-up",
       K::conspiracy,
       "市が本当の被害・原因を隠している",
       {{"市", "役所", "市役所", "行政", "公式", "発表", "市長"},
        {"隠す", "隠蔽", "ごまかす", "もみ消す"},
        {"本当", "実は", "実際", "被害", "原因", "死者", "隠す", "隠蔽", "ごまかす", "もみ消す"}}},
  };
  return p;
}

// Every pattern word as code points -> the (pattern, group) pairs it belongs to, built once.
struct WordHit {
  std::uint16_t pattern;
  std::uint16_t group;
};
struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::u32string_view s) const {
    return std::hash<std::u32string_view>{}(s);
  }
};
struct WordIndex {
  std::unordered_map<std::u32string, std::vector<WordHit>, ViewHash, std::equal_to<>> by_word;
  std::size_t max_len = 0;
  std::vector<bool> first_chars = std::vector<bool>(0x10000, false);  // BMP first code points
  bool may_start(char32_t c) const { return c < 0x10000 && first_chars[c]; }
  // Words of two or more characters by their first two, hashed to 16 bits: most substrings the
  // matcher tries start no word, and this answers that without hashing the whole substring.
  std::vector<bool> first_pairs = std::vector<bool>(0x10000, false);
  static std::size_t pair_slot(char32_t a, char32_t b) {
    return (static_cast<std::size_t>(a) * 0x9E37u + static_cast<std::size_t>(b)) & 0xFFFF;
  }
  bool may_be_word(std::u32string_view w) const {
    if (w.empty() || !may_start(w[0])) return false;
    return w.size() == 1 || first_pairs[pair_slot(w[0], w[1])];
  }
};

const WordIndex& word_index() {
  static const WordIndex index = [] {
    WordIndex x;
    const auto& ps = patterns();
    for (std::size_t p = 0; p < ps.size(); ++p) {
      for (std::size_t g = 0; g < ps[p].groups.size(); ++g) {
        for (const auto word : ps[p].groups[g]) {
          std::u32string w = text::to_u32(word);
          x.max_len = std::max(x.max_len, w.size());
          if (!w.empty() && w[0] < 0x10000) x.first_chars[w[0]] = true;
          if (w.size() >= 2) x.first_pairs[WordIndex::pair_slot(w[0], w[1])] = true;
          x.by_word[std::move(w)].push_back(
              WordHit{static_cast<std::uint16_t>(p), static_cast<std::uint16_t>(g)});
        }
      }
    }
    return x;
  }();
  return index;
}

bool is_hypothetical(const AnalyzedText& t, std::size_t token) {
  // 逃げたら, 逃げても, 入れれば: a condition, not a claim.
  for (std::size_t i = token + 1; i < t.tokens.size() && i <= token + 3; ++i) {
    const auto& m = t.tokens[i].m;
    if (m.pos == "記号") return false;
    if (m.pos == "助詞" && m.pos1 == "接続助詞" &&
        (m.base == "ば" || m.base == "ても" || m.base == "でも")) {
      return true;
    }
    if (m.pos == "助動詞" && m.base == "た" && m.conj_form == "仮定形") return true;  // たら
    if (m.pos == "助詞" && m.base == "なら") return true;
  }
  return false;
}

}  // namespace

std::vector<HoaxMatch> find_hoaxes(const AnalyzedText& t) {
  std::vector<HoaxMatch> out;
  const auto& ps = patterns();
  const WordIndex& index = word_index();
  struct State {
    std::uint32_t groups = 0;
    bool denied = false;
    bool done = false;
    std::size_t first = 0, last = 0;
  };
  std::vector<State> states(ps.size());
  std::vector<std::size_t> order;  // patterns in the order they matched
  const std::u32string_view nfkc = t.nfkc;
  std::u32string base;
  for (const auto& s : t.sentences) {
    for (auto& st : states) {
      if (!st.done) st = State{};
    }
    const auto visit = [&](std::u32string_view word, std::size_t i) {
      if (!index.may_be_word(word)) return;
      const auto it = index.by_word.find(word);
      if (it == index.by_word.end()) return;
      const Token& tok = t.tokens[i];
      const bool predicate = tok.m.pos == "動詞" || tok.m.pos1 == "サ変接続";
      for (const WordHit h : it->second) {
        State& st = states[h.pattern];
        if (st.done || (st.groups & (1u << h.group)) != 0) continue;
        if (st.groups == 0) st.first = tok.begin;
        st.groups |= 1u << h.group;
        st.first = std::min(st.first, tok.begin);
        st.last = std::max(st.last, tok.end);
        // A denied or hypothetical predicate ("逃げていません", "逃げたら") claims nothing.
        if (predicate)
          st.denied = st.denied || negated_after(t, tok.end, s.end) || is_hypothetical(t, i);
      }
    };
    for (std::size_t i = s.first_token; i < s.end_token; ++i) {
      const Token& tok = t.tokens[i];
      const std::u32string_view surface = nfkc.substr(tok.begin, tok.end - tok.begin);
      if (!tok.m.base.empty()) {
        text::to_u32(tok.m.base, base);
      } else {
        base.assign(surface);
      }
      // The whole base form; two or more characters also inside a longer one (人工地震 in
      // 人工地震説); three or more from here on in the surface when the analysis split a compound
      // (マイ|ナンバー).
      visit(base, i);
      for (std::size_t from = 0; from + 2 <= base.size(); ++from) {
        if (!index.may_start(base[from])) continue;
        for (std::size_t len = 2; len <= index.max_len && from + len <= base.size(); ++len) {
          if (from == 0 && len == base.size()) continue;
          visit(std::u32string_view(base).substr(from, len), i);
        }
      }
      for (std::size_t len = std::max<std::size_t>(3, surface.size() + 1);
           index.may_start(surface.empty() ? 0 : surface[0]) && len <= index.max_len &&
           tok.begin + len <= s.end;
           ++len) {
        visit(nfkc.substr(tok.begin, len), i);
      }
    }
    for (std::size_t p = 0; p < ps.size(); ++p) {
      State& st = states[p];
      const std::uint32_t all = (1u << ps[p].groups.size()) - 1;
      if (!st.done && st.groups == all && !st.denied) {
        st.done = true;
        order.push_back(p);
      }
    }
  }
  std::sort(order.begin(), order.end());
  for (const std::size_t p : order) {
    out.push_back(HoaxMatch{ps[p].id, ps[p].kind, ps[p].claim, states[p].first, states[p].last});
  }
  return out;
}

}  // namespace mamori::detectors::misinfo
