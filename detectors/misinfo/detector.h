// MisinformationDetector: scores replies and mentions against the city's official facts and the
// rumour registry, and groups replies that make the same claim into clusters whose findings staff
// act on (soma-city.txt 第7-3, hokkaido.txt 5(2): post the correct information, and put a notice
// on the homepage if it spreads). Pure: no I/O, time passed in.
//
//   auto facts = std::make_shared<const FactIndex>(statements, FactIndexOptions{{homepage}});
//   auto rumours = std::make_shared<const RumourRegistry>(rumour_structs);
//   MisinformationDetector detector(facts, rumours);
//   ReplyAssessment a = detector.observe(reply, {.author_flagged_impersonator = flagged}, now);
//   // or with the reply analysed once for this and the threat detector (text/normalized_text.h):
//   ReplyAssessment b = detector.observe(reply, normalized, context, now);
//   for (model::Finding& f : detector.advance(now)) store(f);
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detectors/misinfo/facts.h"
#include "detectors/misinfo/rumours.h"
#include "model/finding.h"
#include "model/observation.h"

namespace mamori::detectors::misinfo {

enum class Verdict { misinformation, benign };
constexpr std::string_view to_string(Verdict v) {
  return v == Verdict::misinformation ? "misinformation" : "benign";
}

// What the reply does with a claim. Questions are counted as a sign a rumour circulates;
// corrections are never misinformation.
enum class ReplyKind { claim, question, correction, other };
constexpr std::string_view to_string(ReplyKind k) {
  switch (k) {
    case ReplyKind::claim:
      return "claim";
    case ReplyKind::question:
      return "question";
    case ReplyKind::correction:
      return "correction";
    case ReplyKind::other:
      return "other";
  }
  return "other";
}

struct ReplyContext {
  // Set from the impersonation detector's findings: the author imitates an official account.
  bool author_flagged_impersonator = false;
};

// Signal weights, combined as a noisy-or (1 - Π(1 - w)). Tuned on the tune split of
// tests/data/misinfo only.
// Signal weights, combined as a noisy-or (1 - Π(1 - w)). A single firm signal (a flat
// contradiction, a fake contact, a known hoax) reaches the threshold on its own; wording (hedges,
// calls to spread) adds to it. Tuned on the tune parts of tests/data/misinfo-dev and
// tests/data/misinfo-voices only (issue 17).
struct SignalWeights {
  double rumour_max = 0.9;     // weight at full similarity to a registered rumour
  double rumour_floor = 0.45;  // similarity below which a registered rumour adds nothing
  double rumour_full = 0.85;   // similarity that earns rumour_max
  double state_contradiction = 0.6;
  double slot_contradiction = 0.55;
  double second_slot_contradiction = 0.2;
  double relative_date_contradiction = 0.2;
  double change_claim = 0.25;  // only together with a contradiction
  double hedge = 0.25;
  double unannounced_change = 0.35;
  double cover_up = 0.35;  // "公式は隠してる"
  double spread = 0.35;
  double urgent = 0.15;
  double pair_contradiction =
      0.55;                   // a post's sentence with one word swapped (pair_contradiction.h)
  double hoax = 0.6;          // a starter-list hoax or conspiracy claim (hoaxes.h)
  double fake_contact = 0.6;  // a phone number or account the city never gave
  double fake_channel = 0.6;  // a link, handle or e-mail presented as official or imitating it
  double other_link = 0.25;   // a link elsewhere, not presented as official
  double shortened_link = 0.45;
  double solicitation = 0.55;  // claims the city asks for transfers, ATM operations or visits
  double presented_as_official = 0.3;  // with a contradiction
  double impersonator = 0.35;
  double correction_factor = 0.2;  // score multiplier for corrections
  double question_factor = 0.4;    // score multiplier for questions
};

struct DetectorSettings {
  double threshold = 0.5;  // score at or above which a reply is misinformation
  SignalWeights weights;
  // Replies not answering a known official post are compared with the facts most similar in
  // topic (IDF-weighted bigram cosine at least this).
  double min_topic_similarity = 0.12;
  std::size_t max_topic_facts = 2;

  // Clusters (issue 6, "Claim clusters").
  std::chrono::minutes window{120};
  std::size_t open_min_claims = 3;          // claims within the window that open a finding
  std::int64_t open_min_spread = 20;        // or reposts + quotes of the cluster's replies
  double high_confidence_similarity = 0.8;  // a registered-rumour match this close opens at once
  std::size_t medium_claims = 8;
  std::int64_t medium_spread = 100;
  std::size_t high_claims = 20;
  std::int64_t high_spread = 500;
  std::size_t max_clusters = 5000;  // oldest clusters are forgotten beyond this
  std::size_t max_samples = 5;      // sample replies kept in the evidence
};

struct ReplyAssessment {
  double score = 0;  // [0, 1]
  Verdict verdict = Verdict::benign;
  ReplyKind kind = ReplyKind::other;
  // What the reply was matched with: "rumour:<id>", "fact:<official post id>", or empty.
  std::string matched;
  std::vector<std::string> reasons;  // Japanese, one short sentence each
  // Replies making the same claim share this key; empty when the reply makes no checkable claim.
  std::string claim_key;
  std::string rumour_id;
  double rumour_similarity = 0;
  std::string fact_id;        // the contradicted fact, if any
  std::string contradiction;  // the contradiction as staff read it
  std::string contact;        // a contact detail that is not the city's (digits, host, handle)
  std::string hoax_id;        // the starter-list hoax or conspiracy matched (hoaxes.h)
};

class MisinformationDetector {
 public:
  MisinformationDetector(std::shared_ptr<const FactIndex> facts,
                         std::shared_ptr<const RumourRegistry> rumours,
                         DetectorSettings settings = {});

  // Swapped when the city posts again or staff register a rumour; clusters are kept.
  void set_facts(std::shared_ptr<const FactIndex> facts);
  void set_rumours(std::shared_ptr<const RumourRegistry> rumours);

  // Scores one reply or mention. Thread-safe (const, no shared mutable state).
  ReplyAssessment score(const model::Post& reply, const ReplyContext& context = {}) const;
  // The same with `reply.text` already normalized and analysed (shared with other detectors);
  // the assessment is identical.
  ReplyAssessment score(const model::Post& reply, const text::NormalizedText& normalized,
                        const ReplyContext& context = {}) const;

  // Scores a reply and adds it to its claim cluster. A post seen again (updated counts) replaces
  // its earlier observation.
  ReplyAssessment observe(const model::Post& reply, const ReplyContext& context,
                          model::TimePoint now);
  ReplyAssessment observe(const model::Post& reply, const text::NormalizedText& normalized,
                          const ReplyContext& context, model::TimePoint now);

  // Findings for clusters that opened or escalated since the last call; forgets stale clusters.
  std::vector<model::Finding> advance(model::TimePoint now);

  std::size_t cluster_count() const { return clusters_.size(); }

  // For each cluster that has reported a finding, by subject: when its claims and questions were
  // posted (corrections excluded), oldest first — what the spread calm-down check counts.
  std::map<std::string, std::vector<model::TimePoint>> reported_activity() const;

  // "cluster:<16 hex digits>", stable for a claim key across restarts.
  static std::string cluster_subject(std::string_view claim_key);

 private:
  struct Member {
    std::string post_id;
    std::string author;
    std::string text;
    double score = 0;
    ReplyKind kind = ReplyKind::other;
    std::int64_t spread = 0;
    model::TimePoint at{};
    std::vector<std::string> reasons;
  };
  struct Cluster {
    std::string claim_key;
    std::vector<Member> members;
    std::string rumour_id;
    double rumour_similarity = 0;
    std::string fact_id;
    std::string contradiction;
    std::optional<model::Platform> platform;
    bool high_confidence = false;
    int emitted_level = 0;  // 0 none, else model::Severity value last reported
    model::TimePoint first_seen{};
    model::TimePoint last_seen{};
  };

  ReplyAssessment score_reply(const model::Post& reply, const text::NormalizedText* normalized,
                              const ReplyContext& context) const;
  void add_to_cluster(const model::Post& reply, const ReplyAssessment& a, model::TimePoint now);
  model::Finding make_finding(const Cluster& c, model::Severity severity, std::size_t claims,
                              std::size_t questions, std::size_t corrections, std::int64_t spread,
                              model::TimePoint now) const;

  std::shared_ptr<const FactIndex> facts_;
  std::shared_ptr<const RumourRegistry> rumours_;
  DetectorSettings settings_;
  std::unordered_map<std::string, Cluster> clusters_;
};

}  // namespace mamori::detectors::misinfo
