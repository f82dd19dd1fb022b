#include "daemon/webhooks/mention_queue.h"

#include <algorithm>

namespace mamori::webhooks {
namespace {

// A PostgreSQL text[] literal: every element quoted, quotes and backslashes escaped.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

std::string clipped(std::string s) {
  if (s.size() > 500) s.resize(500);  // platform messages are outside text
  return s;
}

}  // namespace

std::size_t enqueue_mentions(pqxx::connection& c,
                             const std::vector<collectors::instagram::MentionEvent>& mentions) {
  if (mentions.empty()) return 0;
  pqxx::work tx(c);
  std::size_t added = 0;
  for (const auto& m : mentions) {
    const pqxx::result r = tx.exec_params(
        "INSERT INTO instagram_mentions (ig_user_id, media_id, comment_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (ig_user_id, media_id, comment_id) DO NOTHING RETURNING id",
        m.ig_user_id, m.media_id, m.comment_id.value_or(""));
    added += r.size();
  }
  tx.commit();
  return added;
}

std::vector<QueuedMention> claim_due_mentions(pqxx::connection& c,
                                              const std::vector<std::string>& handles,
                                              const std::string& instance, std::size_t limit,
                                              std::chrono::seconds claim_for) {
  std::vector<QueuedMention> out;
  if (handles.empty() || limit == 0) return out;
  std::vector<std::string> lowered;
  for (const auto& h : handles) {
    std::string l = h;
    for (char& ch : l) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    lowered.push_back(std::move(l));
  }
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "UPDATE instagram_mentions m SET claimed_by = $2,"
      "   claimed_until = now() + make_interval(secs => $3), attempts = m.attempts + 1"
      " FROM (SELECT q.id, a.handle FROM instagram_mentions q"
      "       JOIN official_accounts a ON a.platform = 'instagram' AND a.account_id = q.ig_user_id"
      "       WHERE q.state = 'queued' AND q.next_attempt_at <= now()"
      "         AND (q.claimed_until IS NULL OR q.claimed_until < now())"
      "         AND lower(a.handle) = ANY ($1::text[])"
      "       ORDER BY q.id LIMIT $4 FOR UPDATE OF q SKIP LOCKED) d"
      " WHERE m.id = d.id"
      " RETURNING m.id, m.ig_user_id, m.media_id, m.comment_id, d.handle, m.attempts",
      text_array(lowered), instance, static_cast<double>(claim_for.count()),
      static_cast<long long>(limit));
  tx.commit();
  for (const auto& row : r) {
    QueuedMention q;
    q.id = row[0].as<std::int64_t>();
    q.ig_user_id = row[1].c_str();
    q.media_id = row[2].c_str();
    q.comment_id = row[3].c_str();
    q.handle = row[4].c_str();
    q.attempts = row[5].as<int>();
    out.push_back(std::move(q));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

store::StoredBatch complete_mention(pqxx::connection& c, std::int64_t id,
                                    const std::vector<model::Observation>& observations) {
  // Stored first, then settled: a crash between the two reads the mention again and stores
  // nothing new (posts are unique per platform and id).
  auto batch = store::store_observations(c, observations, std::nullopt);
  pqxx::work tx(c);
  tx.exec_params(
      "UPDATE instagram_mentions SET state = 'done', done_at = now(), claimed_by = NULL,"
      " claimed_until = NULL, last_error = NULL WHERE id = $1",
      id);
  tx.commit();
  return batch;
}

void mark_mention_unavailable(pqxx::connection& c, std::int64_t id, const std::string& reason) {
  pqxx::work tx(c);
  tx.exec_params(
      "UPDATE instagram_mentions SET state = 'unavailable', done_at = now(), claimed_by = NULL,"
      " claimed_until = NULL, last_error = $2 WHERE id = $1",
      id, clipped(reason));
  tx.commit();
}

void retry_mention_later(pqxx::connection& c, std::int64_t id, std::chrono::seconds after,
                         const std::string& reason) {
  pqxx::work tx(c);
  tx.exec_params(
      "UPDATE instagram_mentions SET next_attempt_at = now() + make_interval(secs => $2),"
      " claimed_by = NULL, claimed_until = NULL, last_error = $3 WHERE id = $1",
      id, static_cast<double>(after.count()), clipped(reason));
  tx.commit();
}

std::int64_t queued_mentions(pqxx::connection& c) {
  pqxx::work tx(c);
  return tx.exec("SELECT count(*) FROM instagram_mentions WHERE state = 'queued'")[0][0]
      .as<std::int64_t>();
}

}  // namespace mamori::webhooks
