// Slots: the checkable values a post or reply states — dates, times, places, numbers with units,
// phone numbers, links and yes/no states (開催/中止/延期, 断水/復旧, 開設/閉鎖 …). The city's posts
// and replies are parsed with the same code so that their values compare directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"
#include "model/platform.h"

namespace mamori::detectors::misinfo {

// A calendar date as written. Missing parts are 0: "11月3日" has no year, "3日" no month,
// "3月末" no day. Relative words (本日, 明日, 今夜 …) are resolved against the text's own time.
struct DateValue {
  int year = 0;
  int month = 0;
  int day = 0;
  int weekday = -1;  // 0 = Sunday … 6 = Saturday when written ("(日)", "日曜日"), else -1
  bool relative = false;
};

struct TimeValue {
  int hour = 0;  // 0..29 (24時, 25時 are written for late events)
  int minute = 0;
  bool minute_given = false;
  bool approximate = false;  // 7時過ぎ, 10時頃, 9時前
};

// A venue (若葉第一小学校, 中央公民館 …) or an area (緑町, 北部地区, 市内全域 …); `key` is the
// canonical spelling (小学校 -> 小, コミュニティセンター -> コミセン) used for comparison.
struct PlaceValue {
  std::u32string key;
  bool whole_city = false;  // 全域 / 全地区 / 市内全域: contradicts any list of specific areas
};

struct NumberValue {
  double value = 0;
  std::u32string unit;  // folded: "円", "りっとる", "歳", "丁目", "震度", "れべる" …
};

// Yes/no states. Each dimension holds mutually exclusive values; the tables are in slots.cpp.
enum class StateDimension : std::uint8_t {
  event,       // 開催 / 中止 / 延期 / 終了
  facility,    // 開設 / 閉鎖
  supply,      // 断水・停電 / 復旧
  evacuation,  // 避難指示 発令 / 解除
  road,        // 通行止め / 通行可
  drinking,    // 安全に飲める / 危険・毒
  fee,         // 無料 / 有料
  booking,     // 予約必要 / 予約不要
  refund,      // 返金
  structure,   // (ダム・堤防・橋の) 異常 / 決壊
  animal,      // (動物の) 逃走
  solicitation,  // 市が 振込・ATM・訪問・個人口座 を求める (the city says it never does)
  possibility,  // できる / できない (投票できます, 出せるようになりました)
};

struct StateValue {
  StateDimension dimension = StateDimension::event;
  std::uint8_t value = 0;
};

// Japanese names for staff-facing reasons.
std::string_view state_dimension_label(StateDimension d);
std::string_view state_value_label(StateValue v);

template <class V>
struct Slot {
  V value;
  std::size_t begin = 0;  // code-point span in AnalyzedText::nfkc
  std::size_t end = 0;
  bool negated = false;  // "中止じゃない", "市民体育館ではなく", "4丁目は対象外"
  // Conditional or still to come (states only): "荒天の場合は順延", "復旧を目指して",
  // "復旧の見込み". Neither a fact's nor a reply's tentative state is compared.
  bool tentative = false;
  // Right after a time ("18時閉館", "20時で終了"): a schedule. A fact's schedule is what it says;
  // a reply's is not compared as a change of status (its time is).
  bool scheduled = false;
};

struct Slots {
  std::vector<Slot<DateValue>> dates;
  std::vector<Slot<TimeValue>> times;
  std::vector<Slot<PlaceValue>> venues;
  std::vector<Slot<PlaceValue>> areas;
  std::vector<Slot<NumberValue>> numbers;
  std::vector<Slot<std::string>> phones;  // digits only, e.g. "0299551234"
  std::vector<std::string> url_hosts;     // from AnalyzedText::urls
  std::vector<Slot<StateValue>> states;
};

// `written_at` resolves relative dates (本日, 明日 …) in Japan time.
Slots extract_slots(const AnalyzedText& text, model::TimePoint written_at);

// The civil date in Japan (UTC+9, no daylight saving) of a time point.
DateValue japan_date(model::TimePoint t);

// Whether two places name the same venue/area: equal after canonicalization, or one contains the
// other ("第一小" within "若葉第一小体育館").
bool same_place(const PlaceValue& a, const PlaceValue& b);

// Human-readable forms for reasons ("11月3日", "19時30分", "3000円").
std::string describe(const DateValue& d);
std::string describe(const TimeValue& t);
std::string describe(const NumberValue& n);
std::string describe(const PlaceValue& p);

}  // namespace mamori::detectors::misinfo
