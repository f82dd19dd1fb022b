// The shipped Japanese reply lexicon and the classifier over it. Terms are written as people type
// them; at first use they are folded like the reply text (NFKC + case fold, katakana -> hiragana),
// so バカ, ばか and ﾊﾞｶ match alike. Weights: abuse 2, apology demands 1.5, criticism 1,
// 炎上-typical phrases 1 (the bare word 炎上 only 0.5: people also say
// "炎上してると聞いて来ました").
#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "detectors/flameup/reply_character.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::flameup {
namespace {

enum class Kind : std::uint8_t { criticism, apology_demand, abuse, flameup, thanks, question };

struct Term {
  std::string_view text;
  Kind kind;
  float weight;
  std::string_view unless_next = {};  // '|'-separated continuations that make it harmless
};

constexpr float kAbuse = 2.0f;
constexpr float kApology = 1.5f;
constexpr float kCritic = 1.0f;
constexpr float kFlame = 1.0f;
constexpr float kThanks = 1.0f;

// clang-format off
constexpr Term kTerms[] = {
    // --- abuse (罵倒) ---
    {"死ね", Kind::abuse, kAbuse}, {"氏ね", Kind::abuse, kAbuse}, {"消えろ", Kind::abuse, kAbuse},
    {"クズ", Kind::abuse, kAbuse}, {"屑", Kind::abuse, kAbuse}, {"馬鹿", Kind::abuse, kAbuse},
    {"バカ", Kind::abuse, kAbuse, "り|らし"}, {"アホ", Kind::abuse, kAbuse}, {"阿呆", Kind::abuse, kAbuse},
    {"役立たず", Kind::abuse, kAbuse}, {"ポンコツ", Kind::abuse, kAbuse}, {"キモい", Kind::abuse, kAbuse},
    {"きもすぎ", Kind::abuse, kAbuse}, {"気持ち悪い", Kind::abuse, kAbuse}, {"気持ちわる", Kind::abuse, kAbuse},
    {"ふざけるな", Kind::abuse, kAbuse}, {"ふざけんな", Kind::abuse, kAbuse}, {"ふざけてる", Kind::abuse, kAbuse},
    {"ふざけた", Kind::abuse, kAbuse}, {"黙れ", Kind::abuse, kAbuse}, {"うざい", Kind::abuse, kAbuse},
    {"うぜえ", Kind::abuse, kAbuse}, {"頭おかしい", Kind::abuse, kAbuse}, {"頭がおかしい", Kind::abuse, kAbuse},
    {"クソ", Kind::abuse, kAbuse}, {"糞", Kind::abuse, kAbuse}, {"ゴミみたい", Kind::abuse, kAbuse},
    {"ゴミ対応", Kind::abuse, kAbuse}, {"ゴミ行政", Kind::abuse, kAbuse}, {"ゴミ職員", Kind::abuse, kAbuse},
    {"ゴミ役所", Kind::abuse, kAbuse}, {"カス対応", Kind::abuse, kAbuse}, {"税金泥棒", Kind::abuse, kAbuse},
    {"給料泥棒", Kind::abuse, kAbuse}, {"老害", Kind::abuse, kAbuse}, {"低能", Kind::abuse, kAbuse},
    {"能無し", Kind::abuse, kAbuse}, {"無能", Kind::abuse, kAbuse}, {"殺す", Kind::abuse, kAbuse},
    {"ぶっ殺", Kind::abuse, kAbuse}, {"潰れろ", Kind::abuse, kAbuse}, {"腐ってる", Kind::abuse, kAbuse},
    {"腐ってい", Kind::abuse, kAbuse}, {"恥を知れ", Kind::abuse, kAbuse}, {"ゴミクズ", Kind::abuse, kAbuse},
    {"ボケ", Kind::abuse, kAbuse}, {"間抜け", Kind::abuse, kAbuse}, {"クビにしろ", Kind::abuse, kAbuse},

    // --- demands for an apology (謝罪要求) ---
    {"謝罪しろ", Kind::apology_demand, kApology}, {"謝罪せよ", Kind::apology_demand, kApology},
    {"謝罪を求め", Kind::apology_demand, kApology}, {"謝罪すべき", Kind::apology_demand, kApology},
    {"謝罪文を出", Kind::apology_demand, kApology}, {"謝罪もなし", Kind::apology_demand, kApology},
    {"謝罪もない", Kind::apology_demand, kApology}, {"謝罪はまだ", Kind::apology_demand, kApology},
    {"謝罪して", Kind::apology_demand, kApology}, {"謝罪を", Kind::apology_demand, kApology},
    {"謝れ", Kind::apology_demand, kApology}, {"あやまれ", Kind::apology_demand, kApology},
    {"謝って済む", Kind::apology_demand, kApology}, {"謝ってください", Kind::apology_demand, kApology},
    {"土下座", Kind::apology_demand, kApology}, {"お詫びしろ", Kind::apology_demand, kApology},
    {"詫びろ", Kind::apology_demand, kApology}, {"詫びを入れ", Kind::apology_demand, kApology},
    {"頭を下げろ", Kind::apology_demand, kApology}, {"説明と謝罪", Kind::apology_demand, kApology},

    // --- criticism (批判・苦情) ---
    {"最悪", Kind::criticism, kCritic, "の事態|の場合|のケース|の状況|を想定|に備え"},
    {"最低", Kind::criticism, kCritic, "限|気温|でも|賃金|価格|料金|額"},
    {"ひどすぎ", Kind::criticism, kCritic}, {"酷すぎ", Kind::criticism, kCritic},
    {"これはひどい", Kind::criticism, kCritic}, {"これは酷い", Kind::criticism, kCritic},
    {"ひどい対応", Kind::criticism, kCritic}, {"酷い対応", Kind::criticism, kCritic},
    {"対応ひど", Kind::criticism, kCritic}, {"対応が酷", Kind::criticism, kCritic},
    {"ひどい", Kind::criticism, 0.5f}, {"酷い", Kind::criticism, 0.5f},
    {"ありえない", Kind::criticism, kCritic}, {"あり得ない", Kind::criticism, kCritic},
    {"ありえん", Kind::criticism, kCritic}, {"信じられない", Kind::criticism, kCritic},
    {"呆れ", Kind::criticism, kCritic}, {"あきれ", Kind::criticism, kCritic},
    {"がっかり", Kind::criticism, kCritic}, {"失望", Kind::criticism, kCritic},
    {"見損な", Kind::criticism, kCritic}, {"不適切", Kind::criticism, kCritic},
    {"不謹慎", Kind::criticism, kCritic}, {"無神経", Kind::criticism, kCritic},
    {"配慮が足り", Kind::criticism, kCritic}, {"配慮に欠け", Kind::criticism, kCritic},
    {"配慮がな", Kind::criticism, kCritic}, {"配慮のな", Kind::criticism, kCritic},
    {"無責任", Kind::criticism, kCritic}, {"不誠実", Kind::criticism, kCritic},
    {"誠意が感じられ", Kind::criticism, kCritic}, {"誠意がな", Kind::criticism, kCritic},
    {"誠意を見せ", Kind::criticism, kCritic}, {"言い訳", Kind::criticism, kCritic},
    {"言語道断", Kind::criticism, kCritic}, {"税金の無駄", Kind::criticism, kCritic},
    {"税金の使い道", Kind::criticism, 0.5f}, {"税金を使って", Kind::criticism, 0.5f},
    {"俺たちの税金", Kind::criticism, kCritic}, {"血税", Kind::criticism, kCritic},
    {"無駄遣い", Kind::criticism, kCritic}, {"説明責任", Kind::criticism, kCritic},
    {"説明しろ", Kind::criticism, kCritic}, {"説明になってな", Kind::criticism, kCritic},
    {"説明を求め", Kind::criticism, kCritic}, {"まともな説明", Kind::criticism, kCritic},
    {"納得できな", Kind::criticism, kCritic}, {"納得できま", Kind::criticism, kCritic},
    {"納得いかな", Kind::criticism, kCritic}, {"許せない", Kind::criticism, kCritic},
    {"許されない", Kind::criticism, kCritic}, {"許さない", Kind::criticism, kCritic},
    {"恥ずかしい", Kind::criticism, kCritic}, {"恥さらし", Kind::criticism, kCritic},
    {"品位", Kind::criticism, kCritic}, {"意識が低", Kind::criticism, kCritic},
    {"感覚ずれ", Kind::criticism, kCritic}, {"ずれすぎ", Kind::criticism, kCritic},
    {"上から目線", Kind::criticism, kCritic}, {"舐めてる", Kind::criticism, kCritic},
    {"舐めて", Kind::criticism, kCritic}, {"なめてる", Kind::criticism, kCritic},
    {"バカにして", Kind::criticism, kCritic}, {"馬鹿にして", Kind::criticism, kCritic},
    {"隠蔽", Kind::criticism, kCritic}, {"誤魔化", Kind::criticism, kCritic},
    {"ごまかす", Kind::criticism, kCritic}, {"ごまかし", Kind::criticism, kCritic},
    {"処分しろ", Kind::criticism, kCritic}, {"処分して", Kind::criticism, kCritic},
    {"処分すべき", Kind::criticism, kCritic}, {"辞職", Kind::criticism, kCritic},
    {"辞任", Kind::criticism, kCritic}, {"辞めろ", Kind::criticism, kCritic},
    {"やめろ", Kind::criticism, kCritic}, {"責任者出", Kind::criticism, kCritic},
    {"責任を取", Kind::criticism, kCritic}, {"責任取", Kind::criticism, kCritic},
    {"責任とれ", Kind::criticism, kCritic}, {"撤回しろ", Kind::criticism, kCritic},
    {"撤回を求め", Kind::criticism, kCritic}, {"抗議", Kind::criticism, kCritic},
    {"クレーム", Kind::criticism, kCritic}, {"苦情", Kind::criticism, kCritic},
    {"不快", Kind::criticism, kCritic}, {"イラっと", Kind::criticism, kCritic},
    {"イラッと", Kind::criticism, kCritic}, {"ムカつく", Kind::criticism, kCritic},
    {"腹が立", Kind::criticism, kCritic}, {"腹立", Kind::criticism, kCritic},
    {"役所仕事", Kind::criticism, kCritic}, {"お役所", Kind::criticism, kCritic},
    {"終わってる", Kind::criticism, kCritic}, {"差別", Kind::criticism, kCritic},
    {"卑怯", Kind::criticism, kCritic}, {"して逃げ", Kind::criticism, kCritic},
    {"逃げるな", Kind::criticism, kCritic}, {"誰得", Kind::criticism, kCritic},
    {"アウトでしょ", Kind::criticism, kCritic}, {"完全にアウト", Kind::criticism, kCritic},
    {"アウトだろ", Kind::criticism, kCritic}, {"遅すぎ", Kind::criticism, kCritic},
    {"低すぎ", Kind::criticism, kCritic}, {"正気です", Kind::criticism, kCritic},
    {"正気か", Kind::criticism, kCritic}, {"喧嘩売", Kind::criticism, kCritic},
    {"神経を疑", Kind::criticism, kCritic}, {"思慮が浅", Kind::criticism, kCritic},
    {"浅はか", Kind::criticism, kCritic}, {"問題発言", Kind::criticism, kCritic},
    {"失言", Kind::criticism, kCritic}, {"不祥事", Kind::criticism, kCritic},
    {"怠慢", Kind::criticism, kCritic}, {"二度と信用", Kind::criticism, kCritic},
    {"信用できな", Kind::criticism, kCritic}, {"信用しな", Kind::criticism, kCritic},
    {"二度と", Kind::criticism, 0.5f}, {"には行かない", Kind::criticism, 0.5f},
    {"二度と行か", Kind::criticism, kCritic}, {"見苦しい", Kind::criticism, kCritic},
    {"反省してな", Kind::criticism, kCritic}, {"反省しろ", Kind::criticism, kCritic},
    {"何やってる", Kind::criticism, kCritic}, {"なにやってん", Kind::criticism, kCritic},
    {"いい加減にしろ", Kind::criticism, kCritic}, {"いい加減にして", Kind::criticism, kCritic},
    {"いいご身分", Kind::criticism, kCritic}, {"追及", Kind::criticism, kCritic},
    {"糾弾", Kind::criticism, kCritic}, {"公表しろ", Kind::criticism, kCritic},
    {"対応が遅", Kind::criticism, kCritic}, {"対応が悪", Kind::criticism, kCritic},
    {"ずさん", Kind::criticism, kCritic}, {"杜撰", Kind::criticism, kCritic},
    {"デタラメ", Kind::criticism, kCritic}, {"嘘つき", Kind::criticism, kCritic},
    {"訂正もしな", Kind::criticism, kCritic}, {"訂正しろ", Kind::criticism, kCritic},
    {"無視し続け", Kind::criticism, kCritic}, {"無視するな", Kind::criticism, kCritic},
    {"声を無視", Kind::criticism, kCritic}, {"なんだと思って", Kind::criticism, kCritic},
    {"意味わからん", Kind::criticism, kCritic}, {"意味不明", Kind::criticism, kCritic},
    {"センスな", Kind::criticism, kCritic}, {"見ていて不快", Kind::criticism, kCritic},
    {"うんざり", Kind::criticism, kCritic}, {"残念すぎ", Kind::criticism, kCritic},
    {"恥ずかしくない", Kind::criticism, kCritic}, {"気分が悪", Kind::criticism, kCritic},
    {"軽率", Kind::criticism, kCritic}, {"傲慢", Kind::criticism, kCritic},
    {"偉そう", Kind::criticism, kCritic}, {"他人事", Kind::criticism, kCritic},
    {"やる気ある", Kind::criticism, kCritic}, {"仕事しろ", Kind::criticism, kCritic},
    {"まともな大人", Kind::criticism, kCritic}, {"ちゃんとしろ", Kind::criticism, kCritic},
    {"被災者の気持ち", Kind::criticism, kCritic}, {"市民を舐め", Kind::criticism, kCritic},

    // --- 炎上-typical phrases ---
    {"炎上", Kind::flameup, 0.5f}, {"炎上して当然", Kind::flameup, 1.5f},
    {"炎上商法", Kind::flameup, 1.5f}, {"大炎上", Kind::flameup, kFlame},
    {"晒し", Kind::flameup, kFlame}, {"晒す", Kind::flameup, kFlame}, {"晒され", Kind::flameup, kFlame},
    {"電凸", Kind::flameup, kFlame}, {"凸した", Kind::flameup, kFlame}, {"凸します", Kind::flameup, kFlame},
    {"通報しました", Kind::flameup, kFlame}, {"通報します", Kind::flameup, kFlame},
    {"魚拓", Kind::flameup, kFlame}, {"スクショ撮", Kind::flameup, kFlame},
    {"スクショ済", Kind::flameup, kFlame}, {"スクショした", Kind::flameup, kFlame},
    {"スクショ取", Kind::flameup, kFlame}, {"署名を集め", Kind::flameup, kFlame},
    {"不買", Kind::flameup, kFlame}, {"消せば済む", Kind::flameup, kFlame},
    {"削除して逃げ", Kind::flameup, kFlame}, {"消して逃げ", Kind::flameup, kFlame},
    {"批判殺到", Kind::flameup, kFlame}, {"抗議の電話", Kind::flameup, kFlame},
    {"苦情殺到", Kind::flameup, kFlame}, {"電話が殺到", Kind::flameup, kFlame},
    {"メディアに通報", Kind::flameup, kFlame}, {"文春", Kind::flameup, kFlame},
    {"議会で追及", Kind::flameup, kFlame}, {"で草", Kind::flameup, kFlame},
    {"てて草", Kind::flameup, kFlame}, {"拡散します。こんな", Kind::flameup, kFlame},

    // --- thanks and support (感謝・応援) ---
    {"ありがとう", Kind::thanks, kThanks}, {"有難う", Kind::thanks, kThanks},
    {"ありがた", Kind::thanks, kThanks}, {"有り難", Kind::thanks, kThanks},
    {"感謝", Kind::thanks, kThanks}, {"助かり", Kind::thanks, kThanks},
    {"助かる", Kind::thanks, kThanks}, {"助かった", Kind::thanks, kThanks},
    {"お疲れ", Kind::thanks, kThanks}, {"おつかれ", Kind::thanks, kThanks},
    {"ご苦労", Kind::thanks, kThanks}, {"応援して", Kind::thanks, kThanks},
    {"応援しま", Kind::thanks, kThanks}, {"頑張って", Kind::thanks, kThanks},
    {"がんばって", Kind::thanks, kThanks}, {"頑張れ", Kind::thanks, kThanks},
    {"がんばれ", Kind::thanks, kThanks}, {"心強い", Kind::thanks, kThanks},
    {"頼りにな", Kind::thanks, kThanks}, {"安心しま", Kind::thanks, kThanks},
    {"安心でき", Kind::thanks, kThanks}, {"素晴らしい", Kind::thanks, kThanks},
    {"すばらしい", Kind::thanks, kThanks}, {"素敵", Kind::thanks, kThanks},
    {"いい取り組み", Kind::thanks, kThanks}, {"良い取り組み", Kind::thanks, kThanks},
    {"サンキュー", Kind::thanks, kThanks}, {"お世話になって", Kind::thanks, kThanks},
    {"頭が下がり", Kind::thanks, kThanks}, {"頭が下がる", Kind::thanks, kThanks},
    {"無理しないで", Kind::thanks, kThanks}, {"無理せず", Kind::thanks, kThanks},
    {"気をつけて", Kind::thanks, kThanks}, {"参考になり", Kind::thanks, kThanks},
    {"ご対応いただ", Kind::thanks, kThanks}, {"迅速な対応", Kind::thanks, kThanks},
    {"丁寧な", Kind::thanks, 0.5f}, {"分かりやすい", Kind::thanks, 0.5f},
    {"わかりやすい", Kind::thanks, 0.5f}, {"よかった", Kind::thanks, 0.5f}, {"おかげで", Kind::thanks, kThanks},

    // --- question cues (besides '?') ---
    {"ですか", Kind::question, 1.0f}, {"ますか", Kind::question, 1.0f},
    {"でしょうか", Kind::question, 1.0f}, {"教えて", Kind::question, 1.0f},
    {"知りたい", Kind::question, 1.0f}, {"どこで", Kind::question, 1.0f},
    {"どこに", Kind::question, 1.0f}, {"どうすれば", Kind::question, 1.0f},
    {"どうやって", Kind::question, 1.0f}, {"いつ頃", Kind::question, 1.0f},
    {"何時から", Kind::question, 1.0f}, {"何時まで", Kind::question, 1.0f},
    {"ますでしょう", Kind::question, 1.0f}, {"可能ですか", Kind::question, 1.0f},
};
// clang-format on

// What may follow a phrase and cancel it ("最悪ではないと思う", "謝罪は必要ないです").
// Folded forms (hiragana). Particles first, then a negation.
constexpr std::string_view kSkippable[] = {"は",     "が",   "も", "なんて",
                                           "なんか", "とか", "の", "する"};
constexpr std::string_view kNegations[] = {"ではない",         "じゃない",     "ではありません",
                                           "じゃありません",   "ではなかった", "じゃなかった",
                                           "でもない",         "とは思わない", "とはおもわない",
                                           "とは思いません",   "ではなく",     "じゃなく",
                                           "必要ない",         "必要はない",   "必要ありません",
                                           "必要はありません", "いらない",     "不要"};
// A negation followed by these is rhetorical ("バカじゃないの", "最悪ではないか"): still hostile.
constexpr std::string_view kRhetorical[] = {"の", "か", "?", "よね", "だろ", "でしょ", "ん"};

struct CompiledTerm {
  std::string text;  // folded
  Kind kind;
  float weight;
  std::vector<std::string> unless_next;
  std::string_view original;
};

std::string fold(std::string_view s) {
  return text::fold_kana(text::nfkc_casefold(s));
}

std::vector<std::string> fold_all(const auto& list) {
  std::vector<std::string> out;
  for (std::string_view s : list) out.push_back(fold(s));
  return out;
}

struct Lexicon {
  std::vector<CompiledTerm> terms;  // longest first, so "大炎上" wins over "炎上"
  std::vector<std::string> skippable;
  std::vector<std::string> negations;
  std::vector<std::string> rhetorical;
};

const Lexicon& lexicon() {
  static const Lexicon lex = [] {
    Lexicon l;
    for (const Term& t : kTerms) {
      CompiledTerm c{fold(t.text), t.kind, t.weight, {}, t.text};
      std::string_view rest = t.unless_next;
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        c.unless_next.push_back(fold(rest.substr(0, bar)));
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
      }
      l.terms.push_back(std::move(c));
    }
    std::stable_sort(
        l.terms.begin(), l.terms.end(),
        [](const CompiledTerm& a, const CompiledTerm& b) { return a.text.size() > b.text.size(); });
    l.skippable = fold_all(kSkippable);
    l.negations = fold_all(kNegations);
    l.rhetorical = fold_all(kRhetorical);
    return l;
  }();
  return lex;
}

bool starts_with_any(std::string_view s, const std::vector<std::string>& list, std::size_t* len) {
  for (const auto& p : list) {
    if (!p.empty() && s.starts_with(p)) {
      if (len != nullptr) *len = p.size();
      return true;
    }
  }
  return false;
}

bool negated_after(std::string_view rest, const Lexicon& lex) {
  // Skip up to two particles, then look for a negation that is not rhetorical.
  for (int i = 0; i < 2; ++i) {
    std::size_t len = 0;
    if (starts_with_any(rest, lex.negations, &len)) {
      return !starts_with_any(rest.substr(len), lex.rhetorical, nullptr);
    }
    if (!starts_with_any(rest, lex.skippable, &len)) return false;
    rest.remove_prefix(len);
  }
  std::size_t len = 0;
  return starts_with_any(rest, lex.negations, &len) &&
         !starts_with_any(rest.substr(len), lex.rhetorical, nullptr);
}

}  // namespace

std::size_t lexicon_size() {
  return std::size(kTerms);
}

ReplyCharacter classify_reply(std::string_view raw, std::vector<std::string>* matched) {
  ReplyCharacter out;
  if (raw.empty()) return out;
  const Lexicon& lex = lexicon();
  const std::string s = fold(raw);
  std::vector<std::pair<std::size_t, std::size_t>> taken;  // matched byte ranges
  bool question_cue = s.find('?') != std::string::npos;
  for (const CompiledTerm& t : lex.terms) {
    if (t.text.empty()) continue;
    for (std::size_t pos = s.find(t.text); pos != std::string::npos;
         pos = s.find(t.text, pos + t.text.size())) {
      const std::size_t end = pos + t.text.size();
      const bool overlaps = std::any_of(taken.begin(), taken.end(), [&](const auto& r) {
        return pos < r.second && r.first < end;
      });
      if (overlaps) continue;
      const std::string_view rest = std::string_view(s).substr(end);
      if (starts_with_any(rest, t.unless_next, nullptr)) continue;
      if (t.kind == Kind::question) {
        question_cue = true;
        continue;  // cues never block other phrases
      }
      taken.emplace_back(pos, end);
      if (negated_after(rest, lex)) continue;
      if (t.kind == Kind::thanks) {
        out.gratitude += t.weight;
      } else {
        out.hostility += t.weight;
        if (matched != nullptr) matched->emplace_back(t.original);
      }
    }
  }
  out.question = question_cue;
  // Hostility wins over politeness ("説明ありがとう。でも全く納得できません") unless the thanks
  // clearly dominate.
  if (out.hostility >= 1.0 && out.hostility >= 0.5 * out.gratitude) {
    out.tone = Tone::hostile;
  } else if (out.gratitude >= 1.0) {
    out.tone = Tone::thanks;
  } else if (out.question) {
    out.tone = Tone::question;
  } else if (out.gratitude > 0.0) {
    out.tone = Tone::thanks;
  }
  return out;
}

bool looks_new_or_anonymous(const model::Post& reply) {
  using namespace std::chrono_literals;
  if (reply.author_created_at &&
      reply.created_at - *reply.author_created_at < std::chrono::milliseconds(30 * 24h)) {
    return true;
  }
  if (reply.author_followers_count && *reply.author_followers_count <= 3) return true;
  int run = 0;
  for (char c : reply.author_handle) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 6) return true;
  }
  if (!reply.author_handle.empty() && reply.author_display_name.empty()) return true;
  return false;
}

}  // namespace mamori::detectors::flameup
