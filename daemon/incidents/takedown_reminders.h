// The daemon's takedown round on a timer: reminders for requests past their deadline and
// `removed` for requests whose account mamori saw disappear (takedowns.h run_takedown_round).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "daemon/store/database.h"

namespace mamori::incidents {

class TakedownReminders {
 public:
  TakedownReminders(boost::asio::io_context& io, store::Database& database,
                    std::chrono::milliseconds interval);
  ~TakedownReminders();
  TakedownReminders(const TakedownReminders&) = delete;
  TakedownReminders& operator=(const TakedownReminders&) = delete;
  void start();
  void stop();

 private:
  void schedule(std::chrono::milliseconds after);

  store::Database& database_;
  std::chrono::milliseconds interval_;
  boost::asio::steady_timer timer_;
  bool stopped_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mamori::incidents
