// The flame-up playbook's calm-down step (watch_calm_down: rate_back_to_baseline, max_ratio 1.5,
// sustain 2h) completed through the detection hub: the hub hands its reply-rate detectors'
// closed buckets to incidents::run_calm_checks once a minute, which completes the step as
// system:check once every judged hour of the last `sustain` stayed within max_ratio of the
// baseline. In-process on a real PostgreSQL with a manual clock: hours pass in a few seconds.
//
// The account has two days of stored replies (one every 10 minutes), so the detector starts
// with that baseline (warm start). The clock starts at the wall clock's now because the incident's
// opening time is PostgreSQL's now().
#include <gtest/gtest.h>

#include "daemon/detection/detection_hub.h"
#include "tests/support/in_process.h"

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig =
    "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n"
    "[platforms.x]\nenabled = true\nbearer_token = \"env:MAMORI_T_X\"\n"
    "[[accounts]]\nplatform = \"x\"\nhandle = \"soma_city\"\n";

const std::vector<std::string> kHostile = {
    "ふざけるな、税金の無駄遣いだ。市長は謝罪しろ",
    "対応ひどすぎ。説明と謝罪を求めます",
    "無能な職員しかいないのか。最低の対応",
    "これはひどい。市は恥を知れ",
    "ありえない。ちゃんと謝れ",
};

const std::vector<std::string> kEveryday = {
    "訓練は何時から始まりますか",
    "雨の場合も実施しますか",
    "駐車場は使えますか",
    "参加には申し込みが必要ですか",
};

class FlameupCalmTest : public ::testing::Test {
 protected:
  FlameupCalmTest()
      : env_(std::chrono::time_point_cast<model::TimePoint::duration>(model::Clock::now())),
        opened_(env_.clock.now()) {}

  void SetUp() override {
    config_ = env_.configure(kConfig);
    // What polling stored before: the official profile and notice (its id learned), and two days
    // of everyday replies, one every 10 minutes.
    env_.store({official_profile(), official_notice()});
    env_.sql("UPDATE official_accounts SET account_id = '100' WHERE handle = 'soma_city'");
    std::vector<model::Observation> history;
    for (int k = 1; k <= 2 * 24 * 6; ++k) history.emplace_back(everyday(now() - k * 10min));
    env_.store(history);
    hub_ = std::make_unique<DetectionHub>(env_.services(testing::InProcess::paging({"pager"})),
                                          config_, env_.playbooks, HubOptions{});
    ASSERT_TRUE(env_.drain());  // the warm start has read the history
    env_.settle();
    feed({official_profile(), official_notice()});
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
    p.created_at = opened_ - std::chrono::days(3);
    p.observed_at = opened_ - std::chrono::days(3);
    return p;
  }

  model::Post reply(const std::string& text, model::TimePoint at) {
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
    return reply(kEveryday[static_cast<std::size_t>(replies_) % kEveryday.size()], at);
  }

  // Stores the observations (as the poller would) and hands the batch to the hub.
  void feed(const std::vector<model::Observation>& observations) {
    hub_->on_stored(model::Platform::x, "soma_city", env_.store(observations));
  }

  // 40 hostile replies within the last minute: a 炎上 incident with the flame-up checklist.
  void flood() {
    std::vector<model::Observation> batch;
    for (int i = 0; i < 40; ++i)
      batch.emplace_back(reply(kHostile[static_cast<std::size_t>(i) % kHostile.size()],
                               now() - std::chrono::seconds(59 - i)));
    feed(batch);
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
        feed({everyday(now() - 30s)});  // judged with a detection round
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

  testing::InProcess env_;
  model::TimePoint opened_;
  config::Config config_;
  std::unique_ptr<DetectionHub> hub_;
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
