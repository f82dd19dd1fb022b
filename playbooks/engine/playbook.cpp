#include "playbooks/engine/playbook.h"

#include <algorithm>

namespace mamori::playbooks {

std::optional<CheckKind> check_kind_from_string(std::string_view s) {
  for (auto k :
       {CheckKind::subject_gone, CheckKind::rate_back_to_baseline,
        CheckKind::official_post_since_open, CheckKind::homepage_contains, CheckKind::elapsed}) {
    if (to_string(k) == s) return k;
  }
  return std::nullopt;
}

std::optional<LengthLimit> length_limit_from_string(std::string_view s) {
  for (auto l : {LengthLimit::x_post, LengthLimit::bluesky_post, LengthLimit::mastodon_post,
                 LengthLimit::bluesky_report, LengthLimit::mastodon_report}) {
    if (to_string(l) == s) return l;
  }
  return std::nullopt;
}

std::string_view to_string(LengthLimit l) {
  switch (l) {
    case LengthLimit::x_post:
      return "x_post";
    case LengthLimit::bluesky_post:
      return "bluesky_post";
    case LengthLimit::mastodon_post:
      return "mastodon_post";
    case LengthLimit::bluesky_report:
      return "bluesky_report";
    case LengthLimit::mastodon_report:
      return "mastodon_report";
  }
  return "unknown";
}

std::size_t max_length(LengthLimit l) {
  switch (l) {
    case LengthLimit::x_post:
      return 280;
    case LengthLimit::bluesky_post:
      return 300;
    case LengthLimit::mastodon_post:
      return 500;
    case LengthLimit::bluesky_report:
      return 300;
    case LengthLimit::mastodon_report:
      return 1000;
  }
  return 0;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text, std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<std::chrono::seconds> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  constexpr long long kMax = 365LL * 24 * 3600;
  if (text.empty()) return fail("期間が空です（例: 30m, 2h, 1h30m, 1d）");
  long long total = 0;
  std::size_t pos = 0;
  int last_rank = 5;  // units must go from large to small: d h m s
  while (pos < text.size()) {
    long long n = 0;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      n = n * 10 + (text[pos] - '0');
      ++pos;
      if (++digits > 6) return fail("期間 '" + std::string(text) + "' の数値が大きすぎます");
    }
    if (digits == 0 || pos >= text.size()) {
      return fail("期間 '" + std::string(text) +
                  "' が読めません（数値と単位 s/m/h/d の組み合わせ、例: 30m, 2h, 1h30m）");
    }
    long long unit = 0;
    int rank = 0;
    switch (text[pos]) {
      case 'd':
        unit = 86400;
        rank = 4;
        break;
      case 'h':
        unit = 3600;
        rank = 3;
        break;
      case 'm':
        unit = 60;
        rank = 2;
        break;
      case 's':
        unit = 1;
        rank = 1;
        break;
      default:
        return fail("期間 '" + std::string(text) + "' の単位 '" + std::string(1, text[pos]) +
                    "' は使えません（s, m, h, d）");
    }
    if (rank >= last_rank) {
      return fail("期間 '" + std::string(text) +
                  "' の単位は大きい順に一度ずつ書いてください（例: 1h30m）");
    }
    last_rank = rank;
    ++pos;
    total += n * unit;
    if (total > kMax) return fail("期間 '" + std::string(text) + "' が長すぎます（365日まで）");
  }
  if (total == 0) return fail("期間 '" + std::string(text) + "' が 0 です");
  return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds d) {
  long long s = d.count();
  std::string out;
  const auto part = [&](long long unit, char name) {
    if (s >= unit) {
      out += std::to_string(s / unit) + name;
      s %= unit;
    }
  };
  part(86400, 'd');
  part(3600, 'h');
  part(60, 'm');
  part(1, 's');
  return out.empty() ? "0s" : out;
}

std::optional<Due> parse_due(std::string_view text, std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<Due> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact.push_back(c);
  }
  const std::size_t plus = compact.find('+');
  if (plus == std::string::npos) {
    return fail("期限 '" + std::string(text) +
                "' が読めません（\"open+30m\" または \"acknowledge+2h\" の形）");
  }
  const std::string anchor = compact.substr(0, plus);
  Due due;
  if (anchor == "open") {
    due.anchor = DueAnchor::open;
  } else if (anchor == "acknowledge") {
    due.anchor = DueAnchor::acknowledge;
  } else {
    return fail("期限の起点 '" + anchor + "' は使えません（open または acknowledge）");
  }
  const auto d = parse_duration(std::string_view(compact).substr(plus + 1), error);
  if (!d) return std::nullopt;
  due.after = *d;
  return due;
}

std::string format_due(const Due& due) {
  return std::string(to_string(due.anchor)) + "+" + format_duration(due.after);
}

bool post_matches(std::string_view pattern, std::string_view text) {
  std::size_t pos = 0;
  while (pos <= pattern.size()) {
    std::size_t bar = pattern.find('|', pos);
    if (bar == std::string_view::npos) bar = pattern.size();
    const std::string_view alt = pattern.substr(pos, bar - pos);
    if (!alt.empty() && text.find(alt) != std::string_view::npos) return true;
    pos = bar + 1;
  }
  return false;
}

const Step* Playbook::find(std::string_view step_id) const {
  for (const auto& s : steps) {
    if (s.id == step_id) return &s;
  }
  return nullptr;
}

const Playbook* PlaybookSet::find(IncidentType type) const {
  const auto it = playbooks.find(type);
  return it == playbooks.end() ? nullptr : &it->second;
}

const PlaybookSet& PlaybookSet::of(std::string_view municipality) const {
  const auto it = municipalities.find(municipality);
  return it == municipalities.end() || !it->second ? *this : *it->second;
}

const DocumentTemplate* PlaybookSet::find_template(std::string_view id) const {
  const auto it = templates.find(id);
  return it == templates.end() ? nullptr : &it->second;
}

bool condition_holds(const Condition& c, Severity severity, Platform platform) {
  if (c.min_severity && static_cast<int>(severity) < static_cast<int>(*c.min_severity)) {
    return false;
  }
  if (!c.platforms.empty() &&
      std::find(c.platforms.begin(), c.platforms.end(), platform) == c.platforms.end()) {
    return false;
  }
  return true;
}

Requirement effective_requirement(const Step& step, Severity severity, Platform platform) {
  if (step.requirement != Requirement::conditional) return step.requirement;
  return condition_holds(step.condition, severity, platform) ? Requirement::mandatory
                                                             : Requirement::optional;
}

std::optional<TimePoint> due_at(const Step& step, TimePoint opened,
                                std::optional<TimePoint> acknowledged) {
  if (!step.due) return std::nullopt;
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(step.due->after);
  if (step.due->anchor == DueAnchor::open) return opened + after;
  if (!acknowledged) return std::nullopt;
  return *acknowledged + after;
}

}  // namespace mamori::playbooks
