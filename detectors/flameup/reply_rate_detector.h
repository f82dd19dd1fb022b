// ReplyRateDetector: flame-up (炎上) detection for one official account (soma-city.txt 第2 and
// 第7-1, hokkaido.txt 5(3), shiroi-city.txt 4(3): a flood of critical replies that outgrows the
// office's ability to respond). Pure and streaming: replies in, findings out, `now` passed in.
//
//   ReplyRateDetector d(model::Platform::x, "12345");       // default settings, new account
//   d.warm_start(history_from_store, stored_until);          // optional, after a restart
//   for (const model::Post& reply : new_replies) d.observe(reply, now);
//   for (model::Finding& f : d.advance(now)) store(f);       // every polling cycle
//
// Two count series run side by side: all replies/mentions/quotes, and the critical/hostile ones.
// An episode opens when either rises beyond its baseline; each episode yields one "open"
// finding, an "escalate" finding whenever its severity rises (注意 -> 警戒 -> 炎上), and an "end"
// finding once the rate stayed near baseline for Settings::quiet_time, or once a rate that stayed
// high for Settings::max_episode was taken as the account's new normal (evidence "end_reason":
// "back_to_baseline" or "new_level"). All findings of an episode share the subject
// "<platform>:account:<id>"; Finding::phase says which (evidence_json repeats it for staff).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/flameup/rate_scorer.h"
#include "detectors/flameup/reply_character.h"
#include "detectors/flameup/settings.h"
#include "model/finding.h"
#include "model/observation.h"

namespace mamori::detectors::flameup {

// One closed bucket of the all-replies series as the detector judged it: the calm-down check
// (daemon/incidents/calm_checks.h) compares the count with the baseline's expectation.
struct BucketSample {
  std::int64_t start = 0;  // seconds since the epoch (UTC)
  double count = 0.0;
  double expected = 0.0;
};

// One stored bucket for warm start.
struct HistoryBucket {
  model::TimePoint start{};
  double count = 0.0;             // replies/mentions/quotes in the bucket
  std::optional<double> hostile;  // critical/hostile ones, if stored
};

// What observe() needs of a reply once its text is classified (the evaluation and callers that
// classify elsewhere use this form).
struct ReplyTraits {
  Tone tone = Tone::neutral;
  bool new_or_anonymous = false;
};

class ReplyRateDetector {
 public:
  // Throws std::invalid_argument if `settings` fail validate().
  ReplyRateDetector(model::Platform platform, std::string account_id, Settings settings = {});

  // Adds a reply, mention or quote addressed to the account. Replies older than the lateness
  // bound (relative to the buckets already closed) are counted in late_dropped(), not in a bucket.
  void observe(const model::Post& reply, model::TimePoint now);
  void observe(model::TimePoint created_at, const ReplyTraits& traits, std::string_view post_key,
               model::TimePoint now);

  // The platform's count of the replies in the bucket holding `bucket_start` (a count series,
  // e.g. X tweets/counts/recent, read while only a sample of the texts is read). The bucket then
  // holds the larger of that count and the replies observed in it (the texts read are a subset
  // of what was counted); the hostile series keeps coming from the texts. A count beyond the
  // lateness bound is counted in late_dropped(), as replies are.
  void observe_count(model::TimePoint bucket_start, std::int64_t count, model::TimePoint now);
  // Whether `count` replies in [start, end) are above what the baseline tolerates (its
  // tolerated_ratio times the expected count, and at least the shortest window's minimum count):
  // the signal to read the reply texts of a series that is otherwise only counted.
  bool above_baseline(model::TimePoint start, model::TimePoint end, double count) const;

  // Closes every bucket whose end is at least `lateness` before `now`, and returns the findings
  // (episode open / escalate / end) those buckets produced, oldest first.
  std::vector<model::Finding> advance(model::TimePoint now);

  // Learns the baseline from stored history (ascending bucket starts, buckets of this detector's
  // width). Buckets missing inside the history, and up to `covered_until` when given, count as
  // zero. Call before the first observe()/advance(); throws std::logic_error afterwards.
  void warm_start(std::span<const HistoryBucket> history,
                  std::optional<model::TimePoint> covered_until = std::nullopt);

  const std::string& subject() const { return subject_; }
  const Settings& settings() const { return settings_; }
  bool episode_open() const { return open_; }
  const RateScorer& all_replies() const { return all_; }
  const RateScorer& hostile_replies() const { return hostile_; }
  std::uint64_t late_dropped() const { return late_dropped_; }
  // The all-replies buckets closed in the last day, oldest first.
  const std::deque<BucketSample>& recent_buckets() const { return recent_buckets_; }
  std::size_t memory_bytes() const;

 private:
  struct Pending {
    std::int64_t index = -1;
    std::uint32_t total = 0;
    std::uint32_t hostile = 0;
    std::uint32_t supportive = 0;
    std::uint32_t new_anonymous = 0;
    std::uint32_t counted = 0;  // observe_count(); the bucket holds max(total, counted)
  };
  struct CharacterCounts {
    double total = 0.0;
    double hostile = 0.0;
    double supportive = 0.0;
    double new_anonymous = 0.0;
  };
  struct TrackedPost {
    std::string key;
    double recent = 0.0;  // exponentially decayed reply count (15-minute half-life)
    std::int64_t recent_at = 0;
    double episode = 0.0;  // replies during the current episode
  };
  enum class Level { none = 0, caution = 1, warning = 2, flame = 3 };

  void ensure_started(model::TimePoint now);
  Pending& pending_for(std::int64_t index);
  void close_bucket(std::int64_t index, model::TimePoint now);
  void open_provisionally(model::TimePoint now);
  void open_episode(std::int64_t at, std::int64_t onset, std::string trigger, double ratio,
                    double score, const CharacterCounts& counts, model::TimePoint now);
  void track_post(std::string_view key, std::int64_t at);
  Level assess() const;
  model::Finding make_finding(std::string_view phase, Level before, Level level,
                              model::TimePoint now) const;

  model::Platform platform_;
  std::string account_id_;
  std::string subject_;
  Settings settings_;
  std::int64_t bucket_seconds_;
  std::int64_t lateness_buckets_;
  std::int64_t max_gap_buckets_;
  RateScorer all_;
  RateScorer hostile_;
  std::vector<Pending> pending_;
  bool started_ = false;
  std::int64_t frontier_ = 0;  // oldest bucket not yet closed
  std::uint64_t late_dropped_ = 0;
  CharacterCounts recent_{};  // decayed, ~15 minutes
  double recent_decay_ = 0.0;
  std::vector<TrackedPost> posts_;
  std::deque<BucketSample> recent_buckets_;

  // Current episode.
  bool open_ = false;
  std::int64_t opened_at_ = 0;
  std::int64_t onset_ = 0;
  std::string triggered_by_;  // which series opened the episode: "all", "hostile" or both
  CharacterCounts episode_{};
  double episode_peak_ratio_ = 0.0;
  double episode_peak_score_ = 0.0;
  Level emitted_ = Level::none;
  // A series of this episode reached max_episode and its level became the new normal.
  bool absorbed_ = false;
  std::vector<model::Finding> ready_;
  std::int64_t last_bucket_ = 0;
  BucketScore last_all_{};
  BucketScore last_hostile_{};
};

}  // namespace mamori::detectors::flameup
