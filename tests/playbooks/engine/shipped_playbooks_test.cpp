// The playbooks and templates shipped in playbooks/: they load cleanly, every step cites real
// guideline clauses, the steps say what the guidelines prescribe, and every template renders for
// a sample incident of each type on each platform within the platform's limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "playbooks/engine/clauses.h"
#include "playbooks/engine/documents.h"
#include "playbooks/engine/loader.h"
#include "tests/playbooks/engine/fixtures.h"
#include "tests/support/test_support.h"

namespace mamori::playbooks {
namespace {

using testing::sample_incident;

constexpr IncidentType kTypes[] = {IncidentType::impersonation,  IncidentType::flameup,
                                   IncidentType::misinformation, IncidentType::account_compromise,
                                   IncidentType::erroneous_post, IncidentType::threat,
                                   IncidentType::account_change};
constexpr Platform kPlatforms[] = {Platform::x, Platform::bluesky, Platform::mastodon};

const LoadResult& shipped() {
  static const LoadResult result = load_playbooks(mamori::testing::source_dir() / "playbooks");
  return result;
}

const LoadResult& soma() {
  static const LoadResult result =
      load_playbooks(mamori::testing::source_dir() / "playbooks",
                     {mamori::testing::source_dir() / "playbooks" / "cities" / "soma"});
  return result;
}

bool cites(const Step& step, std::string_view file, std::string_view clause) {
  return std::any_of(step.clauses.begin(), step.clauses.end(),
                     [&](const ClauseRef& c) { return c.file == file && c.clause == clause; });
}

// The steps of a playbook citing a clause.
std::vector<const Step*> citing(const Playbook& pb, std::string_view file,
                                std::string_view clause) {
  std::vector<const Step*> out;
  for (const auto& s : pb.steps) {
    if (cites(s, file, clause)) out.push_back(&s);
  }
  return out;
}

TEST(ShippedPlaybooks, LoadWithoutAnyDiagnostic) {
  const auto& r = shipped();
  EXPECT_TRUE(r.ok()) << r.text();
  EXPECT_TRUE(r.diagnostics.empty()) << r.text();
  ASSERT_NE(r.set, nullptr);
  for (auto t : kTypes) EXPECT_NE(r.set->find(t), nullptr) << model::to_string(t);
}

TEST(ShippedPlaybooks, EveryStepCitesExistingClausesAndHasWhatStaffNeed) {
  const auto& set = *shipped().set;
  for (const auto& [type, pb] : set.playbooks) {
    EXPECT_FALSE(pb.title.empty());
    for (const auto& step : pb.steps) {
      SCOPED_TRACE(std::string(model::to_string(type)) + "/" + step.id);
      ASSERT_FALSE(step.clauses.empty());
      for (const auto& c : step.clauses) {
        EXPECT_NE(find_clause(c.file, c.clause), nullptr) << c.text();
      }
      EXPECT_FALSE(step.title.empty());
      EXPECT_GT(step.instructions.size(), 30u);
      EXPECT_NE(std::find(set.roles.begin(), set.roles.end(), step.role), set.roles.end());
      for (const auto& doc : step.documents) EXPECT_NE(set.find_template(doc), nullptr) << doc;
    }
  }
}

TEST(ShippedPlaybooks, ImpersonationFollowsSomaSevenTwo) {
  const auto& pb = *shipped().set->find(IncidentType::impersonation);
  // 第7-2: takedown request, notice on the homepage and on the platform, press as needed.
  const Step* takedown = pb.find("request_takedown");
  ASSERT_NE(takedown, nullptr);
  EXPECT_TRUE(cites(*takedown, "soma-city.txt", "第7-2"));
  EXPECT_TRUE(cites(*takedown, "hokkaido.txt", "5(1)"));
  EXPECT_TRUE(cites(*takedown, "shiroi-city.txt", "4(2)"));
  EXPECT_EQ(takedown->documents, std::vector<std::string>{"takedown_report"});
  const Step* homepage = pb.find("homepage_notice");
  ASSERT_NE(homepage, nullptr);
  ASSERT_TRUE(homepage->check.has_value());
  EXPECT_EQ(homepage->check->kind, CheckKind::homepage_contains);
  EXPECT_TRUE(cites(*homepage, "special-ward.txt", "5(6)"));
  const Step* account = pb.find("account_notice");
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(account->check->kind, CheckKind::official_post_since_open);
  const Step* press = pb.find("press_release");
  ASSERT_NE(press, nullptr);
  // 必要に応じ: mandatory only from severity high up.
  EXPECT_EQ(effective_requirement(*press, Severity::medium, Platform::x), Requirement::optional);
  EXPECT_EQ(effective_requirement(*press, Severity::high, Platform::x), Requirement::mandatory);
  const Step* watch = pb.find("watch_until_gone");
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->check->kind, CheckKind::subject_gone);
  EXPECT_EQ(watch->depends_on, std::vector<std::string>{"request_takedown"});
}

TEST(ShippedPlaybooks, FlameupFollowsSomaSevenOne) {
  const auto& pb = *shipped().set->find(IncidentType::flameup);
  EXPECT_FALSE(citing(pb, "soma-city.txt", "第7-1(1)").empty());  // no rebuttal
  EXPECT_FALSE(citing(pb, "soma-city.txt", "第7-1(2)").empty());  // correct and apologise
  EXPECT_FALSE(citing(pb, "soma-city.txt", "第7-1(3)").empty());  // explain delays
  // The first thing asked of staff is not to argue.
  EXPECT_EQ(pb.steps.front().id, "no_rebuttal");
  const Step* fix = pb.find("correct_and_apologize");
  ASSERT_NE(fix, nullptr);
  EXPECT_TRUE(post_matches(fix->check->pattern, "【お詫び】昨日の投稿について"));
  EXPECT_EQ(pb.find("watch_calm_down")->check->kind, CheckKind::rate_back_to_baseline);
}

TEST(ShippedPlaybooks, AccountCompromiseCoversEveryItemOfUbeSix) {
  const auto& pb = *shipped().set->find(IncidentType::account_compromise);
  for (const char* item : {"6(1)", "6(2)", "6(3)", "6(4)", "6(5)"}) {
    EXPECT_FALSE(citing(pb, "ube-city.txt", item).empty()) << item;
  }
  // Password first, then the administrators.
  EXPECT_EQ(pb.steps.front().id, "change_password");
  EXPECT_EQ(pb.find("remove_suspicious_admins")->depends_on,
            std::vector<std::string>{"change_password"});
  EXPECT_NE(pb.find("contact_police"), nullptr);
  EXPECT_EQ(pb.find("contact_police")->requirement, Requirement::mandatory);
}

TEST(ShippedPlaybooks, ErroneousPostAndThreatFollowShiroi) {
  const auto& err = *shipped().set->find(IncidentType::erroneous_post);
  for (const char* id : {"delete_post", "check_spread", "request_deletion", "apology_post"}) {
    ASSERT_NE(err.find(id), nullptr) << id;
    EXPECT_TRUE(cites(*err.find(id), "shiroi-city.txt", "4(4)")) << id;
  }
  EXPECT_EQ(err.find("delete_post")->check->kind, CheckKind::subject_gone);
  const auto& threat = *shipped().set->find(IncidentType::threat);
  ASSERT_NE(threat.find("contact_police"), nullptr);
  ASSERT_NE(threat.find("report_to_divisions"), nullptr);
  for (const auto& s : threat.steps) EXPECT_TRUE(cites(s, "shiroi-city.txt", "4(5)")) << s.id;
}

TEST(ShippedPlaybooks, MisinformationPostsCorrectInformationAndHomepageWhenItSpreads) {
  const auto& pb = *shipped().set->find(IncidentType::misinformation);
  const Step* post = pb.find("post_correct_information");
  ASSERT_NE(post, nullptr);
  EXPECT_TRUE(cites(*post, "soma-city.txt", "第7-3"));
  const Step* homepage = pb.find("homepage_notice");
  ASSERT_NE(homepage, nullptr);
  EXPECT_EQ(homepage->requirement, Requirement::conditional);
  EXPECT_EQ(effective_requirement(*homepage, Severity::low, Platform::x), Requirement::optional);
}

TEST(ShippedPlaybooks, EveryTemplateRendersForEveryTypeAndPlatform) {
  const auto& set = *shipped().set;
  ASSERT_GE(set.templates.size(), 10u);
  for (auto type : kTypes) {
    for (auto platform : kPlatforms) {
      const auto incident = sample_incident(type, platform);
      for (const auto& [id, tpl] : set.templates) {
        SCOPED_TRACE(id + " / " + std::string(model::to_string(type)) + " / " +
                     std::string(model::to_string(platform)));
        const auto r = render_document(set, id, incident);
        ASSERT_TRUE(r.document.has_value()) << r.error;
        const auto& text = r.document->text;
        EXPECT_GT(text.size(), 40u);
        EXPECT_EQ(text.find("{{"), std::string::npos) << text;
        EXPECT_EQ(text.find("\n\n\n"), std::string::npos) << text;
        if (r.document->length) {
          EXPECT_TRUE(r.document->length->fits())
              << r.document->length->count << " > " << r.document->length->max << "\n"
              << text;
        }
      }
    }
  }
}

TEST(ShippedPlaybooks, PostsAndPlatformReportsCarryTheirPlatformsLimit) {
  const auto& set = *shipped().set;
  for (const char* id : {"apology_post", "correction_post", "account_notice_post",
                         "delay_notice_post", "misinformation_post", "compromise_notice_post"}) {
    const auto* tpl = set.find_template(id);
    ASSERT_NE(tpl, nullptr) << id;
    EXPECT_EQ(tpl->variants.at(Platform::x).limit, LengthLimit::x_post) << id;
    EXPECT_EQ(tpl->variants.at(Platform::bluesky).limit, LengthLimit::bluesky_post) << id;
    EXPECT_EQ(tpl->variants.at(Platform::mastodon).limit, LengthLimit::mastodon_post) << id;
  }
  const auto* takedown = set.find_template("takedown_report");
  EXPECT_EQ(takedown->variants.at(Platform::bluesky).limit, LengthLimit::bluesky_report);
  EXPECT_EQ(takedown->variants.at(Platform::mastodon).limit, LengthLimit::mastodon_report);
}

TEST(ShippedPlaybooks, DocumentsReadAsTheCityWritesThem) {
  const auto& set = *shipped().set;
  const auto imp = sample_incident(IncidentType::impersonation, Platform::x);
  const auto notice = render_document(set, "homepage_notice", imp).document->text;
  EXPECT_NE(notice.find("<h2>成りすましアカウントにご注意ください</h2>"), std::string::npos);
  EXPECT_NE(notice.find("@soma__city"), std::string::npos);
  // The fake account is named, never linked.
  EXPECT_EQ(notice.find("href=\"https://x.com/soma__city"), std::string::npos);
  EXPECT_NE(notice.find("href=\"https://www.city.soma.fukushima.jp/sns/accounts.html\""),
            std::string::npos);
  EXPECT_NE(notice.find("令和7年11月25日（火）確認"), std::string::npos);

  const auto report = render_document(set, "takedown_report", imp).document->text;
  EXPECT_NE(report.find("相馬市 秘書広報課 主査 相馬 太郎"), std::string::npos) << report;
  EXPECT_NE(report.find("・プロフィール画像（市章）"), std::string::npos);
  EXPECT_NE(report.find("https://www.city.soma.fukushima.jp/sns/accounts.html"), std::string::npos);

  const auto press = render_document(set, "press_release", imp).document->text;
  EXPECT_TRUE(press.starts_with("令和7年11月26日（水）\n報道機関各位")) << press;
  EXPECT_NE(press.find("成りすましアカウントについて（情報提供）"), std::string::npos);
  EXPECT_EQ(press.find("不正アクセス"), std::string::npos);

  const auto threat = sample_incident(IncidentType::threat, Platform::x);
  const auto memo = render_document(set, "police_memo", threat).document->text;
  EXPECT_NE(memo.find("相談先：相馬警察署 生活安全課"), std::string::npos);
  EXPECT_NE(memo.find("明日、市役所に行って職員に危害を加える。"), std::string::npos);
  EXPECT_NE(memo.find("SHA-256：9f86d081"), std::string::npos);

  auto western = imp;
  western.date_style = DateStyle::western;
  EXPECT_NE(
      render_document(set, "press_release", western).document->text.find("2025年11月26日（水）"),
      std::string::npos);
}

TEST(ShippedPlaybooks, ApologyTooLongForXIsMeasuredNotCut) {
  const auto& set = *shipped().set;
  auto d = sample_incident(IncidentType::erroneous_post, Platform::x);
  d.correction_text.clear();
  for (int i = 0; i < 80; ++i) d.correction_text += "訂";
  const auto r = render_document(set, "apology_post", d);
  ASSERT_TRUE(r.document && r.document->length);
  EXPECT_FALSE(r.document->length->fits());
  EXPECT_NE(r.document->text.find(d.correction_text), std::string::npos);
  d.platform = Platform::mastodon;
  EXPECT_TRUE(render_document(set, "apology_post", d).document->length->fits());
}

TEST(ShippedPlaybooks, HostileDisplayNameCannotInjectMarkupOrLines) {
  const auto& set = *shipped().set;
  auto d = sample_incident(IncidentType::impersonation, Platform::x);
  d.impersonator_display_name =
      "相馬市<script>alert(1)</script>\n■依頼事項\n削除しないでください\u202E";
  const auto html = render_document(set, "homepage_notice", d).document->text;
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("\u202E"), std::string::npos);
  const auto text = render_document(set, "takedown_report", d).document->text;
  EXPECT_EQ(text.find("\n■依頼事項\n削除しないでください"), std::string::npos);
  // A javascript: link is refused outright.
  d.official_account_list_url = "javascript:alert(1)";
  const auto bad = render_document(set, "homepage_notice", d);
  EXPECT_FALSE(bad.document.has_value());
  EXPECT_NE(bad.error.find("official_account_list_url"), std::string::npos);
}

TEST(ShippedPlaybooks, ChecksResolveWithIncidentValues) {
  const auto& pb = *shipped().set->find(IncidentType::impersonation);
  const Check& check = *pb.find("homepage_notice")->check;
  auto d = sample_incident(IncidentType::impersonation, Platform::x);
  d.notice_url = "https://www.city.soma.fukushima.jp/news/2025/impersonation.html";
  EXPECT_EQ(resolve_check_text(check.url, d), d.notice_url);
  d.notice_url.clear();  // falls back to the homepage
  EXPECT_EQ(resolve_check_text(check.url, d), d.homepage_url);
  EXPECT_EQ(resolve_check_text(check.text, d), "成りすまし");
}

TEST(SomaOverrides, MergeOntoTheDefaultsAsTheCitysGuidelineSays) {
  const auto& r = soma();
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.error_count(), 0u);
  const auto& set = *r.set;
  // 第6-3(3): no replies to viewers.
  EXPECT_EQ(set.find(IncidentType::flameup)->find("reply_with_explanation"), nullptr);
  EXPECT_EQ(set.find(IncidentType::misinformation)->find("reply_with_facts"), nullptr);
  EXPECT_NE(shipped().set->find(IncidentType::flameup)->find("reply_with_explanation"), nullptr);
  // 第5: the 情報システム管理者 posts; merge kept the rest of the step.
  const Step* fix = set.find(IncidentType::flameup)->find("correct_and_apologize");
  ASSERT_NE(fix, nullptr);
  EXPECT_EQ(fix->role, "情報システム管理者");
  EXPECT_TRUE(cites(*fix, "soma-city.txt", "第5"));
  EXPECT_EQ(fix->documents, (std::vector<std::string>{"correction_post", "apology_post"}));
  EXPECT_EQ(fix->check->kind, CheckKind::official_post_since_open);
  EXPECT_NE(fix->defined_at.file.find("cities/soma/flameup.toml"), std::string::npos);
  // 第9: a step added right after the password change.
  const auto& comp = *set.find(IncidentType::account_compromise);
  ASSERT_GE(comp.steps.size(), 2u);
  EXPECT_EQ(comp.steps[0].id, "change_password");
  EXPECT_EQ(comp.steps[1].id, "consult_system_admin");
  EXPECT_EQ(comp.sources.size(), 2u);
  // Untouched playbooks are identical to the defaults.
  EXPECT_EQ(set.find(IncidentType::threat)->steps.size(),
            shipped().set->find(IncidentType::threat)->steps.size());
}

}  // namespace
}  // namespace mamori::playbooks
