// Report forms that cannot go without a field: the shipped takedown report for Facebook,
// Instagram and YouTube is not prepared without the contact e-mail the forms reply to or the URL
// of the account reported, and staff are told in Japanese what is missing and where to set it;
// platforms whose forms or APIs do not need them still get their draft; a template naming an
// unknown field is refused at load.
#include "playbooks/engine/form_fields.h"

#include <gtest/gtest.h>

#include "playbooks/engine/documents.h"
#include "playbooks/engine/loader.h"
#include "tests/playbooks/engine/fixtures.h"
#include "tests/support/test_support.h"

namespace mamori::playbooks {
namespace {

using testing::find_code;
using testing::minimal_sources;
using testing::put_template;
using testing::sample_incident;

const PlaybookSet& shipped() {
  static const LoadResult result = load_playbooks(mamori::testing::source_dir() / "playbooks");
  EXPECT_TRUE(result.ok()) << result.text();
  return *result.set;
}

TEST(FormFields, TheMetaAndYoutubeReportDraftsNeedTheContactAddressAndTheAccountUrl) {
  for (auto p : {Platform::facebook, Platform::instagram, Platform::youtube}) {
    auto incident = sample_incident(IncidentType::impersonation, p);
    const auto ok = render_document(shipped(), "takedown_report", incident);
    ASSERT_TRUE(ok.document.has_value()) << ok.error;
    EXPECT_NE(ok.document->text.find(incident.impersonator_url), std::string::npos);
    EXPECT_NE(ok.document->text.find("koho@city.soma.example.jp"), std::string::npos);

    incident.contact_email.clear();
    const auto no_mail = render_document(shipped(), "takedown_report", incident);
    EXPECT_FALSE(no_mail.document.has_value());
    EXPECT_EQ(no_mail.error, std::string(model::display_name(p)) +
                                 " の報告フォームに必要な連絡先メールアドレスがないため、報告文を"
                                 "作成できません。設定ファイル [municipality] の contact_email "
                                 "に、運営会社からの返信を受ける所属のアドレスを記入してから再読"
                                 "み込みしてください。");

    incident = sample_incident(IncidentType::impersonation, p);
    incident.impersonator_url.clear();
    const auto no_url = render_document(shipped(), "takedown_report", incident);
    EXPECT_FALSE(no_url.document.has_value());
    EXPECT_NE(no_url.error.find("報告するアカウントのURLがないため"), std::string::npos)
        << no_url.error;
  }
}

TEST(FormFields, OtherPlatformsAndOtherDocumentsAreNotHeldBack) {
  for (auto p : {Platform::x, Platform::bluesky, Platform::mastodon}) {
    auto incident = sample_incident(IncidentType::impersonation, p);
    incident.contact_email.clear();
    const auto r = render_document(shipped(), "takedown_report", incident);
    EXPECT_TRUE(r.document.has_value()) << model::to_string(p) << ": " << r.error;
  }
  auto incident = sample_incident(IncidentType::impersonation, Platform::youtube);
  incident.contact_email.clear();
  EXPECT_TRUE(render_document(shipped(), "homepage_notice", incident).document.has_value());
}

TEST(FormFields, ATemplateRequiringAnUnknownFieldIsRefused) {
  auto s = minimal_sources();
  put_template(s, "pb/templates/report.toml",
               "title = \"報告\"\nbody = \"x\"\n[variants.youtube]\nrequired = [\"fax\"]\n");
  const auto r = load_sources(s);
  EXPECT_FALSE(r.ok());
  const Diagnostic* d = find_code(r, DiagnosticCode::invalid_value);
  ASSERT_NE(d, nullptr) << r.text();
  EXPECT_EQ(d->line, 4);
  EXPECT_NE(d->message.find("contact_email, impersonator_url"), std::string::npos) << d->message;

  put_template(s, "pb/templates/report.toml",
               "title = \"報告\"\nbody = \"x\"\n[variants.youtube]\nrequired = "
               "[\"contact_email\"]\n");
  const auto fine = load_sources(s);
  ASSERT_TRUE(fine.ok()) << fine.text();
  EXPECT_EQ(fine.set->find_template("report")->variants.at(Platform::youtube).required,
            (std::vector<std::string>{"contact_email"}));
}

}  // namespace
}  // namespace mamori::playbooks
