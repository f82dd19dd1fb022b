// The daemon's date rounds on a timer: takedown requests past their deadline are reminded and
// those whose account disappeared marked removed (takedowns.h run_takedown_round); planned account
// changes are reminded before each date (account_changes.h run_account_change_reminders).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "daemon/incidents/incident_store.h"
#include "daemon/store/database.h"

namespace mamori::incidents {

class ReminderRounds {
 public:
  // `notify` sends each reminder to the on-call as well (alerts::reminder_hook); none: the
  // reminders stay on the timeline and in the console.
  ReminderRounds(boost::asio::io_context& io, store::Database& database,
                 std::chrono::milliseconds interval, ReminderHook notify = {});
  ~ReminderRounds();
  ReminderRounds(const ReminderRounds&) = delete;
  ReminderRounds& operator=(const ReminderRounds&) = delete;
  void start();
  void stop();

 private:
  void schedule(std::chrono::milliseconds after);

  store::Database& database_;
  std::chrono::milliseconds interval_;
  ReminderHook notify_;
  boost::asio::steady_timer timer_;
  bool stopped_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mamori::incidents
