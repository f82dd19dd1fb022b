// The flame-up detectors' use of the store. Warm start (issue 5 item 5): after a restart each
// official account's reply-rate baseline is rebuilt from the replies, mentions and quotes already
// stored in PostgreSQL, so the learned daily and weekly pattern survives the restart. Hostile
// counts are recomputed from the stored texts with the detector's own lexicon. And the posts a
// finding names as drawing the replies get their stored text, so staff see which post burns.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "detectors/flameup/reply_rate_detector.h"
#include "model/finding.h"
#include "model/platform.h"

namespace mamori::detection {

struct ReplyHistory {
  model::Platform platform = model::Platform::x;
  std::string handle;
  std::string account_id;  // from official_accounts; empty: never looked up (a new account)
  std::vector<detectors::flameup::HistoryBucket> buckets;  // ascending, non-empty buckets only
  // Until when the stored history is known complete: the later of the last stored reply and the
  // last poll that moved this account's cursors. Buckets up to it without replies are quiet ones.
  std::optional<model::TimePoint> covered_until;
  std::size_t replies = 0;
};

// Replies to, mentions of and quotes of one official account created in [since, until), counted
// in buckets of `bucket`. Reads in pages, so a busy account's weeks of history never sit in
// memory as rows. Throws pqxx errors.
ReplyHistory load_reply_history(pqxx::connection& c, model::Platform platform,
                                const std::string& handle, model::TimePoint since,
                                model::TimePoint until, std::chrono::seconds bucket);

// Adds to each of the finding's evidence "top_posts" the stored post's "text", "author_handle"
// and "created_at" (posts mamori has not stored keep their id only). Throws pqxx errors.
void describe_top_posts(pqxx::connection& c, model::Finding& finding);
// Quote posts of the account's posts among what its series counted from the episode's opening
// (evidence `episode_opened_at`) to the finding: `quotes` and `quote_share` in the evidence. A
// pile-on of quotes (引用) is how many flame-ups start, and it reads differently from replies.
void describe_quote_share(pqxx::connection& c, model::Finding& finding);

}  // namespace mamori::detection
