#include "detectors/misinfo/slots.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

#include "detectors/misinfo/phrase_set.h"
#include "detectors/text/normalize.h"
#include "model/time_text.h"

namespace mamori::detectors::misinfo {
namespace {

using D = StateDimension;

struct StateWord {
  const char* phrase;
  D dimension;
  std::uint8_t value;
  bool blocker;  // a longer word that must not be read as a state (安全確認, 口座振替 …)
};

// Natural spelling; folded when the PhraseSet is built. Longest match wins at each position.
constexpr StateWord kStateWords[] = {
    {"開催", D::event, 0, false},
    {"予定通り", D::event, 0, false},
    {"予定どおり", D::event, 0, false},
    {"決行", D::event, 0, false},
    {"実施", D::event, 0, false},
    {"通常通り", D::event, 0, false},
    {"通常どおり", D::event, 0, false},
    {"やります", D::event, 0, false},
    {"やる", D::event, 0, false},
    {"やって", D::event, 0, false},
    {"行います", D::event, 0, false},
    {"行っています", D::event, 0, false},
    {"行っております", D::event, 0, false},
    {"再開", D::event, 0, false},
    {"中止", D::event, 1, false},
    {"取りやめ", D::event, 1, false},
    {"取り止め", D::event, 1, false},
    {"見送り", D::event, 1, false},
    {"見合わせ", D::event, 1, false},
    {"休止", D::event, 1, false},
    {"運休", D::event, 1, false},
    {"打ち切り", D::event, 1, false},
    {"やらない", D::event, 1, false},
    {"なくなった", D::event, 1, false},
    {"延期", D::event, 2, false},
    {"順延", D::event, 2, false},
    {"終わった", D::event, 3, false},
    {"終わり", D::event, 3, false},
    {"終了", D::event, 3, false},
    {"締め切った", D::event, 3, false},

    {"開設", D::facility, 0, false},
    {"開いて", D::facility, 0, false},
    {"開いてる", D::facility, 0, false},
    {"受け入れ", D::facility, 0, false},
    {"受付して", D::facility, 0, false},
    {"開館", D::facility, 0, false},
    {"開園", D::facility, 0, false},
    {"開けて", D::facility, 0, false},
    {"閉鎖", D::facility, 1, false},
    {"閉めた", D::facility, 1, false},
    {"閉め", D::facility, 1, false},
    {"閉館", D::facility, 1, false},
    {"休館", D::facility, 1, false},
    {"休み", D::facility, 1, false},
    {"休業", D::facility, 1, false},
    {"営業", D::facility, 0, false},
    {"休園", D::facility, 1, false},
    {"休校", D::facility, 1, false},
    {"満員", D::facility, 1, false},
    {"満杯", D::facility, 1, false},
    {"閉まっ", D::facility, 1, false},
    {"閉まる", D::facility, 1, false},

    {"断水", D::supply, 0, false},
    {"停電", D::supply, 0, false},
    {"水が出ない", D::supply, 0, false},
    {"出ない", D::supply, 0, false},
    {"出ません", D::supply, 0, false},
    {"止まる", D::supply, 0, false},
    {"止まっ", D::supply, 0, false},
    {"止まり", D::supply, 0, false},
    {"復旧", D::supply, 1, false},
    {"通水", D::supply, 1, false},
    {"使えます", D::supply, 1, false},
    {"使える", D::supply, 1, false},
    {"出てる", D::supply, 1, false},
    {"出てます", D::supply, 1, false},
    {"出ました", D::supply, 1, false},
    {"水が出た", D::supply, 1, false},

    {"発令", D::evacuation, 0, false},
    {"避難指示が出", D::evacuation, 0, false},
    {"避難指示出", D::evacuation, 0, false},
    {"避難指示も出", D::evacuation, 0, false},
    {"緊急安全確保", D::evacuation, 0, false},
    {"解除", D::evacuation, 1, false},

    {"通行止め", D::road, 0, false},
    {"通れない", D::road, 0, false},
    {"通行できない", D::road, 0, false},
    {"通れる", D::road, 1, false},
    {"開通", D::road, 1, false},
    {"通行可", D::road, 1, false},

    {"安全に飲め", D::drinking, 0, false},
    {"飲めます", D::drinking, 0, false},
    {"飲める", D::drinking, 0, false},
    {"基準値内", D::drinking, 0, false},
    {"問題ない", D::drinking, 0, false},
    {"問題ありません", D::drinking, 0, false},
    {"飲めない", D::drinking, 1, false},
    {"飲まない", D::drinking, 1, false},
    {"飲むな", D::drinking, 1, false},
    {"危険", D::drinking, 1, false},
    {"危ない", D::drinking, 1, false},
    {"毒", D::drinking, 1, false},
    {"ヒ素", D::drinking, 1, false},
    {"有害", D::drinking, 1, false},
    {"汚染", D::drinking, 1, false},
    {"放射能", D::drinking, 1, false},
    {"鉛", D::drinking, 1, false},
    {"薬品", D::drinking, 1, false},
    {"やめとけ", D::drinking, 1, false},
    {"煮沸", D::drinking, 1, false},
    {"そのまま飲め", D::drinking, 0, false},

    {"無料", D::fee, 0, false},
    {"タダ", D::fee, 0, false},
    {"無償", D::fee, 0, false},
    {"自己負担なし", D::fee, 0, false},
    {"負担なし", D::fee, 0, false},
    {"有料", D::fee, 1, false},
    {"自己負担", D::fee, 1, false},
    {"手数料", D::fee, 1, false},
    {"費用", D::fee, 1, false},
    {"料金", D::fee, 1, false},

    {"予約が必要", D::booking, 0, false},
    {"予約必要", D::booking, 0, false},
    {"要予約", D::booking, 0, false},
    {"予約制", D::booking, 0, false},
    {"申込制", D::booking, 0, false},
    {"事前申込", D::booking, 0, false},
    {"予約なし", D::booking, 1, false},
    {"予約不要", D::booking, 1, false},
    {"予約いらない", D::booking, 1, false},
    {"申込なし", D::booking, 1, false},
    {"申し込みなし", D::booking, 1, false},
    {"申込不要", D::booking, 1, false},
    {"予約しなくて", D::booking, 1, false},
    {"申し込まなく", D::booking, 1, false},
    {"申込しなく", D::booking, 1, false},
    {"申し込みしなく", D::booking, 1, false},

    {"返金", D::refund, 0, false},

    {"決壊", D::structure, 0, false},
    {"ひび", D::structure, 0, false},
    {"亀裂", D::structure, 0, false},
    {"放流", D::structure, 0, false},
    {"異常", D::structure, 0, false},
    {"崩れ", D::structure, 0, false},
    {"崩落", D::structure, 0, false},
    {"壊れ", D::structure, 0, false},

    {"逃げ", D::animal, 0, false},
    {"出没", D::animal, 0, false},
    {"目撃", D::animal, 0, false},
    {"逃走", D::animal, 0, false},
    {"脱走", D::animal, 0, false},
    {"捕獲", D::animal, 1, false},
    {"駆除", D::animal, 1, false},

    {"ATM", D::solicitation, 0, false},
    {"振込", D::solicitation, 0, false},
    {"振り込", D::solicitation, 0, false},
    {"個人名義", D::solicitation, 0, false},
    {"個人口座", D::solicitation, 0, false},
    {"訪問", D::solicitation, 0, false},
    {"家に来", D::solicitation, 0, false},
    {"集金", D::solicitation, 0, false},
    {"現金を集め", D::solicitation, 0, false},
    {"集めて", D::solicitation, 0, false},
    {"集めに", D::solicitation, 0, false},
    {"家をまわ", D::solicitation, 0, false},
    {"家まわ", D::solicitation, 0, false},
    {"家を回", D::solicitation, 0, false},
    {"家に回", D::solicitation, 0, false},
    {"戸別訪問", D::solicitation, 0, false},
    {"こちらの口座", D::solicitation, 0, false},
    {"口座番号", D::solicitation, 0, false},
    {"口座に振", D::solicitation, 0, false},
    {"口座へ", D::solicitation, 0, false},

    {"できます", D::possibility, 0, false},
    {"できる", D::possibility, 0, false},
    {"可能です", D::possibility, 0, false},
    {"出せます", D::possibility, 0, false},
    {"出せる", D::possibility, 0, false},
    {"受けられ", D::possibility, 0, false},
    {"できない", D::possibility, 1, false},
    {"できません", D::possibility, 1, false},
    {"できなく", D::possibility, 1, false},
    {"不可", D::possibility, 1, false},
    {"禁止", D::possibility, 1, false},
    {"入れない", D::possibility, 1, false},
    {"入れません", D::possibility, 1, false},
    {"出せない", D::possibility, 1, false},
    {"出せなく", D::possibility, 1, false},
    {"受けられない", D::possibility, 1, false},

    {"安全確認", D::event, 0, true},
    {"口座振替", D::event, 0, true},
    {"やる気", D::event, 0, true},
    {"鉛筆", D::event, 0, true},
    {"異常気象", D::event, 0, true},
    {"逃げ場", D::event, 0, true},
    {"外出", D::event, 0, true},
    {"出ないで", D::event, 0, true},
    {"やっぱり", D::event, 0, true},
    {"開票", D::event, 0, true},
    {"夏休み", D::event, 0, true},
    {"冬休み", D::event, 0, true},
    {"春休み", D::event, 0, true},
    {"昼休み", D::event, 0, true},
    {"休み明け", D::event, 0, true},
};

// Words after a state (same clause) that retract it: 開催は取り消し, 事実無根. Grammatical denial
// (ない, ません) comes from the morphological analysis (analyzed_text.h, negated_after).
constexpr const char* kNegations[] = {"取り消", "撤回", "事実無根", "事実では", "事実じゃ"};

// Words right after a slot value that set it aside: 市民体育館じゃなくて, 4丁目は対象外.
constexpr const char* kSlotNegations[] = {"じゃな", "ではな", "対象外", "以外", "じゃありません"};

constexpr std::array<std::string_view, 13> kDimensionLabels = {
    "開催状況",   "施設の開設", "水道・電気の供給",
    "避難指示",   "通行",       "水の安全性",
    "費用",       "予約",       "返金",
    "施設の異常", "動物の逃走", "市からの依頼",
    "可否",
};

struct ValueLabels {
  D dimension;
  std::array<std::string_view, 4> labels;
};

constexpr ValueLabels kValueLabels[] = {
    {D::event, {"開催", "中止", "延期", "終了"}},
    {D::facility, {"開設・受け入れ中", "閉鎖・休止", "", ""}},
    {D::supply, {"断水・停電", "復旧", "", ""}},
    {D::evacuation, {"発令", "解除", "", ""}},
    {D::road, {"通行止め", "通行可能", "", ""}},
    {D::drinking, {"安全に飲める", "危険・有害", "", ""}},
    {D::fee, {"無料", "有料", "", ""}},
    {D::booking, {"予約が必要", "予約不要", "", ""}},
    {D::refund, {"返金あり", "", "", ""}},
    {D::structure, {"異常・決壊あり", "", "", ""}},
    {D::animal, {"動物の逃走・出没あり", "捕獲・駆除済み", "", ""}},
    {D::solicitation, {"振込・ATM操作・訪問集金の依頼あり", "", "", ""}},
    {D::possibility, {"できる", "できない", "", ""}},
};

// Venue suffixes (natural spelling, matched on NFKC text so katakana stays katakana).
constexpr std::u32string_view kVenueSuffixes[] = {
    U"小学校", U"中学校", U"高等学校", U"高校",     U"学校",   U"公民館", U"体育館",
    U"会館",   U"ホール", U"センター", U"コミセン", U"公園",   U"広場",   U"役所",
    U"庁舎",   U"支所",   U"出張所",   U"病院",     U"図書館", U"集会所", U"会議室",
    U"動物園", U"駐車場", U"浄水場",   U"変電所",   U"橋",     U"駅",
};

// Prefixes that make "X地区" a pronoun rather than a name: 対象地区, 一部地域 …
constexpr std::u32string_view kAreaNonNames[] = {U"対象", U"一部", U"他",   U"各",   U"同",
                                                 U"当該", U"周辺", U"近隣", U"被災", U"全"};

constexpr std::u32string_view kDirections = U"東西南北中";

struct Lexicons {
  PhraseSet states;
  PhraseSet negations;
  PhraseSet slot_negations;
  PhraseSet units;
  std::vector<std::u32string> unit_names;
  PhraseSet relative_days;
  std::vector<int> relative_offsets;
  PhraseSet weekdays;

  Lexicons() {
    for (std::uint32_t i = 0; i < std::size(kStateWords); ++i) states.add(kStateWords[i].phrase, i);
    for (const char* n : kNegations) negations.add(n, 0);
    for (const char* n : kSlotNegations) slot_negations.add(n, 0);
    // Units that may follow a number. 時/月/日/分 are parsed as times and dates instead.
    constexpr const char* kUnits[] = {
        "円", "リットル", "l",    "ℓ",    "台",   "人",   "歳",   "才",   "丁目", "期",
        "回", "階",       "戸",   "点",   "件",   "世帯", "割",   "%",    "倍",   "号",
        "年", "か月",     "カ月", "ヶ月", "週間", "日間", "時間", "分間", "秒",   "箇所",
        "本", "枚",       "個",   "頭",   "匹",   "km",   "cm",   "mm",   "m",    "度",
        "°c", "名",       "食",   "本目", "校",   "軒",   "か所",
    };
    for (const char* u : kUnits) {
      units.add(u, static_cast<std::uint32_t>(unit_names.size()));
      // ℃ (NFKC "°c") is compared as 度.
      unit_names.push_back(fold_phrase(std::string_view(u) == "°c" ? "度" : u));
    }
    struct Rel {
      const char* word;
      int offset;
    };
    constexpr Rel kRel[] = {{"今日", 0},  {"本日", 0},    {"きょう", 0}, {"今夜", 0},
                            {"今晩", 0},  {"今朝", 0},    {"明日", 1},   {"あした", 1},
                            {"あす", 1},  {"翌日", 1},    {"明後日", 2}, {"あさって", 2},
                            {"昨日", -1}, {"きのう", -1}, {"昨夜", -1}};
    for (const Rel& r : kRel) {
      relative_days.add(r.word, static_cast<std::uint32_t>(relative_offsets.size()));
      relative_offsets.push_back(r.offset);
    }
    constexpr const char* kWeekdays[] = {"日曜", "月曜", "火曜", "水曜", "木曜", "金曜", "土曜"};
    for (std::uint32_t i = 0; i < 7; ++i) weekdays.add(kWeekdays[i], i);
  }
};

const Lexicons& lexicons() {
  static const Lexicons l;
  return l;
}

bool is_clause_end(char32_t c) {
  return c == U'。' || c == U'、' || c == U',' || c == U'!' || c == U'?' || c == U'\n';
}

bool is_name_char(char32_t c) {
  return is_kanji(c) || is_katakana(c) || is_ascii_digit(c);
}

// Reads an unsigned integer at i (ASCII digits, optional thousands commas). Returns digits read.
std::size_t read_int(std::u32string_view s, std::size_t i, long long& out) {
  std::size_t j = i;
  long long v = 0;
  std::size_t digits = 0;
  while (j < s.size()) {
    if (is_ascii_digit(s[j])) {
      if (digits < 15) v = v * 10 + (s[j] - U'0');
      ++digits;
      ++j;
    } else if (s[j] == U',' && digits > 0 && j + 3 < s.size() && is_ascii_digit(s[j + 1]) &&
               is_ascii_digit(s[j + 2]) && is_ascii_digit(s[j + 3]) &&
               (j + 4 >= s.size() || !is_ascii_digit(s[j + 4]))) {
      ++j;  // a thousands separator: exactly three digits follow
    } else {
      break;
    }
  }
  out = v;
  return j - i;
}

bool slot_negated(const AnalyzedText& t, std::size_t end) {
  const auto& l = lexicons();
  const std::size_t limit = std::min(t.folded.size(), end + 10);
  for (std::size_t i = end; i < limit; ++i) {
    if (is_clause_end(t.folded[i])) return false;
    PhraseMatch m;
    if (l.slot_negations.match_at(t.folded, i, m)) return true;
  }
  return false;
}

std::u32string canonical_place(std::u32string_view name) {
  std::u32string s(name);
  const std::pair<std::u32string_view, std::u32string_view> kReplace[] = {
      {U"小学校", U"小"},
      {U"中学校", U"中"},
      {U"高等学校", U"高校"},
      {U"コミュニティセンター", U"コミセン"},
      {U"コミュニティーセンター", U"コミセン"},
      {U"地区", U""},
      {U"地域", U""},
  };
  for (const auto& [from, to] : kReplace) {
    for (std::size_t p = s.find(from); p != std::u32string::npos; p = s.find(from, p + to.size())) {
      s.replace(p, from.size(), to);
    }
  }
  return s;
}

bool ends_with(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void extract_places(const AnalyzedText& t, Slots& out) {
  const auto& s = t.nfkc;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!is_name_char(s[i]) || is_ascii_digit(s[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && is_name_char(s[end])) ++end;
    const std::u32string_view run(s.data() + i, end - i);
    // Venues: every suffix occurrence inside the run yields a candidate ending there.
    std::size_t last_end = 0;
    for (std::size_t k = 1; k <= run.size(); ++k) {
      const auto head = run.substr(0, k);
      bool venue = false;
      // Every venue suffix ends in one of these: skip the suffix scan for other characters.
      constexpr std::u32string_view kLastChars = U"校館ルーン園場所舎院室橋駅";
      const bool may_end_venue = kLastChars.find(head.back()) != std::u32string_view::npos;
      for (auto suffix : kVenueSuffixes) {
        if (!may_end_venue) break;
        if (ends_with(head, suffix) && head.size() > suffix.size()) {
          venue = true;
          break;
        }
      }
      // Abbreviated schools: 第一小, 西小, 北小, 第二中.
      if (!venue && k >= 2 && k == run.size()) {
        const char32_t last = head.back();
        const char32_t before = head[k - 2];
        if (last == U'小' && (kDirections.find(before) != std::u32string_view::npos ||
                              std::u32string_view(U"一二三四五六七八九十").find(before) !=
                                  std::u32string_view::npos)) {
          venue = true;
        } else if (last == U'中' && k >= 3 && head[k - 3] == U'第') {
          venue = true;
        }
      }
      if (venue && k > last_end) {
        Slot<PlaceValue> slot;
        slot.value.key = canonical_place(head);
        slot.begin = i;
        slot.end = i + k;
        slot.negated = slot_negated(t, slot.end);
        out.venues.push_back(std::move(slot));
        last_end = k;
      }
    }
    // Areas: X町, X地区, X地域, 東部/北部…, and the whole city (全域, 全地区, 市内全域, 市全体).
    for (std::size_t k = 1; k <= run.size(); ++k) {
      const auto head = run.substr(0, k);
      PlaceValue area;
      bool found = false;
      if (ends_with(head, U"全域") || ends_with(head, U"全地区") || ends_with(head, U"全体") ||
          (ends_with(head, U"全部") && head.size() > 2)) {
        area.whole_city = true;
        area.key = U"全域";
        found = true;
      } else if ((ends_with(head, U"町") && head.size() >= 2 &&
                  (k == run.size() || run[k] != U'内')) ||
                 ((ends_with(head, U"地区") || ends_with(head, U"地域")) && head.size() > 2)) {
        const auto name = canonical_place(head);
        bool pronoun = false;
        for (auto p : kAreaNonNames) pronoun = pronoun || name == p;
        if (!pronoun && !name.empty()) {
          area.key = name;
          found = true;
        }
      } else if (head.size() == 2 && head[1] == U'部' &&
                 kDirections.find(head[0]) != std::u32string_view::npos &&
                 (k == run.size() || run.substr(k, 2) == U"地区" || run.substr(k, 2) == U"地域")) {
        area.key = std::u32string(head);
        found = true;
      }
      if (found) {
        Slot<PlaceValue> slot;
        slot.value = std::move(area);
        slot.begin = i;
        slot.end = i + k;
        slot.negated = slot_negated(t, slot.end);
        out.areas.push_back(std::move(slot));
      }
    }
    i = end;
  }
}

bool preceded_by(std::u32string_view s, std::size_t pos, std::u32string_view word) {
  return pos >= word.size() && s.substr(pos - word.size(), word.size()) == word;
}

int weekday_char(char32_t c) {
  constexpr std::u32string_view kDays = U"日月火水木金土";
  const auto p = kDays.find(c);
  return p == std::u32string_view::npos ? -1 : static_cast<int>(p);
}

// "(日)", "(日・祝)", "(土曜)" right after a date; returns the end of the bracket or `pos`.
std::size_t read_weekday_bracket(std::u32string_view s, std::size_t pos, int& weekday) {
  if (pos >= s.size() || s[pos] != U'(') return pos;
  const std::size_t close = s.find(U')', pos);
  if (close == std::u32string_view::npos || close - pos > 6 || close == pos + 1) return pos;
  const int w = weekday_char(s[pos + 1]);
  if (w < 0) return pos;
  weekday = w;
  return close + 1;
}

bool is_phone_start(std::u32string_view s, std::size_t i) {
  return s[i] == U'0' && (i == 0 || !(is_ascii_digit(s[i - 1]) || s[i - 1] == U'-'));
}

// Japanese phone numbers: 0X-XXXX-XXXX style with '-' or '(' ')', or 10-11 plain digits.
std::size_t read_phone(std::u32string_view s, std::size_t i, std::string& digits) {
  digits.clear();
  std::size_t j = i;
  int groups = 0;
  int group_len = 0;
  while (j < s.size()) {
    if (is_ascii_digit(s[j])) {
      digits.push_back(static_cast<char>(s[j]));
      ++group_len;
    } else if ((s[j] == U'-' || s[j] == U'(' || s[j] == U')' || s[j] == U'ー' || s[j] == U'−') &&
               group_len > 0 && j + 1 < s.size() && is_ascii_digit(s[j + 1])) {
      ++groups;
      group_len = 0;
    } else {
      break;
    }
    ++j;
  }
  const bool separated = groups >= 2 && digits.size() >= 9 && digits.size() <= 11;
  const bool plain = groups == 0 && (digits.size() == 10 || digits.size() == 11);
  if (!separated && !plain) return 0;
  return j - i;
}

void extract_numbers_dates_times(const AnalyzedText& t, model::TimePoint written_at, Slots& out) {
  const auto& l = lexicons();
  const std::u32string_view s = t.nfkc;
  const std::u32string_view f = t.folded;
  const DateValue today = japan_date(written_at);
  std::size_t i = 0;
  while (i < s.size()) {
    // Relative days and weekdays (words, not numbers).
    PhraseMatch m;
    if (!is_ascii_digit(s[i])) {
      if (l.relative_days.match_at(f, i, m)) {
        const int offset = l.relative_offsets[m.tag];
        const auto day = std::chrono::sys_days(std::chrono::year_month_day(
                             std::chrono::year(today.year),
                             std::chrono::month(static_cast<unsigned>(today.month)),
                             std::chrono::day(static_cast<unsigned>(today.day)))) +
                         std::chrono::days(offset);
        const std::chrono::year_month_day ymd(day);
        Slot<DateValue> slot;
        slot.value.year = static_cast<int>(ymd.year());
        slot.value.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
        slot.value.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
        slot.value.weekday = static_cast<int>(std::chrono::weekday(day).c_encoding());
        slot.value.relative = true;
        slot.begin = m.begin;
        slot.end = m.end;
        slot.negated = slot_negated(t, m.end);
        out.dates.push_back(slot);
        i = m.end;
        continue;
      }
      if (l.weekdays.match_at(f, i, m)) {
        Slot<DateValue> slot;
        slot.value.weekday = static_cast<int>(m.tag);
        slot.begin = m.begin;
        slot.end = m.end;
        if (m.end < f.size() && f[m.end] == U'日') ++slot.end;
        slot.negated = slot_negated(t, slot.end);
        out.dates.push_back(slot);
        i = slot.end;
        continue;
      }
      ++i;
      continue;
    }
    if (i > 0 && (is_ascii_digit(s[i - 1]) || is_ascii_alpha(s[i - 1]))) {
      ++i;
      continue;
    }
    // Phone numbers first: their digit groups must not be read as quantities.
    if (is_phone_start(s, i)) {
      std::string digits;
      if (const std::size_t n = read_phone(s, i, digits); n > 0) {
        Slot<std::string> slot;
        slot.value = digits;
        slot.begin = i;
        slot.end = i + n;
        slot.negated = slot_negated(t, slot.end);
        out.phones.push_back(std::move(slot));
        i += n;
        continue;
      }
    }
    long long v = 0;
    const std::size_t n = read_int(s, i, v);
    std::size_t j = i + n;
    // H:MM
    if (j + 2 < s.size() && s[j] == U':' && is_ascii_digit(s[j + 1]) && is_ascii_digit(s[j + 2]) &&
        (j + 3 >= s.size() || !is_ascii_digit(s[j + 3])) && v <= 29 && n <= 2) {
      Slot<TimeValue> slot;
      slot.value.hour = static_cast<int>(v);
      slot.value.minute = (s[j + 1] - U'0') * 10 + (s[j + 2] - U'0');
      slot.value.minute_given = true;
      slot.begin = i;
      slot.end = j + 3;
      slot.negated = slot_negated(t, slot.end);
      out.times.push_back(slot);
      i = slot.end;
      continue;
    }
    // m/d
    if (j < s.size() && s[j] == U'/' && n <= 2 && v >= 1 && v <= 12 && j + 1 < s.size() &&
        is_ascii_digit(s[j + 1])) {
      long long d = 0;
      const std::size_t dn = read_int(s, j + 1, d);
      const std::size_t after = j + 1 + dn;
      if (dn <= 2 && d >= 1 && d <= 31 &&
          (after >= s.size() || (s[after] != U'/' && !is_ascii_digit(s[after])))) {
        Slot<DateValue> slot;
        slot.value.month = static_cast<int>(v);
        slot.value.day = static_cast<int>(d);
        slot.begin = i;
        slot.end = read_weekday_bracket(s, after, slot.value.weekday);
        slot.negated = slot_negated(t, slot.end);
        out.dates.push_back(slot);
        i = slot.end;
        continue;
      }
    }
    // Prefix units: 震度5弱, 警戒レベル4.
    const std::pair<std::u32string_view, std::u32string_view> kPrefixUnits[] = {
        {U"震度", U"震度"}, {U"れべる", U"れべる"}};
    bool matched_prefix = false;
    for (const auto& [word, unit] : kPrefixUnits) {
      if (preceded_by(f, i, word)) {
        Slot<NumberValue> slot;
        slot.value.value = static_cast<double>(v);
        slot.value.unit = std::u32string(unit);
        slot.begin = i - word.size();
        slot.end = j;
        slot.negated = slot_negated(t, slot.end);
        out.numbers.push_back(std::move(slot));
        matched_prefix = true;
      }
    }
    if (matched_prefix) {
      i = j;
      continue;
    }
    if (j >= s.size()) break;
    const char32_t u = s[j];
    // Dates: [YYYY年|令和N年] M月[D日][(曜)] / D日 / M月末
    if (u == U'年' && (v >= 1900 || preceded_by(s, i, U"令和") || preceded_by(s, i, U"平成"))) {
      i = j + 1;  // a year: the following month/day carries the claim
      continue;
    }
    if (u == U'月' && v >= 1 && v <= 12 && n <= 2) {
      Slot<DateValue> slot;
      slot.value.month = static_cast<int>(v);
      slot.begin = i;
      std::size_t k = j + 1;
      if (k < s.size() && is_ascii_digit(s[k])) {
        long long d = 0;
        const std::size_t dn = read_int(s, k, d);
        if (dn <= 2 && k + dn < s.size() && s[k + dn] == U'日' && d >= 1 && d <= 31) {
          slot.value.day = static_cast<int>(d);
          k = k + dn + 1;
          k = read_weekday_bracket(s, k, slot.value.weekday);
        }
      }
      slot.end = k;
      slot.negated = slot_negated(t, slot.end);
      out.dates.push_back(slot);
      i = k;
      continue;
    }
    if (u == U'日' && v >= 1 && v <= 31 && n <= 2) {
      // Not a duration or count: 3日間, 2日前, 1日あたり, 5日目, 3日ぶり …
      constexpr std::u32string_view kNotDate[] = {
          U"間", U"前",   U"後",   U"以内", U"目",     U"ぶり",   U"おき", U"ごと",
          U"分", U"以上", U"連続", U"ほど", U"くらい", U"ぐらい", U"程度", U"あたり"};
      // "地震から2日", "あと3日": a duration.
      bool date = !preceded_by(s, i, U"から") && !preceded_by(s, i, U"あと");
      for (auto w : kNotDate) {
        if (s.substr(j + 1, w.size()) == w) date = false;
      }
      if (date) {
        Slot<DateValue> slot;
        slot.value.day = static_cast<int>(v);
        slot.begin = i;
        slot.end = read_weekday_bracket(s, j + 1, slot.value.weekday);
        slot.negated = slot_negated(t, slot.end);
        out.dates.push_back(slot);
        i = slot.end;
        continue;
      }
    }
    // Times: [午前|午後|朝|夜|夕方] H時[MM分|半], not 時間/時点/時代/時期.
    if (u == U'時' && v <= 29 && n <= 2 &&
        !(j + 1 < s.size() &&
          (s[j + 1] == U'間' || s[j + 1] == U'点' || s[j + 1] == U'代' || s[j + 1] == U'期'))) {
      Slot<TimeValue> slot;
      slot.value.hour = static_cast<int>(v);
      const bool pm = preceded_by(s, i, U"午後") || preceded_by(s, i, U"夜") ||
                      preceded_by(s, i, U"夕方") || preceded_by(s, i, U"夕");
      if (pm && slot.value.hour < 12) slot.value.hour += 12;
      slot.begin = i;
      std::size_t k = j + 1;
      if (k < s.size() && s[k] == U'半') {
        slot.value.minute = 30;
        slot.value.minute_given = true;
        ++k;
      } else if (k < s.size() && is_ascii_digit(s[k])) {
        long long mm = 0;
        const std::size_t mn = read_int(s, k, mm);
        if (mn <= 2 && k + mn < s.size() && s[k + mn] == U'分' && mm < 60) {
          slot.value.minute = static_cast<int>(mm);
          slot.value.minute_given = true;
          k += mn + 1;
        }
      }
      // "7時過ぎ", "10時頃", "9時前": approximate.
      const std::u32string_view rest = f.substr(k, 2);
      slot.value.approximate = rest.starts_with(U"過ぎ") || rest.starts_with(U"すぎ") ||
                               rest.starts_with(U"頃") || rest.starts_with(U"ごろ") ||
                               rest.starts_with(U"前");
      slot.end = k;
      slot.negated = slot_negated(t, slot.end);
      out.times.push_back(slot);
      i = k;
      continue;
    }
    // Quantities: N[万|千]unit, with a range "1〜3丁目" expanded for small integer ranges.
    double value = static_cast<double>(v);
    std::size_t k = j;
    if (k < s.size() && s[k] == U'万') {
      value *= 10000;
      ++k;
    } else if (k < s.size() && s[k] == U'千') {
      value *= 1000;
      ++k;
    }
    long long range_end = -1;
    if (k == j && k < s.size() && (s[k] == U'〜' || s[k] == U'~' || s[k] == U'-') &&
        k + 1 < s.size() && is_ascii_digit(s[k + 1])) {
      long long e = 0;
      const std::size_t en = read_int(s, k + 1, e);
      if (en <= 4 && e > v && e - v <= 20) {
        range_end = e;
        k = k + 1 + en;
      }
    }
    if (l.units.match_at(f, k, m)) {
      const auto& unit = l.unit_names[m.tag];
      for (long long x = v; x <= std::max(v, range_end); ++x) {
        Slot<NumberValue> slot;
        slot.value.value = x == v ? value : static_cast<double>(x);
        slot.value.unit = unit;
        slot.begin = i;
        slot.end = m.end;
        slot.negated = slot_negated(t, slot.end);
        out.numbers.push_back(std::move(slot));
      }
      i = m.end;
      continue;
    }
    i = std::max(j, i + 1);
  }
}

// A state under a condition earlier in its sentence (荒天の場合は, 雨なら, 来れば) or announced as
// a goal or prospect right after it (復旧を目指して, 復旧の見込み, 再開のめど), from the analysis.
bool tentative_state(const AnalyzedText& t, std::size_t begin, std::size_t end) {
  const std::size_t first = token_at(t, begin);
  for (std::size_t i = first; i-- > 0;) {
    const auto& m = t.tokens[i].m;
    if (m.pos == "記号" && (m.pos1 == "句点" || m.base == "!" || m.base == "?")) break;
    if (t.folded[t.tokens[i].begin] == U'\n') break;
    if ((m.pos == "名詞" && m.base == "場合") || (m.pos == "助詞" && m.base == "なら") ||
        (m.pos == "助詞" && m.pos1 == "接続助詞" && m.base == "ば") || m.conj_form == "仮定形") {
      return true;
    }
  }
  for (std::size_t i = token_at(t, end); i < t.tokens.size() && t.tokens[i].begin < end + 20; ++i) {
    const auto& m = t.tokens[i].m;
    if (m.pos == "記号" && m.pos1 != "括弧開" && m.pos1 != "括弧閉" && m.pos1 != "一般") break;
    if (m.base == "目指す" || m.base == "見込み" || m.base == "見通し" || m.base == "めど" ||
        m.base == "目処" || m.base == "見込む" || m.base == "予定" || m.base == "次第") {
      return true;
    }
  }
  return false;
}

void extract_states(const AnalyzedText& t, Slots& out) {
  const auto& l = lexicons();
  const auto& f = t.folded;
  const auto matches = l.states.find_all(f);
  for (std::size_t idx = 0; idx < matches.size(); ++idx) {
    const auto& m = matches[idx];
    const StateWord& w = kStateWords[m.tag];
    if (w.blocker) continue;
    // ASCII words must stand alone ("atm" not inside "batman").
    if (w.phrase[0] == 'A' && ((m.begin > 0 && is_ascii_alpha(f[m.begin - 1])) ||
                               (m.end < f.size() && is_ascii_alpha(f[m.end])))) {
      continue;
    }
    Slot<StateValue> slot;
    slot.value.dimension = w.dimension;
    slot.value.value = w.value;
    slot.begin = m.begin;
    slot.end = m.end;
    // A hypothetical ("逃げても", "中止なら", "開催されたら") states nothing. An absence followed
    // by "でも" is concessive and asserts it ("予約なしでも受けられる": no booking needed).
    if (m.end < f.size()) {
      const std::u32string_view rest = std::u32string_view(f).substr(m.end, 3);
      const std::u32string_view word = std::u32string_view(f).substr(m.begin, m.end - m.begin);
      const bool absence =
          word.ends_with(U"なし") || word.ends_with(U"不要") || word.ends_with(U"なく");
      if ((rest.starts_with(U"ても") && !absence) || (rest.starts_with(U"でも") && !absence) ||
          rest.starts_with(U"たら") || rest.starts_with(U"れば") || rest.starts_with(U"なら") ||
          rest.starts_with(U"ったら")) {
        continue;
      }
    }
    slot.tentative = tentative_state(t, m.begin, m.end);
    // "18時閉館", "20時で終了": a schedule, not a change of status.
    for (const auto& tm : out.times) {
      slot.scheduled = slot.scheduled || (tm.end <= m.begin && m.begin - tm.end <= 1);
    }
    // Negated when a denial follows in the same clause. The scan passes over later state words of
    // the same dimension ("訪問して現金を集めることはありません" denies both) and stops at others.
    std::size_t next_state = f.size();
    for (std::size_t k = idx + 1; k < matches.size(); ++k) {
      const StateWord& nw = kStateWords[matches[k].tag];
      if (!nw.blocker && nw.dimension != w.dimension) {
        next_state = matches[k].begin;
        break;
      }
    }
    // The analysis decides the grammatical denial (中止じゃない, 開催しません, 出ていない, not
    // 近づかないで); retractions are words (取り消し, 撤回, 事実無根).
    const std::size_t limit = std::min({f.size(), m.end + 24, next_state});
    slot.negated = negated_after(t, m.end, limit);
    for (std::size_t p = m.end; p < limit && !slot.negated; ++p) {
      if (is_clause_end(f[p])) break;
      PhraseMatch n;
      if (l.negations.match_at(f, p, n)) slot.negated = true;
    }
    out.states.push_back(slot);
  }
}

}  // namespace

DateValue japan_date(model::TimePoint t) {
  const auto local = std::chrono::floor<std::chrono::days>(t + model::kJstOffset);
  const std::chrono::year_month_day ymd(local);
  DateValue d;
  d.year = static_cast<int>(ymd.year());
  d.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  d.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  d.weekday = static_cast<int>(std::chrono::weekday(local).c_encoding());
  return d;
}

Slots extract_slots(const AnalyzedText& text, model::TimePoint written_at) {
  Slots out;
  extract_places(text, out);
  extract_numbers_dates_times(text, written_at, out);
  extract_states(text, out);
  for (const auto& url : text.urls) out.url_hosts.push_back(url_host(url));
  return out;
}

bool same_place(const PlaceValue& a, const PlaceValue& b) {
  if (a.whole_city || b.whole_city) return a.whole_city == b.whole_city;
  if (a.key.empty() || b.key.empty()) return false;
  return a.key.find(b.key) != std::u32string::npos || b.key.find(a.key) != std::u32string::npos;
}

std::string_view state_dimension_label(StateDimension d) {
  return kDimensionLabels[static_cast<std::size_t>(d)];
}

std::string_view state_value_label(StateValue v) {
  for (const auto& row : kValueLabels) {
    if (row.dimension == v.dimension && v.value < row.labels.size()) return row.labels[v.value];
  }
  return "";
}

std::string describe(const DateValue& d) {
  char buf[48];
  if (d.month > 0 && d.day > 0) {
    std::snprintf(buf, sizeof buf, "%d月%d日", d.month, d.day);
  } else if (d.month > 0) {
    std::snprintf(buf, sizeof buf, "%d月", d.month);
  } else if (d.day > 0) {
    std::snprintf(buf, sizeof buf, "%d日", d.day);
  } else if (d.weekday >= 0) {
    constexpr const char* kNames[] = {"日", "月", "火", "水", "木", "金", "土"};
    std::snprintf(buf, sizeof buf, "%s曜日", kNames[d.weekday]);
  } else {
    return "日付不明";
  }
  return buf;
}

std::string describe(const TimeValue& t) {
  char buf[32];
  if (t.minute_given && t.minute > 0) {
    std::snprintf(buf, sizeof buf, "%d時%d分", t.hour, t.minute);
  } else {
    std::snprintf(buf, sizeof buf, "%d時", t.hour);
  }
  return buf;
}

std::string describe(const NumberValue& n) {
  char buf[48];
  if (n.value == static_cast<double>(static_cast<long long>(n.value))) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n.value));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", n.value);
  }
  const std::string unit = text::to_utf8(n.unit);
  if (unit == "震度" || unit == "れべる") {
    return (unit == "震度" ? std::string("震度") : std::string("レベル")) + buf;
  }
  return buf + (unit == "りっとる" ? std::string("リットル") : unit);
}

std::string describe(const PlaceValue& p) {
  return text::to_utf8(p.key);
}

}  // namespace mamori::detectors::misinfo
