#include "daemon/incidents/incident_store.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::incidents {
namespace {

using namespace std::chrono_literals;

class IncidentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.emplace();
    c_ = store::connect(db_->dsn(), std::nullopt);
    store::apply_migrations(*c_);
  }

  long long scalar(const std::string& sql) {
    pqxx::nontransaction tx(*c_);
    return tx.exec1(sql)[0].as<long long>();
  }

  static model::Finding finding(const std::string& subject,
                                model::Severity sev = model::Severity::medium) {
    model::Finding f;
    f.type = model::IncidentType::impersonation;
    f.subject = subject;
    f.platform = model::Platform::x;
    f.score = 0.9;
    f.severity = sev;
    f.reasons = {"表示名が公式と一致", "ハンドルが類似 (soma__city ≈ soma_city)"};
    f.evidence_json = R"({"candidate":"soma__city"})";
    f.detected_at =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return f;
  }

  static NewIncident plan() {
    NewIncident n;
    n.title = "成りすましの疑い: @soma__city (X)";
    n.summary = "公式アカウントに似たアカウントを検知しました";
    StepPlan report;
    report.id = "report";
    report.title = "プラットフォームへ削除を申請する";
    report.role = "広報担当";
    report.clauses = {"soma-city.txt 第7-2"};
    report.due_after_open = std::chrono::minutes(60);
    StepPlan notice;
    notice.id = "notice";
    notice.title = "ホームページで注意喚起する";
    notice.depends_on = {"report"};
    StepPlan press;
    press.id = "press";
    press.title = "報道機関へ情報提供する";
    press.mandatory = false;
    n.steps = {report, notice, press};
    return n;
  }

  std::optional<testing::ScratchDatabase> db_;
  std::unique_ptr<pqxx::connection> c_;
};

TEST_F(IncidentStoreTest, RepeatedFindingsUpdateOneIncidentAndRaiseSeverity) {
  const auto first = record_finding(*c_, finding("x:111"), {}, plan());
  EXPECT_TRUE(first.created);
  NewIncident raised = plan();
  raised.title = "炎上の兆候: @soma_city（X）への返信が急増（炎上）";
  raised.summary = "批判・攻撃的な返信が87%";
  const auto second = record_finding(*c_, finding("x:111", model::Severity::high), {}, raised);
  EXPECT_FALSE(second.created);
  EXPECT_TRUE(second.severity_raised);
  EXPECT_EQ(second.incident_id, first.incident_id);
  const auto lower = record_finding(*c_, finding("x:111", model::Severity::low), {}, plan());
  EXPECT_FALSE(lower.severity_raised);
  const auto other = record_finding(*c_, finding("x:222"), {}, plan());
  EXPECT_NE(other.incident_id, first.incident_id);

  const auto inc = *get_incident(*c_, first.incident_id);
  EXPECT_EQ(inc.at("severity").as_string(), "high");
  // The title and summary are those of the finding that raised the severity, not the lower one.
  EXPECT_EQ(inc.at("title").as_string(), raised.title);
  EXPECT_EQ(inc.at("summary").as_string(), raised.summary);
  EXPECT_EQ(inc.at("finding_count").as_int64(), 3);
  EXPECT_EQ(inc.at("findings").as_array().size(), 3u);
  EXPECT_EQ(inc.at("steps").as_array().size(), 3u);
  EXPECT_EQ(inc.at("findings").as_array()[0].at("reasons").as_array()[0].as_string(),
            "表示名が公式と一致");
}

TEST_F(IncidentStoreTest, FiftyConcurrentIdenticalFindingsMakeOneIncident) {
  std::vector<std::future<RecordResult>> runs;
  for (int i = 0; i < 50; ++i) {
    runs.push_back(std::async(std::launch::async, [this] {
      auto conn = store::connect(db_->dsn(), std::nullopt);
      return record_finding(*conn, finding("x:999"), {}, plan());
    }));
  }
  int created = 0;
  std::set<long long> ids;
  for (auto& r : runs) {
    const auto res = r.get();
    created += res.created ? 1 : 0;
    ids.insert(res.incident_id);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(scalar("SELECT count(*) FROM incidents"), 1);
  EXPECT_EQ(scalar("SELECT finding_count FROM incidents"), 50);
  EXPECT_EQ(scalar("SELECT count(*) FROM incident_steps"), 3);
}

TEST_F(IncidentStoreTest, FailureMidRecordLeavesNoHalfMadeIncident) {
  auto broken = finding("x:333");
  broken.evidence_json = "{not json";  // fails after the incident row and steps were inserted
  EXPECT_ANY_THROW(record_finding(*c_, broken, {}, plan()));
  EXPECT_EQ(scalar("SELECT count(*) FROM incidents"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM incident_steps"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM incident_timeline"), 0);
}

TEST_F(IncidentStoreTest, FullLifecycleWithStepsTimelineAndReopen) {
  const long long id = record_finding(*c_, finding("x:444"), {}, plan()).incident_id;
  // Dependencies are enforced.
  try {
    complete_step(*c_, id, "notice", false, "広報 花子", "");
    FAIL() << "expected a dependency error";
  } catch (const ActionError& e) {
    EXPECT_EQ(e.http_status(), 409);
    EXPECT_NE(std::string(e.what()).find("プラットフォームへ削除を申請する"), std::string::npos)
        << e.what();
  }
  complete_step(*c_, id, "report", false, "広報 花子", "X の報告フォームから申請");
  EXPECT_EQ(get_incident(*c_, id)->at("status").as_string(),
            "acknowledged");  // first action acknowledges
  EXPECT_THROW(complete_step(*c_, id, "report", false, "広報 花子", ""), ActionError);
  EXPECT_THROW(complete_step(*c_, id, "press", true, "広報 花子", ""),
               ActionError);  // skip needs a note
  complete_step(*c_, id, "press", true, "広報 花子", "報道発表は不要と課長判断");
  assign(*c_, id, "広報 花子", "広報 太郎");
  add_note(*c_, id, "広報 太郎", "X社から受付番号の返信あり");
  change_severity(*c_, id, model::Severity::high, "広報 太郎", "フォロワーが増えている");
  change_status(*c_, id, Status::mitigating, "広報 太郎");
  EXPECT_THROW(change_status(*c_, id, Status::closed, "広報 太郎"),
               ActionError);  // not resolved yet
  // A pending mandatory step blocks resolving without a note.
  EXPECT_THROW(change_status(*c_, id, Status::resolved, "広報 太郎"), ActionError);
  complete_step(*c_, id, "notice", false, "広報 花子", "");
  change_status(*c_, id, Status::resolved, "広報 太郎");
  EXPECT_THROW(change_status(*c_, id, Status::closed, "広報 太郎"), ActionError);  // needs a reason
  change_status(*c_, id, Status::closed, "広報 太郎", "", "アカウントが削除された");

  const auto inc = *get_incident(*c_, id);
  EXPECT_EQ(inc.at("status").as_string(), "closed");
  EXPECT_EQ(inc.at("closure_reason").as_string(), "アカウントが削除された");
  EXPECT_EQ(inc.at("assignee").as_string(), "広報 花子");
  const auto& timeline = inc.at("timeline").as_array();
  std::vector<std::string> actors;
  for (const auto& t : timeline) actors.emplace_back(t.at("actor").as_string().c_str());
  EXPECT_EQ(actors.front(), "system:detector");
  EXPECT_NE(std::find(actors.begin(), actors.end(), "広報 花子"), actors.end());
  EXPECT_NE(timeline.back().at("message").as_string().find("終了理由: アカウントが削除された"),
            std::string::npos);

  // Reopen by staff; then a new finding after closure opens a new incident.
  change_status(*c_, id, Status::open, "広報 太郎", "再び現れた");
  EXPECT_EQ(get_incident(*c_, id)->at("status").as_string(), "open");
  change_status(*c_, id, Status::resolved, "広報 太郎", "再確認済み");
  const auto again = record_finding(*c_, finding("x:444"), {}, plan());
  EXPECT_TRUE(again.reopened);  // resolved within the reopen window
  EXPECT_EQ(again.incident_id, id);
}

TEST_F(IncidentStoreTest, AnEpisodeEndIsAddedToTheLiveIncidentOnly) {
  model::Finding end = finding("x:777");
  end.evidence_json = R"({"phase":"end","end_reason":"back_to_baseline"})";
  EXPECT_FALSE(append_finding_to_live(*c_, end));  // nothing live: no incident is made
  EXPECT_EQ(scalar("SELECT count(*) FROM incidents"), 0);
  const long long id = record_finding(*c_, finding("x:777"), {}, plan()).incident_id;
  EXPECT_TRUE(append_finding_to_live(*c_, end));
  EXPECT_EQ(scalar("SELECT finding_count FROM incidents WHERE id = " + std::to_string(id)), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM incident_findings WHERE evidence->>'phase' = 'end'"), 1);
  change_status(*c_, id, Status::resolved, "広報 太郎", "収束");
  EXPECT_FALSE(append_finding_to_live(*c_, end));  // a resolved incident is not reopened
  EXPECT_EQ(get_incident(*c_, id)->at("status").as_string(), "resolved");
}

TEST_F(IncidentStoreTest, TimelineAndEvidenceAreImmutable) {
  EvidenceItem avatar{"avatar",
                      "成りすましアカウントのアイコン",
                      "https://pbs.twimg.com/a.jpg",
                      "image/jpeg",
                      std::string("\xff\xd8\xff\xe0jpegbytes\x00\x01", 15),
                      {}};
  const long long id = record_finding(*c_, finding("x:555"), {avatar}, plan()).incident_id;
  {
    pqxx::nontransaction tx(*c_);
    EXPECT_THROW(tx.exec("UPDATE incident_timeline SET message = 'x'"), pqxx::sql_error);
    EXPECT_THROW(tx.exec("DELETE FROM incident_timeline"), pqxx::sql_error);
    EXPECT_THROW(tx.exec("UPDATE evidence SET content = 'x'"), pqxx::sql_error);
    EXPECT_THROW(tx.exec("DELETE FROM evidence"), pqxx::sql_error);
  }

  const auto bundle = *evidence_bundle(*c_, id);
  const auto& items = bundle.at("incident").at("evidence").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("sha256").as_string(), sha256_hex(avatar.content));
  EXPECT_EQ(items[0].at("content_base64").as_string(), "/9j/4GpwZWdieXRlcwAB");
  EXPECT_EQ(bundle.at("format").as_string(), "mamori-evidence-bundle/1");
}

TEST_F(IncidentStoreTest, ListFiltersAndMarksOverdueSteps) {
  const long long a =
      record_finding(*c_, finding("x:1", model::Severity::low), {}, plan()).incident_id;
  auto flame = finding("x:account:1", model::Severity::high);
  flame.type = model::IncidentType::flameup;
  record_finding(*c_, flame, {}, plan());
  {
    pqxx::work tx(*c_);
    tx.exec_params(
        "UPDATE incident_steps SET due_at = now() - interval '1 minute' WHERE incident_id = $1 AND "
        "step_id = 'report'",
        a);
    tx.commit();
  }
  IncidentFilter all;
  EXPECT_EQ(list_incidents(*c_, all).size(), 2u);
  IncidentFilter only_flame;
  only_flame.type = model::IncidentType::flameup;
  const auto flames = list_incidents(*c_, only_flame);
  ASSERT_EQ(flames.size(), 1u);
  EXPECT_EQ(flames[0].at("type").as_string(), "flameup");
  IncidentFilter high;
  high.min_severity = model::Severity::high;
  EXPECT_EQ(list_incidents(*c_, high).size(), 1u);
  IncidentFilter impersonation;
  impersonation.type = model::IncidentType::impersonation;
  EXPECT_EQ(list_incidents(*c_, impersonation)[0].at("overdue_steps").as_int64(), 1);
}

TEST(IncidentTransitions, FollowTheLifeCycle) {
  EXPECT_TRUE(transition_allowed(Status::open, Status::acknowledged));
  EXPECT_TRUE(transition_allowed(Status::open, Status::resolved));
  EXPECT_TRUE(transition_allowed(Status::monitoring, Status::mitigating));
  EXPECT_FALSE(transition_allowed(Status::mitigating, Status::acknowledged));
  EXPECT_FALSE(transition_allowed(Status::open, Status::closed));
  EXPECT_TRUE(transition_allowed(Status::resolved, Status::closed));
  EXPECT_TRUE(transition_allowed(Status::closed, Status::open));
  EXPECT_FALSE(transition_allowed(Status::closed, Status::resolved));
  EXPECT_FALSE(transition_allowed(Status::open, Status::open));
}

}  // namespace
}  // namespace mamori::incidents
