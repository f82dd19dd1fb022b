#include "daemon/detection/flameup_history.h"

#include <boost/json.hpp>
#include <cmath>
#include <string_view>

#include "detectors/flameup/reply_character.h"

namespace mamori::detection {
namespace {

namespace flame = detectors::flameup;

constexpr int kPageRows = 20000;

double epoch_seconds(model::TimePoint t) {
  return static_cast<double>(t.time_since_epoch().count()) / 1000.0;
}

model::TimePoint from_epoch_ms(long long ms) {
  return model::TimePoint(std::chrono::milliseconds(ms));
}

}  // namespace

ReplyHistory load_reply_history(pqxx::connection& c, model::Platform platform,
                                const std::string& handle, model::TimePoint since,
                                model::TimePoint until, std::chrono::seconds bucket) {
  ReplyHistory h;
  h.platform = platform;
  h.handle = handle;
  const std::string p(model::to_string(platform));
  pqxx::read_transaction tx(c);
  const auto id_row = tx.exec_params(
      "SELECT coalesce(account_id, '') FROM official_accounts WHERE platform = $1 AND handle = $2",
      p, handle);
  if (!id_row.empty()) h.account_id = id_row[0][0].as<std::string>();
  if (h.account_id.empty()) return h;  // never looked up: nothing stored can be attributed to it

  // How far texts were read: the reply counts' cursor moves on while texts may be failing.
  const auto cursor_row = tx.exec_params(
      "SELECT (extract(epoch FROM max(updated_at)) * 1000)::bigint FROM poll_cursors"
      " WHERE platform = $1 AND account_key = $2 AND job <> 'reply_counts'",
      p, handle);
  if (!cursor_row.empty() && !cursor_row[0][0].is_null()) {
    h.covered_until = std::min(until, from_epoch_ms(cursor_row[0][0].as<long long>()));
  }

  // What the live path counts (DetectionHub::on_stored): replies and quotes of the account's
  // posts, replies in its threads, and mentions; never the account's own posts or reposts.
  const std::string query =
      "SELECT (extract(epoch FROM p.created_at) * 1000)::bigint, p.created_at::text, p.post_id, "
      "p.text"
      " FROM observed_posts p"
      " WHERE p.platform = $1 AND p.author_id <> $2 AND p.reposted_post_id IS NULL"
      "   AND p.created_at >= to_timestamp($3) AND p.created_at < to_timestamp($4)"
      "   AND (p.created_at, p.post_id) > ($5::timestamptz, $6)"
      "   AND (p.in_reply_to_account_id = $2"
      "        OR strpos(lower(p.text), lower('@' || $7)) > 0"
      "        OR EXISTS (SELECT 1 FROM observed_posts o WHERE o.platform = p.platform AND "
      "o.author_id = $2"
      "                   AND o.post_id IN (p.in_reply_to_post_id, p.quoted_post_id, "
      "p.conversation_root_id)))"
      " ORDER BY p.created_at, p.post_id LIMIT " +
      std::to_string(kPageRows);
  const std::int64_t width_ms = bucket.count() * 1000;
  std::string after_time = "-infinity";
  std::string after_id;
  std::int64_t current = 0;
  bool have_current = false;
  flame::HistoryBucket open{};
  double hostile = 0.0;
  for (;;) {
    const auto rows = tx.exec_params(query, p, h.account_id, epoch_seconds(since),
                                     epoch_seconds(until), after_time, after_id, handle);
    for (const auto& row : rows) {
      const long long ms = row[0].as<long long>();
      const std::int64_t index = ms >= 0 ? ms / width_ms : -((-ms + width_ms - 1) / width_ms);
      if (!have_current || index != current) {
        if (have_current) {
          open.hostile = hostile;
          h.buckets.push_back(open);
        }
        current = index;
        have_current = true;
        open = flame::HistoryBucket{};
        open.start = from_epoch_ms(index * width_ms);
        hostile = 0.0;
      }
      open.count += 1.0;
      const std::string_view text(row[3].c_str(), row[3].size());
      if (flame::classify_reply(text).tone == flame::Tone::hostile) hostile += 1.0;
      ++h.replies;
    }
    if (rows.size() < static_cast<std::size_t>(kPageRows)) break;
    after_time = rows[rows.size() - 1][1].as<std::string>();
    after_id = rows[rows.size() - 1][2].as<std::string>();
  }
  if (have_current) {
    open.hostile = hostile;
    h.buckets.push_back(open);
    const auto last_reply = h.buckets.back().start + bucket;
    if (!h.covered_until || *h.covered_until < last_reply) {
      h.covered_until =
          std::min(until, std::chrono::time_point_cast<std::chrono::milliseconds>(last_reply));
    }
  }
  return h;
}

void describe_top_posts(pqxx::connection& c, model::Finding& finding) {
  boost::system::error_code ec;
  boost::json::value evidence = boost::json::parse(finding.evidence_json, ec);
  if (ec || !evidence.is_object()) return;
  auto* top = evidence.as_object().if_contains("top_posts");
  if (top == nullptr || !top->is_array() || top->as_array().empty()) return;
  if (!finding.platform) return;
  const std::string platform(model::to_string(*finding.platform));
  pqxx::read_transaction tx(c);
  for (auto& item : top->as_array()) {
    auto* post = item.if_object();
    const auto* id = post ? post->if_contains("post_id") : nullptr;
    if (id == nullptr || !id->is_string()) continue;
    const auto row = tx.exec_params(
        "SELECT text, author_handle, to_char(created_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM observed_posts WHERE platform = $1 AND post_id = "
        "$2",
        platform, std::string(id->as_string()));
    if (row.empty()) continue;
    (*post)["text"] = row[0][0].c_str();
    (*post)["author_handle"] = row[0][1].c_str();
    (*post)["created_at"] = row[0][2].c_str();
  }
  finding.evidence_json = boost::json::serialize(evidence);
}

void describe_quote_share(pqxx::connection& c, model::Finding& finding) {
  boost::system::error_code ec;
  boost::json::value evidence = boost::json::parse(finding.evidence_json, ec);
  if (ec || !evidence.is_object() || !finding.platform) return;
  auto& ev = evidence.as_object();
  const auto* opened = ev.if_contains("episode_opened_at");
  if (opened == nullptr || !opened->is_string()) return;
  const std::string platform(model::to_string(*finding.platform));
  const long long until_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(finding.detected_at.time_since_epoch())
          .count();
  pqxx::read_transaction tx(c);
  // What the series counts (as in load_reply_history), from the episode's opening to the finding.
  const auto row = tx.exec_params1(
      "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM observed_posts o"
      "   WHERE o.platform = p.platform AND o.author_id = $2 AND o.post_id = p.quoted_post_id)),"
      " count(*)"
      " FROM observed_posts p JOIN official_accounts a ON a.platform = p.platform"
      "   AND a.account_id = $2"
      " WHERE p.platform = $1 AND p.author_id <> $2 AND p.reposted_post_id IS NULL"
      "   AND p.created_at >= $3::timestamptz"
      "   AND p.created_at <= to_timestamp($4::double precision / 1000)"
      "   AND (p.in_reply_to_account_id = $2"
      "        OR strpos(lower(p.text), lower('@' || a.handle)) > 0"
      "        OR EXISTS (SELECT 1 FROM observed_posts o WHERE o.platform = p.platform"
      "                   AND o.author_id = $2"
      "                   AND o.post_id IN (p.in_reply_to_post_id, p.quoted_post_id,"
      "                                     p.conversation_root_id)))",
      platform, finding.subject, std::string(opened->as_string()), until_ms);
  const long long quotes = row[0].as<long long>();
  const long long counted = row[1].as<long long>();
  if (counted == 0) return;
  ev["quotes"] = quotes;
  ev["quote_share"] = std::round(static_cast<double>(quotes) * 100.0 / counted) / 100.0;
  finding.evidence_json = boost::json::serialize(evidence);
}

}  // namespace mamori::detection
