// Loading playbooks in stages, after Falco's rule loader: read (files -> text), collect (TOML ->
// raw definitions, each with its source position), validate (merge the city's overrides onto the
// defaults, then check the whole: roles, clauses, dependencies, cycles, checks, templates).
// Every problem becomes a Diagnostic with a code, file, line, column and key path; nothing is
// thrown for bad input.
//
// Layout of a playbook directory (the shipped one, or a city's override directory):
//   DIR/*.toml            one playbook per incident type (in an override directory: changes)
//   DIR/templates/*.toml  document templates, id = file stem (an override replaces by id)
//
// Reload (SIGHUP): load into a new set and swap only if ok() — the load itself is the dry run:
//   auto result = playbooks::load_playbooks(dir, {city_dir});
//   if (result.ok()) current = result.set;  else log result.text() and keep the old set.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "playbooks/engine/playbook.h"

namespace mamori::playbooks {

enum class DiagnosticCode {
  read_error,  // the file or directory cannot be read
  file_too_large,
  toml_syntax,    // not valid TOML
  unknown_key,    // a key the format does not have (usually a typo)
  missing_field,  // a required key is absent
  wrong_type,     // a string where a table belongs, …
  invalid_value,  // a value outside what the key accepts
  invalid_id,     // step or template id not [a-z][a-z0-9_]*
  unknown_incident_type,
  duplicate_playbook,  // two default files for one incident type
  missing_playbook,    // an incident type without a playbook
  duplicate_step,      // a step id defined twice without `override`
  unknown_role,
  unknown_clause,  // a citation not in the guideline catalogue (clauses.h)
  unknown_dependency,
  dependency_cycle,
  bad_duration,           // due / sustain / duration not readable
  bad_check,              // automatic check with missing or invalid parameters
  unknown_template,       // a step names a document template that does not exist
  template_syntax,        // a template body does not parse
  template_variable,      // a template uses a name the incident data does not have
  override_unknown_step,  // an override or removal names a step that does not exist
  override_without_default,
  removed_dependency,  // warning: a removal re-linked the steps that depended on it
};
std::string_view to_string(DiagnosticCode code);

enum class DiagnosticLevel { error, warning };

struct Diagnostic {
  DiagnosticLevel level = DiagnosticLevel::error;
  DiagnosticCode code = DiagnosticCode::invalid_value;
  std::string file;
  int line = 0;  // 1-based; 0 when the problem has no position (a missing file)
  int column = 0;
  std::string key;      // "steps[2].clauses[0]" (empty when not about one key)
  std::string message;  // Japanese, says what is wrong and what is expected
  // "FILE:LINE:COL: error[unknown_clause]: steps[2].clauses[0]: message"
  std::string text() const;
};

struct SourceFile {
  std::string name;  // as shown in diagnostics (normally the path)
  std::string text;
};

// One directory's worth of files (stage 1 output).
struct PlaybookSources {
  std::string directory;
  std::vector<SourceFile> playbooks;
  std::vector<SourceFile> templates;  // name's stem is the template id
};

struct LoadResult {
  std::shared_ptr<const PlaybookSet> set;  // null when there is any error
  std::vector<Diagnostic> diagnostics;     // errors and warnings, in file order
  bool ok() const { return set != nullptr; }
  std::size_t error_count() const;
  std::string text() const;  // one diagnostic per line
};

inline constexpr std::size_t kMaxPlaybookFileBytes = 1024 * 1024;
inline constexpr std::size_t kMaxStepsPerPlaybook = 100;

// Stage 1: reads DIR/*.toml and DIR/templates/*.toml, sorted by name.
PlaybookSources read_directory(const std::filesystem::path& dir,
                               std::vector<Diagnostic>& diagnostics);

// Stages 2 and 3 on in-memory sources (tests, the fuzz target, and load_playbooks).
LoadResult load_sources(const PlaybookSources& defaults,
                        const std::vector<PlaybookSources>& overrides = {});

// All stages: the shipped directory plus override directories applied in order.
LoadResult load_playbooks(const std::filesystem::path& dir,
                          const std::vector<std::filesystem::path>& override_dirs = {});

// Where the shipped playbooks are, seen from an executable: an installed tree
// (<prefix>/bin -> <prefix>/share/mamori/playbooks), a build tree inside the source tree
// (…/build*/bin -> …/playbooks), then /usr/share/mamori/playbooks. Empty if none has
// impersonation.toml.
std::filesystem::path find_shipped_playbooks(const std::filesystem::path& executable);

// The roles a step may name without an override file declaring more.
const std::vector<std::string>& default_roles();

}  // namespace mamori::playbooks
