// Planned changes and closures of official accounts (soma-city.txt 4(1), 4(2); hokkaido.txt 3(8)).
// Staff register what changes and when; mamori opens an account_change incident whose checklist
// (playbooks/account_change.toml) carries dates counted back and forward from the planned day:
//   notify_administrator  届出 to the 統括情報管理者, a week before the notices are due
//   account_notice        notice on the account, a month (30 days) before  —
//   official_post_since_open homepage_notice       notice on the homepage page, a month before —
//   homepage_contains delete_posts          closure only: posts deleted, head of division confirms
//   carry_out             on the planned day
//   remove_from_list      closure only: off the homepage's account list, within a week
//   keep_notice           notice kept 1 year after a change, half a year after a closure — elapsed
// and reminds on the incident's timeline 7 days and 1 day before each date, and when it passed.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/incidents/incident_store.h"
#include "model/platform.h"

namespace mamori::incidents {

struct AccountChangePlan {
  model::Platform platform = model::Platform::x;
  std::string handle;
  bool closure = false;  // closure (廃止) or change (変更)
  std::string what;      // what changes, in staff's words
  model::TimePoint planned_at{};
  std::string notice_url;   // the homepage page that carries the notice
  std::string notice_text;  // words the notice shows (the homepage check looks for them)
  // The notice period before, the report before it and the keeping period after
  // (soma-city.txt 4(2)): [reminders], defaults 30 days, 7 days, 1 year / half a year.
  config::RemindersConfig periods;
};

model::TimePoint keep_notice_until(const AccountChangePlan& plan);

// The playbook's steps fitted to the plan at `now`: closure-only steps dropped for a change, due
// times from the plan's dates (a date already past is due at once), the homepage check pointed at
// the plan's page and text, the keeping period as the elapsed check's duration. Pure.
std::vector<StepPlan> account_change_steps(std::vector<StepPlan> steps,
                                           const AccountChangePlan& plan, model::TimePoint now);

// Problems staff should see but that do not stop the plan (e.g. less than a month of notice).
std::vector<std::string> account_change_warnings(const AccountChangePlan& plan,
                                                 model::TimePoint now);

struct RegisteredChange {
  long long incident_id = 0;
  bool created = false;
  std::vector<std::string> warnings;
};

// Opens (or, for the same account, kind and day, updates) the plan's incident through
// record_finding, and records the plan. Throws ActionError: 404 for an account that is not an
// official one, 400 for a date that has passed.
RegisteredChange register_account_change(pqxx::connection& c, const AccountChangePlan& plan,
                                         const std::vector<StepPlan>& steps,
                                         const std::string& actor, model::TimePoint now);

// Every registered plan, newest first, with its incident's status and open steps.
boost::json::array list_account_changes(pqxx::connection& c);

// Reminders before the dates of pending steps of live account_change incidents: `lead_days`
// before ([reminders] remind_before_days, 7 and 1), and once when the date passed; each on the
// timeline once. Returns how many were given.
int run_account_change_reminders(pqxx::connection& c, model::TimePoint now,
                                 const ReminderHook& notify = {},
                                 const std::vector<int>& lead_days = {7, 1});

}  // namespace mamori::incidents
