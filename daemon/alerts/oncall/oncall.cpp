#include "daemon/alerts/oncall/oncall.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

namespace mamori::alerts::oncall {

using std::chrono::days;
using std::chrono::seconds;

const Person* OnCallConfig::person(std::string_view id) const {
  for (const auto& p : people) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const Rotation* OnCallConfig::rotation(std::string_view name) const {
  for (const auto& r : rotations) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const EscalationPolicy* OnCallConfig::policy(std::string_view name) const {
  for (const auto& p : policies) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TimePoint from_jst(std::chrono::sys_days date, std::chrono::minutes time_of_day) {
  return std::chrono::time_point_cast<seconds>(date) + time_of_day - kJstOffset;
}

std::string format_jst(TimePoint t) {
  const TimePoint local = t + kJstOffset;
  const auto day = std::chrono::floor<days>(local);
  const std::chrono::year_month_day ymd{day};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(local - day).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(minutes / 60), static_cast<long long>(minutes % 60));
  return buf;
}

std::optional<OnCallShift> who_is_on_call(const Rotation& rotation,
                                          const std::vector<Override>& overrides, TimePoint t) {
  // The last listed override covering t wins (a later swap corrects an earlier one).
  const Override* active = nullptr;
  for (const auto& o : overrides) {
    if (o.rotation == rotation.name && o.start <= t && t < o.end && !o.person.empty()) active = &o;
  }
  if (active != nullptr) {
    return OnCallShift{active->person, active->start, active->end, true, active->reason};
  }
  if (rotation.members.empty()) return std::nullopt;
  const TimePoint first = from_jst(rotation.start_date, rotation.handover);
  if (t < first) return std::nullopt;
  const seconds length = rotation.shift == ShiftLength::daily ? seconds(days(1)) : seconds(days(7));
  const long long k = (t - first) / length;  // t >= first: plain division is the floor
  OnCallShift shift;
  shift.person =
      rotation
          .members[static_cast<std::size_t>(k % static_cast<long long>(rotation.members.size()))];
  shift.from = first + k * length;
  shift.until = shift.from + length;
  // An override starting inside this shift ends the rotation's turn early.
  for (const auto& o : overrides) {
    if (o.rotation == rotation.name && o.start > t && o.start < shift.until && o.end > o.start) {
      shift.until = o.start;
    }
  }
  return shift;
}

std::vector<EscalationStep> escalation_plan(const EscalationPolicy& policy, TimePoint opened_at) {
  std::vector<EscalationStep> plan;
  if (policy.levels.empty()) return plan;
  const int rounds = 1 + std::max(0, policy.repeat);
  TimePoint at = opened_at;
  int index = 0;
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < policy.levels.size(); ++i) {
      EscalationStep step;
      step.at = at;
      step.level = static_cast<int>(i) + 1;
      step.round = round;
      step.index = index++;
      step.targets = policy.levels[i].targets;
      plan.push_back(std::move(step));
      at += policy.levels[i].escalate_after;
    }
  }
  return plan;
}

std::optional<EscalationStep> next_escalation(const EscalationPolicy& policy, TimePoint opened_at,
                                              TimePoint now, bool acknowledged) {
  if (acknowledged) return std::nullopt;
  for (auto& step : escalation_plan(policy, opened_at)) {
    if (step.at > now) return std::move(step);
  }
  return std::nullopt;
}

std::vector<EscalationStep> due_escalations(const EscalationPolicy& policy, TimePoint opened_at,
                                            int last_sent_index, TimePoint now, bool acknowledged) {
  std::vector<EscalationStep> due;
  if (acknowledged) return due;
  for (auto& step : escalation_plan(policy, opened_at)) {
    if (step.index > last_sent_index && step.at <= now) due.push_back(std::move(step));
  }
  return due;
}

const EscalationPolicy* policy_for(const OnCallConfig& config, std::string_view severity,
                                   std::string_view type, std::string_view department) {
  const auto holds = [](const std::vector<std::string>& allowed, std::string_view value) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
  };
  for (const Route& route : config.routes) {
    if (holds(route.departments, department) && holds(route.types, type) &&
        holds(route.severities, severity)) {
      if (const EscalationPolicy* p = config.policy(route.policy)) return p;
    }
  }
  const EscalationPolicy* fallback = nullptr;
  for (const auto& p : config.policies) {
    for (const auto& s : p.severities) {
      if (s == severity) return &p;
      if (s == "*" && fallback == nullptr) fallback = &p;
    }
  }
  return fallback;
}

std::vector<Recipient> resolve_targets(const OnCallConfig& config,
                                       const std::vector<EscalationTarget>& targets, TimePoint t) {
  std::vector<Recipient> out;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](Recipient r) {
    if (seen.insert({r.channel, r.address}).second) out.push_back(std::move(r));
  };
  auto add_person = [&](const std::string& id, const std::string& via) {
    const Person* p = config.person(id);
    if (p == nullptr) return;
    for (const auto& c : p->contacts) add(Recipient{c.channel, c.address, p->id, p->name, via});
  };
  for (const auto& target : targets) {
    switch (target.kind) {
      case EscalationTarget::Kind::channel:
        add(Recipient{target.name, "", "", "", ""});
        break;
      case EscalationTarget::Kind::person:
        add_person(target.name, "");
        break;
      case EscalationTarget::Kind::rotation:
        if (const Rotation* r = config.rotation(target.name)) {
          if (auto shift = who_is_on_call(*r, config.overrides, t))
            add_person(shift->person, r->name);
        }
        break;
    }
  }
  return out;
}

}  // namespace mamori::alerts::oncall
