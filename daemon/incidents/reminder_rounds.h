// The daemon's date rounds on a timer: takedown requests past their deadline are reminded and
// those whose account disappeared marked removed (takedowns.h run_takedown_round); planned account
// changes are reminded before each date (account_changes.h run_account_change_reminders).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "collectors/ratelimit/clock.h"
#include "daemon/config/config.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"

namespace mamori::incidents {

class ReminderRounds {
 public:
  // `notify` sends each reminder to the on-call as well (alerts::reminder_hook); none: the
  // reminders stay on the timeline and in the console.
  // `clock` is "now" for the dates (a manual one in tests); `periods` the [reminders] section.
  ReminderRounds(boost::asio::io_context& io, store::Database& database,
                 const collectors::Clock& clock, std::chrono::milliseconds interval,
                 ReminderHook notify = {}, config::RemindersConfig periods = {});
  ~ReminderRounds();
  ReminderRounds(const ReminderRounds&) = delete;
  ReminderRounds& operator=(const ReminderRounds&) = delete;
  void start();
  void stop();
  // A reload: the next round reminds on the new lead days.
  void set_periods(config::RemindersConfig periods) { periods_ = std::move(periods); }
  // Several instances on one database (daemon/polling/leases.h): rounds run where this says
  // true; unset: here.
  void set_runs_here(std::function<bool()> runs_here) { runs_here_ = std::move(runs_here); }

 private:
  void schedule(std::chrono::milliseconds after);

  store::Database& database_;
  const collectors::Clock& clock_;
  config::RemindersConfig periods_;
  std::chrono::milliseconds interval_;
  ReminderHook notify_;
  std::function<bool()> runs_here_;
  boost::asio::steady_timer timer_;
  bool stopped_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mamori::incidents
