// The queue of Instagram @mentions Meta's webhook announced
// (deploy/sql/074_instagram_mentions.sql). The webhook route only queues (enqueue_mentions); the
// instance holding the mentioned account's poll lease claims due rows, reads each through the
// Instagram client, stores what it read and settles the row: done, unavailable (the platform says
// it is not there any more) or retried later. A claim lasts `claim_for`: a row whose reader died is
// claimed again after it, and since posts are unique in observed_posts a second read stores nothing
// twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "collectors/instagram/instagram_webhook_parse.h"
#include "daemon/store/observation_store.h"

namespace mamori::webhooks {

struct QueuedMention {
  std::int64_t id = 0;
  std::string ig_user_id;
  std::string media_id;
  std::string comment_id;  // empty: the mention is in the media's caption
  std::string handle;      // the official account mentioned
  int attempts = 0;        // including this one
};

// Queues the mentions not queued before; returns how many were new.
std::size_t enqueue_mentions(pqxx::connection& c,
                             const std::vector<collectors::instagram::MentionEvent>& mentions);

// Claims up to `limit` due mentions of the official Instagram accounts `handles` (those whose
// lease this instance holds) for `instance`, oldest first; rows another instance holds are
// skipped, never waited for.
std::vector<QueuedMention> claim_due_mentions(pqxx::connection& c,
                                              const std::vector<std::string>& handles,
                                              const std::string& instance, std::size_t limit,
                                              std::chrono::seconds claim_for);

// Stores what was read (store_observations) and marks the row done; returns what was new.
store::StoredBatch complete_mention(pqxx::connection& c, std::int64_t id,
                                    const std::vector<model::Observation>& observations);

// The platform answered that the media or comment cannot be read (deleted, private, comments
// off): the row is settled with the reason, nothing stored.
void mark_mention_unavailable(pqxx::connection& c, std::int64_t id, const std::string& reason);

// The read failed (network, token, rate limit, server): due again after `after`.
void retry_mention_later(pqxx::connection& c, std::int64_t id, std::chrono::seconds after,
                         const std::string& reason);

// Rows still queued (for the metric and the tests).
std::int64_t queued_mentions(pqxx::connection& c);

}  // namespace mamori::webhooks
