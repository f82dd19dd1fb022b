// Runs the automatic checks that need no observation to trigger them, on the daemon's event
// loop: every `interval` a store job evaluates official_post_since_open and elapsed, and every
// `homepage_interval` the pages named by pending homepage_contains checks are fetched (once per
// URL, whatever the number of incidents) and searched for the step's text; the step completes
// when the text shows more often than at the first reading, taken at the first round after the
// incident opened (record_homepage_reading in automatic_checks.h).
// Pages are fetched with the collectors' HTTP client (libcurl), allow-listed to the hosts of the
// configured municipality pages ([municipality] homepage, notice_url, official_account_list_url)
// and [http_client] allowed_hosts, through the configured proxy; redirects are not followed.
// Also at `homepage_interval`: the accounts named by hand-opened incidents with a pending
// subject_gone step (an impersonator reported by a resident: subject_ref.h) are looked up with
// the platform's collector (rate-governed as every platform call); when the platform answers that
// the account is deleted, suspended or moved away, the step completes as system:check. Detected
// impersonators are followed by the detection hub instead.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "collectors/common/collector.h"
#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/clock.h"
#include "daemon/config/config.h"
#include "daemon/store/database.h"

namespace mamori::incidents {

struct CheckRunnerOptions {
  std::chrono::milliseconds interval{std::chrono::seconds(60)};
  std::chrono::milliseconds homepage_interval{std::chrono::minutes(5)};
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(20)};
  std::size_t max_page_bytes = 4 * 1024 * 1024;
  std::string user_agent = "mamori (municipal social-media monitoring)";
  // Several instances on one database (daemon/polling/leases.h): rounds run where this says
  // true; unset: here.
  std::function<bool()> runs_here;
};

// The hosts homepage checks may fetch from (see above).
collectors::HostAllowList homepage_hosts(const config::Config& config);

class AutomaticCheckRunner {
 public:
  // `clock` is "now" for the elapsed checks (a manual one in tests).
  AutomaticCheckRunner(boost::asio::io_context& io, store::Database& database,
                       const collectors::Clock& clock, std::shared_ptr<const config::Config> config,
                       CheckRunnerOptions options);
  ~AutomaticCheckRunner();
  AutomaticCheckRunner(const AutomaticCheckRunner&) = delete;
  AutomaticCheckRunner& operator=(const AutomaticCheckRunner&) = delete;

  void start();
  void stop();  // cancels the timer and any fetch in flight
  // A reload: the next round uses the new pages and allow-list.
  void set_config(std::shared_ptr<const config::Config> config);
  // The platforms' collectors for account lookups (they must outlive the runner, or be replaced
  // by a new call — an empty list before they are destroyed).
  void set_collectors(std::vector<collectors::PlatformCollector*> collectors);

  // For tests and logs.
  std::size_t pages_fetched() const { return pages_fetched_; }
  std::size_t rounds() const { return rounds_; }
  std::size_t accounts_looked_up() const { return accounts_looked_up_; }

 private:
  struct HomepageCheck {
    long long incident_id = 0;
    std::string step_id;
    std::string url;
    std::string text;
  };

  struct AccountCheck {
    long long incident_id = 0;
    std::string step_id;
    std::string step_title;
    model::Platform platform = model::Platform::x;
    std::string handle;
  };

  void schedule(std::chrono::milliseconds after);
  void round();
  void fetch_pages(std::vector<HomepageCheck> checks);
  void look_up_accounts(std::vector<AccountCheck> checks);
  void ensure_client();

  boost::asio::io_context& io_;
  const collectors::Clock& clock_;
  store::Database& database_;
  std::shared_ptr<const config::Config> config_;
  CheckRunnerOptions options_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<collectors::CurlMultiClient> http_;
  std::vector<std::string> http_hosts_;  // the allow-list http_ was built with
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::chrono::steady_clock::time_point next_homepage_round_{};
  std::size_t fetches_in_flight_ = 0;
  std::vector<collectors::PlatformCollector*> collectors_;
  std::size_t lookups_in_flight_ = 0;
  std::size_t accounts_looked_up_ = 0;
  std::set<std::string> warned_urls_;
  bool stopped_ = true;
  bool round_running_ = false;
  std::size_t pages_fetched_ = 0;
  std::size_t rounds_ = 0;
};

}  // namespace mamori::incidents
