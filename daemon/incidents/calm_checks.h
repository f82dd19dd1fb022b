// The rate_back_to_baseline check with the playbook step's own parameters (issue 19, point 3):
//   flame-up (subject "<platform>:account:<id>"): for `sustain` (the step's "sustain_s"), every
//     hour of replies to the account stayed at most `max_ratio` times the detector's baseline
//     expectation for that hour (the expectation counted as at least one reply an hour, so a
//     quiet night's single reply is no flame);
//   misinformation (subject "cluster:…"): for `sustain`, new claims and questions of the cluster
//     stayed at most `max_per_hour` an hour (a cluster has no baseline). A cluster the detector
//     no longer holds (nothing new for its window) counts as silent.
// The detectors' numbers come from the detection hub (memory); the decision and the completion
// run here, on the store's thread, against the pending steps.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "detectors/flameup/reply_rate_detector.h"
#include "model/observation.h"

namespace mamori::incidents {

struct CalmInputs {
  // Flame-up subject -> the account's closed reply buckets (oldest first) and their width.
  std::map<std::string, std::vector<detectors::flameup::BucketSample>> flameup;
  std::chrono::seconds bucket{60};
  // Misinformation subject -> when its claims and questions were posted (oldest first).
  std::map<std::string, std::vector<model::TimePoint>> misinformation;
};

// The Japanese completion message when the reply rate stayed calm, else nothing. `opened` is the
// incident's opening: calm is judged only on time after it.
std::optional<std::string> flameup_calm(
    const std::vector<detectors::flameup::BucketSample>& buckets, std::chrono::seconds bucket,
    double max_ratio, std::chrono::seconds sustain, model::TimePoint opened, model::TimePoint now);
std::optional<std::string> spread_calm(const std::vector<model::TimePoint>& replies,
                                       double max_per_hour, std::chrono::seconds sustain,
                                       model::TimePoint opened, model::TimePoint now);

// Evaluates every pending rate_back_to_baseline step of live flame-up and misinformation
// incidents; completes the calm ones as system:check. Returns the number completed.
int run_calm_checks(pqxx::connection& c, const CalmInputs& inputs, model::TimePoint now);

}  // namespace mamori::incidents
