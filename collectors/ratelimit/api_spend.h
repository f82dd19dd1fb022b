// What the platforms charge for what mamori reads, and a monthly budget that is never passed.
//
//  * PriceTable: per platform and endpoint (the collectors' endpoint names, parse_result.cpp),
//    a price per request, per resource returned (`data` entries), per included user and per
//    included post (`includes.users`, `includes.tweets`), and quota units per request (YouTube).
//    Defaults are the platforms' published prices on the date in kPricesReadOn; [api_spend] in
//    the configuration overrides them entry by entry.
//  * price_response(): one answer's cost, from what it returned. Only 2xx answers cost anything.
//  * SpendMeter: month-to-date spend per (platform, job) in the current UTC month, restored from
//    the database at start (until then a platform with a budget is not spent on), a projection to
//    the month's end, and the budget check the GovernedHttpClient asks before every request:
//    a request whose worst-case cost (the resources its URL asks for at most) would take the
//    month past the budget is refused, so the budget is never crossed.
//  * Degradation: as the projection nears the budget, polling thins out in a fixed order
//    (degradation_level(); the poller applies it): 1 fewer look-alike search rounds, 2 profile
//    checks less often, 3 search stopped and profiles rarer still — replies and mentions keep
//    their interval to the end.
// Pure logic over injected time; no I/O. All calls come from the event loop's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/platform.h"

namespace mamori::collectors {

// When and where the default prices were read (docs/metrics.md, docs/ja/operations.md).
inline constexpr std::string_view kPricesReadOn = "2026-12-06";
inline constexpr std::string_view kPricesSource =
    "https://docs.x.com/x-api/getting-started/pricing (X); YouTube Data API quota costs "
    "(developers.google.com/youtube/v3/determine_quota_cost); Bluesky, Mastodon, Meta: free";

struct Price {
  double usd_per_request = 0.0;
  double usd_per_resource = 0.0;       // each entry of `data`
  double usd_per_included_user = 0.0;  // each entry of `includes.users`
  double usd_per_included_post = 0.0;  // each entry of `includes.tweets`
  std::int64_t units_per_request = 0;  // quota units (YouTube)
};

class PriceTable {
 public:
  // The published prices (see kPricesReadOn).
  static PriceTable defaults();
  void set(std::string platform, std::string endpoint, Price price);
  // nullptr: the endpoint is free.
  const Price* find(std::string_view platform, std::string_view endpoint) const;
  const std::map<std::string, Price, std::less<>>& entries() const { return prices_; }

 private:
  std::map<std::string, Price, std::less<>> prices_;  // "platform\x1fendpoint"
};

struct ResourceCount {
  std::int64_t data = 0;  // entries of `data` (an object counts 1), or `items` (YouTube)
  std::int64_t included_users = 0;
  std::int64_t included_posts = 0;
};

// What a response body returned. Never throws; a body that is not JSON returns nothing.
ResourceCount count_resources(std::string_view body);

struct Cost {
  double usd = 0.0;
  std::int64_t units = 0;
  std::int64_t resources = 0;
};

// What one answer costs: `status` 2xx only.
Cost price_response(const Price& price, int status, std::string_view body);

// The most a request to `url` can cost: max_results (or the number of `usernames`/`ids`, or 1)
// resources, each with its included user and post.
Cost worst_case(const Price& price, std::string_view url);

// "2026-12" for a time in December 2026 (UTC).
std::string month_of(model::TimePoint t);
// Fraction of the UTC month that has passed at `t`, in (0, 1].
double month_elapsed(model::TimePoint t);

struct JobSpend {
  double usd = 0.0;
  std::int64_t units = 0;
  std::int64_t requests = 0;
  std::int64_t resources = 0;
};

class SpendMeter {
 public:
  // Called at each priced answer (for the counters).
  using Observer = std::function<void(std::string_view platform, std::string_view job, Cost)>;

  explicit SpendMeter(PriceTable prices = PriceTable::defaults());

  // Monthly budgets in USD per platform ("x"); absent or <= 0: no budget.
  void set_budget(std::string platform, double usd);
  std::optional<double> budget(std::string_view platform) const;
  void set_prices(PriceTable prices) { prices_ = std::move(prices); }
  const PriceTable& prices() const { return prices_; }
  void on_cost(Observer observer) { observer_ = std::move(observer); }

  // Adds what the database held for `month` (before this process spent anything, or on top of
  // it). After restored(), the meter's totals are the month's and budgets may be spent on.
  void restore(const std::string& month, const std::string& platform, const std::string& job,
               const JobSpend& spend);
  void mark_restored() { restored_ = true; }
  bool is_restored() const { return restored_; }

  // May this request go out at `now`? A reason when not ("budget" or "not_restored").
  std::optional<std::string> refusal(std::string_view platform, std::string_view endpoint,
                                     std::string_view url, model::TimePoint now);
  // An answer arrived: its cost is added to (platform, endpoint).
  Cost record(std::string_view platform, std::string_view endpoint, int status,
              std::string_view body, model::TimePoint now);

  // This month's totals.
  double month_to_date(std::string_view platform, model::TimePoint now);
  std::int64_t units_month_to_date(std::string_view platform, model::TimePoint now);
  // Month-to-date extrapolated to the month's end (at least the month-to-date).
  double projection(std::string_view platform, model::TimePoint now);
  // 0 normal; 1 projection >= 80% of the budget: search rounds every 4th interval; 2 projection
  // >= budget: profiles every 4th interval too; 3 projection >= 150% of the budget or
  // month-to-date >= 90% of it: search stopped, profiles every 16th interval, and where the reply
  // rate comes from counts, only the counts go on (reply texts and quotes stop). Replies of an
  // account without counts keep their interval.
  int degradation_level(std::string_view platform, model::TimePoint now);
  // Look-alike search rounds sized to the budget: the least time between two search rounds of
  // `platform`, each `round_requests` requests, so that search spends at most `share` of what is
  // left of the budget over what is left of the month. A request's cost is this month's average
  // account search (before any, the price of 10 users found). Zero without a budget; at most 7
  // days.
  std::chrono::seconds search_spacing(std::string_view platform, std::size_t round_requests,
                                      double share, model::TimePoint now);
  // The interval multiplier for a poller job ("search", "profiles", "posts", "replies") at
  // `level`; 0 means "do not run".
  static int interval_factor(int level, std::string_view job);

  const std::string& month() const { return month_; }
  // (platform, job) -> this month's spend.
  const std::map<std::pair<std::string, std::string>, JobSpend>& jobs() const { return jobs_; }
  // Platforms with any spend or a budget.
  std::map<std::string, double> platforms() const;

 private:
  void roll(model::TimePoint now);

  PriceTable prices_;
  std::map<std::string, double, std::less<>> budgets_;
  Observer observer_;
  bool restored_ = false;
  std::string month_;
  std::map<std::pair<std::string, std::string>, JobSpend> jobs_;
};

}  // namespace mamori::collectors
