// The automatic checks mamori runs on its own: official posts since open, the notice on the
// homepage (a local fake homepage over real HTTP), time elapsed; and the time-to-takedown metric.
#include "daemon/incidents/automatic_checks.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <unicode/ucnv.h>

#include <atomic>
#include <boost/asio.hpp>
#include <thread>

#include "daemon/http/server.h"
#include "daemon/incidents/automatic_check_runner.h"
#include "daemon/incidents/incident_metrics.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::incidents {
namespace {

using namespace std::chrono_literals;

std::string shift_jis(const std::string& utf8) {
  UErrorCode status = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  const int32_t n = ucnv_convert("Shift_JIS", "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                                 utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  EXPECT_FALSE(U_FAILURE(status)) << u_errorName(status);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

TEST(MatchedAlternative, FindsAnyAlternativeIgnoringWidthAndCase) {
  EXPECT_EQ(matched_alternative("訂正|お詫び", "先ほどの投稿の日付を訂正します"),
            std::optional<std::string>("訂正"));
  EXPECT_EQ(matched_alternative("訂正|お詫び", "【お詫び】誤りがありました"),
            std::optional<std::string>("お詫び"));
  EXPECT_EQ(matched_alternative("SNS|成りすまし", "ｓｎｓの公式アカウント"),
            std::optional<std::string>("SNS"));
  EXPECT_EQ(matched_alternative("訂正|お詫び", "本日のイベントのお知らせ"), std::nullopt);
  EXPECT_EQ(matched_alternative("|", "anything"), std::nullopt);  // empty alternatives never match
}

TEST(PageContains, MatchesAcrossMarkupWidthAndSpacing) {
  EXPECT_TRUE(page_contains("<p>成り<b>すまし</b>アカウント</p>", "text/html; charset=utf-8",
                            "成りすまし"));
  EXPECT_TRUE(page_contains("<p>ＳＮＳ 成りすまし</p>", "text/html", "SNS成りすまし"));
  EXPECT_FALSE(page_contains("<p>イベントのお知らせ</p>", "text/html", "成りすまし"));
  // Text only inside a script or a comment is not shown to readers.
  EXPECT_FALSE(
      page_contains("<script>'成りすまし'</script><!--成りすまし-->", "text/html", "成りすまし"));
  EXPECT_FALSE(page_contains("<p>成りすまし</p>", "text/html", "   "));
  // Unknown charset or broken markup: no crash, no false match.
  EXPECT_FALSE(page_contains(std::string("\xff\xfe<p", 5), "text/html; charset=no-such-charset",
                             "成りすまし"));
}

class AutomaticChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.emplace();
    c_ = store::connect(db_->dsn(), std::nullopt);
    store::apply_migrations(*c_);
    exec(
        "INSERT INTO official_accounts (platform, handle, account_id) VALUES ('x', 'soma_city', "
        "'100')");
  }

  void exec(const std::string& sql) {
    pqxx::work tx(*c_);
    tx.exec(sql);
    tx.commit();
  }
  std::string scalar(const std::string& sql) {
    pqxx::nontransaction tx(*c_);
    const auto r = tx.exec1(sql);
    return r[0].is_null() ? "" : r[0].c_str();
  }

  // An incident whose one step carries `check`.
  long long incident(const std::string& subject, const std::string& check,
                     model::IncidentType type = model::IncidentType::erroneous_post) {
    model::Finding f;
    f.type = type;
    f.subject = subject;
    f.platform = model::Platform::x;
    f.severity = model::Severity::high;
    f.score = 1;
    f.reasons = {"テスト"};
    f.detected_at = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
    NewIncident n;
    n.title = "テスト: " + subject;
    StepPlan s;
    s.id = "checked";
    s.title = "自動で確認される手順";
    s.auto_check_json = check;
    n.steps = {s};
    return record_finding(*c_, f, {}, n).incident_id;
  }

  std::string step_status(long long id) {
    return scalar(
        "SELECT status || '/' || coalesce(completed_by, '') FROM incident_steps WHERE incident_id "
        "= " +
        std::to_string(id));
  }

  void official_post(const std::string& post_id, const std::string& text,
                     const std::string& created_at_sql, const std::string& author_id = "100") {
    pqxx::work tx(*c_);
    tx.exec_params(
        "INSERT INTO observed_posts (platform, post_id, author_id, author_handle, text, "
        "created_at, observed_at)"
        " VALUES ('x', $1, $2, '', $3, " +
            created_at_sql + ", now())",
        post_id, author_id, text);
    tx.commit();
  }

  std::optional<testing::ScratchDatabase> db_;
  std::unique_ptr<pqxx::connection> c_;
};

TEST_F(AutomaticChecksTest,
       OfficialPostSinceOpenNeedsAMatchingPostByAnOfficialAccountAfterOpening) {
  const long long id =
      incident("x:post:1", R"({"kind":"official_post_since_open","pattern":"お詫び|訂正"})");
  // Before the incident opened, by someone else, or without the words: not enough.
  official_post("1", "昨日の投稿を訂正します", "now() - interval '1 hour'");
  official_post("2", "【お詫び】成りすましの投稿", "now() + interval '1 second'", "999");
  official_post("3", "本日のイベントのお知らせ", "now() + interval '1 second'");
  EXPECT_EQ(run_official_post_checks(*c_), 0);
  EXPECT_EQ(step_status(id), "pending/");
  official_post("4", "先ほどの投稿に誤りがありました。お詫びして訂正します。",
                "now() + interval '2 seconds'");
  EXPECT_EQ(run_official_post_checks(*c_), 1);
  EXPECT_EQ(step_status(id), "done/system:check");
  EXPECT_EQ(scalar("SELECT message FROM incident_timeline WHERE incident_id = " +
                   std::to_string(id) + " AND actor = 'system:check'"),
            "自動確認により手順を完了: 自動で確認される手順（公式アカウント @soma_city "
            "の投稿に「お詫び」を確認しました（投稿ID 4））");
  // Done once: running again changes nothing and records nothing more.
  EXPECT_EQ(run_official_post_checks(*c_), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM incident_timeline WHERE actor = 'system:check'"), "1");
}

// ube-city.txt 6(4): the notice of a compromise comes from another official account; the
// compromised account's own post (possibly the intruder's) does not complete the step.
TEST_F(AutomaticChecksTest, CompromiseNoticeMustComeFromAnotherOfficialAccount) {
  exec(
      "INSERT INTO official_accounts (platform, handle, account_id) VALUES ('x', 'soma_bousai', "
      "'200')");
  const std::string check = R"({"kind":"official_post_since_open","pattern":"不正アクセス"})";
  const long long detected =
      incident("x:official:soma_city", check, model::IncidentType::account_compromise);
  const long long by_hand =
      incident("manual:@Soma_City", check, model::IncidentType::account_compromise);
  official_post("10", "このアカウントは不正アクセスを受けました。リンクを開かないでください",
                "now() + interval '1 second'");
  EXPECT_EQ(run_official_post_checks(*c_), 0);
  EXPECT_EQ(step_status(detected), "pending/");
  EXPECT_EQ(step_status(by_hand), "pending/");
  official_post("11", "相馬市公式 @soma_city が不正アクセスを受けています。ご注意ください",
                "now() + interval '2 seconds'", "200");
  EXPECT_EQ(run_official_post_checks(*c_), 2);
  EXPECT_EQ(step_status(detected), "done/system:check");
  EXPECT_EQ(step_status(by_hand), "done/system:check");
  EXPECT_NE(
      scalar("SELECT message FROM incident_timeline WHERE incident_id = " +
             std::to_string(detected) + " AND actor = 'system:check'")
          .find("@soma_bousai の投稿に「不正アクセス」を確認しました（投稿ID 11）。不正アクセス"
                "を受けたアカウントとは別のアカウントからの周知です"),
      std::string::npos);
  // Other incident types still accept the account's own post (an erroneous post's correction).
  const long long erroneous =
      incident("x:post:5", R"({"kind":"official_post_since_open","pattern":"訂正"})");
  official_post("12", "先ほどの投稿を訂正します", "now() + interval '1 second'");
  EXPECT_EQ(run_official_post_checks(*c_), 1);
  EXPECT_EQ(step_status(erroneous), "done/system:check");
}

TEST_F(AutomaticChecksTest, ElapsedCountsFromOpenOrFromAcknowledgement) {
  const long long from_open =
      incident("x:a", R"({"kind":"elapsed","duration_s":3600,"from":"open"})");
  const long long from_ack =
      incident("x:b", R"({"kind":"elapsed","duration_s":600,"from":"acknowledge"})");
  const auto now = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
  EXPECT_EQ(run_elapsed_checks(*c_, now + 59min), 0);
  EXPECT_EQ(run_elapsed_checks(*c_, now + 61min), 1);
  EXPECT_EQ(step_status(from_open), "done/system:check");
  EXPECT_EQ(step_status(from_ack), "pending/");  // not acknowledged: waits
  change_status(*c_, from_ack, Status::acknowledged, "広報 花子");
  EXPECT_EQ(run_elapsed_checks(*c_, now + 5min), 0);
  EXPECT_EQ(run_elapsed_checks(*c_, now + 11min), 1);
  EXPECT_EQ(step_status(from_ack), "done/system:check");
  EXPECT_NE(scalar("SELECT message FROM incident_timeline WHERE incident_id = " +
                   std::to_string(from_ack) + " AND actor = 'system:check'")
                .find("確認から10分が経過しました"),
            std::string::npos);
}

TEST_F(AutomaticChecksTest, ResolvedIncidentsAndOtherKindsAreLeftAlone) {
  const long long id = incident("x:c", R"({"kind":"elapsed","duration_s":1,"from":"open"})");
  change_status(*c_, id, Status::resolved, "広報 花子", "テストのため");
  EXPECT_EQ(run_elapsed_checks(*c_, model::TimePoint(std::chrono::floor<std::chrono::milliseconds>(
                                        model::Clock::now())) +
                                        1h),
            0);
  EXPECT_EQ(step_status(id), "pending/");
  const long long other = incident("x:d", R"({"kind":"subject_gone"})");
  EXPECT_FALSE(complete_checked_step(*c_, other, "checked", "elapsed", "誤った種類"));
  EXPECT_FALSE(complete_checked_step(*c_, other, "no_such_step", "subject_gone", "ない手順"));
  EXPECT_TRUE(complete_checked_step(*c_, other, "checked", "subject_gone", "確認"));
  EXPECT_FALSE(complete_checked_step(*c_, other, "checked", "subject_gone", "二度目"));
}

TEST_F(AutomaticChecksTest, TimeToTakedownIsObservedOnceWhenTheImpersonatorIsGone) {
  prometheus::Registry registry;
  IncidentMetrics metrics(registry);
  metrics.refresh(*c_);
  const long long id =
      incident("x:200", R"({"kind":"subject_gone"})", model::IncidentType::impersonation);
  exec("UPDATE incidents SET opened_at = now() - interval '2 hours' WHERE id = " +
       std::to_string(id));
  // Staff recorded the takedown request half an hour ago.
  exec(
      "INSERT INTO incident_steps (incident_id, step_id, position, title, status, completed_by, "
      "completed_at) VALUES (" +
      std::to_string(id) +
      ", 'request_takedown', 1, '削除要請', 'done', 'tanaka', now() - interval '30 minutes')");
  EXPECT_EQ(
      complete_automatic_checks(*c_, model::IncidentType::impersonation, "x:200", "subject_gone",
                                "対象アカウントが削除されたことを確認しました"),
      1);
  const auto histogram =
      [&](const std::string& name =
              "mamori_impersonation_time_to_takedown_seconds") -> std::pair<std::uint64_t, double> {
    for (const auto& family : registry.Collect()) {
      if (family.name != name) continue;
      for (const auto& m : family.metric) {
        if (m.label.size() == 1 && m.label[0].value == "x")
          return {m.histogram.sample_count, m.histogram.sample_sum};
      }
    }
    return {0, 0};
  };
  metrics.refresh(*c_);
  const auto [count, sum] = histogram();
  EXPECT_EQ(count, 1u);
  EXPECT_NEAR(sum, 7200, 60);
  const auto [from_request, from_request_sum] =
      histogram("mamori_impersonation_request_to_takedown_seconds");
  EXPECT_EQ(from_request, 1u);
  EXPECT_NEAR(from_request_sum, 1800, 60);
  metrics.refresh(*c_);  // not observed twice
  EXPECT_EQ(histogram().first, 1u);
  EXPECT_EQ(histogram("mamori_impersonation_request_to_takedown_seconds").first, 1u);
}

// The acknowledge and resolve times carry the incident's town (docs/metrics.md), one of the towns
// with configured accounts; another town's incident is counted as "other" (bounded series).
TEST_F(AutomaticChecksTest, TimesToAcknowledgeAndResolveAreObservedPerConfiguredTown) {
  exec(
      "INSERT INTO official_accounts (platform, handle, municipality) VALUES ('x', 'shinchi_town',"
      " 'shinchi')");
  prometheus::Registry registry;
  IncidentMetrics metrics(registry);
  metrics.refresh(*c_);
  const long long soma = incident("x:301", R"({"kind":"subject_gone"})");
  const long long shinchi = incident("x:302", R"({"kind":"subject_gone"})");
  const long long gone = incident("x:303", R"({"kind":"subject_gone"})");
  exec("UPDATE incidents SET municipality = 'shinchi' WHERE id = " + std::to_string(shinchi));
  exec("UPDATE incidents SET municipality = 'iitate' WHERE id = " + std::to_string(gone));
  exec("UPDATE incidents SET opened_at = now() - interval '10 minutes'");
  for (const long long id : {soma, shinchi, gone}) {
    change_status(*c_, id, Status::acknowledged, "広報 花子");
    change_status(*c_, id, Status::resolved, "広報 花子", "テストのため");
  }
  metrics.refresh(*c_);
  const auto observed = [&](const std::string& name, const std::string& town) {
    std::uint64_t n = 0;
    for (const auto& family : registry.Collect()) {
      if (family.name != name) continue;
      for (const auto& m : family.metric) {
        for (const auto& l : m.label) {
          if (l.name == "municipality" && l.value == town) n += m.histogram.sample_count;
        }
      }
    }
    return n;
  };
  for (const char* name :
       {"mamori_incident_time_to_acknowledge_seconds", "mamori_incident_time_to_resolve_seconds"}) {
    EXPECT_EQ(observed(name, "default"), 1u) << name;  // soma_city's town in this test
    EXPECT_EQ(observed(name, "shinchi"), 1u) << name;
    EXPECT_EQ(observed(name, "other"), 1u) << name;
    EXPECT_EQ(observed(name, "iitate"), 0u) << name;
  }
}

// A fake city homepage over real HTTP; the runner fetches it through the collectors' client.
class HomepageCheckTest : public AutomaticChecksTest {
 protected:
  void SetUp() override {
    AutomaticChecksTest::SetUp();
    router_.add(
        boost::beast::http::verb::get, "/notice", "/notice",
        [this](const http::Request& req, const http::Params&) {
          ++hits_;
          if (missing_until_published_ && !published_) {
            return http::make_response(req, boost::beast::http::status::not_found,
                                       "<html><body>Not Found</body></html>", "text/html");
          }
          std::string page = published_ ? "<h1>成りすましアカウントにご注意ください</h1>"
                                        : "<h1>新着情報</h1><p>イベントのお知らせ</p>";
          if (old_notice_) {
            page +=
                "<ul><li>2025年4月1日 市長を装った成りすましアカウントについて（終了）</li></ul>";
          }
          return http::make_response(req, boost::beast::http::status::ok,
                                     shift_jis("<html><body>" + page + "</body></html>"),
                                     "text/html; charset=Shift_JIS");
        });
    server_ = std::make_unique<http::HttpServer>(io_, router_, http::ServerLimits{}, nullptr);
    server_->listen("127.0.0.1", 0);
    store::DatabaseOptions o;
    o.dsn = db_->dsn();
    database_ = std::make_unique<store::Database>(o, nullptr);
    database_->start();
    ASSERT_TRUE(database_->wait_ready(10s));
    auto cfg = std::make_shared<config::Config>();
    cfg->municipality.name = "相馬市";
    cfg->municipality.department = "秘書課広報広聴係";
    cfg->municipality.homepage_url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/";
    cfg->municipality.notice_url = cfg->municipality.homepage_url + "notice";
    cfg->server.public_url = "http://127.0.0.1:8473";
    config_ = cfg;
  }

  void TearDown() override {
    boost::asio::post(io_, [this] {
      if (runner_) runner_->stop();
      server_->stop_accepting();
      server_->close_all();
      io_.stop();
    });
    if (thread_.joinable()) thread_.join();
    runner_.reset();
    server_.reset();
    database_->drain_and_stop(5s);
  }

  void run() {
    CheckRunnerOptions o;
    o.interval = 100ms;
    o.homepage_interval = 100ms;
    runner_ = std::make_unique<AutomaticCheckRunner>(io_, *database_, clock_, config_, o);
    boost::asio::post(io_, [this] { runner_->start(); });
    thread_ = std::thread([this] { io_.run_for(60s); });
  }

  boost::asio::io_context io_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  std::unique_ptr<store::Database> database_;
  std::shared_ptr<const config::Config> config_;
  collectors::SystemClock clock_;
  std::unique_ptr<AutomaticCheckRunner> runner_;
  std::thread thread_;
  std::atomic<bool> published_{false};
  std::atomic<bool> old_notice_{false};  // an earlier incident's notice is still listed
  std::atomic<bool> missing_until_published_{false};  // 404 until staff publish the page
  std::atomic<int> hits_{0};
};

TEST_F(HomepageCheckTest, StepCompletesOnceTheNoticeIsOnThePage) {
  const long long id = incident(
      "x:300", R"({"kind":"homepage_contains","url":"{{notice_url}}","text":"成りすまし"})",
      model::IncidentType::impersonation);
  // A page outside the allow-list is never fetched (and never completes its step).
  const long long elsewhere = incident(
      "x:301",
      R"({"kind":"homepage_contains","url":"http://192.0.2.1/notice","text":"成りすまし"})",
      model::IncidentType::impersonation);
  run();
  ASSERT_TRUE(testing::eventually([&] { return hits_ >= 2; }, 20s));
  EXPECT_EQ(step_status(id), "pending/");
  published_ = true;
  ASSERT_TRUE(testing::eventually([&] { return step_status(id) == "done/system:check"; }, 20s))
      << step_status(id);
  EXPECT_NE(scalar("SELECT message FROM incident_timeline WHERE incident_id = " +
                   std::to_string(id) + " AND actor = 'system:check'")
                .find("/notice に「成りすまし」の掲載を確認しました"),
            std::string::npos);
  EXPECT_EQ(step_status(elsewhere), "pending/");
}

TEST_F(HomepageCheckTest, AnOldNoticeAlreadyOnThePageDoesNotCompleteTheStep) {
  old_notice_ = true;
  const long long id = incident(
      "x:310", R"({"kind":"homepage_contains","url":"{{notice_url}}","text":"成りすまし"})",
      model::IncidentType::impersonation);
  run();
  ASSERT_TRUE(testing::eventually([&] { return hits_ >= 3; }, 20s));
  EXPECT_EQ(step_status(id), "pending/");
  EXPECT_EQ(scalar("SELECT check_state->>'baseline' FROM incident_steps WHERE incident_id = " +
                   std::to_string(id)),
            "1");
  // This incident's notice goes up next to the old one: now the step is done.
  published_ = true;
  ASSERT_TRUE(testing::eventually([&] { return step_status(id) == "done/system:check"; }, 20s))
      << step_status(id);
}

TEST_F(HomepageCheckTest, ANoticePageThatDoesNotExistYetCountsAsEmpty) {
  missing_until_published_ = true;
  const long long id = incident(
      "x:320", R"({"kind":"homepage_contains","url":"{{notice_url}}","text":"成りすまし"})",
      model::IncidentType::impersonation);
  run();
  ASSERT_TRUE(testing::eventually([&] { return hits_ >= 2; }, 20s));
  EXPECT_EQ(step_status(id), "pending/");
  EXPECT_EQ(scalar("SELECT check_state->>'baseline' FROM incident_steps WHERE incident_id = " +
                   std::to_string(id)),
            "0");
  published_ = true;
  ASSERT_TRUE(testing::eventually([&] { return step_status(id) == "done/system:check"; }, 20s))
      << step_status(id);
}

TEST_F(AutomaticChecksTest, HomepageReadingsCompareWithTheFirstOne) {
  const std::string kUrl = "http://city.example/notice";
  const long long id = incident(
      "x:330",
      R"({"kind":"homepage_contains","url":"http://city.example/notice","text":"お詫び"})");
  EXPECT_EQ(record_homepage_reading(*c_, id, "checked", kUrl, "お詫び", 2, "確認"),
            HomepageVerdict::baseline_taken);
  EXPECT_EQ(record_homepage_reading(*c_, id, "checked", kUrl, "お詫び", 2, "確認"),
            HomepageVerdict::unchanged);
  // The page dropped one old apology: the baseline follows it down...
  EXPECT_EQ(record_homepage_reading(*c_, id, "checked", kUrl, "お詫び", 1, "確認"),
            HomepageVerdict::unchanged);
  EXPECT_EQ(step_status(id), "pending/");
  // ...so a new one, back to two, is new.
  EXPECT_EQ(record_homepage_reading(*c_, id, "checked", kUrl, "お詫び", 2, "確認"),
            HomepageVerdict::completed);
  EXPECT_EQ(step_status(id), "done/system:check");
  EXPECT_EQ(record_homepage_reading(*c_, id, "checked", kUrl, "お詫び", 3, "確認"),
            HomepageVerdict::not_pending);

  // The configuration now names another page: its first reading is a new baseline, whatever the
  // old page showed.
  const long long moved =
      incident("x:331", R"({"kind":"homepage_contains","url":"{{notice_url}}","text":"お詫び"})");
  EXPECT_EQ(record_homepage_reading(*c_, moved, "checked", kUrl, "お詫び", 0, "確認"),
            HomepageVerdict::baseline_taken);
  EXPECT_EQ(record_homepage_reading(*c_, moved, "checked", "http://city.example/new", "お詫び", 3,
                                    "確認"),
            HomepageVerdict::baseline_taken);
  EXPECT_EQ(record_homepage_reading(*c_, moved, "checked", "http://city.example/new", "お詫び", 3,
                                    "確認"),
            HomepageVerdict::unchanged);
}

TEST(PageOccurrences, CountsNonOverlappingMatchesAcrossMarkupAndWidth) {
  EXPECT_EQ(page_occurrences("<p>成りすまし</p><p>ＳＮＳの成り<b>すまし</b>に注意</p>", "text/html",
                             "成りすまし"),
            2u);
  EXPECT_EQ(page_occurrences("<p>ああああ</p>", "text/html", "ああ"), 2u);
  EXPECT_EQ(page_occurrences("<p>新着情報</p>", "text/html", "成りすまし"), 0u);
  EXPECT_EQ(page_occurrences("<p>新着情報</p>", "text/html", ""), 0u);
}

}  // namespace
}  // namespace mamori::incidents
