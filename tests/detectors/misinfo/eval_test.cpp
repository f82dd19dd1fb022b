// The evaluation set of issue 6: ≥ 30 official posts and ≥ 600 labelled replies, split once into
// `tune` and `held` (every other reply of each label, fixed in the data files). Weights and
// lexicons were tuned looking at the tune part only; the thresholds are asserted on the held part.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "detectors/misinfo/detector.h"
#include "tests/detectors/misinfo/eval_support.h"
#include "tests/support/test_support.h"

namespace mamori::detectors::misinfo {
namespace {

using testing::LabelledReply;

const std::vector<std::string> kLabels = {"misinformation", "correction", "question", "complaint",
                                          "thanks",         "joke",       "unrelated"};

struct Evaluation {
  std::vector<OfficialStatement> official;
  std::vector<LabelledReply> replies;
  std::unique_ptr<MisinformationDetector> detector;
};

const Evaluation& evaluation() {
  static const Evaluation e = [] {
    Evaluation x;
    const auto dir = mamori::testing::data_dir() / "misinfo";
    x.official = testing::load_official(dir / "official.jsonl");
    x.replies = testing::load_replies(dir);
    auto facts = std::make_shared<const FactIndex>(x.official);
    auto rumours = std::make_shared<const RumourRegistry>(testing::load_starter_rumours());
    x.detector = std::make_unique<MisinformationDetector>(facts, rumours);
    return x;
  }();
  return e;
}

struct Metrics {
  std::map<std::string, std::map<std::string, int>> matrix;  // label -> kind/verdict -> count
  int tp = 0, fp = 0, fn = 0;
  int corrections_questions = 0, corrections_questions_flagged = 0;
  std::vector<std::string> misses;
  double precision() const { return tp + fp == 0 ? 0 : static_cast<double>(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 0 : static_cast<double>(tp) / (tp + fn); }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
  double false_alarm_rate() const {
    return corrections_questions == 0
               ? 0
               : static_cast<double>(corrections_questions_flagged) / corrections_questions;
  }
};

Metrics measure(const std::string& split) {
  const auto& e = evaluation();
  Metrics m;
  for (const auto& r : e.replies) {
    if (r.split != split) continue;
    const auto a = e.detector->score(r.post);
    const bool flagged = a.verdict == Verdict::misinformation;
    const bool truth = r.label == "misinformation";
    m.matrix[r.label][flagged ? "misinformation" : "benign"]++;
    m.matrix[r.label][std::string("kind:") + std::string(to_string(a.kind))]++;
    if (flagged && truth) ++m.tp;
    if (flagged && !truth) ++m.fp;
    if (!flagged && truth) ++m.fn;
    if (r.label == "correction" || r.label == "question") {
      ++m.corrections_questions;
      if (flagged) ++m.corrections_questions_flagged;
    }
    if (flagged != truth) {
      char score[16];
      std::snprintf(score, sizeof score, "%.2f", a.score);
      std::string line = std::string(truth ? "FN " : "FP ") + r.post.post_id + " [" + r.label +
                         "] " + score + " " + r.post.text + "  <=";
      for (const auto& reason : a.reasons) line += " / " + reason;
      m.misses.push_back(line);
    }
  }
  return m;
}

void report(const std::string& split, const Metrics& m) {
  std::printf("\n== misinformation evaluation: %s split ==\n", split.c_str());
  std::printf("%-15s %6s %6s | %6s %8s %10s %6s\n", "label", "misinf", "benign", "claim",
              "question", "correction", "other");
  for (const auto& label : kLabels) {
    auto row = m.matrix.count(label) ? m.matrix.at(label) : std::map<std::string, int>{};
    std::printf("%-15s %6d %6d | %6d %8d %10d %6d\n", label.c_str(), row["misinformation"],
                row["benign"], row["kind:claim"], row["kind:question"], row["kind:correction"],
                row["kind:other"]);
  }
  std::printf("misinformation: precision %.3f recall %.3f F1 %.3f (tp %d fp %d fn %d)\n",
              m.precision(), m.recall(), m.f1(), m.tp, m.fp, m.fn);
  std::printf("corrections+questions flagged: %d/%d (%.1f%%)\n", m.corrections_questions_flagged,
              m.corrections_questions, 100.0 * m.false_alarm_rate());
  for (const auto& miss : m.misses) std::printf("  %s\n", miss.c_str());
}

TEST(MisinfoEvaluation, SetIsLargeLabelledAndSplitOnce) {
  const auto& e = evaluation();
  EXPECT_GE(e.official.size(), 30u);
  EXPECT_GE(e.replies.size(), 600u);
  std::map<std::string, std::map<std::string, int>> counts;
  std::set<std::string> ids;
  std::set<std::string> official_ids;
  for (const auto& o : e.official) official_ids.insert(o.id);
  for (const auto& r : e.replies) {
    EXPECT_TRUE(ids.insert(r.post.post_id).second) << "duplicate id " << r.post.post_id;
    EXPECT_TRUE(r.split == "tune" || r.split == "held") << r.post.post_id;
    EXPECT_NE(std::find(kLabels.begin(), kLabels.end(), r.label), kLabels.end())
        << r.post.post_id << " has label " << r.label;
    if (r.post.in_reply_to_post_id) {
      EXPECT_TRUE(official_ids.contains(*r.post.in_reply_to_post_id)) << r.post.post_id;
    }
    counts[r.label][r.split]++;
  }
  for (const auto& label : kLabels) {
    EXPECT_GE(counts[label]["held"], 10) << label;
    EXPECT_GE(counts[label]["tune"], 10) << label;
  }
}

TEST(MisinfoEvaluation, TunePartReport) {
  const Metrics m = measure("tune");
  report("tune", m);
  EXPECT_GE(m.f1(), 0.85);
}

TEST(MisinfoEvaluation, HeldPartMeetsIssueThresholds) {
  const Metrics m = measure("held");
  report("held", m);
  EXPECT_GE(m.f1(), 0.85) << "F1 for misinformation on the held part";
  EXPECT_LE(m.false_alarm_rate(), 0.05) << "corrections and questions flagged as misinformation";
}

}  // namespace
}  // namespace mamori::detectors::misinfo
