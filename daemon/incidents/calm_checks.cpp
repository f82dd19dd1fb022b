#include "daemon/incidents/calm_checks.h"

#include <algorithm>
#include <cmath>

#include "daemon/incidents/automatic_checks.h"
#include "daemon/incidents/subject_ref.h"

namespace mamori::incidents {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::int64_t epoch_s(model::TimePoint t) {
  return duration_cast<seconds>(t.time_since_epoch()).count();
}

std::string hours_ja(seconds s) {
  if (s.count() % 3600 == 0) return std::to_string(s.count() / 3600) + "時間";
  return std::to_string(s.count() / 60) + "分";
}

std::string number_ja(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

double number_at(const boost::json::object& o, std::string_view key, double fallback) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return fallback;
  boost::system::error_code ec;
  const double d = v->to_number<double>(ec);
  return ec ? fallback : d;
}

}  // namespace

std::optional<std::string> flameup_calm(
    const std::vector<detectors::flameup::BucketSample>& buckets, seconds bucket, double max_ratio,
    seconds sustain, model::TimePoint opened, model::TimePoint now) {
  if (bucket.count() <= 0 || sustain.count() <= 0 || now - opened < sustain) return std::nullopt;
  // Judged up to the start of the current bucket: the detector closes a bucket only `lateness`
  // (two buckets) after its end, so between bucket boundaries the last closed one ends up to a
  // bucket earlier than now - lateness.
  const std::int64_t end = epoch_s(now) - epoch_s(now) % bucket.count();
  const std::int64_t from = end - sustain.count();
  const std::int64_t hour = 3600;
  // The buckets must cover the whole span and the hour before its start.
  if (buckets.empty() || buckets.front().start > from - hour + bucket.count() ||
      buckets.back().start + bucket.count() < end - 2 * bucket.count())
    return std::nullopt;
  double worst = 0.0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const auto& b = buckets[i];
    if (b.start < from) continue;
    double count = 0.0;
    double expected = 0.0;
    for (std::size_t j = i + 1; j-- > 0;) {
      if (buckets[j].start <= b.start - hour) break;
      count += buckets[j].count;
      expected += buckets[j].expected;
    }
    const double ratio = count / std::max(expected, 1.0);
    if (ratio > max_ratio) return std::nullopt;
    worst = std::max(worst, ratio);
  }
  return "返信の件数が平常時の" + number_ja(max_ratio) + "倍以下（最大 " +
         number_ja(std::round(worst * 10) / 10) + "倍）で" + hours_ja(sustain) +
         "続いたことを確認しました";
}

std::optional<std::string> spread_calm(const std::vector<model::TimePoint>& replies,
                                       double max_per_hour, seconds sustain,
                                       model::TimePoint opened, model::TimePoint now) {
  if (sustain.count() <= 0 || now - opened < sustain) return std::nullopt;
  const auto from = now - sustain;
  const auto recent = std::count_if(replies.begin(), replies.end(),
                                    [&](model::TimePoint t) { return t > from && t <= now; });
  const double allowed = max_per_hour * static_cast<double>(sustain.count()) / 3600.0;
  if (static_cast<double>(recent) > allowed) return std::nullopt;
  return "同じ内容の新しい返信が直近" + hours_ja(sustain) + "で " + std::to_string(recent) +
         "件（1時間あたり" + number_ja(max_per_hour) + "件以下）に収まっていることを確認しました";
}

namespace {

// The flame-up subject ("<platform>:account:<id>") of the official account a hand-opened
// flame-up incident names (subject_ref.h), if it is one mamori monitors.
std::optional<std::string> official_flameup_subject(pqxx::connection& c, const PendingCheck& p) {
  const auto ref = resolve_manual_subject(p.subject, p.platform, "");
  if (!ref || ref->handle.empty()) return std::nullopt;
  std::string handle = ref->handle;
  if (ref->platform == model::Platform::mastodon) handle = handle.substr(0, handle.find('@'));
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT coalesce(nullif(account_id, ''), handle) FROM official_accounts"
      " WHERE platform = $1 AND lower(handle) = lower($2) LIMIT 1",
      std::string(model::to_string(ref->platform)), handle);
  tx.commit();
  if (r.empty()) return std::nullopt;
  return std::string(model::to_string(ref->platform)) + ":account:" + r[0][0].c_str();
}

}  // namespace

int run_calm_checks(pqxx::connection& c, const CalmInputs& in, model::TimePoint now) {
  int completed = 0;
  for (const PendingCheck& p : pending_checks(c, "rate_back_to_baseline")) {
    const seconds sustain(static_cast<long long>(number_at(p.check, "sustain_s", 1800)));
    std::optional<std::string> message;
    std::string subject = p.subject;
    if (subject.starts_with("manual:")) {
      // Opened by hand: a flame-up on an official account named in the subject is watched as a
      // detected one; a misinformation report has no detector cluster: staff complete the step.
      if (p.incident_type != "flameup") continue;
      auto key = official_flameup_subject(c, p);
      if (!key) continue;
      subject = std::move(*key);
    }
    if (p.incident_type == "flameup") {
      const auto it = in.flameup.find(subject);
      if (it == in.flameup.end()) continue;  // the hub holds no detector for it (yet)
      message = flameup_calm(it->second, in.bucket, number_at(p.check, "max_ratio", 1.5), sustain,
                             p.opened_at, now);
    } else if (p.incident_type == "misinformation") {
      static const std::vector<model::TimePoint> none;
      const auto it = in.misinformation.find(subject);
      message = spread_calm(it == in.misinformation.end() ? none : it->second,
                            number_at(p.check, "max_per_hour", 2.0), sustain, p.opened_at, now);
    }
    if (message &&
        complete_checked_step(c, p.incident_id, p.step_id, "rate_back_to_baseline", *message))
      ++completed;
  }
  return completed;
}

}  // namespace mamori::incidents
