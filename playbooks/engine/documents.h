// Drafted documents: a template of the loaded set rendered with an incident's data, for the
// incident's platform, with the platform's length limit measured where one applies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "playbooks/engine/incident_data.h"
#include "playbooks/engine/playbook.h"
#include "playbooks/engine/text_length.h"

namespace mamori::playbooks {

struct RenderedDocument {
  std::string template_id;
  std::string title;
  DocumentFormat format = DocumentFormat::text;
  Platform platform = Platform::x;
  std::string text;
  std::optional<LengthMeasure> length;  // set when the variant has a limit
};

struct DocumentRender {
  std::optional<RenderedDocument> document;
  std::string error;  // Japanese: unknown template, or what is wrong with the incident data
};

DocumentRender render_document(const PlaybookSet& set, std::string_view template_id,
                               const IncidentData& incident);

// Every document a step offers, in the step's order (documents that fail carry their error).
std::vector<DocumentRender> render_step_documents(const PlaybookSet& set, const Step& step,
                                                  const IncidentData& incident);

// A check parameter with template variables (homepage_contains url/text) filled in as plain
// text; empty if it does not parse (the loader has rejected such checks already).
std::string resolve_check_text(std::string_view parameter, const IncidentData& incident);

}  // namespace mamori::playbooks
