// What a platform's report form will not take a report without, checked when its draft is
// prepared (document variants' `required`, playbooks/templates/takedown_report.toml): each field
// an incident value, with what staff call it and where they set it, so a missing one stops the
// draft with a message that says what to do rather than leaving staff at a form they cannot
// send.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/platform.h"

namespace mamori::playbooks {

struct IncidentData;

struct FormField {
  std::string_view name;   // the template variable: "contact_email"
  std::string_view label;  // Japanese, for staff: 連絡先メールアドレス
  std::string_view where;  // Japanese: where it comes from and how to fill it in
};

// The fields a variant may require; nullopt for a name that is not one.
std::optional<FormField> form_field(std::string_view name);
// Every name form_field() knows, comma-separated (for the loader's message).
std::string form_field_names();
// The incident's value of the field (empty when missing).
std::string_view form_field_value(const IncidentData& incident, const FormField& field);
// 「Facebook の報告フォームに必要な連絡先メールアドレスがありません。…」
std::string missing_form_field(model::Platform platform, const FormField& field);

}  // namespace mamori::playbooks
