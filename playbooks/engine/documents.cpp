#include "playbooks/engine/documents.h"

#include "playbooks/engine/form_fields.h"

namespace mamori::playbooks {
namespace {

// Sections that render nothing leave runs of blank lines; a document keeps at most one blank
// line in a row and no trailing whitespace.
std::string tidy(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  int newlines = 0;
  for (char c : text) {
    if (c == '\n') {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      if (++newlines > 2) continue;
    } else {
      newlines = 0;
    }
    out.push_back(c);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\t')) {
    out.pop_back();
  }
  std::size_t start = 0;
  while (start < out.size() && out[start] == '\n') ++start;
  return out.substr(start);
}

}  // namespace

DocumentRender render_document(const PlaybookSet& set, std::string_view template_id,
                               const IncidentData& incident) {
  DocumentRender result;
  const DocumentTemplate* tpl = set.find_template(template_id);
  if (tpl == nullptr) {
    result.error = "文書テンプレート '" + std::string(template_id) + "' はありません";
    return result;
  }
  const auto problems = validate_incident(incident);
  if (!problems.empty()) {
    result.error = problems.front();
    return result;
  }
  const Template* body = tpl->body.get();
  std::optional<LengthLimit> limit;
  if (const auto it = tpl->variants.find(incident.platform); it != tpl->variants.end()) {
    if (it->second.body) body = it->second.body.get();
    limit = it->second.limit;
    for (const auto& name : it->second.required) {
      const auto field = form_field(name);
      if (field && form_field_value(incident, *field).empty()) {
        result.error = missing_form_field(incident.platform, *field);
        return result;
      }
    }
  }
  RenderedDocument doc;
  doc.template_id = tpl->id;
  doc.title = tpl->title;
  doc.format = tpl->format;
  doc.platform = incident.platform;
  const Escaping escaping = tpl->format == DocumentFormat::html ? Escaping::html : Escaping::plain;
  doc.text = tidy(body->render(template_values(incident), escaping));
  if (limit) doc.length = measure(*limit, doc.text);
  result.document = std::move(doc);
  return result;
}

std::vector<DocumentRender> render_step_documents(const PlaybookSet& set, const Step& step,
                                                  const IncidentData& incident) {
  std::vector<DocumentRender> out;
  for (const auto& id : step.documents) out.push_back(render_document(set, id, incident));
  return out;
}

std::string resolve_check_text(std::string_view parameter, const IncidentData& incident) {
  const auto tpl = Template::parse(parameter, nullptr);
  if (!tpl) return {};
  return tpl->render(template_values(incident), Escaping::plain);
}

}  // namespace mamori::playbooks
