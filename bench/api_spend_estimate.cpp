// What a month of polling X costs, for a budget request: the poller's schedule over a month in
// accelerated (simulated) time, every answer shaped as X sends it and priced and budgeted by the
// real SpendMeter (collectors/ratelimit/api_spend.h) with its degradation order — not a replay
// through mamorid and the fake platform. Prints the spend per job kind, how late a flood of
// replies is seen and how many reply texts were never read, for a calm month, a month with a
// flame-up (10,000 replies and 2,000 quotes in one day) and a typhoon week, for the intervals
// before issue 21's cheap polling and for the example configuration's (reply rate from
// tweets/counts/recent, texts on a rise, quotes, search rounds sized to the budget).
//
//   api_spend_estimate [--accounts N] [--budget USD]
//
// Assumptions (printed): replies 5 a day when calm, own posts 3 a day, quotes 1 a day, each
// search round asks 8 queries that find 10 users each plus 1 look-alike handle that exists; X
// charges every resource returned (no same-day deduplication, so the figures err on the high
// side). Search rounds sized to the budget take at most a fifth of what is left of it. A rise is a
// counted stretch with at least 8 replies and over 1.5 times the calm rate (the flame-up detector's
// above_baseline() with a calm baseline).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
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
  int counts = 0;                        // reply_counts (0: texts every `replies`)
  int quotes = 0;                        // 0: no quotes job
  bool search_sized = false;             // search rounds sized to a quarter of the budget left
};

struct Scenario {
  const char* name;
  int days;
  // Replies and quotes arriving in minute `m` (per account).
  double (*replies_per_minute)(int m);
  double own_posts_per_day;
  double (*quotes_per_minute)(int m);
  int flood_start = -1;  // the minute a flood begins, if any
};

constexpr double kCalmPerMinute = 5.0 / 1440.0;

double calm(int) {
  return kCalmPerMinute;
}
double flameup(int m) {
  return (m / 1440 == 14) ? 10000.0 / 1440.0 : kCalmPerMinute;
}
double typhoon(int) {
  return 200.0 / 1440.0;
}
double calm_quotes(int) {
  return 1.0 / 1440.0;
}
double flameup_quotes(int m) {
  return (m / 1440 == 14) ? 2000.0 / 1440.0 : 1.0 / 1440.0;
}
double typhoon_quotes(int) {
  return 20.0 / 1440.0;
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
  int detect_delay_min = -1;   // flood start -> first read of its texts
  int sampled_after_min = -1;  // flood start -> the count that turned the texts to a sample
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
  std::vector<double> window(static_cast<std::size_t>(accounts), 0.0);  // replies since a count
  std::vector<bool> surging(static_cast<std::size_t>(accounts), false);
  std::vector<std::deque<double>> quotes_day(static_cast<std::size_t>(accounts));
  int next_search = 0;
  double quote_carry = 0;
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
    const int level = meter.degradation_level("x", now);
    for (int a = 0; a < accounts; ++a) {
      const auto i = static_cast<std::size_t>(a);
      bool sample_now = false;
      if (iv.counts > 0) {
        if (m % iv.counts == 0 &&
            send("tweets/counts/recent", "/2/tweets/counts/recent?granularity=minute",
                 "{\"data\":[],\"meta\":{\"total_tweet_count\":0}}", now)) {
          surging[i] = window[i] >= 8 && window[i] > 1.5 * kCalmPerMinute * iv.counts;
          if (surging[i] && s.flood_start >= 0 && m >= s.flood_start && r.sampled_after_min < 0)
            r.sampled_after_min = m - s.flood_start;
          sample_now = surging[i];
          window[i] = 0;
        }
        // This minute is counted once it is over (X counts up to 30 s ago).
        window[i] += s.replies_per_minute(m);
      }
      // Texts every `replies` (all pages); with counts, while the count is high only one page
      // (the newest 100) after each count, and none at level 3.
      const bool read = iv.counts > 0
                            ? ((!surging[i] && m % iv.replies == 0) || sample_now) && level < 3
                            : m % iv.replies == 0;
      if (!read) continue;
      double& p = pending[i];
      bool all = true;
      do {
        const int n = std::min(100, static_cast<int>(p));
        if (!send("users/:id/mentions", "/2/users/1/mentions?max_results=100",
                  page_body(n, n, n > 0 ? 1 : 0), now)) {
          all = false;
          break;
        }
        p -= n;
        if (sample_now) {  // the rest is skipped: since_id moves to the newest
          r.unread += std::floor(p);
          p -= std::floor(p);
        }
      } while (p >= 1);
      if (all && s.flood_start >= 0 && m > s.flood_start && r.detect_delay_min < 0)
        r.detect_delay_min = m - s.flood_start;
      if (all && oldest[i] >= 0) {
        r.max_delay_min = std::max(r.max_delay_min, static_cast<double>(m - oldest[i]));
        oldest[i] = -1;
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
    if (m >= next_search && due("search", m, iv.search)) {
      for (int q = 0; q < 8; ++q)
        send("users/search", "/2/users/search?query=q&max_results=100", page_body(10, 0, 0), now);
      send("users/by", "/2/users/by?usernames=a,b,c", page_body(1, 0, 0), now);
      if (iv.search_sized) {
        next_search = m + static_cast<int>(meter.search_spacing("x", 9, 0.2, now).count() / 60);
      }
    }
    // Quotes of the own posts of the last day: the newest 10 of each, every `quotes`.
    for (int a = 0; a < accounts; ++a)
      quotes_day[static_cast<std::size_t>(a)].push_back(s.quotes_per_minute(m));
    if (iv.quotes > 0 && m % iv.quotes == 0 && level < 3) {
      const int posts = std::max(1, static_cast<int>(std::lround(s.own_posts_per_day)));
      for (int a = 0; a < accounts; ++a) {
        auto& q = quotes_day[static_cast<std::size_t>(a)];
        while (q.size() > 1440) q.pop_front();
        double in_day = 0;
        for (double x : q) in_day += x;
        // Each of the day's posts answers with its newest quotes (at most 10); fractions of a
        // quote are carried over so that the expected number is charged.
        for (int p = 0; p < posts; ++p) {
          quote_carry += std::min(10.0, in_day / posts);
          const int n = static_cast<int>(quote_carry);
          quote_carry -= n;
          send("tweets/:id/quote_tweets", "/2/tweets/1/quote_tweets?max_results=10",
               page_body(n, n, n > 0 ? 1 : 0), now);
        }
      }
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
  const Intervals before{"before (profiles 5m, posts 2m, replies 1m, search 10m)", 5, 2, 1, 10};
  const Intervals s5{"session 5 advice (profiles 1h, posts 2m, replies 1m, search 1d)", 60, 2, 1,
                     1440};
  std::vector<Intervals> configs = {before, s5};
  static std::vector<std::string> names;
  names.reserve(8);
  // {profiles, search (minutes), counts, quotes}; replies 1m and posts 2m throughout.
  const int variants[][4] = {{360, 1440, 15, 360}, {360, 10080, 60, 360}, {1440, 10080, 60, 1440}};
  for (const auto& v : variants) {
    auto span = [](int minutes) {
      return minutes % 1440 == 0 ? std::to_string(minutes / 1440) + "d"
             : minutes % 60 == 0 ? std::to_string(minutes / 60) + "h"
                                 : std::to_string(minutes) + "m";
    };
    names.push_back("counts " + span(v[2]) + ", quotes " + span(v[3]) + ", profiles " + span(v[0]) +
                    ", search " + span(v[1]) + " (sized), replies 1m, posts 2m");
    configs.push_back(Intervals{names.back().c_str(), v[0], 2, 1, v[1], v[2], v[3], true});
  }
  const Scenario scenarios[] = {
      {"calm month", 30, calm, 3, calm_quotes, -1},
      {"flame-up month (10,000 replies on day 15)", 30, flameup, 3, flameup_quotes, 14 * 1440},
      {"typhoon week (200 replies, 30 posts a day)", 7, typhoon, 30, typhoon_quotes, -1}};
  std::printf("X API spend, %d X account(s); prices read %s; budget $%.2f a month (0: none)\n",
              accounts, std::string(mamori::collectors::kPricesReadOn).c_str(), budget);
  std::printf(
      "assumptions: calm replies 5/day, own posts 3/day, quotes 1/day, search 8 queries x 10 "
      "users + 1 look-alike found, no same-day deduplication\n\n");
  for (const Intervals& iv : configs) {
    for (double b : {0.0, budget}) {
      std::printf("%s, budget %s\n", iv.name,
                  b > 0 ? ("$" + std::to_string(static_cast<int>(b))).c_str() : "none");
      std::printf("  %-44s %8s %7s %8s %7s %7s %7s %8s %7s %7s %7s %7s\n", "scenario", "mentions",
                  "tweets", "users/by", "search", "counts", "quotes", "total", "refused", "seen in",
                  "sampled", "unread");
      for (const Scenario& s : scenarios) {
        const Result r = run(s, iv, accounts, b);
        auto get = [&](const char* j) {
          auto it = r.by_job.find(j);
          return it == r.by_job.end() ? 0.0 : it->second;
        };
        const std::string seen =
            r.detect_delay_min < 0 ? "-" : std::to_string(r.detect_delay_min) + " m";
        const std::string sampled =
            r.sampled_after_min < 0 ? "-" : std::to_string(r.sampled_after_min) + " m";
        std::printf("  %-44s %8.2f %7.2f %8.2f %7.2f %7.2f %7.2f %8.2f %7ld %7s %7s %7.0f\n",
                    s.name, get("users/:id/mentions"), get("users/:id/tweets"), get("users/by"),
                    get("users/search"), get("tweets/counts/recent"),
                    get("tweets/:id/quote_tweets"), r.total, r.refused, seen.c_str(),
                    sampled.c_str(), r.unread);
      }
      std::printf("\n");
    }
  }
  return 0;
}
