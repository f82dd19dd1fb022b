#include "playbooks/engine/incident_data.h"

#include <array>
#include <boost/json.hpp>
#include <functional>
#include <map>

#include "model/time_text.h"

namespace mamori::playbooks {
namespace {

constexpr std::size_t kMaxText = 10000;
constexpr std::size_t kMaxItems = 200;
constexpr auto kJst = model::kJstOffset;

bool http_url(std::string_view u) {
  return u.starts_with("https://") || u.starts_with("http://");
}

// One-line fields (handles, names, URLs) must not carry line breaks into a document, where a
// stranger's display name could otherwise forge a line of the city's text.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::string at_handle(std::string_view handle) {
  if (handle.empty()) return {};
  return "@" + one_line(handle);
}

std::string strip_at(std::string_view h) {
  while (!h.empty() && h.front() == '@') h.remove_prefix(1);
  return std::string(h);
}

// Parses ISO-8601 date-times: YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM]; no offset = Japan time.
std::optional<TimePoint> parse_time(std::string_view s) {
  const auto num = [&](std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!num(0, 4, y) || s.size() < 16 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' ||
      !num(8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !num(11, 2, h) || s[13] != ':' ||
      !num(14, 2, mi)) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!num(pos + 1, 2, sec)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    }
  }
  std::chrono::minutes offset = kJst;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      offset = std::chrono::minutes(0);
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!num(pos + 1, 2, oh) || !num(pos + 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
      offset = std::chrono::minutes(oh * 60 + om);
      if (s[pos] == '-') offset = -offset;
    } else {
      return std::nullopt;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  const auto local = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                     std::chrono::seconds(sec);
  return std::chrono::time_point_cast<std::chrono::milliseconds>(local - offset);
}

constexpr std::array<std::string_view, 7> kWeekdays = {"日", "月", "火", "水", "木", "金", "土"};

std::string year_text(int y, const std::chrono::year_month_day& ymd, DateStyle style) {
  if (style == DateStyle::western) return std::to_string(y) + "年";
  const auto date = std::chrono::sys_days(ymd);
  const auto reiwa_start = std::chrono::sys_days(std::chrono::year(2019) / 5 / 1);
  const auto heisei_start = std::chrono::sys_days(std::chrono::year(1989) / 1 / 8);
  if (date >= reiwa_start) {
    const int n = y - 2018;
    return "令和" + (n == 1 ? std::string("元") : std::to_string(n)) + "年";
  }
  if (date >= heisei_start) {
    const int n = y - 1988;
    return "平成" + (n == 1 ? std::string("元") : std::to_string(n)) + "年";
  }
  return std::to_string(y) + "年";
}

std::string two(int v) {
  return (v < 10 ? "0" : "") + std::to_string(v);
}

}  // namespace

std::string format_date(TimePoint t, DateStyle style) {
  const auto local = std::chrono::floor<std::chrono::days>(t + kJst);
  const std::chrono::year_month_day ymd{local};
  const std::chrono::weekday wd{local};
  return year_text(static_cast<int>(ymd.year()), ymd, style) +
         std::to_string(static_cast<unsigned>(ymd.month())) + "月" +
         std::to_string(static_cast<unsigned>(ymd.day())) + "日（" +
         std::string(kWeekdays[wd.c_encoding()]) + "）";
}

std::string format_datetime(TimePoint t, DateStyle style) {
  const auto local = t + kJst;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(local - day)};
  return format_date(t, style) + std::to_string(hms.hours().count()) + "時" +
         two(static_cast<int>(hms.minutes().count())) + "分";
}

std::string format_short(TimePoint t) {
  const auto local = t + kJst;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(local - day)};
  return std::to_string(static_cast<unsigned>(ymd.month())) + "月" +
         std::to_string(static_cast<unsigned>(ymd.day())) + "日" +
         std::to_string(hms.hours().count()) + "時" + two(static_cast<int>(hms.minutes().count())) +
         "分";
}

std::string_view incident_type_label(IncidentType t) {
  switch (t) {
    case IncidentType::impersonation:
      return "成りすまし";
    case IncidentType::flameup:
      return "炎上";
    case IncidentType::misinformation:
      return "事実に反する情報（デマ）の拡散";
    case IncidentType::account_compromise:
      return "公式アカウントへの不正アクセス";
    case IncidentType::erroneous_post:
      return "誤った情報の発信";
    case IncidentType::threat:
      return "脅迫・詐欺の疑いのある書き込み";
    case IncidentType::account_change:
      return "公式アカウントの変更・廃止";
  }
  return "";
}

std::string_view severity_display_label(Severity s) {
  switch (s) {
    case Severity::low:
      return "低";
    case Severity::medium:
      return "中";
    case Severity::high:
      return "高";
    case Severity::critical:
      return "重大";
  }
  return "";
}

std::vector<std::string> validate_incident(const IncidentData& d) {
  std::vector<std::string> errors;
  if (d.municipality.empty()) errors.push_back("municipality: 自治体名が空です");
  if (d.department.empty()) errors.push_back("department: 担当所属が空です");
  const std::pair<std::string_view, const std::string*> urls[] = {
      {"homepage_url", &d.homepage_url},
      {"official_account_list_url", &d.official_account_list_url},
      {"notice_url", &d.notice_url},
      {"incident_url", &d.incident_url},
      {"official_url", &d.official_url},
      {"impersonator_url", &d.impersonator_url},
      {"post_url", &d.post_url},
  };
  if (d.homepage_url.empty()) errors.push_back("homepage_url: 公式ホームページのURLが空です");
  for (const auto& [name, value] : urls) {
    if (!value->empty() && !http_url(*value)) {
      errors.push_back(std::string(name) + ": http:// または https:// で始まるURLが必要です");
    }
  }
  for (std::size_t i = 0; i < d.evidence.size(); ++i) {
    if (!d.evidence[i].url.empty() && !http_url(d.evidence[i].url)) {
      errors.push_back("evidence[" + std::to_string(i) +
                       "].url: http:// または https:// で始まるURLが必要です");
    }
  }
  return errors;
}

// --- JSON ---------------------------------------------------------------------------------------

namespace {

struct JsonReader {
  std::string error;

  bool fail(std::string_view field, std::string_view expected) {
    if (error.empty())
      error = "field '" + std::string(field) + "': expected " + std::string(expected);
    return false;
  }

  bool text(const boost::json::value& v, std::string_view field, std::string& out) {
    if (!v.is_string()) return fail(field, "a string");
    if (v.as_string().size() > kMaxText) return fail(field, "at most 10000 bytes");
    out = std::string(v.as_string());
    return true;
  }

  bool time(const boost::json::value& v, std::string_view field, TimePoint& out) {
    std::string s;
    if (!text(v, field, s)) return false;
    const auto t = parse_time(s);
    if (!t) return fail(field, "an ISO-8601 date-time such as 2025-11-25T14:05:00+09:00");
    out = *t;
    return true;
  }
};

std::pair<int, int> line_column(std::string_view text, std::size_t offset) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

IncidentParse parse_incident_json(std::string_view json, TimePoint now) {
  IncidentParse result;
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(json.data(), json.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const auto [line, column] = line_column(json, used);
    result.error = "line " + std::to_string(line) + ", column " + std::to_string(column) +
                   ": invalid JSON (" + ec.message() + ")";
    return result;
  }
  const boost::json::value root = parser.release();
  if (!root.is_object()) {
    result.error = "expected a JSON object with the incident's fields";
    return result;
  }
  IncidentData d;
  d.document_date = now;
  JsonReader r;
  using Field = std::function<bool(const boost::json::value&)>;
  const auto text = [&](const char* name, std::string& out) {
    return std::pair<std::string, Field>{
        name, [&r, &out, name](const boost::json::value& v) { return r.text(v, name, out); }};
  };
  const auto handle = [&](const char* name, std::string& out) {
    return std::pair<std::string, Field>{name, [&r, &out, name](const boost::json::value& v) {
                                           std::string s;
                                           if (!r.text(v, name, s)) return false;
                                           out = strip_at(s);
                                           return true;
                                         }};
  };
  const std::map<std::string, Field, std::less<>> fields = {
      {"type",
       [&](const boost::json::value& v) {
         std::string s;
         if (!r.text(v, "type", s)) return false;
         const auto t = incident_type_from_string(s);
         if (!t) {
           return r.fail("type",
                         "impersonation, flameup, misinformation, account_compromise, "
                         "erroneous_post, threat or account_change");
         }
         d.type = *t;
         return true;
       }},
      {"severity",
       [&](const boost::json::value& v) {
         std::string s;
         if (!r.text(v, "severity", s)) return false;
         const auto sv = severity_from_string(s);
         if (!sv) return r.fail("severity", "low, medium, high or critical");
         d.severity = *sv;
         return true;
       }},
      {"platform",
       [&](const boost::json::value& v) {
         std::string s;
         if (!r.text(v, "platform", s)) return false;
         const auto p = model::platform_from_string(s);
         if (!p) return r.fail("platform", "x, bluesky, mastodon, facebook, instagram or youtube");
         d.platform = *p;
         return true;
       }},
      {"date_style",
       [&](const boost::json::value& v) {
         std::string s;
         if (!r.text(v, "date_style", s)) return false;
         if (s == "reiwa") {
           d.date_style = DateStyle::reiwa;
         } else if (s == "western") {
           d.date_style = DateStyle::western;
         } else {
           return r.fail("date_style", "reiwa or western");
         }
         return true;
       }},
      text("severity_label", d.severity_label),
      text("incident_id", d.incident_id),
      text("incident_url", d.incident_url),
      text("municipality", d.municipality),
      text("municipality_romaji", d.municipality_romaji),
      text("homepage_url", d.homepage_url),
      text("official_account_list_url", d.official_account_list_url),
      text("notice_url", d.notice_url),
      text("department", d.department),
      text("contact_phone", d.contact_phone),
      text("contact_email", d.contact_email),
      text("reporter_name", d.reporter_name),
      text("reporter_title", d.reporter_title),
      handle("official_handle", d.official_handle),
      text("official_url", d.official_url),
      handle("impersonator_handle", d.impersonator_handle),
      text("impersonator_url", d.impersonator_url),
      text("impersonator_display_name", d.impersonator_display_name),
      text("post_text", d.post_text),
      text("post_url", d.post_url),
      text("summary", d.summary),
      text("correction_text", d.correction_text),
      text("next_update", d.next_update),
      text("police_station", d.police_station),
      {"posted_at",
       [&](const boost::json::value& v) {
         TimePoint t{};
         if (!r.time(v, "posted_at", t)) return false;
         d.posted_at = t;
         return true;
       }},
      {"detected_at",
       [&](const boost::json::value& v) { return r.time(v, "detected_at", d.detected_at); }},
      {"opened_at",
       [&](const boost::json::value& v) {
         TimePoint t{};
         if (!r.time(v, "opened_at", t)) return false;
         d.opened_at = t;
         return true;
       }},
      {"document_date",
       [&](const boost::json::value& v) { return r.time(v, "document_date", d.document_date); }},
      {"copied_elements",
       [&](const boost::json::value& v) {
         if (!v.is_array() || v.as_array().size() > kMaxItems) {
           return r.fail("copied_elements", "an array of at most 200 strings");
         }
         for (const auto& item : v.as_array()) {
           std::string s;
           if (!r.text(item, "copied_elements[]", s)) return false;
           d.copied_elements.push_back(std::move(s));
         }
         return true;
       }},
      {"evidence",
       [&](const boost::json::value& v) {
         if (!v.is_array() || v.as_array().size() > kMaxItems) {
           return r.fail("evidence",
                         "an array of at most 200 objects {label, url, captured_at, sha256}");
         }
         for (const auto& item : v.as_array()) {
           if (!item.is_object())
             return r.fail("evidence[]", "an object {label, url, captured_at, sha256}");
           EvidenceItem e;
           for (const auto& kv : item.as_object()) {
             const std::string key(kv.key());
             bool ok = true;
             if (key == "label") {
               ok = r.text(kv.value(), "evidence[].label", e.label);
             } else if (key == "url") {
               ok = r.text(kv.value(), "evidence[].url", e.url);
             } else if (key == "sha256") {
               ok = r.text(kv.value(), "evidence[].sha256", e.sha256);
             } else if (key == "captured_at") {
               TimePoint t{};
               ok = r.time(kv.value(), "evidence[].captured_at", t);
               e.captured_at = t;
             } else {
               return r.fail("evidence[]." + key,
                             "no such field (label, url, captured_at, sha256)");
             }
             if (!ok) return false;
           }
           d.evidence.push_back(std::move(e));
         }
         return true;
       }},
      {"actions_taken",
       [&](const boost::json::value& v) {
         if (!v.is_array() || v.as_array().size() > kMaxItems) {
           return r.fail("actions_taken", "an array of at most 200 objects {at, text}");
         }
         for (const auto& item : v.as_array()) {
           if (!item.is_object()) return r.fail("actions_taken[]", "an object {at, text}");
           ActionTaken a;
           bool has_at = false;
           for (const auto& kv : item.as_object()) {
             const std::string key(kv.key());
             bool ok = true;
             if (key == "at") {
               ok = r.time(kv.value(), "actions_taken[].at", a.at);
               has_at = true;
             } else if (key == "text") {
               ok = r.text(kv.value(), "actions_taken[].text", a.text);
             } else {
               return r.fail("actions_taken[]." + key, "no such field (at, text)");
             }
             if (!ok) return false;
           }
           if (!has_at) return r.fail("actions_taken[].at", "the time of the action");
           d.actions_taken.push_back(std::move(a));
         }
         return true;
       }},
  };
  bool has_detected = false;
  for (const auto& kv : root.as_object()) {
    const auto it = fields.find(std::string_view(kv.key()));
    if (it == fields.end()) {
      r.fail(std::string(kv.key()), "a known field (see docs: incident JSON); this one is unknown");
      break;
    }
    if (kv.key() == "detected_at") has_detected = true;
    if (!it->second(kv.value())) break;
  }
  if (r.error.empty()) {
    for (const char* required : {"platform", "municipality", "department", "homepage_url"}) {
      if (!root.as_object().contains(required)) {
        r.fail(required, "a value (the field is required)");
        break;
      }
    }
  }
  if (r.error.empty() && !has_detected) r.fail("detected_at", "a value (the field is required)");
  if (r.error.empty()) {
    const auto problems = validate_incident(d);
    if (!problems.empty()) r.error = problems.front();
  }
  if (!r.error.empty()) {
    result.error = r.error;
    return result;
  }
  result.data = std::move(d);
  return result;
}

// --- template values ----------------------------------------------------------------------------

TemplateSchema template_schema() {
  using K = TemplateVariable::Kind;
  TemplateSchema s;
  for (const char* name : {"municipality",
                           "municipality_romaji",
                           "department",
                           "contact_phone",
                           "contact_email",
                           "homepage_url",
                           "official_account_list_url",
                           "notice_url",
                           "reporter_name",
                           "reporter_title",
                           "platform_name",
                           "official_account",
                           "official_url",
                           "impersonator_account",
                           "impersonator_url",
                           "impersonator_display_name",
                           "post_text",
                           "post_url",
                           "posted_at",
                           "posted_at_short",
                           "detected_at",
                           "detected_at_short",
                           "detected_date",
                           "opened_at",
                           "today",
                           "severity_label",
                           "incident_type_label",
                           "summary",
                           "correction_text",
                           "next_update",
                           "police_station",
                           "incident_id",
                           "incident_url"}) {
    s[name] = {K::text, {}};
  }
  for (const char* name :
       {"is_x", "is_bluesky", "is_mastodon", "severity_high", "has_copied_elements", "has_evidence",
        "has_actions_taken", "type_impersonation", "type_flameup", "type_misinformation",
        "type_account_compromise", "type_erroneous_post", "type_threat", "type_account_change"}) {
    s[name] = {K::flag, {}};
  }
  s["copied_elements"] = {K::text_list, {}};
  s["evidence"] = {K::table_list, {"label", "url", "captured_at", "sha256"}};
  s["actions_taken"] = {K::table_list, {"at", "text"}};
  return s;
}

Value template_values(const IncidentData& d) {
  Value v = Value::table();
  const auto when = [&](TimePoint t) { return format_datetime(t, d.date_style); };
  v.set("municipality", one_line(d.municipality));
  v.set("municipality_romaji", one_line(d.municipality_romaji));
  v.set("department", one_line(d.department));
  v.set("contact_phone", one_line(d.contact_phone));
  v.set("contact_email", one_line(d.contact_email));
  v.set("homepage_url", one_line(d.homepage_url));
  v.set(
      "official_account_list_url",
      one_line(d.official_account_list_url.empty() ? d.homepage_url : d.official_account_list_url));
  v.set("notice_url", one_line(d.notice_url.empty() ? d.homepage_url : d.notice_url));
  v.set("reporter_name", one_line(d.reporter_name));
  v.set("reporter_title", one_line(d.reporter_title));
  v.set("platform_name", std::string(model::display_name(d.platform)));
  v.set("official_account", at_handle(d.official_handle));
  v.set("official_url", one_line(d.official_url));
  v.set("impersonator_account", at_handle(d.impersonator_handle));
  v.set("impersonator_url", one_line(d.impersonator_url));
  v.set("impersonator_display_name", one_line(d.impersonator_display_name));
  v.set("post_text", d.post_text);
  v.set("post_url", one_line(d.post_url));
  v.set("posted_at", d.posted_at ? when(*d.posted_at) : std::string());
  v.set("posted_at_short", d.posted_at ? format_short(*d.posted_at) : std::string());
  v.set("detected_at", when(d.detected_at));
  v.set("detected_at_short", format_short(d.detected_at));
  v.set("detected_date", format_date(d.detected_at, d.date_style));
  v.set("opened_at", when(d.opened_at.value_or(d.detected_at)));
  v.set("today", format_date(d.document_date, d.date_style));
  v.set("severity_label", d.severity_label.empty() ? std::string(severity_display_label(d.severity))
                                                   : one_line(d.severity_label));
  v.set("incident_type_label", std::string(incident_type_label(d.type)));
  v.set("summary", d.summary);
  v.set("correction_text", d.correction_text);
  v.set("next_update", one_line(d.next_update));
  v.set("police_station", one_line(d.police_station));
  v.set("incident_id", one_line(d.incident_id));
  v.set("incident_url", one_line(d.incident_url));
  v.set("is_x", Value::of_flag(d.platform == Platform::x));
  v.set("is_bluesky", Value::of_flag(d.platform == Platform::bluesky));
  v.set("is_mastodon", Value::of_flag(d.platform == Platform::mastodon));
  v.set("severity_high", Value::of_flag(d.severity >= Severity::high));
  v.set("has_copied_elements", Value::of_flag(!d.copied_elements.empty()));
  v.set("has_evidence", Value::of_flag(!d.evidence.empty()));
  v.set("has_actions_taken", Value::of_flag(!d.actions_taken.empty()));
  v.set("type_impersonation", Value::of_flag(d.type == IncidentType::impersonation));
  v.set("type_flameup", Value::of_flag(d.type == IncidentType::flameup));
  v.set("type_misinformation", Value::of_flag(d.type == IncidentType::misinformation));
  v.set("type_account_compromise", Value::of_flag(d.type == IncidentType::account_compromise));
  v.set("type_erroneous_post", Value::of_flag(d.type == IncidentType::erroneous_post));
  v.set("type_threat", Value::of_flag(d.type == IncidentType::threat));
  v.set("type_account_change", Value::of_flag(d.type == IncidentType::account_change));
  Value copied = Value::list();
  for (const auto& c : d.copied_elements) copied.push(one_line(c));
  v.set("copied_elements", std::move(copied));
  Value evidence = Value::list();
  for (const auto& e : d.evidence) {
    Value item = Value::table();
    item.set("label", one_line(e.label));
    item.set("url", one_line(e.url));
    item.set("captured_at", e.captured_at ? when(*e.captured_at) : std::string());
    item.set("sha256", one_line(e.sha256));
    evidence.push(std::move(item));
  }
  v.set("evidence", std::move(evidence));
  Value actions = Value::list();
  for (const auto& a : d.actions_taken) {
    Value item = Value::table();
    item.set("at", when(a.at));
    item.set("text", one_line(a.text));
    actions.push(std::move(item));
  }
  v.set("actions_taken", std::move(actions));
  return v;
}

}  // namespace mamori::playbooks
