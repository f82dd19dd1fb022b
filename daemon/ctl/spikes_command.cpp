// mamorictl spikes: the daemon's flame-up rate test on an exported count series (docs/design.md
// "mamorictl"), for backtesting thresholds on the office's own history.
//   mamorictl spikes IN.csv [-o OUT.csv] [--utc-offset +09:00] [--threshold X]
//                    [--close-threshold X] [--tolerated-ratio X] [--quiet-minutes N]
//                    [--cooldown-minutes N] [--min-volume-scale X]
// IN: `timestamp,value` with a header row; OUT: `timestamp,value,score,alert,episode`, causal,
// with the daemon's default flame-up settings unless a flag overrides one. `alert` = 1 only on the
// row where the daemon would raise a finding (an episode opens), `episode` = 1 while one is open.
// A CSV carries counts only, so this is the all-replies series of ReplyRateDetector (no
// reply-character gate, so no severity rise). The time step is the input's own (median gap).
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "daemon/ctl/commands.h"
#include "detectors/flameup/spikes.h"

namespace mamori::ctl {
namespace {

namespace fu = detectors::flameup;

constexpr const char* kUsage =
    "usage: mamorictl spikes IN.csv [-o OUT.csv] [--utc-offset +09:00] [--threshold X]\n"
    "                        [--close-threshold X] [--tolerated-ratio X] [--quiet-minutes N]\n"
    "                        [--cooldown-minutes N] [--min-volume-scale X]\n";

std::optional<double> number(const std::string& s) {
  double v = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int bad_flag(const std::string& flag, const char* expected, const std::string& got) {
  std::fprintf(stderr, "mamorictl spikes: %s: expected %s, got '%s'\n", flag.c_str(), expected,
               got.c_str());
  return 2;
}

}  // namespace

int spikes_command(const Args& args) {
  std::string input;
  std::string output;
  fu::Settings settings;
  std::chrono::seconds naive_offset = settings.utc_offset;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a.size() > 1 && a[0] == '-') {
      if (!has_value) {
        std::fprintf(stderr, "mamorictl spikes: %s needs a value\n%s", a.c_str(), kUsage);
        return 2;
      }
      const std::string& v = args[++i];
      const auto n = number(v);
      if (a == "-o" || a == "--output") {
        output = v;
      } else if (a == "--utc-offset") {
        const auto offset = fu::parse_utc_offset(v);
        if (!offset) return bad_flag(a, "an offset like +09:00", v);
        settings.utc_offset = *offset;
        naive_offset = *offset;
      } else if (a == "--threshold") {
        if (!n || *n <= 0) return bad_flag(a, "a positive number (-log10 p)", v);
        settings.open_surprise = *n;
      } else if (a == "--close-threshold") {
        if (!n || *n <= 0) return bad_flag(a, "a positive number (-log10 p)", v);
        settings.close_surprise = *n;
      } else if (a == "--tolerated-ratio") {
        if (!n || *n < 1) return bad_flag(a, "a number >= 1", v);
        settings.tolerated_ratio = *n;
      } else if (a == "--quiet-minutes") {
        if (!n || *n < 1 || *n > 10080 || *n != std::floor(*n)) {
          return bad_flag(a, "whole minutes (1..10080)", v);
        }
        settings.quiet_time = std::chrono::minutes(static_cast<int>(*n));
      } else if (a == "--cooldown-minutes") {
        if (!n || *n < 0 || *n > 10080 || *n != std::floor(*n)) {
          return bad_flag(a, "whole minutes (0..10080)", v);
        }
        settings.cooldown = std::chrono::minutes(static_cast<int>(*n));
      } else if (a == "--min-volume-scale") {
        if (!n || *n < 0) return bad_flag(a, "a non-negative number", v);
        for (auto& w : settings.windows) w.min_count *= *n;
      } else {
        std::fprintf(stderr, "mamorictl spikes: unknown option %s\n%s", a.c_str(), kUsage);
        return 2;
      }
    } else if (input.empty()) {
      input = a;
    } else {
      std::fprintf(stderr, "mamorictl spikes: more than one input file ('%s')\n%s", a.c_str(),
                   kUsage);
      return 2;
    }
  }
  if (input.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (const auto problem = fu::validate(settings)) {
    std::fprintf(stderr, "mamorictl spikes: %s\n", problem->c_str());
    return 2;
  }

  std::ifstream in(input, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open for reading\n", input.c_str());
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const fu::SpikesCsvResult parsed = fu::parse_spikes_csv(text.str(), naive_offset);
  if (!parsed.ok()) {
    const fu::CsvError& e = *parsed.error;
    std::fprintf(stderr, "%s:%zu: field '%s': %s\n", input.c_str(), e.line, e.field.c_str(),
                 e.message.c_str());
    return 2;
  }
  const auto scored = fu::spikes(parsed.data.samples, settings);

  std::ostringstream out;
  out << "timestamp,value,score,alert,episode\n";
  char score[32];
  for (std::size_t i = 0; i < scored.size(); ++i) {
    std::snprintf(score, sizeof score, "%.4f", scored[i].score);
    out << csv_field(parsed.data.timestamp_texts[i]) << ',' << csv_field(parsed.data.value_texts[i])
        << ',' << score << ',' << (scored[i].alert ? 1 : 0) << ',' << (scored[i].episode ? 1 : 0)
        << '\n';
  }
  if (output.empty()) {
    std::fputs(out.str().c_str(), stdout);
    return 0;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  if (!file || !(file << out.str()) || !file.flush()) {
    std::fprintf(stderr, "%s: cannot write the output\n", output.c_str());
    return 1;
  }
  return 0;
}

}  // namespace mamori::ctl
