// On-call: who is on duty (rotations with daily or weekly shifts and a handover time, in
// Japan Standard Time, overridden for holidays and swaps) and when an unacknowledged incident
// escalates (levels per severity, repeated up to a limit). Pure functions of their inputs and
// an explicit time, so the dispatcher, the console and tests compute the same answers.
//
// Times are UTC instants (sys_seconds). Japan has had no daylight saving time since 1951, so
// JST is always UTC+9 and a fixed offset converts between the two exactly.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/time_text.h"

namespace mamori::alerts::oncall {

using TimePoint = std::chrono::sys_seconds;
using model::kJstOffset;

// One way to reach a person: a configured alert channel's name and, for channels that address
// people, the address there (e-mail address, LINE WORKS user id). Slack/Teams webhooks post to
// a fixed channel and need no address.
struct Contact {
  std::string channel;
  std::string address;
};

struct Person {
  std::string id;    // "sato" (used in rotations and policies)
  std::string name;  // "佐藤 花子" (in the message text)
  std::vector<Contact> contacts;
};

enum class ShiftLength { daily, weekly };

struct Rotation {
  std::string name;
  ShiftLength shift = ShiftLength::weekly;
  std::vector<std::string> members;  // person ids, in turn order
  // The JST calendar date of the first handover; for weekly shifts its weekday is the
  // handover weekday. Before this handover the rotation is not in force (nobody on call).
  std::chrono::sys_days start_date{};
  std::chrono::minutes handover{9 * 60};  // JST time of day of every handover
};

// Replaces a rotation's on-call person for [start, end): a holiday cover or a swap.
struct Override {
  std::string rotation;
  std::string person;
  TimePoint start{};
  TimePoint end{};
  std::string reason;  // "GW 振替", shown to staff
};

struct EscalationTarget {
  enum class Kind {
    rotation,  // whoever is on call in that rotation at the time
    person,    // a named person (e.g. 広報課長)
    channel,   // a team channel (Teams, Slack, PagerDuty) as such
  };
  Kind kind = Kind::rotation;
  std::string name;
};

struct EscalationLevel {
  std::vector<EscalationTarget> targets;
  // Unacknowledged this long after this level was notified: the next level is.
  std::chrono::seconds escalate_after{15 * 60};
};

struct EscalationPolicy {
  std::string name;
  // Severities (low, medium, high, critical) the policy covers; "*" covers every severity not
  // named by another policy. Empty: the policy is used only where a Route names it.
  std::vector<std::string> severities;
  std::vector<EscalationLevel> levels;
  int repeat = 0;  // after the last level, start again from level 1 this many more times
};

// Incidents of some departments or types go to a policy of their own (観光課's accounts to the
// tourism section's rotation, impersonations to the information-policy team) instead of the one
// for their severity. Every condition given must hold; an empty list places no condition.
struct Route {
  std::vector<std::string> departments;  // the official account's 運用所属 (Account::department)
  std::vector<std::string> types;        // incident types: "impersonation", "flameup", ...
  std::vector<std::string> severities;   // low, medium, high, critical
  std::string policy;                    // EscalationPolicy::name in the same configuration
};

struct OnCallConfig {
  std::vector<Person> people;
  std::vector<Rotation> rotations;
  std::vector<Override> overrides;
  std::vector<EscalationPolicy> policies;
  std::vector<Route> routes;  // looked at in order, before the policies' severities

  const Person* person(std::string_view id) const;
  const Rotation* rotation(std::string_view name) const;
  const EscalationPolicy* policy(std::string_view name) const;
};

struct OnCallShift {
  std::string person;  // person id
  TimePoint from{};    // this person's duty began (shift start or override start)
  TimePoint until{};   // and ends (next handover, override end, or an override taking over)
  bool overridden = false;
  std::string reason;  // the override's reason
};

// Who is on call in `rotation` at `t`. An override of this rotation covering t wins over the
// rotation (of several, the one listed last). nullopt before the rotation's first handover or
// when it has no members.
std::optional<OnCallShift> who_is_on_call(const Rotation& rotation,
                                          const std::vector<Override>& overrides, TimePoint t);

struct EscalationStep {
  TimePoint at{};
  int level = 1;  // 1-based, as staff say it (第1段階)
  int round = 0;  // 0 for the first pass, 1 for the first repeat, …
  int index = 0;  // position in the plan: record the last one sent, resume after it
  std::vector<EscalationTarget> targets;
};

// Every notification the policy makes for an incident opened at `opened_at` and never
// acknowledged: level 1 at opened_at, each next level `escalate_after` later, the whole
// sequence 1 + repeat times.
std::vector<EscalationStep> escalation_plan(const EscalationPolicy& policy, TimePoint opened_at);

// The first step after `now`, for the dispatcher's timer; nullopt once acknowledged or when
// the plan is exhausted.
std::optional<EscalationStep> next_escalation(const EscalationPolicy& policy, TimePoint opened_at,
                                              TimePoint now, bool acknowledged);

// Steps due by `now` (at <= now) that come after the step numbered `last_sent_index` (-1:
// none sent yet), for catching up after a restart; empty once acknowledged.
std::vector<EscalationStep> due_escalations(const EscalationPolicy& policy, TimePoint opened_at,
                                            int last_sent_index, TimePoint now, bool acknowledged);

// The policy for an incident: the first route matching its type, the department of the official
// account it concerns and its severity; else the policy naming its severity, else the "*" one;
// nullptr when none applies.
const EscalationPolicy* policy_for(const OnCallConfig& config, std::string_view severity,
                                   std::string_view type = {}, std::string_view department = {});

// A concrete delivery: which channel, which address there, on whose behalf.
struct Recipient {
  std::string channel;
  std::string address;       // empty for channel targets and address-less contacts
  std::string person_id;     // empty for channel targets
  std::string person_name;   // for AlertMessage::recipient_name
  std::string via_rotation;  // set when reached as a rotation's on-call person
};

// Targets -> recipients at time `t` (rotations resolved with who_is_on_call), without
// duplicate (channel, address) pairs. A rotation with nobody on call contributes nothing.
std::vector<Recipient> resolve_targets(const OnCallConfig& config,
                                       const std::vector<EscalationTarget>& targets, TimePoint t);

// JST wall-clock text, "2025-04-01 09:00".
std::string format_jst(TimePoint t);
// A JST calendar date and minutes after midnight as a UTC instant.
TimePoint from_jst(std::chrono::sys_days date, std::chrono::minutes time_of_day);

}  // namespace mamori::alerts::oncall
