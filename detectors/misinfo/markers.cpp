#include "detectors/misinfo/markers.h"

#include "detectors/misinfo/phrase_set.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::misinfo {
namespace {

using K = MarkerKind;

struct Word {
  const char* phrase;
  K kind;
};

// Natural spelling (folded when the set is built). Where two kinds share a stem the longer phrase
// decides: 拡散希望 (spread) vs 拡散しないで (correction) vs 拡散されてる (hedge).
constexpr Word kWords[] = {
    // Hedging and hearsay: the writer has not seen it themselves.
    {"みたい", K::hedge},
    {"そうです", K::hedge},
    {"そうだ", K::hedge},
    {"だって", K::hedge},
    {"んだって", K::hedge},
    {"たって", K::hedge},
    {"ってさ", K::hedge},
    {"ってよ", K::hedge},
    {"って聞いた", K::hedge},
    {"と聞いた", K::hedge},
    {"って聞き", K::hedge},
    {"って言ってた", K::hedge},
    {"が言ってた", K::hedge},
    {"って言われ", K::hedge},
    {"と言われ", K::hedge},
    {"言われました", K::hedge},
    {"って話", K::hedge},
    {"噂", K::hedge},
    {"うわさ", K::hedge},
    {"回ってき", K::hedge},
    {"回ってる", K::hedge},
    {"出回って", K::hedge},
    {"流れてき", K::hedge},
    {"LINEで", K::hedge},
    {"回覧", K::hedge},
    {"知り合い", K::hedge},
    {"友達", K::hedge},
    {"友人", K::hedge},
    {"近所の人", K::hedge},
    {"近所で", K::hedge},
    {"業者の人", K::hedge},
    {"消防の人", K::hedge},
    {"消防士", K::hedge},
    {"医者の", K::hedge},
    {"飼育員", K::hedge},
    {"関係者", K::hedge},
    {"内部情報", K::hedge},
    {"町内会の人", K::hedge},
    {"電力会社の人", K::hedge},
    {"税務署の人", K::hedge},
    {"聞いた話", K::hedge},
    {"公式発表はまだ", K::hedge},
    {"公式発表はない", K::hedge},
    {"まだ公式", K::hedge},
    {"発表はまだ", K::hedge},
    {"隠して", K::correction_cancel},
    {"隠蔽", K::correction_cancel},
    {"過小", K::hedge},
    {"ごまかし", K::hedge},
    {"知らんけど", K::hedge},
    {"拡散されて", K::hedge},
    {"放送してた", K::hedge},
    {"ニュースでやってた", K::hedge},
    {"書いてあった", K::hedge},
    {"連絡きた", K::hedge},
    {"連絡が来", K::hedge},
    {"連絡があ", K::hedge},
    {"電話があ", K::hedge},
    {"電話きて", K::hedge},
    {"電話来て", K::hedge},
    {"チラシ入ってた", K::hedge},
    {"本当らしい", K::hedge},
    {"ほんとらしい", K::hedge},
    {"写真回って", K::hedge},

    // Calls to spread.
    {"拡散希望", K::spread},
    {"拡散して", K::spread},
    {"拡散お願い", K::spread},
    {"拡散を", K::spread},
    {"#拡散", K::spread},
    {"【拡散", K::spread},
    {"拡散!", K::spread},
    {"拡散", K::spread},
    {"RT希望", K::spread},
    {"RTお願い", K::spread},
    {"RT", K::spread},
    {"リポスト", K::spread},
    {"シェアして", K::spread},
    {"シェアお願い", K::spread},
    {"広めて", K::spread},
    {"回して", K::spread},
    {"みんなに教えて", K::spread},
    {"周りにも", K::spread},
    {"皆さんもそうして", K::spread},

    // Claims that something changed.
    {"変更", K::change},
    {"変わった", K::change},
    {"変わる", K::change},
    {"変わりました", K::change},
    {"変わって", K::change},
    {"になった", K::change},
    {"になってた", K::change},
    {"になりました", K::change},
    {"に延期", K::change},
    {"延長", K::change},
    {"早まった", K::change},
    {"短縮", K::change},
    {"移動した", K::change},
    {"移った", K::change},
    {"移転", K::change},
    {"じゃなくて", K::change},
    {"ではなく", K::change},
    {"取り消し", K::change},
    {"増額", K::change},
    {"値上げ", K::change},
    {"引き上げ", K::change},
    {"繰り上げ", K::change},
    {"前倒し", K::change},
    {"追加販売", K::change},
    {"今年から", K::change},
    {"今回から", K::change},
    {"今月から", K::change},
    {"やっぱり", K::change},
    {"なくなった", K::change},
    {"延期", K::change},
    {"になって", K::change},

    // Urgent imperatives typical of rumours.
    {"逃げて", K::urgent},
    {"逃げても", K::hypothetical},
    {"外出しないで", K::urgent},
    {"外出ないで", K::urgent},
    {"外に出ないで", K::urgent},
    {"飲まないで", K::urgent},
    {"飲まない方", K::urgent},
    {"近づかないで", K::urgent},
    {"急いで", K::urgent},
    {"今すぐ", K::urgent},
    {"至急", K::urgent},
    {"水買っといて", K::urgent},
    {"水ためといて", K::urgent},

    // A link, account or number presented as the city's.
    {"公式サイト", K::presented_as_official},
    {"公式ページ", K::presented_as_official},
    {"公式の", K::presented_as_official},
    {"市の公式", K::presented_as_official},
    {"市公式", K::presented_as_official},
    {"公式速報", K::presented_as_official},
    {"市の委託", K::presented_as_official},
    {"委託業者", K::presented_as_official},
    {"市公認", K::presented_as_official},
    {"正式な", K::presented_as_official},
    {"市の指示", K::presented_as_official},
    {"はこちら", K::presented_as_official},
    {"こちらへ", K::presented_as_official},
    {"こちらから", K::presented_as_official},
    {"こちらの口座", K::presented_as_official},
    {"ここから", K::presented_as_official},
    {"→", K::presented_as_official},
    {"市が言ってた", K::presented_as_official},
    {"職員さんから", K::presented_as_official},
    {"市の職員", K::presented_as_official},
    {"市の公式です", K::presented_as_official},
    {"窓口", K::presented_as_official},
    {"受付", K::presented_as_official},
    {"受け付け", K::presented_as_official},
    {"申し込", K::presented_as_official},
    {"申込", K::presented_as_official},
    {"予約は", K::presented_as_official},
    {"問い合わせ", K::presented_as_official},
    {"専用", K::presented_as_official},
    {"ダイヤル", K::presented_as_official},
    {"コールセンター", K::presented_as_official},
    {"アカウント", K::presented_as_official},
    {"友だち追加", K::presented_as_official},
    {"友達追加", K::presented_as_official},
    {"公式", K::presented_as_official},

    // Corrections: naming the rumour false, or citing the official source against it.
    {"デマ", K::correction},
    {"ガセ", K::correction},
    {"嘘", K::correction},
    {"うそ", K::correction},
    {"誤情報", K::correction},
    {"誤り", K::correction},
    {"フェイク", K::correction},
    {"偽物", K::correction},
    {"偽サイト", K::correction},
    {"偽の", K::correction},
    {"ニセ", K::correction},
    {"詐欺", K::correction},
    {"根拠のない", K::correction},
    {"根拠ない", K::correction},
    {"根拠がない", K::correction},
    {"事実ではない", K::correction},
    {"事実じゃない", K::correction},
    {"事実無根", K::correction},
    {"間違い", K::correction},
    {"騙されないで", K::correction},
    {"だまされないで", K::correction},
    {"信じないで", K::correction},
    {"惑わされ", K::correction},
    {"拡散しないで", K::correction},
    {"拡散やめ", K::correction},
    {"拡散は控え", K::correction},
    {"デマ拡散", K::correction},
    {"広めないで", K::correction},
    {"流さないで", K::correction},
    {"踏まないで", K::correction},
    {"否定", K::correction},
    {"話はありません", K::correction},
    {"って書いてる人", K::citation},
    {"って言ってる人", K::citation},
    {"書いてる人いるけど", K::citation},
    {"書いてある", K::citation},
    {"書いてあります", K::citation},
    {"書いてますよ", K::citation},
    {"載ってる", K::citation},
    {"載ってます", K::citation},
    {"のままです", K::citation},
    {"のままだよ", K::citation},
    {"確認しました", K::citation},
    {"確認したけど", K::citation},
    {"確認したら", K::citation},
    {"電話して確認", K::citation},
    {"聞いたら", K::citation},
    {"公式は", K::citation},
    {"公式では", K::citation},
    {"公式も", K::citation},
    {"公式が", K::citation},
    {"ページ見たら", K::citation},
    {"市のHP", K::citation},
    {"市の発表", K::citation},
    {"市のホームページ", K::citation},
    {"市が点検", K::citation},
    {"防災メール", K::citation},
    {"選管も", K::citation},
    {"警察も", K::citation},
    {"気象庁も", K::citation},
    {"厚労省も", K::citation},
    {"関係ない", K::correction},
    {"関係のない", K::correction},
    {"関係ありません", K::correction},
    {"市のじゃない", K::correction},
    {"市のサイトじゃない", K::correction},
    {"市のページじゃない", K::correction},
    {"じゃないです", K::correction},
    {"じゃないよ", K::correction},
    {"じゃないってば", K::correction},
    {"ではありません", K::correction},
    {"違います", K::correction},
    {"違うよ", K::correction},
    {"別の県", K::correction},
    {"別の市", K::correction},
    {"去年の", K::correction},
    {"出回ってるけど", K::citation},
    {"流れてるけど", K::citation},
    {"話あるけど", K::citation},
    {"噂あるけど", K::citation},
    {"落ち着こう", K::correction},
    {"実行委員です", K::citation},
    {"出店予定者です", K::citation},
    {"住みだけど", K::citation},
    {"今いますけど", K::citation},
    {"ないってば", K::correction},
    {"異常なし", K::citation},
    {"普通に", K::citation},

    {"実際", K::correction_cancel},
    {"本当は", K::correction_cancel},
    {"ほんとは", K::correction_cancel},
    {"実は", K::correction_cancel},
    {"隠し", K::correction_cancel},

    {"教えてください", K::info_request},
    {"教えて下さい", K::info_request},
    {"知りたい", K::info_request},
    {"気になる", K::info_request},
    {"本当ですか", K::info_request},
    {"ほんとですか", K::info_request},
    {"本当なの", K::info_request},
    {"ほんとなの", K::info_request},
    {"どこ情報", K::info_request},
    {"ってことでいいのかな", K::info_request},
};

struct MarkerLexicon {
  PhraseSet set;
  MarkerLexicon() {
    for (std::uint32_t i = 0; i < std::size(kWords); ++i) set.add(kWords[i].phrase, i);
  }
};

const MarkerLexicon& lexicon() {
  static const MarkerLexicon l;
  return l;
}

bool on_token_boundaries(const AnalyzedText& t, std::size_t begin, std::size_t end) {
  bool starts = false, ends = false;
  for (const auto& tok : t.tokens) {
    starts = starts || tok.begin == begin;
    ends = ends || tok.end == end;
  }
  return starts && ends;
}

bool ascii_word(const char* phrase) {
  return (phrase[0] >= 'A' && phrase[0] <= 'Z') || (phrase[0] >= 'a' && phrase[0] <= 'z');
}

}  // namespace

bool Markers::any(MarkerKind kind) const {
  return first(kind) != nullptr;
}

const MarkerHit* Markers::first(MarkerKind kind) const {
  for (const auto& h : hits) {
    if (h.kind == kind) return &h;
  }
  return nullptr;
}

Markers find_markers(const AnalyzedText& text) {
  Markers out;
  const auto& f = text.folded;
  for (const auto& m : lexicon().set.find_all(f)) {
    const Word& w = kWords[m.tag];
    // "RT" / "LINE" must stand alone, not inside "start" or "airline".
    if (ascii_word(w.phrase) && ((m.begin > 0 && is_ascii_alpha(f[m.begin - 1])) ||
                                 (m.end < f.size() && is_ascii_alpha(f[m.end])))) {
      continue;
    }
    // A short correction word must be whole morphemes: デマ, not "申請でマイナンバー".
    if (w.kind == K::correction && m.end - m.begin <= 3 &&
        !on_token_boundaries(text, m.begin, m.end)) {
      continue;
    }
    // Hearsay "って…" right after a kanji verb stem is a request: 言ってよ, 待ってて.
    if (w.kind == K::hedge && f.compare(m.begin, 2, U"って") == 0 && m.begin > 0 &&
        is_kanji(f[m.begin - 1])) {
      continue;
    }
    out.hits.push_back(MarkerHit{w.kind, m.begin, m.end});
  }
  // From the analysis: the auxiliary らしい (not 素晴らしい), hearsay そうだ after a plain form
  // (中止になるそうです, not 降りそう), and the lemmas that call a claim false (間違ってる,
  // まちがい, 無関係, デマ) whatever their spelling or conjugation.
  const auto& tokens = text.tokens;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& m = tokens[i].m;
    if (m.pos == "助動詞" && m.base == "らしい") {
      out.hits.push_back(MarkerHit{K::hedge, tokens[i].begin, tokens[i].end});
    } else if (m.base == "そう" && m.pos2 == "助動詞語幹" && m.pos1 == "特殊" && i > 0 &&
               (tokens[i - 1].m.conj_form == "基本形" || tokens[i - 1].m.base == "た")) {
      out.hits.push_back(MarkerHit{K::hedge, tokens[i].begin, tokens[i].end});
    } else if (m.base == "間違う" || m.base == "間違い" || m.base == "まちがい" ||
               m.base == "まちがう" || m.base == "無関係" || m.base == "誤報" ||
               m.base == "勘違い" || m.base == "でたらめ" || m.base == "デタラメ") {
      out.hits.push_back(MarkerHit{K::correction, tokens[i].begin, tokens[i].end});
    } else if ((m.base == "言う" || m.base == "書く" || m.base == "発表") &&
               negated_after(text, tokens[i].end,
                             std::min(text.folded.size(), tokens[i].end + 8))) {
      // "市は言ってない", "どこにも書いてない": the official word does not say it (a citation:
      // it does not count when the reply itself contradicts the post).
      out.hits.push_back(MarkerHit{K::citation, tokens[i].begin, tokens[i].end});
    }
  }
  // A quotation closing a sentence ("…中止になったって!", "…やるって。") reports hearsay; after a
  // kanji verb stem it is a request instead ("言って", "待って").
  for (const auto& s : text.sentences) {
    std::size_t e = s.end;
    while (e > s.begin && (f[e - 1] == U' ' || f[e - 1] == U'〜' || f[e - 1] == U'ー')) --e;
    if (e >= s.begin + 3 && f[e - 2] == U'っ' && f[e - 1] == U'て' && !s.interrogative &&
        !is_kanji(f[e - 3])) {
      out.hits.push_back(MarkerHit{MarkerKind::hedge, e - 2, e});
    }
  }
  return out;
}

std::string span_text(const AnalyzedText& text, std::size_t begin, std::size_t end) {
  end = std::min(end, text.nfkc.size());
  if (begin >= end) return {};
  return text::to_utf8(std::u32string_view(text.nfkc).substr(begin, end - begin));
}

}  // namespace mamori::detectors::misinfo
