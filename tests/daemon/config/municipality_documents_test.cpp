// [municipality] keys the drafted documents and the homepage check read, and [playbooks] check
// intervals: parsed, defaulted, and rejected with the field named.
#include <gtest/gtest.h>

#include "daemon/config/config.h"

namespace mamori::config {
namespace {

constexpr const char* kBase = "[database]\ndsn = \"dbname=mamori\"\n";

LoadResult load(const std::string& municipality, const std::string& extra = "") {
  return load_string(
      "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n" +
          municipality + kBase + extra,
      "test.toml");
}

TEST(MunicipalityDocumentsConfig, ReadsTheDocumentFacts) {
  const auto r = load(
      "department = \"秘書課広報広聴係\"\nofficial_account_list_url = "
      "\"https://www.city.soma.fukushima.jp/sns/\"\n"
      "notice_url = \"https://www.city.soma.fukushima.jp/oshirase/\"\ncontact_phone = "
      "\"0244-00-0000\"\n"
      "contact_email = \"koho@city.soma.example.lg.jp\"\npolice_station = \"相馬警察署 "
      "生活安全課\"\n"
      "date_style = \"western\"\n",
      "[playbooks]\ncheck_interval = \"30s\"\nhomepage_check_interval = \"10m\"\n");
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors.front().text());
  const auto& m = r.config->municipality;
  EXPECT_EQ(m.department, "秘書課広報広聴係");
  EXPECT_EQ(m.official_account_list_url, "https://www.city.soma.fukushima.jp/sns/");
  EXPECT_EQ(m.notice_url, "https://www.city.soma.fukushima.jp/oshirase/");
  EXPECT_EQ(m.contact_phone, "0244-00-0000");
  EXPECT_EQ(m.contact_email, "koho@city.soma.example.lg.jp");
  EXPECT_EQ(m.police_station, "相馬警察署 生活安全課");
  EXPECT_EQ(m.date_style, "western");
  EXPECT_EQ(r.config->playbooks.check_interval, std::chrono::seconds(30));
  EXPECT_EQ(r.config->playbooks.homepage_check_interval, std::chrono::seconds(600));
}

TEST(MunicipalityDocumentsConfig, DefaultsWhenLeftOut) {
  const auto r = load("");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->municipality.department, "");
  EXPECT_EQ(r.config->municipality.date_style, "reiwa");
  EXPECT_EQ(r.config->playbooks.check_interval, std::chrono::seconds(60));
  EXPECT_EQ(r.config->playbooks.homepage_check_interval, std::chrono::seconds(300));
}

TEST(MunicipalityDocumentsConfig, RejectsBadValuesNamingTheField) {
  const auto r = load(
      "notice_url = \"javascript:alert(1)\"\ndate_style = \"showa\"\nofficial_account_list_url = "
      "\"sns\"\n",
      "[playbooks]\ncheck_interval = \"0s\"\n");
  ASSERT_FALSE(r.config);
  std::string all;
  for (const auto& e : r.errors) all += e.text() + "\n";
  EXPECT_NE(
      all.find("test.toml:4:14: municipality.notice_url: expected an http:// or https:// URL"),
      std::string::npos)
      << all;
  EXPECT_NE(all.find("municipality.date_style: expected \"reiwa\" or \"western\""),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("municipality.official_account_list_url: expected an http:// or https:// URL"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("playbooks.check_interval: expected a duration from 1s"), std::string::npos)
      << all;
}

}  // namespace
}  // namespace mamori::config
