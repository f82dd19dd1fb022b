// The playbook loader (and the parsers it relies on) on arbitrary bytes: TOML that may be
// anything, as a default playbook, a city override and a document template; plus the template
// language, the incident JSON, citations, durations and the length counters. None may crash,
// hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/finding.h"
#include "playbooks/engine/clauses.h"
#include "playbooks/engine/documents.h"
#include "playbooks/engine/incident_data.h"
#include "playbooks/engine/loader.h"
#include "playbooks/engine/template.h"
#include "playbooks/engine/text_length.h"

namespace {

using namespace mamori::playbooks;

std::string one_step(const char* type) {
  return std::string("type = \"") + type +
         "\"\ntitle = \"t\"\n[[steps]]\nid = \"first\"\ntitle = \"t\"\nrole = \"当番\"\n"
         "clauses = [\"soma-city.txt 第7-2\"]\ninstructions = \"x\"\n";
}

PlaybookSources base() {
  PlaybookSources s;
  s.directory = "pb";
  for (const mamori::model::IncidentType t : mamori::model::kIncidentTypes) {
    const std::string type(mamori::model::to_string(t));
    s.playbooks.push_back({"pb/" + type + ".toml", one_step(type.c_str())});
  }
  s.templates.push_back(
      {"pb/templates/notice.toml", "title = \"t\"\nbody = \"{{municipality}}\"\n"});
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  // As a default playbook (replacing flameup), an override and a template.
  {
    auto s = base();
    s.playbooks[1].text = input;
    const auto r = load_sources(s);
    (void)r.text();
  }
  {
    PlaybookSources city;
    city.directory = "city";
    city.playbooks.push_back({"city/flameup.toml", input});
    city.templates.push_back({"city/templates/notice.toml", input});
    const auto r = load_sources(base(), {city});
    if (r.ok()) {
      IncidentData d;
      d.municipality = "相馬市";
      d.department = "秘書広報課";
      d.homepage_url = "https://a.example/";
      for (const auto& [id, tpl] : r.set->templates) (void)render_document(*r.set, id, d);
    }
  }

  // The template language directly, rendered with hostile values in both escapings.
  if (const auto tpl = Template::parse(input, nullptr)) {
    Value v = Value::table();
    v.set("municipality", input);
    Value list = Value::list();
    list.push(input);
    v.set("copied_elements", list);
    (void)tpl->render(v, Escaping::plain);
    (void)tpl->render(v, Escaping::html);
    (void)tpl->check(template_schema());
  }

  (void)parse_incident_json(input, {});
  (void)parse_citation(input);
  (void)parse_due(input);
  (void)escape_value(input, Escaping::html);
  (void)x_weighted_length(input);
  (void)grapheme_count(input);
  (void)mastodon_post_length(input);
  return 0;
}
