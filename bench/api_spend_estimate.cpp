// What a month of polling X costs, for a budget request: the poller's schedule over a month in
// accelerated (simulated) time, every answer shaped as X sends it and priced and budgeted by the
// real SpendMeter (collectors/ratelimit/api_spend.h) with its degradation order — not a replay
// through mamorid and the fake platform. Prints the spend per job kind and how late replies were
// read, for a calm month, a month with a flame-up (10,000 replies in one day) and a typhoon week.
//
//   api_spend_estimate [--accounts N] [--budget USD]
//
// Assumptions (printed): replies 5 a day when calm, own posts 3 a day, each search round asks
// 8 queries that find 10 users each plus 1 look-alike handle that exists; X charges every
// resource returned (no same-day deduplication, so the figures err on the high side).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "collectors/ratelimit/api_spend.h"

namespace {

using mamori::collectors::SpendMeter;
using mamori::model::TimePoint;

struct Intervals {
  const char* name;
  int profiles, posts, replies, search;  // minutes
};

struct Scenario {
  const char* name;
  int days;
  // Replies arriving in minute `m` (per account).
  double (*replies_per_minute)(int m);
  double own_posts_per_day;
};

double calm(int) {
  return 5.0 / 1440.0;
}
double flameup(int m) {
  return (m / 1440 == 14) ? 10000.0 / 1440.0 : 5.0 / 1440.0;
}
double typhoon(int) {
  return 200.0 / 1440.0;
}

std::string page_body(int posts, int users, int included_posts) {
  std::string b = "{\"data\":[";
  for (int i = 0; i < posts; ++i) b += std::string(i ? "," : "") + "{\"id\":\"1\"}";
  b += "],\"includes\":{\"users\":[";
  for (int i = 0; i < users; ++i) b += std::string(i ? "," : "") + "{\"id\":\"2\"}";
  b += "],\"tweets\":[";
  for (int i = 0; i < included_posts; ++i) b += std::string(i ? "," : "") + "{\"id\":\"3\"}";
  b += "]}}";
  if (posts == 0) b = "{\"meta\":{\"result_count\":0}}";
  return b;
}

struct Result {
  std::map<std::string, double> by_job;
  double total = 0;
  long refused = 0;
  double max_delay_min = 0;
  double unread = 0;
};

Result run(const Scenario& s, const Intervals& iv, int accounts, double budget) {
  SpendMeter meter;
  meter.mark_restored();
  if (budget > 0) meter.set_budget("x", budget);
  // A 30-day month starting at 2026-11-01T00:00Z.
  const TimePoint start = TimePoint{} + std::chrono::hours(24 * 20393);
  Result r;
  std::vector<double> pending(static_cast<std::size_t>(accounts), 0.0);
  std::vector<int> oldest(static_cast<std::size_t>(accounts), -1);
  std::map<std::string, int> skipped;
  double posts_due = 0;
  auto send = [&](const char* endpoint, const std::string& url, const std::string& body,
                  TimePoint now) {
    if (meter.refusal("x", endpoint, url, now)) {
      ++r.refused;
      return false;
    }
    meter.record("x", endpoint, 200, body, now);
    return true;
  };
  auto due = [&](const char* job, int minute, int every) {
    if (minute % every != 0) return false;
    const int factor = SpendMeter::interval_factor(
        meter.degradation_level("x", start + std::chrono::minutes(minute)), job);
    int& k = skipped[job];
    if (factor == 1 || (factor > 1 && k + 1 >= factor)) {
      k = 0;
      return true;
    }
    ++k;
    return false;
  };
  for (int m = 0; m < s.days * 1440; ++m) {
    const TimePoint now = start + std::chrono::minutes(m);
    for (int a = 0; a < accounts; ++a) {
      pending[static_cast<std::size_t>(a)] += s.replies_per_minute(m);
      if (pending[static_cast<std::size_t>(a)] >= 1 && oldest[static_cast<std::size_t>(a)] < 0)
        oldest[static_cast<std::size_t>(a)] = m;
    }
    posts_due += s.own_posts_per_day / 1440.0 * accounts;
    if (m % iv.replies == 0) {
      for (int a = 0; a < accounts; ++a) {
        double& p = pending[static_cast<std::size_t>(a)];
        bool all = true;
        do {
          const int n = std::min(100, static_cast<int>(p));
          if (!send("users/:id/mentions", "/2/users/1/mentions?max_results=100",
                    page_body(n, n, n > 0 ? 1 : 0), now)) {
            all = false;
            break;
          }
          p -= n;
        } while (p >= 1);
        if (all && oldest[static_cast<std::size_t>(a)] >= 0) {
          r.max_delay_min = std::max(r.max_delay_min,
                                     static_cast<double>(m - oldest[static_cast<std::size_t>(a)]));
          oldest[static_cast<std::size_t>(a)] = -1;
        }
      }
    }
    if (m % iv.posts == 0) {
      const int n = static_cast<int>(posts_due);
      posts_due -= n;
      for (int a = 0; a < accounts; ++a) {
        const int mine = a == 0 ? n : 0;
        send("users/:id/tweets", "/2/users/1/tweets?max_results=100", page_body(mine, mine, 0),
             now);
      }
    }
    if (due("profiles", m, iv.profiles)) {
      std::string users = "a";
      for (int a = 1; a < accounts; ++a) users += ",a";
      send("users/by", "/2/users/by?usernames=" + users, page_body(accounts, 0, 0), now);
    }
    if (due("search", m, iv.search)) {
      for (int q = 0; q < 8; ++q)
        send("users/search", "/2/users/search?query=q&max_results=100", page_body(10, 0, 0), now);
      send("users/by", "/2/users/by?usernames=a,b,c", page_body(1, 0, 0), now);
    }
  }
  for (const auto& [key, j] : meter.jobs()) r.by_job[key.second] += j.usd;
  for (const auto& [job, usd] : r.by_job) r.total += usd;
  for (double p : pending) r.unread += p;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int accounts = 1;
  double budget = 100.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--accounts")
      accounts = std::atoi(argv[i + 1]);
    else if (a == "--budget")
      budget = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: api_spend_estimate [--accounts N] [--budget USD]\n");
      return 2;
    }
  }
  const Intervals defaults{"default [polling] (profiles 5m, posts 2m, replies 1m, search 10m)", 5,
                           2, 1, 10};
  const Intervals cheap{"recommended for X (profiles 1h, posts 2m, replies 1m, search 1d)", 60, 2,
                        1, 1440};
  const Scenario scenarios[] = {{"calm month", 30, calm, 3},
                                {"flame-up month (10,000 replies on day 15)", 30, flameup, 3},
                                {"typhoon week (200 replies, 30 posts a day)", 7, typhoon, 30}};
  std::printf("X API spend, %d X account(s); prices read %s; budget $%.2f a month (0: none)\n",
              accounts, std::string(mamori::collectors::kPricesReadOn).c_str(), budget);
  std::printf(
      "assumptions: calm replies 5/day, own posts 3/day, search 8 queries x 10 users + 1 "
      "look-alike found, no same-day deduplication\n\n");
  for (const Intervals& iv : {defaults, cheap}) {
    for (double b : {0.0, budget}) {
      std::printf("%s, budget %s\n", iv.name,
                  b > 0 ? ("$" + std::to_string(static_cast<int>(b))).c_str() : "none");
      std::printf("  %-44s %10s %10s %10s %10s %10s %8s %9s %8s\n", "scenario", "mentions",
                  "tweets", "users/by", "search", "total", "refused", "max delay", "unread");
      for (const Scenario& s : scenarios) {
        const Result r = run(s, iv, accounts, b);
        auto get = [&](const char* j) {
          auto it = r.by_job.find(j);
          return it == r.by_job.end() ? 0.0 : it->second;
        };
        std::printf("  %-44s %10.2f %10.2f %10.2f %10.2f %10.2f %8ld %7.0f m %8.0f\n", s.name,
                    get("users/:id/mentions"), get("users/:id/tweets"), get("users/by"),
                    get("users/search"), r.total, r.refused, r.max_delay_min, r.unread);
      }
      std::printf("\n");
    }
  }
  return 0;
}
