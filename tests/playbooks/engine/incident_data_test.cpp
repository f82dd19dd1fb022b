#include "playbooks/engine/incident_data.h"

#include <gtest/gtest.h>

#include "tests/playbooks/engine/fixtures.h"

namespace mamori::playbooks {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::sys_days;
using std::chrono::year;

TimePoint utc(int y, unsigned m, unsigned d, int h, int min) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(
      sys_days(year(y) / m / d) + hours(h) + std::chrono::minutes(min));
}

TEST(IncidentDates, JapanTimeAndEras) {
  // 2025-11-25 05:05Z is 14:05 in Japan, a Tuesday.
  EXPECT_EQ(format_datetime(utc(2025, 11, 25, 5, 5), DateStyle::reiwa),
            "令和7年11月25日（火）14時05分");
  EXPECT_EQ(format_datetime(utc(2025, 11, 25, 5, 5), DateStyle::western),
            "2025年11月25日（火）14時05分");
  // 2025-11-25 20:00Z is already the 26th in Japan.
  EXPECT_EQ(format_date(utc(2025, 11, 25, 20, 0), DateStyle::reiwa), "令和7年11月26日（水）");
  EXPECT_EQ(format_date(utc(2019, 5, 1, 0, 0), DateStyle::reiwa), "令和元年5月1日（水）");
  EXPECT_EQ(format_date(utc(2019, 4, 30, 0, 0), DateStyle::reiwa), "平成31年4月30日（火）");
  EXPECT_EQ(format_date(utc(2020, 1, 1, 0, 0), DateStyle::reiwa), "令和2年1月1日（水）");
  EXPECT_EQ(format_short(utc(2025, 11, 25, 5, 5)), "11月25日14時05分");
}

TEST(IncidentJson, ParsesTheDocumentedFields) {
  const std::string json = R"({
    "type": "impersonation", "severity": "high", "platform": "bluesky",
    "municipality": "相馬市", "department": "秘書広報課",
    "homepage_url": "https://www.city.soma.fukushima.jp/",
    "impersonator_handle": "@soma-fake.bsky.social",
    "detected_at": "2025-11-25T14:05:00+09:00",
    "posted_at": "2025-11-25T01:00:00Z",
    "copied_elements": ["表示名"],
    "evidence": [{"label": "プロフィール", "url": "https://bsky.app/profile/x", "sha256": "ab"}],
    "actions_taken": [{"at": "2025-11-25 14:30", "text": "報告"}],
    "date_style": "western"
  })";
  const auto r = parse_incident_json(json, testing::sample_time());
  ASSERT_TRUE(r.data) << r.error;
  const auto& d = *r.data;
  EXPECT_EQ(d.platform, Platform::bluesky);
  EXPECT_EQ(d.severity, Severity::high);
  EXPECT_EQ(d.impersonator_handle, "soma-fake.bsky.social");
  EXPECT_EQ(d.detected_at, testing::sample_time());
  EXPECT_EQ(*d.posted_at, utc(2025, 11, 25, 1, 0));
  EXPECT_EQ(d.actions_taken.at(0).at, utc(2025, 11, 25, 5, 30));  // no offset: Japan time
  EXPECT_EQ(d.date_style, DateStyle::western);
  const Value v = template_values(d);
  EXPECT_EQ(v.get("impersonator_account")->text, "@soma-fake.bsky.social");
  EXPECT_EQ(v.get("platform_name")->text, "Bluesky");
  EXPECT_EQ(v.get("severity_label")->text, "高");
  EXPECT_TRUE(v.get("has_evidence")->flag);
  EXPECT_TRUE(v.get("type_impersonation")->flag);
  EXPECT_EQ(v.get("official_account_list_url")->text, "https://www.city.soma.fukushima.jp/");
}

TEST(IncidentJson, BadInputNamesTheFieldOrPosition) {
  const auto now = testing::sample_time();
  const std::string base =
      R"("platform": "x", "municipality": "相馬市", "department": "秘書広報課", )"
      R"("homepage_url": "https://a.example/", "detected_at": "2025-11-25T14:05:00+09:00")";
  EXPECT_TRUE(parse_incident_json("{" + base + "}", now).data);
  auto r = parse_incident_json("{\n  \"platform\": \"x\",\n  oops\n}", now);
  EXPECT_NE(r.error.find("line 3"), std::string::npos) << r.error;
  r = parse_incident_json("{" + base + R"(, "platfrom": "x"})", now);
  EXPECT_NE(r.error.find("'platfrom'"), std::string::npos) << r.error;
  r = parse_incident_json("{" + base + R"(, "severity": "huge"})", now);
  EXPECT_NE(r.error.find("'severity'"), std::string::npos) << r.error;
  r = parse_incident_json("{" + base + R"(, "posted_at": "yesterday"})", now);
  EXPECT_NE(r.error.find("'posted_at'"), std::string::npos) << r.error;
  r = parse_incident_json("{" + base + R"js(, "notice_url": "javascript:alert(1)"})js", now);
  EXPECT_NE(r.error.find("notice_url"), std::string::npos) << r.error;
  r = parse_incident_json(R"({"platform": "x"})", now);
  EXPECT_NE(r.error.find("'municipality'"), std::string::npos) << r.error;
  r = parse_incident_json("[1, 2]", now);
  EXPECT_FALSE(r.data);
  r = parse_incident_json("{" + base + R"(, "evidence": [{"label": "a", "hash": "x"}]})", now);
  EXPECT_NE(r.error.find("evidence[].hash"), std::string::npos) << r.error;
}

TEST(IncidentValues, SchemaAndValuesAgree) {
  const auto values = template_values(testing::sample_incident(IncidentType::flameup, Platform::x));
  const auto schema = template_schema();
  for (const auto& [name, spec] : schema) {
    const Value* v = values.get(name);
    ASSERT_NE(v, nullptr) << name;
    switch (spec.kind) {
      case TemplateVariable::Kind::text:
        EXPECT_EQ(v->kind, Value::Kind::text) << name;
        break;
      case TemplateVariable::Kind::flag:
        EXPECT_EQ(v->kind, Value::Kind::flag) << name;
        break;
      case TemplateVariable::Kind::text_list:
      case TemplateVariable::Kind::table_list:
        EXPECT_EQ(v->kind, Value::Kind::list) << name;
        break;
    }
  }
  EXPECT_EQ(values.fields.size(), schema.size());
}

}  // namespace
}  // namespace mamori::playbooks
