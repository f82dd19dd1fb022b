#include "collectors/ratelimit/api_spend.h"

#include <gtest/gtest.h>

#include <chrono>

#include "collectors/ratelimit/rate_limit_headers.h"

namespace mamori::collectors {
namespace {

model::TimePoint at(const char* iso) {
  return *parse_iso8601(iso);
}

// A users/:id/mentions answer as X sends it: two posts, their authors and a quoted post.
constexpr const char* kMentions = R"({
  "data": [
    {"id": "1860000000000000001", "text": "@soma_city_pr 道路が冠水しています", "author_id": "11"},
    {"id": "1860000000000000002", "text": "@soma_city_pr ありがとうございます", "author_id": "12",
     "referenced_tweets": [{"type": "quoted", "id": "1859999999999999999"}]}
  ],
  "includes": {
    "users": [{"id": "11", "username": "a"}, {"id": "12", "username": "b"}],
    "tweets": [{"id": "1859999999999999999", "text": "本日の給水所", "author_id": "10"}]
  },
  "meta": {"result_count": 2, "newest_id": "1860000000000000002"}
})";

TEST(ApiSpend, PricesWhatTheAnswerReturned) {
  const PriceTable t = PriceTable::defaults();
  const Price* p = t.find("x", "users/:id/mentions");
  ASSERT_NE(p, nullptr);
  const Cost c = price_response(*p, 200, kMentions);
  EXPECT_EQ(c.resources, 5);
  // 2 posts at $0.005, 2 users at $0.010, 1 included post at $0.005.
  EXPECT_NEAR(c.usd, 0.035, 1e-9);
  EXPECT_EQ(price_response(*p, 429, kMentions).usd, 0.0);
  EXPECT_EQ(price_response(*p, 200, "not json").usd, 0.0);
  EXPECT_EQ(price_response(*p, 200, R"({"meta":{"result_count":0}})").usd, 0.0);
}

TEST(ApiSpend, UserReadsAndYoutubeUnits) {
  const PriceTable t = PriceTable::defaults();
  const Cost one = price_response(*t.find("x", "users/by/username/:username"), 200,
                                  R"({"data":{"id":"1","username":"soma_city_pr"}})");
  EXPECT_NEAR(one.usd, 0.010, 1e-9);
  const Cost search = price_response(*t.find("youtube", "search.list"), 200, R"({"items":[]})");
  EXPECT_EQ(search.units, 100);
  EXPECT_EQ(search.usd, 0.0);
  EXPECT_EQ(t.find("bluesky", "app.bsky.actor.getProfiles"), nullptr);
}

TEST(ApiSpend, WorstCaseReadsTheUrl) {
  const Price* p = PriceTable::defaults().find("x", "users/search");
  EXPECT_NEAR(worst_case(*p, "https://api.x.com/2/users/search?query=soma&max_results=100").usd,
              1.0, 1e-9);
  EXPECT_NEAR(worst_case(*p, "https://api.x.com/2/users/by?usernames=a%2Cb%2Cc&user.fields=x").usd,
              0.03, 1e-9);
  EXPECT_NEAR(worst_case(*p, "https://api.x.com/2/users/by/username/a").usd, 0.01, 1e-9);
}

TEST(ApiSpend, MonthArithmetic) {
  EXPECT_EQ(month_of(at("2026-12-31T23:59:59Z")), "2026-12");
  EXPECT_EQ(month_of(at("2027-01-01T00:00:00Z")), "2027-01");
  EXPECT_NEAR(month_elapsed(at("2026-11-16T00:00:00Z")), 0.5, 1e-9);
}

TEST(ApiSpend, BudgetIsNeverPassedAndWaitsForTheRestore) {
  SpendMeter m;
  m.set_budget("x", 1.00);
  const auto now = at("2026-12-10T00:00:00Z");
  const char* url = "https://api.x.com/2/users/by/username/a";
  EXPECT_EQ(m.refusal("x", "users/by/username/:username", url, now), "not_restored");
  EXPECT_EQ(m.refusal("bluesky", "app.bsky.actor.getProfile", url, now), std::nullopt);
  m.restore("2026-12", "x", "users/by/username/:username", JobSpend{0.985, 0, 98, 98});
  m.restore("2026-11", "x", "users/by/username/:username", JobSpend{50.0, 0, 1, 1});  // old
  m.mark_restored();
  EXPECT_NEAR(m.month_to_date("x", now), 0.985, 1e-9);
  EXPECT_EQ(m.refusal("x", "users/by/username/:username", url, now), std::nullopt);
  m.record("x", "users/by/username/:username", 200, R"({"data":{"id":"1"}})", now);
  EXPECT_NEAR(m.month_to_date("x", now), 0.995, 1e-9);
  EXPECT_EQ(m.refusal("x", "users/by/username/:username", url, now), "budget");
  EXPECT_EQ(m.degradation_level("x", now), 3);
  // A new month starts from nothing.
  const auto next = at("2027-01-01T00:00:01Z");
  EXPECT_EQ(m.month_to_date("x", next), 0.0);
  EXPECT_EQ(m.refusal("x", "users/by/username/:username", url, next), std::nullopt);
}

TEST(ApiSpend, DegradesInTheDocumentedOrder) {
  SpendMeter m;
  m.mark_restored();
  m.set_budget("x", 100.0);
  const auto day10 = at("2026-12-11T00:00:00Z");  // a third of the month
  EXPECT_EQ(m.degradation_level("x", day10), 0);
  m.restore("2026-12", "x", "users/search", JobSpend{27.0, 0, 1, 1});  // projects to ~84
  EXPECT_EQ(m.degradation_level("x", day10), 1);
  EXPECT_EQ(SpendMeter::interval_factor(1, "search"), 4);
  EXPECT_EQ(SpendMeter::interval_factor(1, "profiles"), 1);
  m.restore("2026-12", "x", "users/by", JobSpend{8.0, 0, 1, 1});  // ~109
  EXPECT_EQ(m.degradation_level("x", day10), 2);
  EXPECT_EQ(SpendMeter::interval_factor(2, "profiles"), 4);
  m.restore("2026-12", "x", "users/by", JobSpend{15.0, 0, 1, 1});  // ~155
  EXPECT_EQ(m.degradation_level("x", day10), 3);
  EXPECT_EQ(SpendMeter::interval_factor(3, "search"), 0);
  EXPECT_EQ(SpendMeter::interval_factor(3, "replies"), 1);
  // Where the reply rate comes from counts, only the counts go on at the last level.
  EXPECT_EQ(SpendMeter::interval_factor(2, "reply_texts"), 1);
  EXPECT_EQ(SpendMeter::interval_factor(3, "reply_texts"), 0);
  EXPECT_EQ(SpendMeter::interval_factor(3, "quotes"), 0);
  EXPECT_EQ(m.degradation_level("bluesky", day10), 0);
}

TEST(ApiSpend, SearchRoundsAreSizedToWhatIsLeftOfTheBudget) {
  SpendMeter m;
  m.mark_restored();
  const auto mid = at("2026-12-16T12:00:00Z");  // half of December left (15.5 days)
  EXPECT_EQ(m.search_spacing("x", 9, 0.25, mid), std::chrono::seconds(0));  // no budget
  m.set_budget("x", 20.0);
  // Nothing spent yet: a round of 9 requests is priced at 10 users each ($0.90); a quarter of
  // $20 buys 5.5 rounds in the 15.5 days left: one every ~2.8 days.
  const auto first = m.search_spacing("x", 9, 0.25, mid);
  EXPECT_NEAR(static_cast<double>(first.count()) / 86400.0, 15.5 * 0.9 / 5.0, 0.1);
  // This month's own average ($0.05 a request) replaces the guess: rounds come more often.
  m.restore("2026-12", "x", "users/search", JobSpend{0.5, 0, 10, 5});
  EXPECT_LT(m.search_spacing("x", 9, 0.25, mid), first);
  // Nothing left: at most a week.
  m.restore("2026-12", "x", "users/by", JobSpend{19.6, 0, 1, 1});
  EXPECT_EQ(m.search_spacing("x", 9, 0.25, mid), std::chrono::seconds(7 * 86400));
}

}  // namespace
}  // namespace mamori::collectors
