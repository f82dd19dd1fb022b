// Loads tests/data/impersonation and runs the detector over it (one detector per body, as the
// daemon runs them), for the evaluation test and the benchmark's inputs.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detectors/impersonation/detector.h"

namespace mamori::testing::impersonation {

namespace imp = mamori::detectors::impersonation;

struct EvalCandidate {
  std::string id;
  int city = 0;
  std::string split;
  imp::Verdict label = imp::Verdict::benign;
  std::string kind;
  std::string category;  // the family part's category (issue 18), "" in the first part
  model::ProfileSnapshot profile;
  std::optional<imp::AvatarHash> avatar;
};

struct EvalBody {
  int city = 0;
  std::string split;
  imp::MunicipalityNames names;
  std::vector<imp::OfficialAccount> officials;
  std::vector<imp::AllowedAccount> allow;
};

struct EvalSet {
  std::map<int, EvalBody> bodies;
  std::vector<EvalCandidate> candidates;
};

// The fixed clock of the set: a candidate's created_at is kNow - age_days.
model::TimePoint eval_now();

// Reads the three JSONL files of tests/data/impersonation/<part> ("" the issue-4 set, "family"
// the issue-18 part) and renders + hashes every avatar. Throws on malformed data.
EvalSet load_eval_set(const std::string& part = "");

struct EvalOutcome {
  const EvalCandidate* candidate = nullptr;
  imp::Assessment assessment;
};

// `avatar_gate`: as the daemon does, an icon is used only when avatar_could_matter() says so
// after a text-only assessment (it is not fetched otherwise).
std::vector<EvalOutcome> run_eval(const EvalSet& set, const imp::DetectorSettings& settings = {},
                                  bool avatar_gate = false);

struct Metrics {
  std::array<std::array<int, 4>, 4> confusion{};  // [label][predicted], Verdict order
  int true_positive = 0, false_positive = 0, false_negative = 0, true_negative = 0;
  double recall() const;
  double precision() const;
};

// Flagged = suspicious or impersonation; benign and related are not. `category` "" for all.
Metrics metrics(const std::vector<EvalOutcome>& outcomes, const std::string& split,
                const std::string& category = "");

// A printable report: confusion matrix, binary figures and the misclassified candidates.
std::string report(const std::vector<EvalOutcome>& outcomes, const std::string& split);

}  // namespace mamori::testing::impersonation
