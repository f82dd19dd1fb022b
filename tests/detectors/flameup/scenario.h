// Deterministic expansion of tests/data/flameup/scenarios.tsv into per-reply timelines of synthetic
// municipal accounts (diurnal + weekly pattern, day-to-day variation, conversation clusters,
// announcement bursts, disaster surges of supportive replies, flame-ups of several shapes).
// Reply texts are drawn from the labelled corpus (replies.tsv) of the same split.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "detectors/flameup/reply_character.h"

namespace mamori::detectors::flameup::eval {

enum class Size { town, city, large, pref };

struct Event {
  enum class Kind { flame, surge } kind = Kind::flame;
  std::string shape;          // sudden | spike | ramp | waves | post | disaster
  int day = 0;                // 0-based day of the series
  int minute_of_day = 0;      // local time
  double mult = 1.0;          // peak rate / mean rate
  int duration_min = 60;      // plateau
  double hostile = 0.5;       // share of hostile replies in the event
  std::int64_t onset = 0;     // epoch seconds (filled by the loader)
  std::int64_t span_end = 0;  // epoch seconds: last wave's end + 4 h (filled by the generator)
};

struct ScenarioSpec {
  std::string id;
  std::string split;
  Size size = Size::town;
  std::uint64_t seed = 0;
  std::vector<Event> events;
};

struct CorpusEntry {
  std::string split;
  Tone label = Tone::neutral;
  Tone classified = Tone::neutral;  // what the shipped lexicon says (the detector sees this)
  std::string text;
};

struct Reply {
  std::int64_t created_ms = 0;  // epoch milliseconds
  Tone tone = Tone::neutral;    // classified tone of the drawn text
  bool new_or_anonymous = false;
  std::int32_t post = -1;  // index into Series::post_keys, -1 = a plain mention
};

struct Series {
  ScenarioSpec spec;
  double daily_volume = 0.0;
  std::vector<Reply> replies;  // sorted by created_ms
  std::vector<std::string> post_keys;
};

constexpr int kDays = 35;
constexpr int kHistoryDays = 7;
// 2024-04-01 00:00 JST (a Monday).
constexpr std::int64_t kStart = 1711897200;

std::vector<ScenarioSpec> load_scenarios(const std::filesystem::path& path);
std::vector<CorpusEntry> load_corpus(const std::filesystem::path& path);

// Expands one scenario. Also fills each event's onset and span_end.
Series generate(ScenarioSpec spec, const std::vector<CorpusEntry>& corpus);

const char* to_string(Size s);

}  // namespace mamori::detectors::flameup::eval
