#include "daemon/incidents/reminder_rounds.h"

#include "daemon/incidents/account_changes.h"
#include "daemon/incidents/takedowns.h"
#include "daemon/log/log.h"

namespace mamori::incidents {

ReminderRounds::ReminderRounds(boost::asio::io_context& io, store::Database& database,
                               const collectors::Clock& clock, std::chrono::milliseconds interval,
                               ReminderHook notify, config::RemindersConfig periods)
    : database_(database),
      clock_(clock),
      periods_(std::move(periods)),
      interval_(interval),
      notify_(std::move(notify)),
      timer_(io) {}

ReminderRounds::~ReminderRounds() {
  *alive_ = false;
  stop();
}

void ReminderRounds::start() {
  stopped_ = false;
  schedule(std::chrono::milliseconds(0));
}

void ReminderRounds::stop() {
  stopped_ = true;
  timer_.cancel();
}

void ReminderRounds::schedule(std::chrono::milliseconds after) {
  if (stopped_) return;
  timer_.expires_after(after);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        if (database_.ready() && (!runs_here_ || runs_here_())) {
          const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
          database_.submit(
              "incidents.reminder_rounds",
              [notify = notify_, now, leads = periods_.remind_before_days](pqxx::connection& c) {
                const TakedownRound r = run_takedown_round(c, now, notify);
                if (r.reminded + r.removed > 0)
                  log::info("takedown.round", {{"reminded", r.reminded}, {"removed", r.removed}});
                if (const int n = run_account_change_reminders(c, now, notify, leads); n > 0)
                  log::info("account_change.reminders", {{"given", n}});
              });
        }
        schedule(interval_);
      });
}

}  // namespace mamori::incidents
