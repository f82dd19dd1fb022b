// The issue-4 evaluation: labels fixed in tests/data/impersonation before tuning; settings tuned on
// the `tune` split; the thresholds asserted on the `held` split.
#include <gtest/gtest.h>

#include <iostream>

#include "tests/detectors/impersonation/eval_set.h"

namespace mamori::testing::impersonation {
namespace {

const EvalSet& eval_set() {
  static const EvalSet set = load_eval_set();
  return set;
}

const std::vector<EvalOutcome>& outcomes() {
  static const std::vector<EvalOutcome> result = run_eval(eval_set());
  return result;
}

TEST(ImpersonationEvaluation, SetHasTheIssuesSize) {
  const EvalSet& set = eval_set();
  std::size_t officials = 0;
  for (const auto& [city, body] : set.bodies) officials += body.officials.size();
  EXPECT_GE(officials, 40U);
  EXPECT_GE(set.candidates.size(), 400U);
}

TEST(ImpersonationEvaluation, TuneSplitReport) {
  const std::string text = report(outcomes(), "tune");
  std::cout << text;
  const Metrics m = metrics(outcomes(), "tune");
  EXPECT_GE(m.recall(), 0.95) << text;
  EXPECT_GE(m.precision(), 0.97) << text;
}

TEST(ImpersonationEvaluation, HeldSplitMeetsIssueThresholds) {
  const std::string text = report(outcomes(), "held");
  std::cout << text;
  const Metrics m = metrics(outcomes(), "held");
  EXPECT_GE(m.true_positive + m.false_negative, 150);  // the held part is not trivially small
  EXPECT_GE(m.recall(), 0.95) << text;
  EXPECT_GE(m.precision(), 0.97) << text;
}

// The daemon fetches a candidate's icon only when its text already resembles an official account
// (rate budget). The thresholds must hold with that gate too; the report names what it costs.
TEST(ImpersonationEvaluation, HeldSplitMeetsIssueThresholdsWithTheDaemonsAvatarGate) {
  const auto gated = run_eval(eval_set(), {}, true);
  const std::string text = report(gated, "held");
  std::cout << "With the avatar gate:\n" << text;
  const Metrics m = metrics(gated, "held");
  EXPECT_GE(m.recall(), 0.95) << text;
  EXPECT_GE(m.precision(), 0.97) << text;
  int changed = 0;
  for (std::size_t i = 0; i < gated.size(); ++i) {
    if (gated[i].assessment.verdict != outcomes()[i].assessment.verdict) {
      ++changed;
      std::cout << "  gate changes " << gated[i].candidate->id << " (" << gated[i].candidate->kind
                << ", " << gated[i].candidate->split
                << "): " << imp::to_string(outcomes()[i].assessment.verdict) << " -> "
                << imp::to_string(gated[i].assessment.verdict) << "\n";
    }
  }
  std::cout << "verdicts changed by the gate: " << changed << " of " << gated.size() << "\n";
}

}  // namespace
}  // namespace mamori::testing::impersonation
