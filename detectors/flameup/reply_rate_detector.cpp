#include "detectors/flameup/reply_rate_detector.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "model/time_text.h"

namespace mamori::detectors::flameup {
namespace {

constexpr double kBackgroundHostileShare = 0.05;  // warm start without stored hostile counts
constexpr double kHostileMinCountFactor = 0.5;    // hostile replies are stronger evidence
// Critical replies come one by one more than in conversation clusters.
constexpr double kHostilePriorDispersion = 1.25;
constexpr double kPostHalfLifeSeconds = 900.0;
constexpr double kMinRatioBase = 0.1;
constexpr std::int64_t kMaxFilledHistoryGap = 7 * 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t seconds_of(model::TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

std::string iso_utc(std::int64_t epoch_seconds) {
  return model::iso8601_utc(model::TimePoint{std::chrono::seconds(epoch_seconds)});
}

std::string fmt(const char* format, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, a);
  return buf;
}

std::string ratio_text(double r) {
  return r >= 10.0 ? fmt("%.0f", r) : fmt("%.1f", r);
}

std::string percent(double share) {
  return fmt("%.0f", 100.0 * std::clamp(share, 0.0, 1.0));
}

std::string count_text(double c) {
  return fmt("%.0f", std::max(0.0, c));
}

double round2(double x) {
  return std::round(x * 100.0) / 100.0;
}

}  // namespace

ReplyRateDetector::ReplyRateDetector(model::Platform platform, std::string account_id,
                                     Settings settings)
    : platform_(platform),
      account_id_(std::move(account_id)),
      settings_(std::move(settings)),
      bucket_seconds_(std::max<std::int64_t>(1, settings_.bucket.count())),
      lateness_buckets_(0),
      max_gap_buckets_(1),
      all_(settings_),
      hostile_(settings_, kHostileMinCountFactor, kHostilePriorDispersion,
               settings_.hostile_open_surprise) {
  if (const auto problem = validate(settings_)) {
    throw std::invalid_argument("flame-up settings: " + *problem);
  }
  subject_ = std::string(model::to_string(platform_)) + ":account:" + account_id_;
  lateness_buckets_ = (settings_.lateness.count() + bucket_seconds_ - 1) / bucket_seconds_;
  max_gap_buckets_ =
      std::max<std::int64_t>(1, std::chrono::seconds(settings_.max_gap).count() / bucket_seconds_);
  pending_.assign(static_cast<std::size_t>(lateness_buckets_ + 2), Pending{});
  recent_decay_ = std::exp(-static_cast<double>(bucket_seconds_) / 900.0);
}

void ReplyRateDetector::ensure_started(model::TimePoint now) {
  if (started_) return;
  started_ = true;
  frontier_ = floor_div(seconds_of(now) - settings_.lateness.count(), bucket_seconds_);
}

ReplyRateDetector::Pending& ReplyRateDetector::pending_for(std::int64_t index) {
  const auto n = static_cast<std::int64_t>(pending_.size());
  Pending& p = pending_[static_cast<std::size_t>(((index % n) + n) % n)];
  if (p.index != index) p = Pending{index};
  return p;
}

void ReplyRateDetector::observe(const model::Post& reply, model::TimePoint now) {
  if (reply.reposted_post_id) return;          // a repost is not a reply, mention or quote
  if (reply.author_id == account_id_) return;  // the office answering in its own thread
  const ReplyCharacter c = classify_reply(reply.text);
  ReplyTraits traits{c.tone, looks_new_or_anonymous(reply)};
  std::string_view key;
  if (reply.in_reply_to_post_id) {
    key = *reply.in_reply_to_post_id;
  } else if (reply.quoted_post_id) {
    key = *reply.quoted_post_id;
  } else if (reply.conversation_root_id) {
    key = *reply.conversation_root_id;
  }
  observe(reply.created_at, traits, key, now);
}

void ReplyRateDetector::observe_count(model::TimePoint bucket_start, std::int64_t count,
                                      model::TimePoint now) {
  if (count <= 0) return;
  ensure_started(now);
  if (bucket_start > now) return;  // a series does not count the future
  const std::int64_t index = floor_div(seconds_of(bucket_start), bucket_seconds_);
  if (index < frontier_) {
    late_dropped_ += static_cast<std::uint64_t>(count);
    return;
  }
  const auto ring = static_cast<std::int64_t>(pending_.size());
  while (index >= frontier_ + ring) close_bucket(frontier_++, now);
  Pending& p = pending_for(index);
  p.counted =
      std::max(p.counted, static_cast<std::uint32_t>(std::min<std::int64_t>(count, 1'000'000)));
}

bool ReplyRateDetector::above_baseline(model::TimePoint start, model::TimePoint end,
                                       double count) const {
  const double floor = settings_.windows[0].min_count;
  if (count < floor) return false;
  double expected = 0.0;
  for (std::int64_t b = floor_div(seconds_of(start), bucket_seconds_) * bucket_seconds_;
       b < seconds_of(end); b += bucket_seconds_) {
    expected += all_.baseline().expected(b);
  }
  return count > settings_.tolerated_ratio * expected;
}

void ReplyRateDetector::observe(model::TimePoint created_at, const ReplyTraits& traits,
                                std::string_view post_key, model::TimePoint now) {
  ensure_started(now);
  // A clock running ahead on the platform side: count it now rather than in the future.
  if (created_at > now + std::chrono::minutes(1)) created_at = now;
  const std::int64_t at = seconds_of(created_at);
  const std::int64_t index = floor_div(at, bucket_seconds_);
  if (index < frontier_) {
    ++late_dropped_;  // beyond the lateness bound: its bucket is already judged
    return;
  }
  const auto ring = static_cast<std::int64_t>(pending_.size());
  while (index >= frontier_ + ring) close_bucket(frontier_++, now);  // advance() was not called
  Pending& p = pending_for(index);
  ++p.total;
  if (traits.tone == Tone::hostile) ++p.hostile;
  if (traits.tone == Tone::thanks || traits.tone == Tone::question) ++p.supportive;
  if (traits.new_or_anonymous) ++p.new_anonymous;
  track_post(post_key, at);
}

std::vector<model::Finding> ReplyRateDetector::advance(model::TimePoint now) {
  if (!started_) {
    ensure_started(now);
    return std::exchange(ready_, {});
  }
  const std::int64_t last =
      floor_div(seconds_of(now) - settings_.lateness.count(), bucket_seconds_) - 1;
  if (last - frontier_ + 1 > max_gap_buckets_) {
    // The detector was not running (restart, suspended host): skip the unknown stretch instead of
    // learning it as silence.
    const std::int64_t resume = last - max_gap_buckets_ + 1;
    for (Pending& p : pending_) {
      if (p.index >= frontier_ && p.index < resume) {
        late_dropped_ += std::max(p.total, p.counted);
        p = Pending{};
      }
    }
    frontier_ = resume;
    all_.reset_windows();
    hostile_.reset_windows();
  }
  while (frontier_ <= last) close_bucket(frontier_++, now);
  if (!open_) open_provisionally(now);
  return std::exchange(ready_, {});
}

void ReplyRateDetector::warm_start(std::span<const HistoryBucket> history,
                                   std::optional<model::TimePoint> covered_until) {
  if (started_) throw std::logic_error("warm_start: call it before observe() and advance()");
  if (history.empty()) return;
  std::int64_t previous = 0;
  bool first = true;
  const auto fill_zeros = [&](std::int64_t from, std::int64_t to) {  // [from, to)
    if ((to - from) * bucket_seconds_ > kMaxFilledHistoryGap) {
      all_.reset_windows();
      hostile_.reset_windows();
      return;
    }
    for (std::int64_t i = from; i < to; ++i) {
      all_.learn(i * bucket_seconds_, 0.0);
      hostile_.learn(i * bucket_seconds_, 0.0);
    }
  };
  for (const HistoryBucket& h : history) {
    const std::int64_t index = floor_div(seconds_of(h.start), bucket_seconds_);
    if (!first && index <= previous) {
      throw std::invalid_argument("warm_start: history buckets must be in increasing time order");
    }
    if (!first) fill_zeros(previous + 1, index);
    const double count = std::isfinite(h.count) ? std::max(0.0, h.count) : 0.0;
    const double hostile = h.hostile && std::isfinite(*h.hostile)
                               ? std::clamp(*h.hostile, 0.0, count)
                               : count * kBackgroundHostileShare;
    all_.learn(index * bucket_seconds_, count);
    hostile_.learn(index * bucket_seconds_, hostile);
    previous = index;
    first = false;
  }
  std::int64_t next = previous + 1;
  if (covered_until) {
    const std::int64_t until = floor_div(seconds_of(*covered_until), bucket_seconds_);
    if (until > next) {
      fill_zeros(next, until);
      next = until;
    }
  }
  frontier_ = next;
  started_ = true;
}

void ReplyRateDetector::track_post(std::string_view key, std::int64_t at) {
  if (key.empty()) return;
  const auto decayed = [&](const TrackedPost& p) {
    if (at <= p.recent_at) return p.recent;
    return p.recent * std::exp2(-static_cast<double>(at - p.recent_at) / kPostHalfLifeSeconds);
  };
  for (TrackedPost& p : posts_) {
    if (p.key == key) {
      p.recent = decayed(p) + 1.0;
      p.recent_at = std::max(p.recent_at, at);
      if (open_) p.episode += 1.0;
      return;
    }
  }
  TrackedPost fresh{std::string(key), 1.0, at, open_ ? 1.0 : 0.0};
  if (posts_.size() < settings_.max_tracked_posts) {
    posts_.push_back(std::move(fresh));
    return;
  }
  // Full: replace the post with the least recent and episode activity (bounded memory).
  auto victim = std::min_element(posts_.begin(), posts_.end(), [&](const auto& a, const auto& b) {
    return decayed(a) + a.episode < decayed(b) + b.episode;
  });
  *victim = std::move(fresh);
}

void ReplyRateDetector::close_bucket(std::int64_t index, model::TimePoint now) {
  Pending data{};
  {
    const auto n = static_cast<std::int64_t>(pending_.size());
    Pending& slot = pending_[static_cast<std::size_t>(((index % n) + n) % n)];
    if (slot.index == index) data = slot;
    slot = Pending{};
  }
  data.total = std::max(data.total, data.counted);
  const std::int64_t t = index * bucket_seconds_;
  last_bucket_ = t;
  const bool holding = open_;
  const BucketScore a = all_.score(t, data.total);
  const BucketScore h = hostile_.score(t, data.hostile);
  // Neither baseline learns while either series is elevated: a flame of critical replies must
  // not become the hostile series' normal just because the total looks ordinary.
  const bool elevated =
      a.surprise >= settings_.close_surprise || h.surprise >= settings_.close_surprise;
  const bool calm = a.surprise < 1.0 && h.surprise < 1.0;
  all_.learn_last(holding || elevated, calm);
  hostile_.learn_last(holding || elevated, calm);
  last_all_ = a;
  last_hostile_ = h;
  recent_buckets_.push_back({t, a.count, a.expected});
  while (recent_buckets_.front().start <= t - 86400) recent_buckets_.pop_front();

  recent_.total = recent_.total * recent_decay_ + data.total;
  recent_.hostile = recent_.hostile * recent_decay_ + data.hostile;
  recent_.supportive = recent_.supportive * recent_decay_ + data.supportive;
  recent_.new_anonymous = recent_.new_anonymous * recent_decay_ + data.new_anonymous;

  const bool any_open = a.open || h.open;
  if (open_ && ((a.event == EpisodeEvent::ended && all_.episode().absorbed) ||
                (h.event == EpisodeEvent::ended && hostile_.episode().absorbed))) {
    absorbed_ = true;
  }
  const double recent_hostile_share = recent_.total > 0.0 ? recent_.hostile / recent_.total : 0.0;
  const bool all_trigger =
      a.open && (recent_hostile_share >= settings_.surge_hostile_gate ||
                 a.surprise >= settings_.calm_surge_factor * settings_.open_surprise);
  const double ratio = a.window_count / std::max(a.window_expected, kMinRatioBase);
  const double score = std::max(a.score, h.score);
  if (!open_ && (all_trigger || h.open)) {
    std::int64_t onset = t;
    if (a.open) onset = std::min(onset, all_.episode().onset);
    if (h.open) onset = std::min(onset, hostile_.episode().onset);
    open_episode(t, onset,
                 all_trigger && h.open ? "all+hostile" : (all_trigger ? "all" : "hostile"), ratio,
                 score, {}, now);
    return;
  }
  if (!open_) return;
  episode_.total += data.total;
  episode_.hostile += data.hostile;
  episode_.supportive += data.supportive;
  episode_.new_anonymous += data.new_anonymous;
  if (a.surprise >= settings_.close_surprise)
    episode_peak_ratio_ = std::max(episode_peak_ratio_, ratio);
  episode_peak_score_ = std::max(episode_peak_score_, score);
  // A provisional open is confirmed by the scorers within the lateness; end only after that.
  if (!any_open && t - opened_at_ >= std::chrono::seconds(settings_.quiet_time).count()) {
    ready_.push_back(make_finding("end", emitted_, emitted_, now));
    open_ = false;
    emitted_ = Level::none;
    for (TrackedPost& p : posts_) p.episode = 0.0;
    return;
  }
  const Level level = assess();
  if (level > emitted_) {
    const Level before = emitted_;
    emitted_ = level;
    ready_.push_back(make_finding("escalate", before, level, now));
  }
}

void ReplyRateDetector::open_episode(std::int64_t at, std::int64_t onset, std::string trigger,
                                     double ratio, double score, const CharacterCounts& pending,
                                     model::TimePoint now) {
  open_ = true;
  absorbed_ = false;
  opened_at_ = at;
  onset_ = onset;
  triggered_by_ = std::move(trigger);
  // The triggering window's replies are in the decayed recent counts (plus, for a provisional
  // open, the still-open buckets, which are added for good when they close).
  episode_ = recent_;
  episode_.total += pending.total;
  episode_.hostile += pending.hostile;
  episode_.supportive += pending.supportive;
  episode_.new_anonymous += pending.new_anonymous;
  episode_peak_ratio_ = ratio;
  episode_peak_score_ = score;
  for (TrackedPost& p : posts_) {
    p.episode =
        at > p.recent_at
            ? p.recent * std::exp2(-static_cast<double>(at - p.recent_at) / kPostHalfLifeSeconds)
            : p.recent;
  }
  emitted_ = assess();
  ready_.push_back(make_finding("open", emitted_, emitted_, now));
  episode_ = recent_;
}

void ReplyRateDetector::open_provisionally(model::TimePoint now) {
  const std::int64_t current = floor_div(seconds_of(now), bucket_seconds_);
  if (current < frontier_) return;
  const auto p = static_cast<std::size_t>(
      std::min<std::int64_t>(current - frontier_ + 1, static_cast<std::int64_t>(pending_.size())));
  std::vector<double> total(p, 0.0);
  std::vector<double> hostile(p, 0.0);
  CharacterCounts sums{};
  const auto n = static_cast<std::int64_t>(pending_.size());
  for (std::size_t k = 0; k < p; ++k) {
    const std::int64_t index = frontier_ + static_cast<std::int64_t>(k);
    const Pending& q = pending_[static_cast<std::size_t>(((index % n) + n) % n)];
    if (q.index != index) continue;
    const double all = std::max(q.total, q.counted);
    total[k] = all;
    hostile[k] = q.hostile;
    sums.total += all;
    sums.hostile += q.hostile;
    sums.supportive += q.supportive;
    sums.new_anonymous += q.new_anonymous;
  }
  if (!(sums.total > 0.0)) return;
  const std::int64_t first = frontier_ * bucket_seconds_;
  const RateScorer::Provisional pa = all_.peek(total, first);
  const RateScorer::Provisional ph = hostile_.peek(hostile, first);
  const double all_replies = recent_.total + sums.total;
  const double share = all_replies > 0.0 ? (recent_.hostile + sums.hostile) / all_replies : 0.0;
  const bool all_trigger =
      pa.would_open && (share >= settings_.surge_hostile_gate ||
                        pa.surprise >= settings_.calm_surge_factor * settings_.open_surprise);
  if (!all_trigger && !ph.would_open) return;
  // Evidence for the open finding: the provisional window.
  last_all_.window = pa.window;
  last_all_.window_count = pa.window_count;
  last_all_.window_expected = pa.window_expected;
  last_all_.surprise = pa.surprise;
  last_hostile_.surprise = ph.surprise;
  const std::int64_t at = current * bucket_seconds_;
  const int w = all_trigger ? pa.window : ph.window;
  const std::int64_t span = all_trigger ? all_.window_buckets(w) : hostile_.window_buckets(w);
  const double ratio = pa.window_count / std::max(pa.window_expected, kMinRatioBase);
  const double surprise = std::max(pa.surprise, ph.surprise);
  last_bucket_ = std::max(last_bucket_, at);
  open_episode(at, at - (span - 1) * bucket_seconds_,
               all_trigger && ph.would_open ? "all+hostile" : (all_trigger ? "all" : "hostile"),
               ratio, surprise / (surprise + settings_.open_surprise), sums, now);
}

ReplyRateDetector::Level ReplyRateDetector::assess() const {
  const double n = episode_.total;
  if (!(n > 0.0)) return Level::caution;
  const double hostile_share = episode_.hostile / n;
  const double supportive_share = episode_.supportive / n;
  // A surge that is mostly thanks or questions (a disaster announcement) stays 注意.
  if (supportive_share >= settings_.supportive_cap_share) return Level::caution;
  const bool persistent =
      last_bucket_ - opened_at_ >= std::chrono::seconds(settings_.flame_persistence).count();
  const double ratio = episode_peak_ratio_;
  if (hostile_share >= settings_.flame_hostile_share &&
      episode_.hostile >= settings_.flame_min_hostile &&
      (ratio >= settings_.flame_min_ratio ||
       (persistent && ratio >= settings_.flame_min_ratio / 2))) {
    return Level::flame;
  }
  if (hostile_share >= settings_.alarm_hostile_share && episode_.hostile >= 5.0) {
    return Level::warning;
  }
  // A large, lasting surge of unclear character is worth a look even without harsh words.
  if (ratio >= 2.0 * settings_.flame_min_ratio && persistent && supportive_share < 0.3) {
    return Level::warning;
  }
  return Level::caution;
}

model::Finding ReplyRateDetector::make_finding(std::string_view phase, Level before, Level level,
                                               model::TimePoint now) const {
  static constexpr std::string_view kLabels[] = {"", "注意", "警戒", "炎上"};
  const auto label = [](Level l) { return kLabels[static_cast<int>(l)]; };
  model::Finding f;
  f.type = model::IncidentType::flameup;
  f.subject = subject_;
  f.platform = platform_;
  f.detected_at = now;
  f.phase = phase == "end"        ? model::FindingPhase::end
            : phase == "escalate" ? model::FindingPhase::escalate
                                  : model::FindingPhase::open;
  if (f.phase == model::FindingPhase::end)
    f.end_reason = absorbed_ ? model::EpisodeEnd::new_level : model::EpisodeEnd::back_to_baseline;
  switch (level) {
    case Level::flame:
      f.severity = model::Severity::high;
      break;
    case Level::warning:
      f.severity = model::Severity::medium;
      break;
    default:
      f.severity = model::Severity::low;
      break;
  }
  f.severity_label = std::string(label(level == Level::none ? Level::caution : level));

  const double n = episode_.total;
  const double hostile_share = n > 0 ? episode_.hostile / n : 0.0;
  const double supportive_share = n > 0 ? episode_.supportive / n : 0.0;
  const double new_share = n > 0 ? episode_.new_anonymous / n : 0.0;
  f.score = std::clamp(0.6 * episode_peak_score_ +
                           0.4 * std::min(1.0, hostile_share / settings_.flame_hostile_share),
                       0.0, 1.0);

  const BucketScore& a = last_all_;
  const int window = a.window;
  const double window_minutes =
      static_cast<double>(all_.window_buckets(window) * bucket_seconds_) / 60.0;
  const double ratio = a.window_count / std::max(a.window_expected, kMinRatioBase);
  const double elapsed_min = static_cast<double>(last_bucket_ + bucket_seconds_ - onset_) / 60.0;

  std::vector<const TrackedPost*> top;
  for (const TrackedPost& p : posts_) {
    if (p.episode >= 0.5) top.push_back(&p);
  }
  std::sort(top.begin(), top.end(),
            [](const TrackedPost* x, const TrackedPost* y) { return x->episode > y->episode; });
  if (top.size() > settings_.top_posts) top.resize(settings_.top_posts);

  auto& r = f.reasons;
  if (phase == "end" && absorbed_) {
    r.push_back("返信数が高い水準のまま" +
                fmt("%.0f", static_cast<double>(settings_.max_episode.count())) +
                "分以上続いたため、この水準を新しい平常として扱い、エピソードを終了します（約" +
                fmt("%.0f", elapsed_min) + "分間、計" + count_text(n) + "件）");
  } else if (phase == "end") {
    r.push_back("返信数が平常水準に戻り、" +
                fmt("%.0f", static_cast<double>(settings_.quiet_time.count())) +
                "分間その状態が続いたためエピソードを終了します（約" + fmt("%.0f", elapsed_min) +
                "分間、計" + count_text(n) + "件）");
  } else {
    if (phase == "escalate") {
      r.push_back("深刻度が「" + std::string(label(before)) + "」から「" +
                  std::string(label(level)) + "」に上がりました");
    }
    r.push_back("直近" + fmt("%.0f", window_minutes) + "分の返信・メンションが" +
                count_text(a.window_count) + "件（平常時の想定 " + fmt("%.1f", a.window_expected) +
                "件の約" + ratio_text(ratio) + "倍）");
    if (elapsed_min >= 15.0)
      r.push_back("急増が約" + fmt("%.0f", elapsed_min) + "分間続いています");
  }
  if (n >= 1.0) {
    r.push_back("批判・攻撃的な返信が" + percent(hostile_share) + "%（" + count_text(n) + "件中" +
                count_text(episode_.hostile) + "件）");
  }
  if (supportive_share >= settings_.supportive_cap_share) {
    r.push_back("感謝・質問が中心の返信（" + percent(supportive_share) +
                "%）のため、炎上ではなく注意としています");
  }
  if (!top.empty() && n >= 5.0 && top.front()->episode / n >= 0.5) {
    r.push_back("返信の" + percent(top.front()->episode / n) + "%が投稿 " + top.front()->key +
                " に集中しています");
  }
  if (n >= 5.0 && new_share >= 0.3) {
    r.push_back("新規・匿名とみられるアカウントからの返信が" + percent(new_share) +
                "%を占めています");
  }

  boost::json::object ev;
  ev["phase"] = std::string(phase);
  if (f.phase == model::FindingPhase::end) {
    ev["end_reason"] = std::string(model::to_string(f.end_reason));
    // The first bucket outside the episode (the last one of `series`): the console's 急増期間
    // band ends at its start, as `mamorictl spikes`' episode column does.
    ev["ended_at"] = iso_utc(last_bucket_);
  }
  ev["severity_label"] = f.severity_label;
  ev["episode_opened_at"] = iso_utc(opened_at_);
  ev["onset"] = iso_utc(onset_);
  ev["triggered_by"] = triggered_by_;
  ev["bucket_seconds"] = bucket_seconds_;
  ev["window_minutes"] = window_minutes;
  ev["window_count"] = a.window_count;
  ev["window_expected"] = round2(a.window_expected);
  ev["ratio"] = round2(ratio);
  ev["peak_ratio"] = round2(episode_peak_ratio_);
  ev["surprise"] = round2(a.surprise);
  ev["hostile_surprise"] = round2(last_hostile_.surprise);
  ev["replies"] = std::round(n);
  ev["hostile_share"] = round2(hostile_share);
  ev["supportive_share"] = round2(supportive_share);
  ev["new_anonymous_share"] = round2(new_share);
  boost::json::object baseline;
  baseline["expected_per_bucket"] = round2(a.expected * 100.0) / 100.0;
  baseline["level_per_bucket"] = all_.baseline().level();
  baseline["buckets_learned"] = all_.baseline().buckets_learned();
  baseline["dispersion"] = round2(all_.dispersion(window));
  ev["baseline"] = std::move(baseline);
  boost::json::array posts;
  for (const TrackedPost* p : top) {
    posts.push_back(boost::json::object{{"post_id", p->key}, {"replies", std::round(p->episode)}});
  }
  ev["top_posts"] = std::move(posts);
  std::vector<double> counts;
  std::vector<double> expected;
  all_.excerpt(settings_.excerpt_buckets, counts, expected);
  boost::json::object series;
  series["start"] =
      iso_utc(last_bucket_ - static_cast<std::int64_t>(counts.size() - 1) * bucket_seconds_);
  series["bucket_seconds"] = bucket_seconds_;
  boost::json::array jc;
  boost::json::array je;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    jc.push_back(counts[i]);
    je.push_back(round2(expected[i]));
  }
  series["counts"] = std::move(jc);
  series["expected"] = std::move(je);
  ev["series"] = std::move(series);
  f.evidence_json = boost::json::serialize(ev);
  return f;
}

std::size_t ReplyRateDetector::memory_bytes() const {
  std::size_t bytes = sizeof(*this) + all_.memory_bytes() + hostile_.memory_bytes() -
                      2 * sizeof(RateScorer) + pending_.capacity() * sizeof(Pending) +
                      posts_.capacity() * sizeof(TrackedPost) + subject_.capacity() +
                      recent_buckets_.size() * sizeof(BucketSample) + account_id_.capacity();
  for (const TrackedPost& p : posts_) bytes += p.key.capacity();
  return bytes;
}

}  // namespace mamori::detectors::flameup
