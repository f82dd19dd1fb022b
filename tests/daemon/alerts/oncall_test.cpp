// On-call computation with explicit times (never the wall clock): daily and weekly handovers
// in JST, overrides for holidays and swaps, escalation timing and catching up.
#include "daemon/alerts/oncall/oncall.h"

#include <gtest/gtest.h>

namespace mamori::alerts::oncall {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

TimePoint jst(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return from_jst(sys_days{year{y} / month{m} / day{d}}, hours(hour) + minutes(minute));
}

Rotation daily() {
  Rotation r;
  r.name = "kouhou";
  r.shift = ShiftLength::daily;
  r.members = {"sato", "suzuki", "takahashi"};
  r.start_date = sys_days{2025y / April / 1};
  r.handover = 9h;
  return r;
}

Rotation weekly() {
  Rotation r = daily();
  r.shift = ShiftLength::weekly;
  r.start_date = sys_days{2025y / April / 7};  // a Monday
  r.handover = 8h;                             // 08:00 JST is 23:00 UTC the day before
  return r;
}

TEST(OnCall, JstIsUtcPlusNine) {
  EXPECT_EQ(jst(2025, 4, 1, 9), sys_days{2025y / April / 1} + 0h);
  EXPECT_EQ(format_jst(sys_days{2025y / March / 31} + 23h + 30min), "2025-04-01 08:30");
}

TEST(OnCall, DailyShiftsHandOverAtTheHandoverTime) {
  const Rotation r = daily();
  EXPECT_FALSE(who_is_on_call(r, {}, jst(2025, 4, 1, 8, 59)).has_value())
      << "before the first handover the rotation is not in force";
  auto s = who_is_on_call(r, {}, jst(2025, 4, 1, 9));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->person, "sato");
  EXPECT_EQ(s->from, jst(2025, 4, 1, 9));
  EXPECT_EQ(s->until, jst(2025, 4, 2, 9));
  EXPECT_FALSE(s->overridden);
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 2, 8, 59))->person, "sato");
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 2, 9))->person, "suzuki");
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 3, 23, 59))->person, "takahashi");
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 4, 9))->person, "sato") << "wraps around";
  // 100 days later: 100 % 3 == 1.
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 7, 10, 12))->person, "suzuki");
}

TEST(OnCall, WeeklyShiftsAcrossUtcMidnight) {
  const Rotation r = weekly();
  EXPECT_FALSE(who_is_on_call(r, {}, jst(2025, 4, 7, 7, 59)).has_value());
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 7, 8))->person, "sato");
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 13, 23))->person, "sato") << "Sunday night";
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 14, 7, 59))->person, "sato");
  const auto next = who_is_on_call(r, {}, jst(2025, 4, 14, 8));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->person, "suzuki");
  EXPECT_EQ(format_jst(next->from), "2025-04-14 08:00");
  EXPECT_EQ(format_jst(next->until), "2025-04-21 08:00");
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 23, 3))->person, "takahashi");
  EXPECT_EQ(who_is_on_call(r, {}, jst(2025, 4, 28, 8))->person, "sato");
}

TEST(OnCall, OverrideReplacesThePersonForItsRangeOnly) {
  const Rotation r = daily();
  // sato is on call 4/1 09:00–4/2 09:00 but is covered from 18:00 by takahashi (a swap).
  const std::vector<Override> overrides = {
      {"kouhou", "takahashi", jst(2025, 4, 1, 18), jst(2025, 4, 2, 9), "交代"},
      {"other-rotation", "nobody", jst(2025, 4, 1, 0), jst(2025, 4, 30, 0), "別ローテーション"},
  };
  const auto before = who_is_on_call(r, overrides, jst(2025, 4, 1, 12));
  ASSERT_TRUE(before);
  EXPECT_EQ(before->person, "sato");
  EXPECT_EQ(before->until, jst(2025, 4, 1, 18)) << "the override ends sato's turn early";
  const auto during = who_is_on_call(r, overrides, jst(2025, 4, 1, 18));
  ASSERT_TRUE(during);
  EXPECT_EQ(during->person, "takahashi");
  EXPECT_TRUE(during->overridden);
  EXPECT_EQ(during->reason, "交代");
  EXPECT_EQ(during->until, jst(2025, 4, 2, 9));
  EXPECT_EQ(who_is_on_call(r, overrides, jst(2025, 4, 2, 9))->person, "suzuki")
      << "end is exclusive";
}

TEST(OnCall, HolidayOverrideBeforeTheRotationStartsAndLaterOverrideWins) {
  const Rotation r = daily();
  const std::vector<Override> overrides = {
      {"kouhou", "suzuki", jst(2025, 3, 29, 0), jst(2025, 4, 6, 0), "年度替わり"},
      {"kouhou", "takahashi", jst(2025, 4, 3, 0), jst(2025, 4, 4, 0), "suzuki の休暇"},
  };
  EXPECT_EQ(who_is_on_call(r, overrides, jst(2025, 3, 30, 10))->person, "suzuki")
      << "an override applies even before the rotation starts";
  EXPECT_EQ(who_is_on_call(r, overrides, jst(2025, 4, 3, 10))->person, "takahashi")
      << "of overlapping overrides, the one listed last wins";
  EXPECT_EQ(who_is_on_call(r, overrides, jst(2025, 4, 5, 10))->person, "suzuki");
  EXPECT_EQ(who_is_on_call(r, overrides, jst(2025, 4, 6, 10))->person, "takahashi")
      << "after the override the rotation applies again (4/6 is day 5, 5 % 3 == 2)";
}

EscalationPolicy three_levels(int repeat) {
  EscalationPolicy p;
  p.name = "standard";
  p.severities = {"high", "critical"};
  p.levels = {
      {{{EscalationTarget::Kind::rotation, "kouhou"}}, 15min},
      {{{EscalationTarget::Kind::person, "kacho"}}, 30min},
      {{{EscalationTarget::Kind::person, "bucho"}, {EscalationTarget::Kind::channel, "teams"}},
       10min},
  };
  p.repeat = repeat;
  return p;
}

TEST(OnCall, EscalationPlanRunsThroughLevelsAndRepeats) {
  const TimePoint opened = jst(2025, 4, 1, 3, 12);
  const auto plan = escalation_plan(three_levels(1), opened);
  ASSERT_EQ(plan.size(), 6u);
  const std::vector<minutes> offsets = {0min, 15min, 45min, 55min, 70min, 100min};
  for (std::size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(plan[i].at, opened + offsets[i]) << i;
    EXPECT_EQ(plan[i].level, static_cast<int>(i % 3) + 1) << i;
    EXPECT_EQ(plan[i].round, static_cast<int>(i / 3)) << i;
    EXPECT_EQ(plan[i].index, static_cast<int>(i));
  }
  EXPECT_EQ(plan[0].targets[0].name, "kouhou");
  EXPECT_EQ(plan[2].targets.size(), 2u);
  EXPECT_EQ(escalation_plan(three_levels(0), opened).size(), 3u);
}

TEST(OnCall, NextEscalationFollowsTheInjectedClockAndStopsWhenAcknowledged) {
  const auto policy = three_levels(0);
  const TimePoint opened = jst(2025, 4, 1, 3, 0);
  auto next = next_escalation(policy, opened, opened, false);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->level, 2);
  EXPECT_EQ(next->at, opened + 15min);
  next = next_escalation(policy, opened, opened + 14min + 59s, false);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->level, 2);
  next = next_escalation(policy, opened, opened + 15min, false);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->level, 3) << "level 2 is due at 15 min exactly; the next one is level 3";
  EXPECT_EQ(next->at, opened + 45min);
  EXPECT_FALSE(next_escalation(policy, opened, opened + 45min, false).has_value())
      << "the plan is exhausted without repeats";
  EXPECT_FALSE(next_escalation(policy, opened, opened + 1min, true).has_value())
      << "acknowledged: no further escalation";
}

TEST(OnCall, DueEscalationsCatchUpAfterARestart) {
  const auto policy = three_levels(1);
  const TimePoint opened = jst(2025, 4, 1, 3, 0);
  // Level 1 (index 0) was sent; the daemon was down from 10 to 60 minutes, missing level 2
  // (15 min), level 3 (45 min) and the repeat of level 1 (55 min).
  const auto due = due_escalations(policy, opened, 0, opened + 60min, false);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].level, 2);
  EXPECT_EQ(due[1].level, 3);
  EXPECT_EQ(due[2].level, 1);
  EXPECT_EQ(due[2].round, 1);
  EXPECT_EQ(due[2].index, 3);
  EXPECT_TRUE(due_escalations(policy, opened, 3, opened + 60min, false).empty());
  EXPECT_EQ(due_escalations(policy, opened, 3, opened + 70min, false).size(), 1u);
  EXPECT_TRUE(due_escalations(policy, opened, 0, opened + 60min, true).empty());
  EXPECT_EQ(due_escalations(policy, opened, -1, opened, false).size(), 1u) << "level 1 at once";
}

TEST(OnCall, PolicyForSeverityPrefersTheNamedOne) {
  OnCallConfig c;
  EscalationPolicy fallback = three_levels(0);
  fallback.name = "default";
  fallback.severities = {"*"};
  c.policies = {fallback, three_levels(2)};
  ASSERT_NE(policy_for(c, "critical"), nullptr);
  EXPECT_EQ(policy_for(c, "critical")->name, "standard");
  EXPECT_EQ(policy_for(c, "low")->name, "default");
  c.policies.erase(c.policies.begin());
  EXPECT_EQ(policy_for(c, "low"), nullptr);
}

TEST(OnCall, ResolveTargetsReachesTheOnCallPersonThroughTheirContacts) {
  OnCallConfig c;
  c.people = {
      {"sato", "佐藤 花子", {{"mail", "sato@city.example.jp"}, {"lineworks", "sato@city"}}},
      {"suzuki", "鈴木 一郎", {{"mail", "suzuki@city.example.jp"}}},
      {"kacho", "広報課長 田中", {{"mail", "tanaka@city.example.jp"}, {"slack", ""}}},
      {"takahashi", "高橋", {}},
  };
  c.rotations = {daily()};
  const auto step1 =
      resolve_targets(c, {{EscalationTarget::Kind::rotation, "kouhou"}}, jst(2025, 4, 2, 10));
  ASSERT_EQ(step1.size(), 1u);
  EXPECT_EQ(step1[0].person_id, "suzuki");
  EXPECT_EQ(step1[0].person_name, "鈴木 一郎");
  EXPECT_EQ(step1[0].channel, "mail");
  EXPECT_EQ(step1[0].address, "suzuki@city.example.jp");
  EXPECT_EQ(step1[0].via_rotation, "kouhou");

  const auto step = resolve_targets(c,
                                    {{EscalationTarget::Kind::rotation, "kouhou"},
                                     {EscalationTarget::Kind::person, "kacho"},
                                     {EscalationTarget::Kind::channel, "teams"},
                                     {EscalationTarget::Kind::person, "kacho"},
                                     {EscalationTarget::Kind::channel, "slack"}},
                                    jst(2025, 4, 1, 10));
  // sato (mail, lineworks), kacho (mail, slack), teams; the repeats add nothing.
  ASSERT_EQ(step.size(), 5u);
  EXPECT_EQ(step[0].address, "sato@city.example.jp");
  EXPECT_EQ(step[1].channel, "lineworks");
  EXPECT_EQ(step[2].address, "tanaka@city.example.jp");
  EXPECT_EQ(step[3].channel, "slack");
  EXPECT_EQ(step[4].channel, "teams");
  EXPECT_TRUE(step[4].person_id.empty());
  EXPECT_TRUE(
      resolve_targets(c, {{EscalationTarget::Kind::rotation, "kouhou"}}, jst(2025, 3, 1, 10))
          .empty())
      << "nobody is on call before the rotation starts";
}

}  // namespace
}  // namespace mamori::alerts::oncall
