#include "detectors/misinfo/hoaxes.h"

#include <algorithm>

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
        {"入れる", "混ぜる", "投げ込む", "まく", "撒く", "混入", "入る", "流す"}}},
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

// The patterns with their words as code points, converted once.
struct Compiled {
  const Pattern* pattern;
  std::vector<std::vector<std::u32string>> groups;
};

const std::vector<Compiled>& compiled() {
  static const std::vector<Compiled> c = [] {
    std::vector<Compiled> out;
    for (const auto& p : patterns()) {
      Compiled x{&p, {}};
      for (const auto& g : p.groups) {
        std::vector<std::u32string> words;
        for (const auto w : g) words.push_back(text::to_u32(w));
        x.groups.push_back(std::move(words));
      }
      out.push_back(std::move(x));
    }
    return out;
  }();
  return c;
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
  // Per-token base forms as code points (folded kana for unknown words), computed once.
  std::vector<std::u32string> bases;
  bases.reserve(t.tokens.size());
  for (const auto& tok : t.tokens) {
    if (!tok.m.base.empty()) {
      bases.push_back(text::to_u32(tok.m.base));
    } else {
      bases.push_back(
          std::u32string(std::u32string_view(t.nfkc).substr(tok.begin, tok.end - tok.begin)));
    }
  }
  for (const auto& c : compiled()) {
    const Pattern& p = *c.pattern;
    for (const auto& s : t.sentences) {
      std::size_t first = t.nfkc.size();
      std::size_t last = 0;
      bool all = true;
      bool denied = false;
      for (const auto& group : c.groups) {
        bool found = false;
        for (std::size_t i = s.first_token; i < s.end_token && !found; ++i) {
          for (const auto& w : group) {
            // A compound the analysis splits (マイ|ナンバー) is found in the surface from here.
            const bool hit = bases[i] == w ||
                             (w.size() >= 2 && bases[i].size() > w.size() &&
                              bases[i].find(w) != std::u32string::npos) ||
                             (w.size() >= 3 && t.tokens[i].end - t.tokens[i].begin < w.size() &&
                              std::u32string_view(t.nfkc).substr(t.tokens[i].begin, w.size()) == w);
            if (!hit) continue;
            found = true;
            first = std::min(first, t.tokens[i].begin);
            last = std::max(last, t.tokens[i].end);
            // A denied or hypothetical predicate ("逃げていません", "逃げたら") claims nothing.
            if (t.tokens[i].m.pos == "動詞" || t.tokens[i].m.pos1 == "サ変接続") {
              denied = denied || negated_after(t, t.tokens[i].end, s.end) || is_hypothetical(t, i);
            }
            break;
          }
        }
        if (!found) {
          all = false;
          break;
        }
      }
      if (all && !denied) {
        out.push_back(HoaxMatch{p.id, p.kind, p.claim, first, last});
        break;
      }
    }
  }
  return out;
}

}  // namespace mamori::detectors::misinfo
