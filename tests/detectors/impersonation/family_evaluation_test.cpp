// The issue-18 evaluation (tests/data/impersonation/family): the city's departments and wards,
// other real local governments, kana/kanji and Latin look-alikes. Labels were fixed before any
// detector change; settings were developed on `family_tune`; `family_held` is reported per
// category and guarded against regression.
#include <gtest/gtest.h>

#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>

#include "tests/detectors/impersonation/eval_set.h"

namespace mamori::testing::impersonation {
namespace {

const EvalSet& family_set() {
  static const EvalSet set = load_eval_set("family");
  return set;
}

const std::vector<EvalOutcome>& family_outcomes() {
  static const std::vector<EvalOutcome> result = run_eval(family_set(), {}, true);
  return result;
}

// Per category: flagged-as-threat recall and precision, and how many `related` rows were called
// related (the verdict staff see instead of an incident).
std::string category_table(const std::string& split) {
  std::set<std::string> categories;
  for (const auto& o : family_outcomes()) {
    if (o.candidate->split == split) categories.insert(o.candidate->category);
  }
  std::ostringstream s;
  s << "split " << split << " per category (flagged = suspicious or impersonation):\n";
  char line[200];
  std::snprintf(line, sizeof line, "  %-24s %5s %4s %4s %4s %4s %8s %9s %9s\n", "category", "rows",
                "TP", "FP", "FN", "TN", "recall", "precision", "related");
  s << line;
  for (const auto& c : categories) {
    const Metrics m = metrics(family_outcomes(), split, c);
    const int related_rows =
        m.confusion[3][0] + m.confusion[3][1] + m.confusion[3][2] + m.confusion[3][3];
    const std::string related =
        related_rows == 0 ? "-"
                          : std::to_string(m.confusion[3][3]) + "/" + std::to_string(related_rows);
    std::snprintf(line, sizeof line, "  %-24s %5d %4d %4d %4d %4d %8.3f %9.3f %9s\n", c.c_str(),
                  m.true_positive + m.false_positive + m.false_negative + m.true_negative,
                  m.true_positive, m.false_positive, m.false_negative, m.true_negative, m.recall(),
                  m.precision(), related.c_str());
    s << line;
  }
  return s.str();
}

TEST(ImpersonationFamilyEvaluation, TuneSplitReport) {
  std::cout << report(family_outcomes(), "family_tune") << category_table("family_tune");
  const Metrics m = metrics(family_outcomes(), "family_tune");
  EXPECT_GE(m.recall(), 0.95);
  EXPECT_GE(m.precision(), 0.95);
}

// The first held part, read after its first measurement (recall 1.0, precision 0.90) to find the
// causes of its three false positives, and tuned on since (tests/data/impersonation/family).
TEST(ImpersonationFamilyEvaluation, SeenSplitPerCategory) {
  std::cout << report(family_outcomes(), "family_seen") << category_table("family_seen");
  const Metrics m = metrics(family_outcomes(), "family_seen");
  EXPECT_GE(m.recall(), 0.95);
  EXPECT_GE(m.precision(), 0.95);
}

// The second held part (cities 201–209, session 6), read after its first measurement (recall
// 1.0, precision 0.882) to find the causes of its two false positives, and tuned on since.
TEST(ImpersonationFamilyEvaluation, SecondSeenSplitPerCategory) {
  std::cout << report(family_outcomes(), "family_seen2") << category_table("family_seen2");
  const Metrics m = metrics(family_outcomes(), "family_seen2");
  EXPECT_GE(m.recall(), 0.95);
  EXPECT_GE(m.precision(), 0.95);
}

// The held part (cities 301–311, session 7), written before the fixes for family_seen2's false
// positives and never tuned on.
TEST(ImpersonationFamilyEvaluation, HeldSplitPerCategory) {
  std::cout << report(family_outcomes(), "family_held") << category_table("family_held");
  const Metrics m = metrics(family_outcomes(), "family_held");
  EXPECT_GE(m.true_positive + m.false_negative, 15);  // not trivially small
  // Regression guards set at or below the first measurement (recall 0.947, precision 0.900).
  EXPECT_GE(m.recall(), 0.90);
  EXPECT_GE(m.precision(), 0.85);
}

}  // namespace
}  // namespace mamori::testing::impersonation
