// Loading the evaluation set (tests/data/misinfo) and the shipped starter rumours for the tests.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detectors/misinfo/facts.h"
#include "detectors/misinfo/rumours.h"
#include "model/observation.h"

namespace mamori::detectors::misinfo::testing {

struct LabelledReply {
  model::Post post;
  std::string label;  // misinformation, correction, question, complaint, thanks, joke, unrelated
  std::string split;  // tune or held
  std::string file;
};

std::optional<model::TimePoint> parse_utc(const std::string& iso);  // "2024-11-03T10:00:00Z"

std::vector<OfficialStatement> load_official(const std::filesystem::path& file);
std::vector<LabelledReply> load_replies(const std::filesystem::path& dir);  // replies_*.jsonl

// The rumours of deploy/rumours/starter.toml (id, claim, wordings, correction). The daemon's
// validating loader (daemon/detection/rumour_file.h) is exercised through `mamorictl misinfo`.
std::vector<Rumour> load_starter_rumours();

}  // namespace mamori::detectors::misinfo::testing
