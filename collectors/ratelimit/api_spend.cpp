#include "collectors/ratelimit/api_spend.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace mamori::collectors {
namespace {

std::string key_of(std::string_view platform, std::string_view endpoint) {
  std::string k(platform);
  k.push_back('\x1f');
  k += endpoint;
  return k;
}

std::int64_t array_or_object_count(simdjson::dom::element e) {
  if (e.is_array()) return static_cast<std::int64_t>(simdjson::dom::array(e).size());
  if (e.is_object()) return 1;
  return 0;
}

// The value of `name=` in the query of `url`, or empty.
std::string_view query_value(std::string_view url, std::string_view name) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = url.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

std::int64_t list_length(std::string_view value) {
  if (value.empty()) return 0;
  std::int64_t n = 1;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == ',') ++n;
    if (value[i] == '%' && i + 2 < value.size() && value[i + 1] == '2' &&
        (value[i + 2] == 'C' || value[i + 2] == 'c'))
      ++n;
  }
  return n;
}

}  // namespace

PriceTable PriceTable::defaults() {
  PriceTable t;
  // X API pay-per-use, docs.x.com "pricing" read on kPricesReadOn: Posts: Read $0.005 and
  // User: Read $0.010 per resource returned; Counts: Recent $0.005 per request. Included users
  // and posts (expansions) are resources returned too, priced as such (X deduplicates a resource
  // read twice in one UTC day; the meter does not, so it errs on the high side).
  const Price user_read{0.0, 0.010, 0.0, 0.0, 0};
  const Price post_read{0.0, 0.005, 0.010, 0.005, 0};
  for (const char* e : {"users/by/username/:username", "users/by", "users/search"})
    t.set("x", e, user_read);
  for (const char* e : {"users/:id/tweets", "users/:id/mentions", "tweets/search/recent",
                        "tweets/:id/quote_tweets"})
    t.set("x", e, post_read);
  t.set("x", "tweets/counts/recent", Price{0.005, 0.0, 0.0, 0.0, 0});
  // YouTube Data API: no money, a daily quota of units; search.list costs 100, list calls 1.
  for (const char* e :
       {"channels.list", "playlistItems.list", "commentThreads.list", "comments.list"})
    t.set("youtube", e, Price{0.0, 0.0, 0.0, 0.0, 1});
  t.set("youtube", "search.list", Price{0.0, 0.0, 0.0, 0.0, 100});
  // Meta's Graph API charges nothing per call and limits the calls (X-App-Usage, X-Page-Usage):
  // its endpoints are priced at zero so the meter still counts the requests per endpoint.
  for (const char* e : {"/{page-id}", "/{page-id}/feed", "/{post-id}/comments",
                        "/{comment-id}/comments", "/{page-id}/tagged", "/pages/search"})
    t.set("facebook", e, Price{});
  for (const char* e :
       {"/{ig-user-id}", "/{ig-user-id}/media", "/{ig-user-id}/tags", "/{ig-media-id}/comments",
        "/{ig-comment-id}/replies", "business_discovery"})
    t.set("instagram", e, Price{});
  return t;
}

void PriceTable::set(std::string platform, std::string endpoint, Price price) {
  prices_[key_of(platform, endpoint)] = price;
}

const Price* PriceTable::find(std::string_view platform, std::string_view endpoint) const {
  auto it = prices_.find(key_of(platform, endpoint));
  return it == prices_.end() ? nullptr : &it->second;
}

ResourceCount count_resources(std::string_view body) {
  ResourceCount out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) return out;
  if (!root.is_object()) return out;
  simdjson::dom::element e;
  if (root["data"].get(e) == simdjson::SUCCESS) {
    out.data = array_or_object_count(e);
  } else if (root["items"].get(e) == simdjson::SUCCESS) {
    out.data = array_or_object_count(e);
  }
  simdjson::dom::element includes;
  if (root["includes"].get(includes) == simdjson::SUCCESS && includes.is_object()) {
    if (includes["users"].get(e) == simdjson::SUCCESS)
      out.included_users = array_or_object_count(e);
    if (includes["tweets"].get(e) == simdjson::SUCCESS)
      out.included_posts = array_or_object_count(e);
  }
  return out;
}

Cost price_response(const Price& price, int status, std::string_view body) {
  Cost c;
  if (status < 200 || status > 299) return c;
  c.units = price.units_per_request;
  c.usd = price.usd_per_request;
  if (price.usd_per_resource > 0 || price.usd_per_included_user > 0 ||
      price.usd_per_included_post > 0) {
    const ResourceCount n = count_resources(body);
    c.resources = n.data + n.included_users + n.included_posts;
    c.usd += price.usd_per_resource * static_cast<double>(n.data) +
             price.usd_per_included_user * static_cast<double>(n.included_users) +
             price.usd_per_included_post * static_cast<double>(n.included_posts);
  }
  return c;
}

Cost worst_case(const Price& price, std::string_view url) {
  std::int64_t n = 1;
  const std::string_view max = query_value(url, "max_results");
  if (!max.empty()) {
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(max.data(), max.data() + max.size(), v);
    if (ec == std::errc() && v > 0) n = std::min<std::int64_t>(v, 1000);
  }
  for (const char* list : {"usernames", "ids"}) {
    n = std::max(n, list_length(query_value(url, list)));
  }
  Cost c;
  c.units = price.units_per_request;
  c.resources = n;
  c.usd = price.usd_per_request +
          static_cast<double>(n) *
              (price.usd_per_resource + price.usd_per_included_user + price.usd_per_included_post);
  return c;
}

std::string month_of(model::TimePoint t) {
  const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(t)};
  char buf[16];
  const int y = static_cast<int>(d.year());
  const unsigned m = static_cast<unsigned>(d.month());
  buf[0] = static_cast<char>('0' + (y / 1000) % 10);
  buf[1] = static_cast<char>('0' + (y / 100) % 10);
  buf[2] = static_cast<char>('0' + (y / 10) % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + m / 10);
  buf[6] = static_cast<char>('0' + m % 10);
  return std::string(buf, 7);
}

double month_elapsed(model::TimePoint t) {
  using namespace std::chrono;
  const year_month_day d{floor<days>(t)};
  const sys_days first{d.year() / d.month() / 1};
  const sys_days next{(d.year() / d.month() + months{1}) / 1};
  const double total = duration<double>(next - first).count();
  const double passed = duration<double>(t - time_point_cast<milliseconds>(first)).count();
  return std::clamp(passed / total, 1e-6, 1.0);
}

SpendMeter::SpendMeter(PriceTable prices) : prices_(std::move(prices)) {}

void SpendMeter::set_budget(std::string platform, double usd) {
  if (usd > 0)
    budgets_[std::move(platform)] = usd;
  else
    budgets_.erase(platform);
}

std::optional<double> SpendMeter::budget(std::string_view platform) const {
  auto it = budgets_.find(platform);
  if (it == budgets_.end()) return std::nullopt;
  return it->second;
}

void SpendMeter::roll(model::TimePoint now) {
  std::string m = month_of(now);
  if (m != month_) {
    month_ = std::move(m);
    jobs_.clear();
  }
}

void SpendMeter::restore(const std::string& month, const std::string& platform,
                         const std::string& job, const JobSpend& spend) {
  if (month_.empty()) month_ = month;
  if (month != month_) return;  // another month's row
  JobSpend& j = jobs_[{platform, job}];
  j.usd += spend.usd;
  j.units += spend.units;
  j.requests += spend.requests;
  j.resources += spend.resources;
}

std::optional<std::string> SpendMeter::refusal(std::string_view platform, std::string_view endpoint,
                                               std::string_view url, model::TimePoint now) {
  const auto b = budget(platform);
  if (!b) return std::nullopt;
  const Price* price = prices_.find(platform, endpoint);
  if (price == nullptr) return std::nullopt;  // free
  if (!restored_) return std::string("not_restored");
  const Cost worst = worst_case(*price, url);
  if (worst.usd > 0 && month_to_date(platform, now) + worst.usd > *b) return std::string("budget");
  return std::nullopt;
}

Cost SpendMeter::record(std::string_view platform, std::string_view endpoint, int status,
                        std::string_view body, model::TimePoint now) {
  roll(now);
  const Price* price = prices_.find(platform, endpoint);
  if (price == nullptr) return {};
  const Cost c = price_response(*price, status, body);
  if (status < 200 || status > 299) return c;
  JobSpend& j = jobs_[{std::string(platform), std::string(endpoint)}];
  j.usd += c.usd;
  j.units += c.units;
  j.resources += c.resources;
  ++j.requests;
  if (observer_) observer_(platform, endpoint, c);
  return c;
}

double SpendMeter::month_to_date(std::string_view platform, model::TimePoint now) {
  roll(now);
  double sum = 0;
  for (const auto& [key, j] : jobs_) {
    if (key.first == platform) sum += j.usd;
  }
  return sum;
}

std::int64_t SpendMeter::units_month_to_date(std::string_view platform, model::TimePoint now) {
  roll(now);
  std::int64_t sum = 0;
  for (const auto& [key, j] : jobs_) {
    if (key.first == platform) sum += j.units;
  }
  return sum;
}

double SpendMeter::projection(std::string_view platform, model::TimePoint now) {
  const double mtd = month_to_date(platform, now);
  // Less than a day into the month says little: extrapolate from at least one day.
  const double elapsed = std::max(month_elapsed(now), 1.0 / 31.0);
  return std::max(mtd, mtd / elapsed);
}

int SpendMeter::degradation_level(std::string_view platform, model::TimePoint now) {
  const auto b = budget(platform);
  if (!b) return 0;
  const double mtd = month_to_date(platform, now);
  const double projected = projection(platform, now);
  if (mtd >= 0.9 * *b || projected >= 1.5 * *b) return 3;
  if (projected >= *b) return 2;
  if (projected >= 0.8 * *b) return 1;
  return 0;
}

std::chrono::seconds SpendMeter::search_spacing(std::string_view platform,
                                                std::size_t round_requests, double share,
                                                model::TimePoint now) {
  const auto b = budget(platform);
  if (!b || round_requests == 0 || share <= 0) return std::chrono::seconds(0);
  constexpr std::chrono::seconds kMax{7 * 86400};
  double usd = 0;
  std::int64_t requests = 0;
  for (const auto& [key, j] : jobs_) {
    if (key.first != platform) continue;
    if (key.second == "users/search") {
      usd += j.usd;
      requests += j.requests;
    }
  }
  double per_request = requests > 0 ? usd / static_cast<double>(requests) : 0.0;
  if (requests == 0) {
    if (const Price* p = prices_.find(platform, "users/search"))
      per_request = p->usd_per_request + 10 * p->usd_per_resource;
  }
  const double round_cost = per_request * static_cast<double>(round_requests);
  if (round_cost <= 0) return std::chrono::seconds(0);
  const double left = (*b - month_to_date(platform, now)) * share;
  if (left <= round_cost) return kMax;
  const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(now)};
  const std::chrono::sys_days next_month{(d.year() / d.month() + std::chrono::months{1}) / 1};
  const double month_left_s = std::chrono::duration<double>(next_month - now).count();
  const double rounds = left / round_cost;
  const auto spacing = std::chrono::seconds(static_cast<std::int64_t>(month_left_s / rounds));
  return std::min(spacing, kMax);
}

int SpendMeter::interval_factor(int level, std::string_view job) {
  if (job == "reply_texts" || job == "quotes") {
    if (level >= 3) return 0;
  }
  if (job == "search") {
    if (level >= 3) return 0;
    if (level >= 1) return 4;
  }
  if (job == "profiles") {
    if (level >= 3) return 16;
    if (level >= 2) return 4;
  }
  return 1;
}

std::map<std::string, double> SpendMeter::platforms() const {
  std::map<std::string, double> out;
  for (const auto& [p, b] : budgets_) out[p] += 0;
  for (const auto& [key, j] : jobs_) out[key.first] += j.usd;
  return out;
}

}  // namespace mamori::collectors
