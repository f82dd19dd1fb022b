// Playbooks as data: the checklist an incident of one type walks staff through, each step citing
// the guideline clauses it implements. Loaded from playbooks/*.toml by loader.h; pure values here.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "model/platform.h"
#include "playbooks/engine/template.h"

namespace mamori::playbooks {

using model::IncidentType;
using model::Platform;
using model::Severity;
using model::TimePoint;

using model::incident_type_from_string;
using model::severity_from_string;

// Where a step's due time is measured from.
enum class DueAnchor { open, acknowledge };
constexpr std::string_view to_string(DueAnchor a) {
  return a == DueAnchor::open ? "open" : "acknowledge";
}

struct Due {
  DueAnchor anchor = DueAnchor::open;
  std::chrono::seconds after{0};
};

// "open+30m", "acknowledge + 2h", "open+1h30m". Returns nullopt with `error` set otherwise.
std::optional<Due> parse_due(std::string_view text, std::string* error = nullptr);
// "90s", "30m", "2h", "1d", "1h30m" (units s, m, h, d; at most 365 days; zero not allowed).
std::optional<std::chrono::seconds> parse_duration(std::string_view text,
                                                   std::string* error = nullptr);
std::string format_duration(std::chrono::seconds d);  // "1h30m"
std::string format_due(const Due& due);               // "open+1h30m"

// mandatory: must be done (or skipped with a note) before the incident is resolved.
// optional: staff decide (the guideline says 必要に応じ).
// conditional: mandatory when `condition` holds for the incident, optional otherwise.
enum class Requirement { mandatory, optional, conditional };
constexpr std::string_view to_string(Requirement r) {
  switch (r) {
    case Requirement::mandatory:
      return "mandatory";
    case Requirement::optional:
      return "optional";
    case Requirement::conditional:
      return "conditional";
  }
  return "unknown";
}

struct Condition {
  std::optional<Severity> min_severity;  // holds from this severity up
  std::vector<Platform> platforms;       // holds only on these platforms (empty: any)
};

// The automatic checks the daemon verifies itself (the lead's incident engine runs them).
enum class CheckKind {
  subject_gone,              // the impersonating account / post no longer answers
  rate_back_to_baseline,     // reply rate at most max_ratio x baseline for `sustain`
  official_post_since_open,  // an official post since the incident opened matches `pattern`
  homepage_contains,         // the page at `url` contains `text`
  elapsed,                   // `duration` has passed since `from`
};
constexpr std::string_view to_string(CheckKind k) {
  switch (k) {
    case CheckKind::subject_gone:
      return "subject_gone";
    case CheckKind::rate_back_to_baseline:
      return "rate_back_to_baseline";
    case CheckKind::official_post_since_open:
      return "official_post_since_open";
    case CheckKind::homepage_contains:
      return "homepage_contains";
    case CheckKind::elapsed:
      return "elapsed";
  }
  return "unknown";
}
std::optional<CheckKind> check_kind_from_string(std::string_view s);

struct Check {
  CheckKind kind = CheckKind::subject_gone;
  // official_post_since_open: literal alternatives separated by '|' ("訂正|お詫び"); not a regex.
  std::string pattern;
  // homepage_contains: both may hold template variables ({{homepage_url}}), resolved with the
  // incident's values by resolve_check_text() before fetching.
  std::string url;
  std::string text;
  // rate_back_to_baseline
  double max_ratio = 1.5;
  std::chrono::seconds sustain{30 * 60};
  // rate_back_to_baseline on a misinformation cluster: new matching replies per hour at most
  // this many for `sustain` (a cluster has no baseline to compare with).
  std::optional<double> max_per_hour;
  // elapsed
  std::chrono::seconds duration{0};
  DueAnchor from = DueAnchor::open;
};

// True if `text` contains one of the '|'-separated literal alternatives of `pattern`.
bool post_matches(std::string_view pattern, std::string_view text);

// A clause of a source guideline, e.g. {"soma-city.txt", "第7-2"}; validated against clauses.h.
struct ClauseRef {
  std::string file;
  std::string clause;
  std::string text() const { return file + " " + clause; }
  bool operator==(const ClauseRef&) const = default;
};

// Where a definition came from, for diagnostics and for the console ("defined in …").
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

struct Step {
  std::string id;
  std::string title;         // Japanese, short
  std::string instructions;  // Japanese, what to do and how
  std::string role;  // 当番 / 広報担当 / 所属長 / 情報政策担当 / 危機管理担当 …
  std::optional<Due> due;
  std::vector<std::string> depends_on;
  Requirement requirement = Requirement::mandatory;
  Condition condition;  // used when requirement == conditional
  std::vector<ClauseRef> clauses;
  std::vector<std::string> documents;  // template ids
  std::optional<Check> check;
  SourceLocation defined_at;
};

struct Playbook {
  IncidentType type = IncidentType::impersonation;
  std::string title;
  std::string description;
  std::vector<Step> steps;           // display order; dependencies form a DAG
  std::vector<std::string> sources;  // files that contributed (defaults, then overrides)
  const Step* find(std::string_view step_id) const;
};

// Output kind of a document, which decides escaping: plain text or an HTML fragment.
enum class DocumentFormat { text, html };

// Named length limits a document variant must fit in (text_length.h counts).
enum class LengthLimit {
  x_post,           // 280, X weighted count (CJK 2, URL 23)
  bluesky_post,     // 300 graphemes
  mastodon_post,    // 500 characters, URL 23
  bluesky_report,   // 300 graphemes: the app's "additional details" box
  mastodon_report,  // 1000 characters: the report comment
};
std::optional<LengthLimit> length_limit_from_string(std::string_view s);
std::string_view to_string(LengthLimit l);
std::size_t max_length(LengthLimit l);

struct DocumentVariant {
  std::shared_ptr<const Template> body;  // null: the template's default body
  std::optional<LengthLimit> limit;
  // Values the platform's form cannot go without (form_fields.h): a draft is not prepared
  // while one is empty.
  std::vector<std::string> required;
};

struct DocumentTemplate {
  std::string id;     // file stem: "apology_post"
  std::string title;  // Japanese: "お詫びの投稿"
  std::string description;
  std::string
      audience;  // who reads it, in Japanese: 住民, 運営会社, 報道機関, 庁内, 警察 (may be empty)
  DocumentFormat format = DocumentFormat::text;
  std::shared_ptr<const Template> body;
  std::map<Platform, DocumentVariant> variants;
  std::string source;  // the file it was loaded from
};

// A validated, immutable set: one playbook per incident type plus the document templates.
// The daemon holds it by shared_ptr and swaps it whole on a successful reload.
struct PlaybookSet {
  std::map<IncidentType, Playbook> playbooks;
  std::map<std::string, DocumentTemplate, std::less<>> templates;
  std::vector<std::string> roles;
  // Municipalities (config::Municipality::id) with playbook overrides of their own: their whole
  // set, these playbooks with their overrides applied after the instance's.
  std::map<std::string, std::shared_ptr<const PlaybookSet>, std::less<>> municipalities;
  const Playbook* find(IncidentType type) const;
  const DocumentTemplate* find_template(std::string_view id) const;
  // The set in force for an incident of `municipality`: its own, else this one.
  const PlaybookSet& of(std::string_view municipality) const;
};

// --- helpers for the incident engine -----------------------------------------------------------

// The requirement in force for an incident of this severity on this platform.
Requirement effective_requirement(const Step& step, Severity severity, Platform platform);
bool condition_holds(const Condition& c, Severity severity, Platform platform);
// When the step is due; nullopt if it has no due time or is anchored on an acknowledgement
// that has not happened yet.
std::optional<TimePoint> due_at(const Step& step, TimePoint opened,
                                std::optional<TimePoint> acknowledged);

}  // namespace mamori::playbooks
