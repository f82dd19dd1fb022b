#include "detectors/misinfo/slots.h"

#include <gtest/gtest.h>

#include "tests/detectors/misinfo/eval_support.h"

namespace mamori::detectors::misinfo {
namespace {

Slots slots_of(const char* text, const char* at = "2024-11-02T01:00:00Z") {
  return extract_slots(analyze_text(text), *testing::parse_utc(at));
}

TEST(Slots, DatesWithWeekdaysWarekiAndRelativeWords) {
  const auto s =
      slots_of("令和6年11月3日(日・祝)に開催。予備日は11/10(日)、締切は3月末。明日と本日も");
  ASSERT_GE(s.dates.size(), 5u);
  EXPECT_EQ(s.dates[0].value.month, 11);
  EXPECT_EQ(s.dates[0].value.day, 3);
  EXPECT_EQ(s.dates[0].value.weekday, 0);
  EXPECT_EQ(s.dates[1].value.month, 11);
  EXPECT_EQ(s.dates[1].value.day, 10);
  EXPECT_EQ(s.dates[2].value.month, 3);
  EXPECT_EQ(s.dates[2].value.day, 0);
  // 2024-11-02T01:00Z is 11月2日 10時 in Japan: 明日 = 11月3日, 本日 = 11月2日.
  EXPECT_TRUE(s.dates[3].value.relative);
  EXPECT_EQ(s.dates[3].value.day, 3);
  EXPECT_EQ(s.dates[4].value.day, 2);
}

TEST(Slots, JapanDateCrossesMidnightUtc) {
  const auto d = japan_date(*testing::parse_utc("2024-11-02T16:30:00Z"));
  EXPECT_EQ(d.month, 11);
  EXPECT_EQ(d.day, 3);
  EXPECT_EQ(d.weekday, 0);
}

TEST(Slots, DurationsAreNotDates) {
  const auto s = slots_of("3日間休みで、2日前に連絡。1日あたり6リットル");
  EXPECT_TRUE(s.dates.empty());
  ASSERT_EQ(s.numbers.size(), 2u);
  EXPECT_EQ(s.numbers[0].value.unit, U"日間");
  EXPECT_EQ(s.numbers[1].value.value, 6);
}

TEST(Slots, TimesInEveryCommonForm) {
  const auto s =
      slots_of("午前10時から午後3時半まで。受付は9:30、夜9時まで。19時30分開始。1時間待ち");
  ASSERT_EQ(s.times.size(), 5u);
  EXPECT_EQ(s.times[0].value.hour, 10);
  EXPECT_EQ(s.times[1].value.hour, 15);
  EXPECT_EQ(s.times[1].value.minute, 30);
  EXPECT_EQ(s.times[2].value.hour, 9);
  EXPECT_EQ(s.times[2].value.minute, 30);
  EXPECT_EQ(s.times[3].value.hour, 21);
  EXPECT_EQ(s.times[4].value.minute, 30);
  EXPECT_TRUE(s.times[4].value.minute_given);
}

TEST(Slots, VenuesAndAreasWithCanonicalNames) {
  const auto s = slots_of(
      "避難所は若葉第一小学校体育館と東部コミュニティセンター。本町・栄町地区と北部に避難指示");
  std::vector<std::u32string> venues, areas;
  for (const auto& v : s.venues) venues.push_back(v.value.key);
  for (const auto& a : s.areas) areas.push_back(a.value.key);
  EXPECT_NE(std::find(venues.begin(), venues.end(), U"若葉第一小体育館"), venues.end());
  EXPECT_NE(std::find(venues.begin(), venues.end(), U"東部コミセン"), venues.end());
  EXPECT_NE(std::find(areas.begin(), areas.end(), U"本町"), areas.end());
  EXPECT_NE(std::find(areas.begin(), areas.end(), U"栄町"), areas.end());
  EXPECT_NE(std::find(areas.begin(), areas.end(), U"北部"), areas.end());
  EXPECT_TRUE(same_place(PlaceValue{U"第一小", false}, PlaceValue{U"若葉第一小体育館", false}));
  EXPECT_FALSE(same_place(PlaceValue{U"西小", false}, PlaceValue{U"若葉第一小体育館", false}));
  const auto w = slots_of("市内全域に避難指示");
  ASSERT_EQ(w.areas.size(), 1u);
  EXPECT_TRUE(w.areas[0].value.whole_city);
}

TEST(Slots, NumbersWithUnitsMultipliersAndRanges) {
  const auto s =
      slots_of("自己負担3,000円、給付は3万円、点検で5千円。緑町1〜3丁目。震度5弱、警戒レベル4");
  std::vector<std::pair<double, std::u32string>> got;
  for (const auto& n : s.numbers) got.emplace_back(n.value.value, n.value.unit);
  const auto has = [&](double v, std::u32string u) {
    return std::find(got.begin(), got.end(), std::make_pair(v, u)) != got.end();
  };
  EXPECT_TRUE(has(3000, U"円"));
  EXPECT_TRUE(has(30000, U"円"));
  EXPECT_TRUE(has(5000, U"円"));
  EXPECT_TRUE(has(1, U"丁目"));
  EXPECT_TRUE(has(2, U"丁目"));
  EXPECT_TRUE(has(3, U"丁目"));
  EXPECT_TRUE(has(5, U"震度"));
  EXPECT_TRUE(has(4, U"れべる"));
}

TEST(Slots, PhoneNumbersAreNotQuantities) {
  const auto s = slots_of("予約は0120-567-890、または 0299(55)1234 か 09012345678 へ");
  ASSERT_EQ(s.phones.size(), 3u);
  EXPECT_EQ(s.phones[0].value, "0120567890");
  EXPECT_EQ(s.phones[1].value, "0299551234");
  EXPECT_EQ(s.phones[2].value, "09012345678");
  EXPECT_TRUE(s.numbers.empty());
}

TEST(Slots, StatesAndTheirDenials) {
  const auto s = slots_of("まつりは中止じゃなくて予定通り開催します。動物の逃走はありません。");
  ASSERT_EQ(s.states.size(), 4u);
  EXPECT_EQ(s.states[0].value.dimension, StateDimension::event);
  EXPECT_EQ(s.states[0].value.value, 1);  // 中止
  EXPECT_TRUE(s.states[0].negated);
  EXPECT_FALSE(s.states[1].negated);  // 予定通り
  EXPECT_FALSE(s.states[2].negated);  // 開催
  EXPECT_EQ(s.states[3].value.dimension, StateDimension::animal);
  EXPECT_TRUE(s.states[3].negated);
  // A request ("近づかないで") is not a denial; a hypothetical ("逃げても") states nothing.
  const auto r = slots_of("ダムが放流してるから川に近づかないで");
  ASSERT_EQ(r.states.size(), 1u);
  EXPECT_FALSE(r.states[0].negated);
  EXPECT_TRUE(slots_of("ライオン逃げてもうちの猫が勝つ").states.empty());
  EXPECT_TRUE(slots_of("中止でも払い戻しはしないって").states.empty());
}

TEST(Slots, AnAbsenceBeforeDemoIsConcessiveAndStated) {
  // "予約なしでも受けられる" says no booking is needed (contradicting "予約が必要です"); it is not
  // a hypothetical like "中止でも".
  const auto booking = [](const Slots& s) -> const Slot<StateValue>* {
    for (const auto& st : s.states) {
      if (st.value.dimension == StateDimension::booking) return &st;
    }
    return nullptr;
  };
  const auto s = slots_of("集団接種は予約なしでも受けられるって");
  const auto* b = booking(s);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->value.value, 1);  // 予約なし / 予約不要
  EXPECT_FALSE(b->negated);
  const auto t = slots_of("申込不要でも参加できます");
  ASSERT_NE(booking(t), nullptr);
  EXPECT_EQ(booking(t)->value.value, 1);
}

TEST(Slots, NegatedSlotValuesAreSetAside) {
  const auto s = slots_of("市民体育館じゃなくて文化会館でやる。4丁目は対象外");
  ASSERT_GE(s.venues.size(), 2u);
  EXPECT_TRUE(s.venues[0].negated);
  EXPECT_FALSE(s.venues.back().negated);
  ASSERT_EQ(s.numbers.size(), 1u);
  EXPECT_TRUE(s.numbers[0].negated);
}

TEST(Slots, Descriptions) {
  EXPECT_EQ(describe(DateValue{0, 11, 3, 0, false}), "11月3日");
  EXPECT_EQ(describe(TimeValue{19, 30, true, false}), "19時30分");
  EXPECT_EQ(describe(NumberValue{6, U"りっとる"}), "6リットル");
  EXPECT_EQ(describe(NumberValue{5, U"震度"}), "震度5");
  EXPECT_EQ(state_value_label(StateValue{StateDimension::event, 1}), "中止");
}

}  // namespace
}  // namespace mamori::detectors::misinfo
