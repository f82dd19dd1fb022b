// Posts from the city's own account that do not look like the city: a burst at hours the
// account does not post, from a client it never used, with shortened links, giveaway/crypto
// wording or a push to direct messages — what a hijacked account posts (ube-city.txt 6,
// shiroi-city.txt 4(5), special-ward.txt 5(6)). Judged against the account's own history.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "model/finding.h"
#include "model/observation.h"

namespace mamori::detectors::integrity {

struct OwnPostAnomalyOptions {
  // Hours are judged in Japan time.
  std::chrono::minutes utc_offset{9 * 60};
  // Below this many posts in the history, "unusual hour" means the quiet hours below.
  std::size_t min_history_for_hours = 40;
  int quiet_from_hour = 1;  // [from, to) local hours nobody posts for a city office
  int quiet_to_hour = 5;
  double rare_hour_share =
      0.01;  // an hour (with its neighbours) with at most this share is unusual
  // Below this many posts with a client name, an unknown client is not judged.
  std::size_t min_history_for_client = 20;
  std::chrono::minutes burst_window{60};
  std::size_t burst_min_posts = 5;  // posts within the window to call it a burst at all
  double burst_factor = 3.0;        // and this many times the history's busiest window
  std::size_t history_kept = 2000;
  // Posts older than this when assessed only feed the history (the first poll fetches a page
  // of old posts; they are not news).
  std::chrono::hours assess_max_age{6};
  double finding_threshold = 0.6;
};

struct PostSignal {
  std::string
      id;  // burst, unusual_hour, unusual_client, shortened_url, giveaway, crypto, dm_solicitation
  double weight = 0;
  std::string reason;  // Japanese
};

struct PostAssessment {
  std::vector<PostSignal> signals;
  double score = 0;  // 1 - prod(1 - weight)
  bool anomalous = false;
};

// Phrases of giveaway, crypto and DM-solicitation scams, matched on NFKC-casefolded,
// kana-folded text (so ＤＭ, dm and ＤＭ下さい all match). Returns the signals found.
std::vector<PostSignal> scam_wording(std::string_view text);

class OwnPostAnomalyScorer {
 public:
  explicit OwnPostAnomalyScorer(OwnPostAnomalyOptions options = {});

  // Adds a post to the history without judging it (posts loaded from the store at start-up).
  void learn(const model::Post& post);
  // Judges a new post against the history, then adds it. Reposts of others are only learned.
  PostAssessment observe(const model::Post& post, model::TimePoint now);

  std::size_t history_size() const { return history_.size(); }

 private:
  struct Entry {
    model::TimePoint created_at;
    std::string client;
  };
  int local_hour(model::TimePoint t) const;
  std::size_t posts_in_window_ending(model::TimePoint t) const;
  std::size_t busiest_window_before(model::TimePoint t) const;
  void add(const model::Post& post);

  OwnPostAnomalyOptions options_;
  std::deque<Entry> history_;  // ordered by created_at
  std::array<std::size_t, 24> hour_counts_{};
  std::map<std::string, std::size_t> clients_;
  std::size_t with_client_ = 0;
};

// The account_compromise finding for an anomalous own post (subject as compromise_subject()).
model::Finding own_post_finding(const model::Post& post, const PostAssessment& assessment,
                                std::string_view configured_handle, model::TimePoint now);

}  // namespace mamori::detectors::integrity
