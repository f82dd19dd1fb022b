// The detection hub in-process on a real PostgreSQL (tests/support/in_process.h): stored
// batches go straight to DetectionHub::on_stored, `now` is a manual clock, and the assertions
// read the incidents, findings and alert outbox the hub wrote. No mamorid, no platform, no
// polling interval to wait for: the end-to-end path stays in detection_integration_test.cpp.
// FlameupCalmTest runs hours of the flame-up playbook's calm-down watch the same way.
#include "daemon/detection/detection_hub.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <algorithm>

#include "tests/support/in_process.h"

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig =
    "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n"
    "[platforms.x]\nenabled = true\nbearer_token = \"env:MAMORI_T_X\"\n"
    "[[accounts]]\nplatform = \"x\"\nhandle = \"soma_city\"\n";

class DetectionHubTest : public ::testing::Test {
 protected:
  // 2025-06-01T00:00:00Z unless a test needs another start.
  explicit DetectionHubTest(
      model::TimePoint start = model::TimePoint(std::chrono::seconds(1748736000)))
      : env_(start) {}

  void SetUp() override {
    config_ = env_.configure(kConfig);
    hub_ = std::make_unique<DetectionHub>(env_.services(testing::InProcess::paging({"pager"})),
                                          config_, env_.playbooks, HubOptions{});
    // The stored official profile and notice, as the first polling cycle brings them.
    feed("soma_city", {official_profile(), official_notice()});
  }
  void TearDown() override { hub_.reset(); }

  model::TimePoint now() const { return env_.clock.now(); }

  model::ProfileSnapshot official_profile() const {
    model::ProfileSnapshot p;
    p.platform = model::Platform::x;
    p.account_id = "100";
    p.handle = "soma_city";
    p.display_name = "相馬市";
    p.description = "福島県相馬市の公式アカウントです。";
    p.url = "https://www.city.soma.fukushima.jp/";
    p.created_at = now() - std::chrono::days(3000);
    p.followers_count = 12000;
    p.observed_at = now();
    return p;
  }

  model::Post official_notice() const {
    model::Post p;
    p.platform = model::Platform::x;
    p.post_id = "x-notice";
    p.author_id = "100";
    p.author_handle = "soma_city";
    p.text = "【お知らせ】6月8日に市内全域で防災訓練を行います。";
    p.created_at = now() - 1h;
    p.observed_at = now();
    return p;
  }

  model::Post reply(int i, const std::string& text) const {
    model::Post p;
    p.platform = model::Platform::x;
    p.post_id = "reply-" + std::to_string(i);
    p.author_id = "2" + std::to_string(i % 8);
    p.author_handle = "citizen" + std::to_string(i % 8);
    p.author_display_name = "市民" + std::to_string(i % 8);
    p.author_created_at = now() - std::chrono::days(900);
    p.author_followers_count = 50;
    p.text = text + "（" + std::to_string(i) + "）";
    p.created_at = now() - std::chrono::seconds(60 - i % 60);
    p.in_reply_to_post_id = "x-notice";
    p.in_reply_to_account_id = "100";
    p.conversation_root_id = "x-notice";
    p.observed_at = now();
    return p;
  }

  // Stores the observations (as the poller would) and hands the batch to the hub.
  void feed(const std::string& account, const std::vector<model::Observation>& observations) {
    hub_->on_stored(model::Platform::x, account, env_.store(observations));
  }

  void flood(const std::vector<std::string>& texts, int replies) {
    std::vector<model::Observation> batch;
    for (int i = 0; i < replies; ++i)
      batch.emplace_back(reply(i, texts[static_cast<std::size_t>(i) % texts.size()]));
    feed("soma_city", batch);
  }

  std::string count(const std::string& from_where) {
    return env_.sql("SELECT count(*) FROM " + from_where);
  }

  testing::InProcess env_;
  config::Config config_;
  std::unique_ptr<DetectionHub> hub_;
};

const std::vector<std::string> kHostile = {
    "ふざけるな、税金の無駄遣いだ。市長は謝罪しろ",
    "対応ひどすぎ。説明と謝罪を求めます",
    "無能な職員しかいないのか。最低の対応",
    "これはひどい。市は恥を知れ",
    "ありえない。ちゃんと謝れ",
};

const std::vector<std::string> kThanks = {
    "いつも情報ありがとうございます！助かります",
    "迅速な対応ありがとうございます。お疲れさまです",
    "職員の皆さん、本当にありがとう",
    "ありがとうございます、参加します！",
};

TEST_F(DetectionHubTest, ImpersonatorBecomesOneIncidentWithItsChecklistAndOnePage) {
  model::ProfileSnapshot fake = official_profile();
  fake.account_id = "666";
  fake.handle = "soma__city";
  fake.url.clear();
  fake.created_at = now() - std::chrono::days(2);
  fake.followers_count = 3;
  feed("", {fake});
  ASSERT_TRUE(env_.run_until([&] { return hub_->findings_recorded() == 1; })) << count("incidents");
  EXPECT_EQ(env_.sql("SELECT type || ' ' || subject || ' ' || status FROM incidents"),
            "impersonation x:666 open");
  EXPECT_NE(env_.sql("SELECT title FROM incidents").find("@soma__city（X）"), std::string::npos);
  EXPECT_NE(count("incident_steps"), "0");  // the impersonation playbook's checklist
  EXPECT_EQ(count("evidence WHERE kind = 'observation'"), "1");
  EXPECT_EQ(count("alert_outbox WHERE kind = 'trigger' AND channel = 'pager'"), "1");

  // Seen again at the same verdict: still tracked, nothing recorded twice, nobody paged again.
  env_.clock.advance(60s);
  fake.observed_at = now();
  feed("", {fake});
  env_.settle();
  EXPECT_EQ(hub_->findings_recorded(), 1u);
  EXPECT_EQ(count("alert_outbox"), "1");
  // Re-checked at every search round, before any generated look-alike: a round with room for
  // one handle looks it up.
  const auto round = hub_->handles_to_check(model::Platform::x, 1);
  ASSERT_EQ(round.handles.size(), 1u);
  EXPECT_EQ(round.handles.front(), "soma__city");
  EXPECT_EQ(round.tracked(), 1u);
}

TEST_F(DetectionHubTest, HostileFloodIsAFlameIncidentNamingThePostItDrawsOn) {
  flood(kHostile, 40);
  const std::string flame =
      "incident_findings f JOIN incidents i ON i.id = f.incident_id WHERE i.type = 'flameup' AND "
      "f.severity_label = '炎上'";
  ASSERT_TRUE(env_.run_until([&] { return count(flame) != "0"; })) << env_.sql(
      "SELECT string_agg(severity_label || ': ' || array_to_string(reasons, ' / '), E'\\n') FROM "
      "incident_findings");
  EXPECT_EQ(env_.sql("SELECT subject FROM incidents WHERE type = 'flameup'"), "x:account:100");
  EXPECT_NE(count("incident_steps"), "0");
  EXPECT_NE(count("incident_findings WHERE evidence->'top_posts'->0->>'text' LIKE '%防災訓練%'"),
            "0");
  EXPECT_EQ(count("alert_outbox WHERE kind = 'trigger'"), "1");  // one incident, one page
  // The dashboards' gauges: the episode is open for this account.
  const std::string metrics = prometheus::TextSerializer().Serialize(env_.registry.Collect());
  EXPECT_NE(metrics.find(R"(mamori_flameup_episode_open{account="soma_city",platform="x"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(mamori_reply_rate_baseline{account="soma_city",platform="x"})"),
            std::string::npos);

  // A restart: the new hub rebuilds the baseline from the stored replies (warm start) instead
  // of starting empty, once polling has learned the account's id.
  store::remember_account_id(*env_.direct, model::Platform::x, "soma_city", "100");
  hub_.reset();
  ::testing::internal::CaptureStderr();
  hub_ = std::make_unique<DetectionHub>(env_.services(testing::InProcess::paging({"pager"})),
                                        config_, env_.playbooks, HubOptions{});
  ASSERT_TRUE(env_.drain());
  env_.settle();
  const std::string log = ::testing::internal::GetCapturedStderr();
  const auto at = log.find("flameup.warm_start account=x:soma_city replies=");
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_GE(std::stoi(log.substr(at + 47)), 40) << log.substr(at, log.find('\n', at) - at);
}

// 白井市 4(5): a bomb threat in a reply is a threat incident of its own at once, with the post kept
// as hashed evidence and the police step's consultation memo; news of a threat and a denied one
// open nothing.
TEST_F(DetectionHubTest, BombThreatOpensACriticalThreatIncidentWithThePostAsEvidence) {
  feed("soma_city", {reply(1, "市役所に爆破予告があったってニュース本当？"),
                     reply(2, "爆破なんてするわけないだろ、ただの不満だよ"),
                     reply(3, "明日の防災訓練の会場に爆弾を仕掛けた。中止しないと爆発する")});
  ASSERT_TRUE(env_.run_until([&] { return hub_->findings_recorded() >= 1; })) << count("incidents");
  env_.settle();
  EXPECT_EQ(env_.sql("SELECT type || ' ' || subject || ' ' || severity FROM incidents"),
            "threat x:post:reply-3 critical");
  EXPECT_NE(env_.sql("SELECT title FROM incidents").find("爆破予告"), std::string::npos);
  EXPECT_EQ(count("evidence WHERE kind = 'observation' AND convert_from(content, 'UTF8') LIKE "
                  "'%爆弾を仕掛けた%' AND sha256 IS NOT NULL"),
            "1");
  EXPECT_EQ(count("incident_steps WHERE step_id = 'contact_police'"), "1");
  EXPECT_EQ(count("alert_outbox WHERE kind = 'trigger' AND channel = 'pager'"), "1");
}

// The whole-process version of this test waited two polling cycles and then slept one more.
TEST_F(DetectionHubTest, ThankYouSurgeOfTheSameSizeIsNot炎上) {
  flood(kThanks, 40);
  ASSERT_EQ(count("observed_posts WHERE text LIKE '%ありがと%（%）'"), "40");
  // The batch is judged when it arrives; a later tick (a minute on) judges it again.
  env_.settle();
  env_.clock.advance(60s);
  hub_->on_stored(model::Platform::x, "soma_city",
                  store::StoredBatch{{reply(99, "ありがとうございます")}, {}, {}, {}});
  env_.settle();
  EXPECT_EQ(count("incident_findings f JOIN incidents i ON i.id = f.incident_id"
                  " WHERE i.type = 'flameup' AND f.severity_label <> '注意'"),
            "0")
      << env_.sql(
             "SELECT string_agg(severity_label || ': ' || array_to_string(reasons, ' / '), E'\\n') "
             "FROM "
             "incident_findings");
}

// The flame-up playbook's calm-down step (watch_calm_down: rate_back_to_baseline, max_ratio 1.5,
// sustain 2h) completed through the detection hub: the hub hands its reply-rate detectors'
// closed buckets to incidents::run_calm_checks once a minute, which completes the step as
// system:check once every judged hour of the last `sustain` stayed within max_ratio of the
// baseline. In-process on a real PostgreSQL with a manual clock: hours pass in a few seconds.
//
// The account has two days of stored replies (one every 10 minutes), so the detector starts
// with that baseline (warm start). The clock starts at a fixed instant and the incident opens at
// the flood on that clock (alerts::record_finding records at the injected clock's time): with
// the clock at the wall clock's now, each test failed when the suite ran at some hours of the day
// (seen at 08:xx and 10:0x UTC).
const std::vector<std::string> kEveryday = {
    "訓練は何時から始まりますか",
    "雨の場合も実施しますか",
    "駐車場は使えますか",
    "参加には申し込みが必要ですか",
};

class FlameupCalmTest : public DetectionHubTest {
 protected:
  FlameupCalmTest() : DetectionHubTest(kCalmTestStart) {}

  // Wednesday 2026-12-02 12:30 in Japan (03:30 UTC).
  static constexpr model::TimePoint kCalmTestStart{std::chrono::milliseconds(1796182200000LL)};

  void SetUp() override {
    config_ = env_.configure(kConfig);
    // What polling stored before: the official profile and notice (its id learned), and two days
    // of everyday replies, one every 10 minutes.
    env_.store({official_profile(), official_notice()});
    store::remember_account_id(*env_.direct, model::Platform::x, "soma_city", "100");
    std::vector<model::Observation> history;
    for (int k = 1; k <= 2 * 24 * 6; ++k) history.emplace_back(everyday(now() - k * 10min));
    env_.store(history);
    hub_ = std::make_unique<DetectionHub>(env_.services(testing::InProcess::paging({"pager"})),
                                          config_, env_.playbooks, HubOptions{});
    ASSERT_TRUE(env_.drain());  // the warm start has read the history
    env_.settle();
    feed("soma_city", {official_profile(), official_notice()});
  }
  model::Post reply_at(const std::string& text, model::TimePoint at) {
    const int n = ++replies_;
    model::Post p;
    p.platform = model::Platform::x;
    p.post_id = "reply-" + std::to_string(n);
    p.author_id = "2" + std::to_string(n % 8);
    p.author_handle = "citizen" + std::to_string(n % 8);
    p.author_display_name = "市民" + std::to_string(n % 8);
    p.author_created_at = at - std::chrono::days(900);
    p.author_followers_count = 50;
    p.text = text + "（" + std::to_string(n) + "）";
    p.created_at = at;
    p.in_reply_to_post_id = "x-notice";
    p.in_reply_to_account_id = "100";
    p.conversation_root_id = "x-notice";
    p.observed_at = at;
    return p;
  }
  model::Post everyday(model::TimePoint at) {
    return reply_at(kEveryday[static_cast<std::size_t>(replies_) % kEveryday.size()], at);
  }

  // 40 hostile replies within the last minute: a 炎上 incident with the flame-up checklist.
  void flood() {
    std::vector<model::Observation> batch;
    for (int i = 0; i < 40; ++i)
      batch.emplace_back(reply_at(kHostile[static_cast<std::size_t>(i) % kHostile.size()],
                                  now() - std::chrono::seconds(59 - i)));
    feed("soma_city", batch);
    ASSERT_TRUE(env_.run_until([&] {
      return env_.sql(
                 "SELECT count(*) FROM incident_steps s JOIN incidents i ON i.id = "
                 "s.incident_id WHERE i.type = 'flameup' AND s.step_id = 'watch_calm_down' "
                 "AND s.status = 'pending'") == "1";
    })) << env_.sql("SELECT string_agg(type || ' ' || severity_label, ', ') FROM incidents");
  }

  // Runs the clock minute by minute for `span`, one reply every `every` (as polling would bring
  // them), the hub's detection round after each minute; returns when the calm-down step was done
  // (minutes after the flood), or nullopt.
  std::optional<std::chrono::minutes> watch(std::chrono::minutes span, std::chrono::minutes every) {
    const auto flooded = now();
    for (std::chrono::minutes m{1}; m <= span; ++m) {
      env_.clock.advance(1min);
      if (m % every == 0min)
        feed("soma_city", {everyday(now() - 30s)});  // judged with a detection round
      else
        hub_->tick();
      EXPECT_TRUE(env_.drain());
      if (step_status() == "done")
        return std::chrono::duration_cast<std::chrono::minutes>(now() - flooded);
    }
    return std::nullopt;
  }

  std::string step_status() {
    return env_.sql("SELECT status FROM incident_steps WHERE step_id = 'watch_calm_down'");
  }

  int replies_ = 0;
};

TEST_F(FlameupCalmTest, StepCompletesOnceTheRateStayedAtBaselineForItsSustainNotBefore) {
  flood();
  // Back to the everyday rate at once. Each judged hour reaches an hour back, so the flood keeps
  // the hour after it above 1.5 x baseline: the 2 hours of calm are counted from about then, and
  // the step is done about 3 hours after the flood — not when `sustain` has merely passed.
  const auto done = watch(4h, 10min);
  ASSERT_TRUE(done.has_value()) << env_.sql("SELECT count(*) FROM observed_posts");
  EXPECT_GE(*done, 2h + 50min);
  EXPECT_LE(*done, 3h + 5min);
  const std::string note = env_.sql(
      "SELECT completed_by || ' ' || note FROM incident_steps WHERE step_id = "
      "'watch_calm_down'");
  EXPECT_EQ(note.rfind("system:check 返信の件数が平常時の1.5倍以下", 0), 0u) << note;
  EXPECT_NE(note.find("で2時間続いたことを確認しました"), std::string::npos) << note;
  EXPECT_EQ(env_.sql("SELECT count(*) FROM incident_timeline WHERE message LIKE "
                     "'自動確認により手順を完了: 沈静化の確認%'"),
            "1");
  EXPECT_EQ(env_.sql("SELECT status FROM incidents WHERE type = 'flameup'"), "open");
}

TEST_F(FlameupCalmTest, ASecondBurstDuringTheWatchStartsTheCalmAgain) {
  flood();
  EXPECT_EQ(watch(100min, 10min), std::nullopt);
  // The replies flare up again: the rate is above 1.5 x baseline for the hour after, so 2 calm
  // hours are counted from there and the elapsed time alone completes nothing.
  flood();
  const auto done = watch(4h, 10min);
  ASSERT_TRUE(done.has_value());
  EXPECT_GE(*done, 2h + 50min);
  EXPECT_LE(*done, 3h + 5min);
  EXPECT_EQ(step_status(), "done");
}

}  // namespace
}  // namespace mamori::detection
