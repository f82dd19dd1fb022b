// The incident facts a drafted document is rendered from, as a plain struct (the daemon fills it
// from the incident, the config's [municipality] and the account) or as JSON
// (`mamorictl playbook render --incident FILE.json`). Turned into template values by
// template_values(); the names available to templates are template_schema().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "playbooks/engine/playbook.h"
#include "playbooks/engine/template.h"

namespace mamori::playbooks {

// 公用文 dates: 和暦 (令和7年11月25日) or 西暦 (2025年11月25日), one style per municipality.
enum class DateStyle { reiwa, western };

struct EvidenceItem {
  std::string label;  // "成りすましアカウントのプロフィール"
  std::string url;
  std::optional<TimePoint> captured_at;
  std::string sha256;
};

struct ActionTaken {
  TimePoint at{};
  std::string text;  // "X社へ削除依頼を送信"
};

struct IncidentData {
  IncidentType type = IncidentType::impersonation;
  Severity severity = Severity::medium;
  std::string severity_label;  // as staff read it (注意/警戒/炎上); default from `severity`
  Platform platform = Platform::x;
  std::string incident_id;
  std::string incident_url;  // the console page

  std::string municipality;         // 相馬市
  std::string municipality_romaji;  // Soma City (first line of English-read reports)
  std::string homepage_url;
  std::string official_account_list_url;  // the page listing the official accounts
  std::string notice_url;                 // where the homepage notice is (if published)
  std::string department;                 // 秘書広報課
  std::string contact_phone;
  std::string contact_email;
  std::string reporter_name;   // 担当者
  std::string reporter_title;  // 主査

  std::string official_handle;  // without '@'
  std::string official_url;
  std::string impersonator_handle;
  std::string impersonator_url;
  std::string impersonator_display_name;
  std::vector<std::string> copied_elements;  // 表示名, プロフィール画像, 自己紹介文 …

  std::string post_text;  // the post at issue: flamed, erroneous, rumour, threat
  std::string post_url;
  std::optional<TimePoint> posted_at;

  TimePoint detected_at{};
  std::optional<TimePoint> opened_at;
  TimePoint document_date{};  // 作成日; the daemon passes now

  std::string summary;          // 概要 (staff's words)
  std::string correction_text;  // 正しい情報 / 訂正内容
  std::string next_update;      // 次回説明の見込み ("本日17時頃")
  std::string police_station;   // 相談先 (○○警察署 生活安全課)
  std::vector<EvidenceItem> evidence;
  std::vector<ActionTaken> actions_taken;
  DateStyle date_style = DateStyle::reiwa;
};

// Checks what the renderer relies on: the municipality and department are named, URLs are
// http(s) (never javascript: in an HTML notice), texts are bounded. Empty result: fine.
std::vector<std::string> validate_incident(const IncidentData& d);

struct IncidentParse {
  std::optional<IncidentData> data;
  std::string
      error;  // "line 3, column 5: …" or "field 'platform': expected x, bluesky or mastodon"
};
// Keys are the struct's field names; times are ISO-8601 ("2025-11-25T14:05:00+09:00" or "…Z");
// `now` is the default document_date. Unknown keys are errors (usually typos).
IncidentParse parse_incident_json(std::string_view json, TimePoint now);

// "令和7年11月25日（火）14時05分" / "2025年11月25日（火）14時05分" in Japan time.
std::string format_datetime(TimePoint t, DateStyle style);
std::string format_date(TimePoint t, DateStyle style);  // "令和7年11月25日（火）"
std::string format_short(TimePoint t);                  // "11月25日14時05分", for posts

std::string_view incident_type_label(IncidentType t);  // 成りすまし, 炎上 …
std::string_view severity_display_label(Severity s);   // 低, 中, 高, 重大

TemplateSchema template_schema();
Value template_values(const IncidentData& d);

}  // namespace mamori::playbooks
