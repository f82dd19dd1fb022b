// Own-account integrity in the running daemon. Listens to the poller: the official accounts'
// profiles are compared with their approved baseline (an unexpected change opens an
// account_compromise incident; an announced one moves the baseline), their new posts are
// scored against the account's history; runs the compliance audit daily and on demand, town by
// town (each [[municipalities]] entry's accounts against its own homepage and official-account
// list page, fetched through the collectors' allow-listed HTTP client); and follows the spread of
// own posts staff flagged as erroneous.
// Runs on the daemon's event loop; database work goes through the store's worker.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "collectors/common/collector.h"
#include "daemon/alerts/record_finding.h"
#include "daemon/config/config.h"
#include "daemon/detection/avatar_fetcher.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/integrity/integrity_store.h"
#include "daemon/polling/poller.h"
#include "daemon/store/database.h"
#include "detectors/integrity/own_post_anomaly.h"
#include "playbooks/engine/playbook.h"

namespace prometheus {
class Registry;
}

namespace mamori::integrity {

struct IntegrityOptions {
  std::chrono::seconds first_audit_after{20};  // after start: the first profile poll is in
  std::chrono::hours audit_interval{24};
  std::chrono::seconds spread_interval{300};  // erroneous posts: counts re-read this often
  std::chrono::seconds metrics_interval{60};
  int audit_posts = 50;   // recent own posts the shortener item looks at
  int history_days = 60;  // own posts loaded as the anomaly scorer's history
  detectors::integrity::OwnPostAnomalyOptions anomaly;
  // Official icons are fetched (through the collectors' media allow-list and size cap) and
  // hashed with the impersonation detector's strict decoder on a worker thread, so that a new
  // icon URL with the same picture is not a change.
  bool hash_avatars = true;
  int avatar_max_distance = 10;  // pHash bits (of 64) two pictures of the same icon may differ
  // Several instances on one database (daemon/polling/leases.h): the scheduled audit and the
  // erroneous posts' spread checks run where this says true; unset: here.
  std::function<bool()> runs_here;
};

// Why the official account list page could not be read, for the compliance item staff see
// (a redirect names its target: the audit does not follow redirects).
std::string list_page_error(const collectors::HttpResponse& response);

// Where the monitor reads from besides the poller's batches.
struct IntegritySources {
  // The homepage's official-account list page (the compliance audit); none: that item is skipped.
  collectors::HttpClient* homepage_http = nullptr;
  // The platforms' collectors: official icons are fetched through them.
  std::vector<collectors::PlatformCollector*> collectors;
};

class IntegrityMonitor final : public polling::ObservationListener {
 public:
  IntegrityMonitor(alerts::FindingServices services, const config::Config& config,
                   std::shared_ptr<const playbooks::PlaybookSet> playbooks,
                   IntegritySources sources, IntegrityOptions options);
  ~IntegrityMonitor() override;
  IntegrityMonitor(const IntegrityMonitor&) = delete;
  IntegrityMonitor& operator=(const IntegrityMonitor&) = delete;

  // Judge official icons through this fetcher (the detection hub's: one fetch per icon URL for
  // both) instead of one of its own. Call before start().
  void share_avatar_fetcher(std::shared_ptr<detection::AvatarFetcher> fetcher) {
    shared_avatars_ = std::move(fetcher);
  }
  // Called on the loop with each town's official account list page fetched for the audit (the
  // detection hub takes the accounts it links as known official, issue 18).
  using ListPageListener =
      std::function<void(const std::string& municipality, const std::string& html)>;
  void on_list_page(ListPageListener listener) { list_page_listener_ = std::move(listener); }
  void start();
  void stop();
  void set_playbooks(std::shared_ptr<const playbooks::PlaybookSet> playbooks) {
    playbooks_ = std::move(playbooks);
  }
  void update_configuration(const config::Config& config);

  void on_stored(model::Platform platform, const std::string& account,
                 const store::StoredBatch& batch) override;

  // Runs the compliance audit of every town's accounts now (on the event loop's thread).
  void run_audit();
  // Runs the audit of these towns' accounts now (config::Municipality::id; unknown ids are
  // ignored, a town whose audit is running is not started twice). The daily schedule is kept.
  void run_audit_of(const std::vector<std::string>& municipalities);
  // The towns served (config::Municipality::id), in configuration order.
  std::vector<std::string> municipalities() const;
  // The towns served, each as its id and name (相馬市), in configuration order.
  std::vector<std::pair<std::string, std::string>> municipality_names() const;

  // Requests to the monitor from any thread, safe to keep after the monitor is gone (store jobs
  // of the API hold one): the loop runs them only while the monitor lives.
  class Remote {
   public:
    void audit() const { post(&IntegrityMonitor::run_audit); }
    // The audit of these towns only (IntegrityMonitor::run_audit_of).
    void audit(std::vector<std::string> municipalities) const;
    void refresh_metrics() const { post(&IntegrityMonitor::refresh_metrics); }
    void spread_check() const { post(&IntegrityMonitor::check_spread); }
    void wake_dispatcher() const { post(&IntegrityMonitor::wake_dispatcher); }

   private:
    friend class IntegrityMonitor;
    void post(void (IntegrityMonitor::*what)()) const;
    boost::asio::io_context* io_ = nullptr;
    std::weak_ptr<bool> alive_;
    IntegrityMonitor* monitor_ = nullptr;
  };
  Remote remote();

  // What the erroneous-post API needs to open its incident (event loop's thread): its
  // checklist (incidents::plan_playbook_steps).
  void plan_steps(incidents::NewIncident& fresh, model::IncidentType type, model::Severity severity,
                  model::Platform platform) const;
  const alerts::AlertContext& alert_context() const { return alert_context_; }
  model::TimePoint now() const { return clock_.now(); }
  void wake_dispatcher();

 private:
  struct Metrics;
  struct Official {
    config::Account account;
    std::string key;  // "<platform>:<lower-case handle>"
    std::string account_id;
    std::string last_profile_signature;
    std::unique_ptr<detectors::integrity::OwnPostAnomalyScorer> scorer;
    bool history_loaded = false;
  };

  Official* official_for_profile(const model::ProfileSnapshot& p);
  Official* official_for_post(const model::Post& p);
  void load_history(Official& o);
  void check_profile(Official& o, const model::ProfileSnapshot& p);
  void judge_profile(Official& o, const model::ProfileSnapshot& p,
                     std::optional<std::uint64_t> avatar_phash);
  void check_post(Official& o, const model::Post& p, model::TimePoint now);
  void note_spread_post(const model::Post& p);
  void record(model::Finding finding, std::string title, std::string summary,
              std::vector<std::string> evidence_json, std::vector<long long> change_ids);
  // One town's audit; `round` counts the towns of a full round still running (null: the town
  // was asked for alone), the last one schedules the next round.
  struct AuditRound {
    std::size_t running = 0;
    bool failed = false;
  };
  void audit_town(const config::Municipality& town, std::shared_ptr<AuditRound> round);
  void audit_with_page(const config::Municipality& town,
                       std::optional<detectors::integrity::ListPage> page,
                       std::shared_ptr<AuditRound> round);
  void audit_done(const std::string& town, bool ok, const std::shared_ptr<AuditRound>& round);
  void refresh_metrics();
  void check_spread();
  void schedule(boost::asio::steady_timer& timer, std::chrono::steady_clock::duration after,
                void (IntegrityMonitor::*what)());
  collectors::PlatformCollector* collector_for(model::Platform p) const;

  boost::asio::io_context& io_;
  store::Database& database_;
  const collectors::Clock& clock_;
  std::vector<config::Municipality> towns_;  // every tenant, in configuration order
  std::string mastodon_instance_;
  std::shared_ptr<const playbooks::PlaybookSet> playbooks_;
  alerts::AlertContext alert_context_;
  alerts::AlertDispatcher* dispatcher_;
  collectors::HttpClient* homepage_http_;
  std::vector<collectors::PlatformCollector*> collectors_;
  std::shared_ptr<detection::AvatarFetcher> avatars_;         // null when hash_avatars is off
  std::shared_ptr<detection::AvatarFetcher> shared_avatars_;  // from share_avatar_fetcher()

  ListPageListener list_page_listener_;  // from on_list_page()
  IntegrityOptions options_;
  std::shared_ptr<Metrics> metrics_;  // shared with store jobs that set gauges
  std::vector<std::unique_ptr<Official>> officials_;
  std::set<std::pair<model::Platform, std::string>> tracked_posts_;  // erroneous own posts
  boost::asio::steady_timer audit_timer_;
  boost::asio::steady_timer spread_timer_;
  boost::asio::steady_timer metrics_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = true;
  std::set<std::string> auditing_;  // towns whose audit is running
};

}  // namespace mamori::integrity
