// The calm-down checks with the step's own parameters: a flame-up's replies at most max_ratio x
// the baseline for `sustain`, a misinformation cluster's new claims at most max_per_hour for
// `sustain`; evaluated on the numbers the detection hub passes and completed on PostgreSQL.
#include "daemon/incidents/calm_checks.h"

#include <gtest/gtest.h>

#include "daemon/incidents/incident_store.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::incidents {
namespace {

using namespace std::chrono_literals;
using detectors::flameup::BucketSample;

const model::TimePoint kNow{std::chrono::hours(490000)};

// Minute buckets from `from` to kNow: `count` replies each against `expected`, except the ones
// `busy` says are busier.
std::vector<BucketSample> minutes(model::TimePoint from, double count, double expected) {
  std::vector<BucketSample> out;
  for (auto t = from; t < kNow; t += 1min)
    out.push_back({std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(),
                   count, expected});
  return out;
}

TEST(FlameupCalm, UsesTheStepsOwnRatioAndDuration) {
  const auto opened = kNow - 3h;
  // 1.2 replies a minute against 1 expected: calm at max_ratio 1.5, not at 1.1.
  const auto steady = minutes(kNow - 4h, 1.2, 1.0);
  const auto calm = flameup_calm(steady, 60s, 1.5, 2h, opened, kNow);
  ASSERT_TRUE(calm.has_value());
  EXPECT_NE(calm->find("平常時の1.5倍以下（最大 1.2倍）で2時間続いた"), std::string::npos) << *calm;
  EXPECT_FALSE(flameup_calm(steady, 60s, 1.1, 2h, opened, kNow));
  // A burst 150 minutes ago (each judged hour reaches an hour back): calm for 1 hour, not for 2.
  auto burst = steady;
  for (auto& b : burst)
    if (b.start ==
        std::chrono::duration_cast<std::chrono::seconds>((kNow - 150min).time_since_epoch())
            .count())
      b.count = 200;
  EXPECT_TRUE(flameup_calm(burst, 60s, 1.5, 1h, opened, kNow));
  EXPECT_FALSE(flameup_calm(burst, 60s, 1.5, 2h, opened, kNow));
  // Not open that long yet, or not enough buckets to tell (a restart): not judged.
  EXPECT_FALSE(flameup_calm(steady, 60s, 1.5, 2h, kNow - 1h, kNow));
  EXPECT_FALSE(flameup_calm(minutes(kNow - 90min, 1.2, 1.0), 60s, 1.5, 2h, opened, kNow));
  // A quiet night: one reply an hour against almost nothing expected is no flame.
  auto night = minutes(kNow - 4h, 0, 0.001);
  night[night.size() - 30].count = 1;
  EXPECT_TRUE(flameup_calm(night, 60s, 1.5, 2h, opened, kNow));
}

// Between bucket boundaries: the reply-rate detector closes a bucket two buckets (its lateness)
// after its end, so the last closed bucket ends up to three minutes before an unaligned now.
TEST(FlameupCalm, JudgesTheBucketsTheDetectorHasClosedAtAnyTimeOfTheMinute) {
  const auto opened = kNow - 3h;
  const auto steady = minutes(kNow - 4h, 1.2, 1.0);
  const std::vector<BucketSample> closed(steady.begin(), steady.end() - 2);  // up to kNow - 2min
  for (auto now : {kNow, kNow + 1s, kNow + 30s, kNow + 59s})
    EXPECT_TRUE(flameup_calm(closed, 60s, 1.5, 2h, opened, now))
        << (now - kNow).count() << " ms past the minute";
  // A detector that stopped closing buckets (its replies no longer known) is not judged.
  const std::vector<BucketSample> stale(steady.begin(), steady.end() - 4);
  EXPECT_FALSE(flameup_calm(stale, 60s, 1.5, 2h, opened, kNow + 30s));
}

TEST(SpreadCalm, CountsNewRepliesOverTheSustainedSpan) {
  const auto opened = kNow - 5h;
  std::vector<model::TimePoint> replies = {kNow - 4h, kNow - 3h, kNow - 150min, kNow - 100min,
                                           kNow - 20min};
  // Two in the last 2 hours: calm at 2 an hour (4 allowed), not at 0.5 (1 allowed).
  const auto calm = spread_calm(replies, 2, 2h, opened, kNow);
  ASSERT_TRUE(calm.has_value());
  EXPECT_NE(calm->find("直近2時間で 2件（1時間あたり2件以下）"), std::string::npos) << *calm;
  EXPECT_FALSE(spread_calm(replies, 0.5, 2h, opened, kNow));
  // A cluster the detector no longer holds: silent.
  EXPECT_TRUE(spread_calm({}, 0, 2h, opened, kNow));
  EXPECT_FALSE(spread_calm({}, 0, 2h, kNow - 1h, kNow));  // opened less than `sustain` ago
}

class CalmChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.emplace();
    c_ = store::connect(db_->dsn(), std::nullopt);
    store::apply_migrations(*c_);
  }
  long long incident(model::IncidentType type, const std::string& subject,
                     const std::string& check) {
    model::Finding f;
    f.type = type;
    f.subject = subject;
    f.severity = model::Severity::medium;
    f.score = 1;
    f.reasons = {"テスト"};
    f.detected_at = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
    NewIncident n;
    n.title = "テスト";
    StepPlan s;
    s.id = "calm";
    s.title = "沈静化の確認";
    s.auto_check_json = check;
    n.steps = {s};
    const long long id = record_finding(*c_, f, {}, n).incident_id;
    pqxx::work tx(*c_);  // opened 3 hours before "now" below
    tx.exec_params("UPDATE incidents SET opened_at = now() - interval '3 hours' WHERE id = $1", id);
    tx.commit();
    return id;
  }
  std::string step(long long id) {
    pqxx::nontransaction tx(*c_);
    const auto r = tx.exec1(
        "SELECT status || '/' || coalesce(completed_by, '') || '/' || coalesce(note, '') FROM "
        "incident_steps WHERE incident_id = " +
        std::to_string(id));
    return r[0].c_str();
  }
  std::optional<testing::ScratchDatabase> db_;
  std::unique_ptr<pqxx::connection> c_;
};

TEST_F(CalmChecksTest, CompletesFlameupAndMisinformationStepsOnTheirOwnParameters) {
  const auto now = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
  const long long strict =
      incident(model::IncidentType::flameup, "x:account:1",
               R"({"kind":"rate_back_to_baseline","max_ratio":1.1,"sustain_s":7200})");
  const long long loose =
      incident(model::IncidentType::flameup, "x:account:2",
               R"({"kind":"rate_back_to_baseline","max_ratio":1.5,"sustain_s":7200})");
  const long long spreading =
      incident(model::IncidentType::misinformation, "cluster:00000000000000aa",
               R"({"kind":"rate_back_to_baseline","max_per_hour":2,"sustain_s":7200})");
  const long long quiet =
      incident(model::IncidentType::misinformation, "cluster:00000000000000bb",
               R"({"kind":"rate_back_to_baseline","max_per_hour":2,"sustain_s":7200})");
  CalmInputs in;
  std::vector<BucketSample> buckets;
  for (auto t = now - 4h; t < now; t += 1min)
    buckets.push_back(
        {std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(), 1.2, 1});
  in.flameup["x:account:1"] = buckets;
  in.flameup["x:account:2"] = buckets;
  for (int i = 0; i < 5; ++i) in.misinformation["cluster:00000000000000aa"].push_back(now - 10min);
  in.misinformation["cluster:00000000000000bb"] = {now - 150min};
  EXPECT_EQ(run_calm_checks(*c_, in, now), 2);
  EXPECT_EQ(step(strict), "pending//");
  EXPECT_NE(step(loose).find("done/system:check/返信の件数が平常時の1.5倍以下"), std::string::npos)
      << step(loose);
  EXPECT_EQ(step(spreading), "pending//");
  EXPECT_NE(step(quiet).find("done/system:check/同じ内容の新しい返信が直近2時間で 0件"),
            std::string::npos)
      << step(quiet);
  // Done once.
  EXPECT_EQ(run_calm_checks(*c_, in, now), 0);
}

}  // namespace
}  // namespace mamori::incidents
