#include "bench/nab/nab_score.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <numeric>

#include "detectors/flameup/spikes.h"

namespace mamori::bench::nab {
namespace {

// 2 / (1 + e^(5y)) - 1: +0.987 at the start of a window (y = -1), 0 at its end, -1 far after it.
double scaled_sigmoid(double y) {
  if (y > 3.0) return -1.0;
  return 2.0 / (1.0 + std::exp(5.0 * y)) - 1.0;
}

std::size_t probation_rows(std::size_t rows) {
  return std::min(static_cast<std::size_t>(std::floor(0.15 * static_cast<double>(rows))),
                  static_cast<std::size_t>(0.15 * 5000));
}

// Per row: the window it lies in (-1 outside) and the score a detection there would earn.
struct Sweep {
  std::vector<int> window;
  std::vector<double> value;
  std::size_t probation = 0;
};

Sweep sweep(const Series& s, const Profile& p) {
  const std::size_t n = s.times.size();
  Sweep out;
  out.window.assign(n, -1);
  out.value.assign(n, 0.0);
  out.probation = probation_rows(n);
  // Row index ranges of the windows (rows inside [start, end]).
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const Window& w : s.windows) {
    const auto lo = std::lower_bound(s.times.begin(), s.times.end(), w.start) - s.times.begin();
    const auto hi = std::upper_bound(s.times.begin(), s.times.end(), w.end) - s.times.begin();
    if (hi <= lo) {
      ranges.emplace_back(1, 0);  // empty: no row inside
      continue;
    }
    ranges.emplace_back(static_cast<std::size_t>(lo), static_cast<std::size_t>(hi - 1));
    for (auto i = lo; i < hi; ++i)
      out.window[static_cast<std::size_t>(i)] = static_cast<int>(ranges.size() - 1);
  }
  const double top = scaled_sigmoid(-1.0);
  std::optional<std::pair<std::size_t, double>> previous;  // right edge, width of last window
  for (std::size_t i = 0; i < n; ++i) {
    const int w = out.window[i];
    if (w >= 0) {
      const auto [left, right] = ranges[static_cast<std::size_t>(w)];
      const double width = static_cast<double>(right - left + 1);
      const double position = -static_cast<double>(right - i + 1) / width;
      out.value[i] = p.tp * scaled_sigmoid(position) / top;
      if (i == right) previous = std::pair{right, width};
    } else if (!previous) {
      out.value[i] = -p.fp;
    } else {
      const double past = static_cast<double>(i - previous->first) / (previous->second - 1.0);
      out.value[i] = p.fp * scaled_sigmoid(past);
    }
  }
  return out;
}

std::optional<std::int64_t> epoch_seconds(std::string_view text) {
  const auto t = detectors::flameup::parse_timestamp(text, std::chrono::seconds(0));
  if (!t) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch().count();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto comma = line.find(',');
    out.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return out;
    line.remove_prefix(comma + 1);
  }
}

}  // namespace

Profile standard_profile() {
  return {"standard", 1.0, 0.11, 1.0};
}
Profile low_fp_profile() {
  return {"reward_low_FP_rate", 1.0, 0.22, 1.0};
}
Profile low_fn_profile() {
  return {"reward_low_FN_rate", 1.0, 0.11, 2.0};
}

double normalize(double raw, int windows, const Profile& p) {
  const double null = -p.fn * windows;
  const double perfect = p.tp * windows;
  return perfect > null ? 100.0 * (raw - null) / (perfect - null) : 0.0;
}

FileScore score_file(const Series& s, double threshold, const Profile& p) {
  const Sweep sw = sweep(s, p);
  FileScore f;
  f.rows = s.times.size();
  f.probation = sw.probation;
  f.windows = static_cast<int>(s.windows.size());
  std::vector<bool> found(s.windows.size(), false);
  for (std::size_t i = sw.probation; i < s.times.size(); ++i) {
    if (!(s.scores[i] >= threshold)) continue;
    ++f.detections;
    const int w = sw.window[i];
    if (w < 0) {
      f.raw += sw.value[i];
      ++f.false_alarms;
    } else if (!found[static_cast<std::size_t>(w)]) {
      found[static_cast<std::size_t>(w)] = true;  // the earliest detection is worth the most
      f.raw += sw.value[i];
      ++f.found;
    }
  }
  f.raw -= p.fn * (f.windows - f.found);
  return f;
}

CorpusScore score_corpus(std::span<const Series> corpus, double threshold, const Profile& p) {
  CorpusScore c;
  c.threshold = threshold;
  for (const Series& s : corpus) {
    FileScore f = score_file(s, threshold, p);
    c.raw += f.raw;
    c.windows += f.windows;
    c.found += f.found;
    c.false_alarms += f.false_alarms;
    c.files.push_back(f);
  }
  c.normalized = normalize(c.raw, c.windows, p);
  return c;
}

CorpusScore optimize_threshold(std::span<const Series> corpus, const Profile& p) {
  struct Row {
    double score;
    double value;
    int window;  // corpus-wide window id, -1 outside
  };
  std::vector<Row> rows;
  int windows = 0;
  for (const Series& s : corpus) {
    const Sweep sw = sweep(s, p);
    for (std::size_t i = sw.probation; i < s.times.size(); ++i) {
      rows.push_back({s.scores[i], sw.value[i], sw.window[i] < 0 ? -1 : windows + sw.window[i]});
    }
    windows += static_cast<int>(s.windows.size());
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.score > b.score; });
  // Lower the threshold one distinct score at a time; a window's worth is its best detection.
  std::vector<double> best(static_cast<std::size_t>(windows), 0.0);
  std::vector<bool> hit(static_cast<std::size_t>(windows), false);
  double tp = 0.0;
  double fp = 0.0;
  double fn = -p.fn * windows;
  double best_raw = fn;  // threshold above every score: nothing detected
  double best_threshold = rows.empty() ? 1.0 : std::nextafter(rows.front().score, HUGE_VAL);
  for (std::size_t i = 0; i < rows.size();) {
    const double level = rows[i].score;
    for (; i < rows.size() && rows[i].score == level; ++i) {
      const Row& r = rows[i];
      if (r.window < 0) {
        fp += r.value;
        continue;
      }
      const auto w = static_cast<std::size_t>(r.window);
      if (!hit[w]) {
        hit[w] = true;
        fn += p.fn;
        best[w] = r.value;
        tp += r.value;
      } else if (r.value > best[w]) {
        tp += r.value - best[w];
        best[w] = r.value;
      }
    }
    if (tp + fp + fn > best_raw) {
      best_raw = tp + fp + fn;
      best_threshold = level;
    }
  }
  return score_corpus(corpus, best_threshold, p);
}

WindowsResult parse_windows_json(std::string_view text) {
  WindowsResult out;
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(text, ec);
  if (ec) {
    out.error = "not JSON: " + ec.message();
    return out;
  }
  if (!doc.is_object()) {
    out.error = "expected an object of file name -> list of [start, end]";
    return out;
  }
  for (const auto& [key, list] : doc.as_object()) {
    const std::string name(key);
    if (!list.is_array()) {
      out.error = name + ": expected a list of [start, end]";
      return out;
    }
    std::vector<Window>& ws = out.windows[name];
    for (const auto& pair : list.as_array()) {
      if (!pair.is_array() || pair.as_array().size() != 2 || !pair.as_array()[0].is_string() ||
          !pair.as_array()[1].is_string()) {
        out.error = name + ": expected [\"start\", \"end\"] timestamps";
        return out;
      }
      const auto a = epoch_seconds(pair.as_array()[0].as_string());
      const auto b = epoch_seconds(pair.as_array()[1].as_string());
      if (!a || !b || *b < *a) {
        out.error = name + ": bad window timestamps (expected YYYY-MM-DD HH:MM:SS, start <= end)";
        return out;
      }
      ws.push_back({*a, *b});
    }
    std::sort(ws.begin(), ws.end(),
              [](const Window& x, const Window& y) { return x.start < y.start; });
  }
  return out;
}

const std::vector<Window>* windows_for(const std::map<std::string, std::vector<Window>>& windows,
                                       std::string_view file_name) {
  if (const auto slash = file_name.find_last_of('/'); slash != std::string_view::npos) {
    file_name.remove_prefix(slash + 1);
  }
  const std::vector<Window>* match = nullptr;
  std::size_t longest = 0;
  for (const auto& [key, ws] : windows) {
    std::string_view base = key;
    if (const auto slash = base.find_last_of('/'); slash != std::string_view::npos) {
      base.remove_prefix(slash + 1);
    }
    if (!base.empty() && file_name.ends_with(base) && base.size() > longest) {
      match = &ws;
      longest = base.size();
    }
  }
  return match;
}

ResultsCsv parse_results_csv(std::string_view text, std::string_view column) {
  ResultsCsv out;
  const auto fail = [&](std::size_t line, const std::string& what) {
    out.times.clear();
    out.scores.clear();
    out.error = "line " + std::to_string(line) + ": " + what;
    return out;
  };
  std::size_t line_no = 0;
  std::size_t time_col = 0;
  std::size_t score_col = 0;
  bool header = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (trim(line).empty()) continue;
    const auto fields = split(line);
    if (!header) {
      const auto find = [&](std::string_view name) {
        return static_cast<std::size_t>(std::find(fields.begin(), fields.end(), name) -
                                        fields.begin());
      };
      time_col = find("timestamp");
      score_col = find(column);
      if (time_col == fields.size())
        return fail(line_no, "expected a header with a 'timestamp' column");
      if (score_col == fields.size()) {
        return fail(line_no, "expected a header with a '" + std::string(column) + "' column");
      }
      header = true;
      continue;
    }
    if (fields.size() <= std::max(time_col, score_col)) return fail(line_no, "too few columns");
    const auto t = epoch_seconds(fields[time_col]);
    if (!t)
      return fail(line_no, "bad timestamp '" + std::string(fields[time_col].substr(0, 40)) + "'");
    if (!out.times.empty() && *t <= out.times.back()) {
      return fail(line_no, "timestamps must strictly increase");
    }
    double v = 0.0;
    const std::string_view f = fields[score_col];
    const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (f.empty() || ec != std::errc() || end != f.data() + f.size() || !std::isfinite(v)) {
      return fail(line_no,
                  "bad " + std::string(column) + " '" + std::string(f.substr(0, 40)) + "'");
    }
    out.times.push_back(*t);
    out.scores.push_back(v);
  }
  if (!header) return fail(1, "empty file: expected a header row");
  return out;
}

}  // namespace mamori::bench::nab
