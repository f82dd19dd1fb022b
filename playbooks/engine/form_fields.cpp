#include "playbooks/engine/form_fields.h"

#include <array>

#include "playbooks/engine/incident_data.h"

namespace mamori::playbooks {
namespace {

struct Known {
  FormField field;
  std::string IncidentData::*member;
};

const std::array<Known, 2>& known() {
  static const std::array<Known, 2> fields = {{
      {{"contact_email", "連絡先メールアドレス",
        "設定ファイル [municipality] の contact_email "
        "に、運営会社からの返信を受ける所属のアドレスを"
        "記入してから再読み込みしてください"},
       &IncidentData::contact_email},
      {{"impersonator_url", "報告するアカウントのURL",
        "成りすましアカウントのURLが分かりません。インシデントの対象アカウントを確認してください"},
       &IncidentData::impersonator_url},
  }};
  return fields;
}

}  // namespace

std::optional<FormField> form_field(std::string_view name) {
  for (const auto& k : known()) {
    if (k.field.name == name) return k.field;
  }
  return std::nullopt;
}

std::string form_field_names() {
  std::string out;
  for (const auto& k : known()) out += (out.empty() ? "" : ", ") + std::string(k.field.name);
  return out;
}

std::string_view form_field_value(const IncidentData& incident, const FormField& field) {
  for (const auto& k : known()) {
    if (k.field.name == field.name) return incident.*(k.member);
  }
  return {};
}

std::string missing_form_field(model::Platform platform, const FormField& field) {
  return std::string(model::display_name(platform)) + " の報告フォームに必要な" +
         std::string(field.label) + "がないため、報告文を作成できません。" +
         std::string(field.where) + "。";
}

}  // namespace mamori::playbooks
