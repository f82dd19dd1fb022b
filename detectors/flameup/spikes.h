// Backtesting on a plain count series: the code behind `mamorictl spikes`, using the same
// RateScorer and defaults as the daemon's ReplyRateDetector (count only: a CSV has no reply text).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/flameup/settings.h"
#include "model/platform.h"

namespace mamori::detectors::flameup {

struct Sample {
  model::TimePoint time{};  // start of the interval
  double value = 0.0;       // replies in the interval (>= 0)
};

struct ScoredSample {
  model::TimePoint time{};
  double value = 0.0;
  double score = 0.0;    // [0, 1]; 0.5 is the base open threshold
  bool alert = false;    // the daemon would raise a finding on this row (an episode opens)
  bool episode = false;  // a flame-up episode is open after this row
};

// Scores each sample causally (row t uses rows <= t only). A count series has no reply text, so
// severity never rises here: `alert` marks the rows where an episode opens. The bucket width is the
// series' own interval (the median gap between rows); missing rows count as zero replies, and a gap
// longer than 10080 intervals restarts the windows. Throws std::invalid_argument if times do not
// strictly increase or the settings are invalid.
std::vector<ScoredSample> spikes(const std::vector<Sample>& samples, const Settings& settings);

// The interval spikes() will use: the median positive gap, or settings.bucket for < 2 rows.
std::chrono::seconds infer_interval(const std::vector<Sample>& samples,
                                    std::chrono::seconds fallback);

// --- CSV input (`timestamp,value` with a header row) ---

struct CsvError {
  std::size_t line = 0;  // 1-based
  std::string field;     // "timestamp", "value", "header" or "row"
  std::string message;   // what was expected and what was found
};

struct SpikesCsv {
  std::vector<Sample> samples;
  std::vector<std::string> timestamp_texts;  // as written, to echo in the output
  std::vector<std::string> value_texts;
};

struct SpikesCsvResult {
  SpikesCsv data;
  std::optional<CsvError> error;
  bool ok() const { return !error.has_value(); }
};

// Parses the whole file. Timestamps: "YYYY-MM-DD HH:MM:SS", ISO-8601 ("2024-05-01T09:30:00Z",
// "+09:00" offsets, fractional seconds) or epoch seconds. Timestamps without a zone are local
// time at `naive_utc_offset` (staff export in JST). Rows must be in strictly increasing time.
// Pure and total: any bytes give either data or one error, never a crash.
SpikesCsvResult parse_spikes_csv(std::string_view text, std::chrono::seconds naive_utc_offset);

// One timestamp as above; nullopt if it is none of the accepted forms or out of range.
std::optional<model::TimePoint> parse_timestamp(std::string_view text,
                                                std::chrono::seconds naive_utc_offset);

// Parses "+09:00", "-05:30", "+0900", "9", "Z"/"UTC" into an offset; nullopt if malformed.
std::optional<std::chrono::seconds> parse_utc_offset(std::string_view text);

}  // namespace mamori::detectors::flameup
