// The [reminders] periods reach the dates mamori sets (issue 19): an account change's checklist
// and warning, the notice's keeping period, and a takedown request's response period where no
// law sets one (the law's 7 days for designated platforms stay).
#include <gtest/gtest.h>

#include "daemon/incidents/account_changes.h"
#include "daemon/incidents/takedowns.h"

namespace mamori::incidents {
namespace {

using std::chrono::days;
using std::chrono::minutes;

StepPlan step(std::string id) {
  StepPlan s;
  s.id = std::move(id);
  s.title = s.id;
  return s;
}

TEST(ReminderPeriods, AccountChangeDatesFollowTheConfiguredPeriods) {
  const model::TimePoint now{std::chrono::hours(24 * 20000)};
  AccountChangePlan plan;
  plan.closure = true;
  plan.planned_at = now + days(40);
  const std::vector<StepPlan> steps{step("notify_administrator"), step("account_notice"),
                                    step("carry_out")};

  // The guidelines' defaults: notices 30 days before, the report a week before that.
  auto fitted = account_change_steps(steps, plan, now);
  ASSERT_EQ(fitted.size(), 3u);
  EXPECT_EQ(fitted[0].due_after_open, std::chrono::duration_cast<minutes>(days(3)));
  EXPECT_EQ(fitted[1].due_after_open, std::chrono::duration_cast<minutes>(days(10)));
  EXPECT_TRUE(account_change_warnings(plan, now).empty());
  EXPECT_EQ(keep_notice_until(plan), plan.planned_at + days(183));

  // A city that gives 35 days' notice and reports two weeks before: 40 days out is enough for
  // the notice, and the report is due at once (its date has passed).
  plan.periods.change_notice = days(35);
  plan.periods.report_before_notice = days(14);
  plan.periods.keep_after_closure = days(200);
  fitted = account_change_steps(steps, plan, now);
  EXPECT_EQ(fitted[0].due_after_open, minutes(0));
  EXPECT_EQ(fitted[1].due_after_open, std::chrono::duration_cast<minutes>(days(5)));
  EXPECT_EQ(keep_notice_until(plan), plan.planned_at + days(200));
  // 45 days' notice: 40 days out is too late, and the warning says how long.
  plan.periods.change_notice = days(45);
  const auto warnings = account_change_warnings(plan, now);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("45日"), std::string::npos) << warnings[0];
}

TEST(ReminderPeriods, TakedownResponsePeriodIsTheCitysWhereNoLawSetsOne) {
  const auto bluesky = response_period(model::Platform::bluesky, days(5));
  EXPECT_EQ(bluesky.period, days(5));
  EXPECT_FALSE(bluesky.legal);
  EXPECT_NE(bluesky.designation.find("5日"), std::string::npos) << bluesky.designation;
  EXPECT_EQ(response_period(model::Platform::mastodon).period, days(3));
  // X is designated: the law's 7 days whatever the city configures.
  const auto x = response_period(model::Platform::x, days(2));
  EXPECT_EQ(x.period, days(7));
  EXPECT_TRUE(x.legal);
}

}  // namespace
}  // namespace mamori::incidents
