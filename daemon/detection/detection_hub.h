// Where observations meet the detectors: new posts and profiles from the poller go to the
// impersonation, flame-up and misinformation detectors; their findings become incidents with
// the playbook's checklist and the alerts the routes ask for, in one transaction each.
// Runs on the daemon's event loop; detectors are pure and called from here only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "daemon/alerts/record_finding.h"
#include "daemon/config/config.h"
#include "daemon/detection/candidate_dispositions.h"
#include "daemon/detection/flameup_history.h"
#include "daemon/detection/flameup_metrics.h"
#include "daemon/detection/impersonation_avatars.h"
#include "daemon/detection/lookalike_rotation.h"
#include "daemon/detection/related_accounts.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/polling/leases.h"
#include "daemon/polling/poller.h"
#include "daemon/store/database.h"
#include "detectors/flameup/reply_rate_detector.h"
#include "detectors/impersonation/detector.h"
#include "detectors/integrity/compliance.h"
#include "detectors/misinfo/detector.h"
#include "playbooks/engine/playbook.h"

namespace prometheus {
class Registry;
}

namespace mamori::detection {

struct HubOptions {
  std::chrono::seconds tick{15};
  std::size_t lookalikes_per_account = 60;
  std::size_t official_posts_kept = 300;  // the misinformation detector's facts
  // Stored history the flame-up baselines are rebuilt from at start (0: none).
  std::chrono::hours flameup_history{24 * 28};
  // Polling is leased (daemon/polling/leases.h): reply-rate detectors start from their history
  // when the account's lease is taken (leases_changed), not for every official at construction.
  bool leased = false;
};

// The post a finding judged (deploy/sql/066_unjudged_posts.sql): its unjudged mark goes with the
// incident; `again`: a re-judgement, recorded only while the mark is still there.
struct JudgedPost {
  std::string post_id;
  bool again = false;
};

class DetectionHub final : public polling::ObservationListener {
 public:
  DetectionHub(alerts::FindingServices services, const config::Config& config,
               std::shared_ptr<const playbooks::PlaybookSet> playbooks, HubOptions options);
  ~DetectionHub() override;

  void start();
  void stop();
  void set_playbooks(std::shared_ptr<const playbooks::PlaybookSet> playbooks) {
    playbooks_ = std::move(playbooks);
  }
  void set_rumours(std::vector<detectors::misinfo::Rumour> rumours);
  // Fetch and hash avatars through these collectors (impersonation_avatars.h); without this
  // call the impersonation detector works on text alone.
  void enable_avatars(std::vector<collectors::PlatformCollector*> collectors,
                      prometheus::Registry* registry);
  // The icon fetcher enable_avatars() made (null before): its cache of official icons can serve
  // others that judge official icons (the integrity monitor), so each is fetched once.
  std::shared_ptr<AvatarFetcher> avatar_fetcher() const;
  // A reloaded configuration: official accounts (keeping what was learned about those that
  // stay), the allow-list and the municipality's names.
  void update_configuration(const config::Config& config);

  void on_stored(model::Platform platform, const std::string& account,
                 const store::StoredBatch& batch) override;
  std::vector<std::string> search_queries(model::Platform platform) override;
  polling::LookupRound handles_to_check(model::Platform platform, std::size_t max_handles) override;
  // A counted reply-rate series (the poller's reply_counts job): the counts go into the account's
  // flame-up detector; true when they rose above its baseline (or an episode is open), so the
  // poller reads the reply texts now.
  bool on_reply_counts(model::Platform platform, const std::string& account,
                       const std::vector<collectors::CountBucket>& counts) override;
  // Platforms whose reply-rate series the poller also reads as counts, each every its interval
  // (PollingConfig::reply_counts): their detectors judge a bucket only that interval (plus a
  // margin) after it ends, so the count arrives first (episodes still open provisionally from the
  // texts at once). Call before start().
  void set_counted_series(std::map<model::Platform, std::chrono::seconds> intervals);

  // A town's official account list page as last fetched (the integrity monitor's audit): an
  // account any town's page links to is known official and never an impersonation candidate
  // (issue 18; all tenants' accounts are official to each other, issue 20).
  void set_official_list_page(const std::string& html, const std::string& municipality = "default");

  // Staff's decisions on impersonation candidates (candidate_dispositions.h): a candidate judged
  // related or benign opens no incident while its profile stays as judged.
  void set_dispositions(std::vector<CandidateDisposition> all) {
    dispositions_.replace(std::move(all));
  }

  // detection_hub_leases.cpp: a taken account's reply-rate detector starts from the stored
  // history (its last holder judged the replies in between), a lost one's goes; the flagged
  // look-alikes are read from the live impersonation incidents (tracked_candidates.h).
  void leases_changed(const polling::LeaseChange& change);
  void reload_tracked();

  // One detection round at the clock's now: close the reply-rate buckets that are due, record
  // their findings, run the calm-down checks (at most once a minute) and the misinformation
  // detector. start() runs it every HubOptions::tick; a test with a manual clock calls it.
  void tick();

  // Counters for tests and metrics.
  std::size_t findings_recorded() const { return findings_recorded_; }
  // How often the impersonation detector was built (once per batch of official changes).
  std::size_t impersonation_rebuilds() const { return impersonation_rebuilds_; }

 private:
  struct Official {
    config::Account account;
    std::optional<model::ProfileSnapshot> profile;
  };
  struct Tracked {
    detectors::impersonation::Verdict verdict = detectors::impersonation::Verdict::benign;
    std::string handle;
    std::string subject;
    // The verdict each town's incident was recorded at (a town's staff may decide the account is
    // benign for them while it still imitates another town: that one gets an incident too).
    std::map<std::string, detectors::impersonation::Verdict> towns;
  };

  const Official* official_by_handle(model::Platform p, std::string_view handle) const;
  const Official* official_by_id(model::Platform p, std::string_view id) const;
  // One impersonation detector per town (issue 20): the town's names and its own accounts, with
  // every town's accounts known official to it.
  struct TownDetector {
    std::string town;  // config::Municipality::id
    std::unique_ptr<detectors::impersonation::ImpersonationDetector> detector;
  };
  // A candidate as one town judges it.
  struct TownAssessment {
    detectors::impersonation::Assessment assessment;
    const TownDetector* town = nullptr;
  };
  void rebuild_impersonation();
  const std::vector<TownDetector>& impersonation();  // rebuilt first if stale
  // The towns a candidate is recorded for: the town it resembles most (gravest verdict, then
  // highest score) and, when that is an impersonation, every other town whose own detector finds
  // an impersonation too (a name two towns share, or the prefecture's and a town's), most alike
  // first; empty when no town judges it. Towns whose staff's decision on this profile still holds
  // are left out. Each town's detector judges it once, from features prepared once.
  std::vector<TownAssessment> assess_in_towns(const model::ProfileSnapshot& profile,
                                              const detectors::impersonation::AvatarHash* avatar,
                                              model::TimePoint now);
  void rebuild_facts();
  void assess_candidate(const model::ProfileSnapshot& profile, model::TimePoint now);
  // Candidates are judged in slices of about 20 ms, the rest posted back to the loop (a lookup
  // of 100 look-alikes against 2,000 officials was one handler of seconds, issue 20).
  void queue_candidate(model::ProfileSnapshot profile, model::TimePoint now);
  void judge_candidates();
  void conclude_candidate(const model::ProfileSnapshot& profile, model::TimePoint now,
                          const AvatarPtr& icon);
  // One town's incident about a candidate it finds suspicious or an impersonation (each town its
  // own: incidents_live_dedup is per subject and town).
  void conclude_in_town(const model::ProfileSnapshot& profile, model::TimePoint now,
                        const AvatarPtr& icon, const TownAssessment& judged);
  void handle_reply(const Official& to, const model::Post& reply, model::TimePoint now,
                    bool rejudged);
  void handle_gone(const model::AccountGone& gone);
  void note_related(const model::ProfileSnapshot& profile,
                    const detectors::impersonation::Assessment& assessment);
  void record(model::Finding finding, std::vector<std::string> evidence_json, std::string title,
              std::string summary, std::vector<incidents::EvidenceItem> more_evidence = {},
              std::string municipality = {}, std::string candidate_handle = {},
              std::string official_handle = {}, JudgedPost judged = {});
  void plan_steps(incidents::NewIncident& fresh, const model::Finding& f) const;
  detectors::flameup::ReplyRateDetector& rate_detector(const Official& o);
  detectors::flameup::Settings rate_settings(model::Platform platform) const;
  // The key of an official account's reply-rate detector in rates_: "x:soma_city".
  static std::string rate_key(model::Platform platform, std::string_view handle);
  // detection_hub_flameup.cpp
  // Loads stored reply history for these accounts (all officials when empty) and starts their
  // reply-rate detectors from it.
  void warm_start_flameup(std::vector<std::pair<model::Platform, std::string>> accounts = {});
  void apply_reply_history(const ReplyHistory& history);
  void publish_flameup_metrics();
  // tick() for the reply-rate detectors of these accounts only (a batch's replies or counts),
  // then the calm-down checks and the misinformation detector.
  void judge(model::TimePoint now, const std::vector<const Official*>& accounts);
  void judge_rate(const std::string& key, detectors::flameup::ReplyRateDetector& detector,
                  model::TimePoint now);
  void judge_rest(model::TimePoint now);
  void run_calm_checks(model::TimePoint now);

  boost::asio::io_context& io_;
  store::Database& database_;
  const collectors::Clock& clock_;
  DispositionBook dispositions_;
  std::unordered_set<std::string> related_seen_;  // related accounts stored: subject|handle|name
  std::map<std::string, detectors::integrity::HtmlDigest> list_pages_;  // by town; links only
  std::string mastodon_instance_;
  config::Municipality municipality_;
  std::vector<config::AllowedAccount> allowlist_;
  std::shared_ptr<const playbooks::PlaybookSet> playbooks_;
  alerts::AlertContext alert_context_;
  alerts::AlertDispatcher* dispatcher_;
  HubOptions options_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = true;

  std::vector<Official> officials_;
  std::vector<config::Municipality> towns_;  // every tenant, in configuration order
  std::vector<TownDetector> impersonation_;
  bool impersonation_stale_ = false;
  std::size_t impersonation_rebuilds_ = 0;
  struct PendingCandidate {
    model::ProfileSnapshot profile;
    model::TimePoint now;
  };
  std::deque<PendingCandidate> candidates_;  // queue_candidate()
  bool candidates_posted_ = false;
  std::map<std::string, Tracked> tracked_;  // "<platform>:<account id>" of flagged candidates
  // Look-alike rounds (handles_to_check): each official's generated handles ("x:soma_city"),
  // and where each platform's rotation stands.
  std::map<std::string, std::vector<std::string>> lookalikes_;
  std::map<model::Platform, LookalikeRotation> rotations_;
  model::TimePoint tracked_reloaded_{};  // reload_tracked() at most once a minute
  std::map<std::string, std::unique_ptr<detectors::flameup::ReplyRateDetector>> rates_;
  std::map<model::Platform, std::chrono::seconds> counts_intervals_;  // set_counted_series()
  // The city's last posts, each analysed once when it arrives (FactIndex::prepare).
  std::deque<std::shared_ptr<const detectors::misinfo::Fact>> official_posts_;
  std::set<std::string> official_post_ids_;
  std::vector<detectors::misinfo::Rumour> rumours_;
  std::unique_ptr<detectors::misinfo::MisinformationDetector> misinfo_;
  model::TimePoint last_calm_check_{};
  std::size_t findings_recorded_ = 0;
  std::unique_ptr<FlameupMetrics> flameup_metrics_;
  std::unique_ptr<ImpersonationAvatars> avatars_;  // last: its callbacks use the members above
};

}  // namespace mamori::detection
