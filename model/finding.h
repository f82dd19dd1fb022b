// Findings: a detector's judgement about one subject, with Japanese reasons for staff.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/platform.h"

namespace mamori::model {

enum class IncidentType {
  impersonation,
  flameup,
  misinformation,
  account_compromise,
  erroneous_post,
  threat,
  account_change,  // a planned change or closure of an official account (soma-city.txt 4)
};

constexpr std::string_view to_string(IncidentType t) {
  switch (t) {
    case IncidentType::impersonation:
      return "impersonation";
    case IncidentType::flameup:
      return "flameup";
    case IncidentType::misinformation:
      return "misinformation";
    case IncidentType::account_compromise:
      return "account_compromise";
    case IncidentType::erroneous_post:
      return "erroneous_post";
    case IncidentType::threat:
      return "threat";
    case IncidentType::account_change:
      return "account_change";
  }
  return "unknown";
}

// Every incident type, in the order lists and metrics show them.
inline constexpr std::array<IncidentType, 7> kIncidentTypes = {
    IncidentType::impersonation,      IncidentType::flameup,        IncidentType::misinformation,
    IncidentType::account_compromise, IncidentType::erroneous_post, IncidentType::threat,
    IncidentType::account_change};

constexpr std::optional<IncidentType> incident_type_from_string(std::string_view s) {
  for (IncidentType t : kIncidentTypes) {
    if (to_string(t) == s) return t;
  }
  return std::nullopt;
}

// Ordered: a higher value is more severe. Flame-ups name theirs 注意 / 警戒 / 炎上
// (low / medium / high); `critical` is reserved for threats and compromises.
enum class Severity { low = 1, medium = 2, high = 3, critical = 4 };

constexpr std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
    case Severity::critical:
      return "critical";
  }
  return "unknown";
}

// Every severity, lowest first.
inline constexpr std::array<Severity, 4> kSeverities = {Severity::low, Severity::medium,
                                                        Severity::high, Severity::critical};

constexpr std::optional<Severity> severity_from_string(std::string_view s) {
  for (Severity v : kSeverities) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

// Where a finding stands in its subject's episode, for detectors that follow one (flame-up):
// `open` and `escalate` open or raise an incident; `end` changes none — it completes the
// incident's automatic check that the episode is over.
enum class FindingPhase { open, escalate, end };

// Why an episode ended (phase `end`): its rate came back to the baseline, or a rate that stayed
// high was taken as the subject's new normal.
enum class EpisodeEnd { back_to_baseline, new_level };

constexpr std::string_view to_string(EpisodeEnd e) {
  return e == EpisodeEnd::new_level ? "new_level" : "back_to_baseline";
}

struct Finding {
  IncidentType type = IncidentType::impersonation;
  // What the finding is about; with `type` it forms the incident's dedup key,
  // e.g. "x:1234567890" for an impersonating account, "x:post:987" for a flamed post.
  std::string subject;
  std::optional<Platform> platform;
  double score = 0.0;  // [0, 1]
  Severity severity = Severity::low;
  std::string severity_label;        // as staff read it, e.g. "炎上"
  std::vector<std::string> reasons;  // Japanese, one short sentence each
  std::string
      evidence_json;  // detector-specific detail for staff (series excerpt, matched fields…)
  FindingPhase phase = FindingPhase::open;
  EpisodeEnd end_reason = EpisodeEnd::back_to_baseline;  // with phase `end`
  TimePoint detected_at{};
};

}  // namespace mamori::model
