// Several mamorid instances on one PostgreSQL (issue 20): PostgreSQL is the coordinator, no
// protocol of our own.
//  * Each official account is leased (table poll_leases, deploy/sql/060_poll_leases.sql) to one
//    instance, which alone polls it: its posts, replies, counts, quotes and profile. An account
//    is the unit (not account and job): its jobs feed one reply-rate series and one set of
//    cursors, which must live in one process.
//  * Every lease_period / 3 the instance renews what it holds, in one transaction on its own
//    connection (so a deep store queue never delays a renewal), and takes free or expired leases
//    up to its share — the accounts divided by the instances alive (table poll_instances) — with
//    SELECT ... FOR UPDATE SKIP LOCKED, so two instances never wait on or take the same row. An
//    instance over its share lets the surplus go, so a newly started one gets its part.
//  * Instances started together ([cluster] join_window): the first round of each would see
//    itself alone and take every account. Within the window, counted from the start of the
//    earliest instance alive, rounds renew but take nothing; at its end every instance counts
//    the instances alive and takes its share.
//  * A killed instance's leases expire lease_period after its last renewal and are taken at the
//    next round of another: within 4/3 lease periods.
//  * The platform-wide jobs (look-alike search, compliance audit, reminders, automatic checks,
//    retention) run on one instance: the holder of a session advisory lock, taken like the alert
//    dispatcher's (daemon/alerts/dispatcher.cpp); PostgreSQL frees it when the holder's
//    connection dies.
//  * An instance that cannot renew stops polling when its leases run out (the deadline taken
//    from before it asked), before another can take them — unless it was alone at its last
//    renewal, so a single mamorid keeps polling through a database outage as it always did.
// A single instance simply holds every lease and leads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/store/database.h"
#include "model/platform.h"

namespace prometheus {
class Registry;
}

namespace mamori::polling {

struct LeasedAccount {
  model::Platform platform = model::Platform::x;
  std::string handle;
  std::string account_id;   // official_accounts.account_id; empty when never looked up
  bool taken_over = false;  // its previous holder's lease had expired (not let go)
};

struct LeaseChange {
  std::vector<LeasedAccount> acquired;
  std::vector<LeasedAccount> lost;  // renewed by nobody here any more (account_id empty)
};

// "host:pid", the instance name when [cluster] instance is not set.
std::string default_instance_name();

class PollLeases {
 public:
  // `database` is a store worker of its own (its connection holds the leader lock).
  PollLeases(boost::asio::io_context& io, store::Database& database, config::ClusterConfig cluster,
             prometheus::Registry* registry);
  ~PollLeases();
  PollLeases(const PollLeases&) = delete;
  PollLeases& operator=(const PollLeases&) = delete;

  // Listeners run on the loop, in the order added, after each round that changed something.
  void on_change(std::function<void(const LeaseChange&)> listener);
  void on_leadership(std::function<void(bool leads)> listener);

  void start(const std::vector<config::Account>& accounts);
  // A reloaded configuration: leases of accounts no longer configured are let go at the next round.
  void update_accounts(const std::vector<config::Account>& accounts);
  // Stops renewing and lets every held lease go (SIGTERM: the others take them at once).
  void stop();

  bool holds(model::Platform platform, std::string_view handle) const;
  bool leads() const;
  std::size_t held() const { return held_.size(); }
  const std::string& instance() const { return instance_; }

 private:
  struct Metrics;
  struct RoundResult;
  void round();
  void apply(const RoundResult& r, std::chrono::steady_clock::time_point asked_at);
  void schedule(std::chrono::steady_clock::duration after);
  bool fenced() const;

  boost::asio::io_context& io_;
  store::Database& database_;
  std::string instance_;
  std::chrono::seconds period_;
  std::chrono::seconds join_window_;
  bool joined_ = false;  // a round succeeded: started_at is this process's
  bool logged_join_wait_ = false;
  std::unique_ptr<Metrics> metrics_;
  std::vector<std::pair<std::string, std::string>> accounts_;  // configured: platform, handle
  std::set<std::pair<model::Platform, std::string>> held_;
  bool leads_ = false;
  bool alone_ = true;  // the only instance alive at the last round
  std::chrono::steady_clock::time_point valid_until_{};
  std::vector<std::function<void(const LeaseChange&)>> change_listeners_;
  std::vector<std::function<void(bool)>> leader_listeners_;
  boost::asio::steady_timer timer_;
  bool running_ = false;  // a round is at the store
  bool again_ = false;    // the accounts changed while it was: another round at once
  bool stopped_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mamori::polling
