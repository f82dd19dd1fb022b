#include "collectors/ratelimit/rate_limit_headers.h"

#include <gtest/gtest.h>

namespace mamori::collectors {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

model::TimePoint unix_s(std::int64_t s) {
  return model::TimePoint(std::chrono::seconds(s));
}
const model::TimePoint kNow = unix_s(1718000000);

TEST(RateLimitHeaders, ReadsX) {
  const Headers h = {{"x-rate-limit-limit", "900"},
                     {"x-rate-limit-remaining", "847"},
                     {"x-rate-limit-reset", "1718000900"}};
  const auto info = parse_rate_limit_headers(model::Platform::x, h, kNow);
  EXPECT_EQ(info.limit, 900);
  EXPECT_EQ(info.remaining, 847);
  EXPECT_EQ(info.reset, unix_s(1718000900));
  EXPECT_FALSE(info.retry_after.has_value());
}

TEST(RateLimitHeaders, XTwentyFourHourWindowWinsWhenTighter) {
  const Headers h = {
      {"x-rate-limit-limit", "900"},         {"x-rate-limit-remaining", "800"},
      {"x-rate-limit-reset", "1718000900"},  {"x-app-limit-24hour-limit", "17"},
      {"x-app-limit-24hour-remaining", "0"}, {"x-app-limit-24hour-reset", "1718050000"}};
  const auto info = parse_rate_limit_headers(model::Platform::x, h, kNow);
  EXPECT_EQ(info.remaining, 0);
  EXPECT_EQ(info.limit, 17);
  EXPECT_EQ(info.reset, unix_s(1718050000));
}

TEST(RateLimitHeaders, ReadsBlueskyWithPolicy) {
  const Headers h = {{"ratelimit-limit", "3000"},
                     {"ratelimit-remaining", "2999"},
                     {"ratelimit-reset", "1718000300"},
                     {"ratelimit-policy", "3000;w=300"}};
  const auto info = parse_rate_limit_headers(model::Platform::bluesky, h, kNow);
  EXPECT_EQ(info.limit, 3000);
  EXPECT_EQ(info.remaining, 2999);
  EXPECT_EQ(info.reset, unix_s(1718000300));
  EXPECT_EQ(info.window, std::chrono::seconds(300));
}

TEST(RateLimitHeaders, ReadsMastodonIsoReset) {
  const Headers h = {{"x-ratelimit-limit", "300"},
                     {"x-ratelimit-remaining", "299"},
                     {"x-ratelimit-reset", "2024-06-10T06:18:20.019685Z"}};
  const auto info = parse_rate_limit_headers(model::Platform::mastodon, h, kNow);
  EXPECT_EQ(info.limit, 300);
  EXPECT_EQ(info.remaining, 299);
  ASSERT_TRUE(info.reset.has_value());
  EXPECT_EQ(*info.reset, unix_s(1718000300) + 19ms);
}

TEST(RateLimitHeaders, MissingHeadersAreUnknownNotExhausted) {
  const auto info = parse_rate_limit_headers(model::Platform::x,
                                             Headers{{"content-type", "application/json"}}, kNow);
  EXPECT_FALSE(info.has_quota());
  EXPECT_FALSE(info.limit.has_value());
  EXPECT_FALSE(info.reset.has_value());
}

TEST(RateLimitHeaders, GarbageValuesAreIgnored) {
  const Headers h = {{"x-rate-limit-limit", "lots"},
                     {"x-rate-limit-remaining", "-3"},
                     {"x-rate-limit-reset", "soon"}};
  const auto info = parse_rate_limit_headers(model::Platform::x, h, kNow);
  EXPECT_FALSE(info.limit.has_value());
  EXPECT_FALSE(info.remaining.has_value());
  EXPECT_FALSE(info.reset.has_value());
}

TEST(RateLimitHeaders, OtherPlatformsHeadersAreNotRead) {
  const Headers h = {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "2024-06-10T06:18:20Z"}};
  EXPECT_FALSE(parse_rate_limit_headers(model::Platform::x, h, kNow).has_quota());
  // Unknown platform: every dialect is tried.
  EXPECT_EQ(parse_rate_limit_headers(std::nullopt, h, kNow).remaining, 0);
}

TEST(RateLimitHeaders, RetryAfterSecondsAndDate) {
  auto info =
      parse_rate_limit_headers(model::Platform::mastodon, Headers{{"retry-after", "120"}}, kNow);
  EXPECT_EQ(info.retry_after, std::chrono::milliseconds(120000));
  // kNow is Mon, 10 Jun 2024 06:13:20 GMT.
  info = parse_rate_limit_headers(model::Platform::mastodon,
                                  Headers{{"retry-after", "Mon, 10 Jun 2024 06:14:20 GMT"}}, kNow);
  EXPECT_EQ(info.retry_after, std::chrono::milliseconds(60000));
  info = parse_rate_limit_headers(model::Platform::x,
                                  Headers{{"date", "Mon, 10 Jun 2024 06:13:10 GMT"}}, kNow);
  EXPECT_EQ(info.server_date, unix_s(1717999990));
}

TEST(Iso8601, AcceptsZonesAndFractions) {
  EXPECT_EQ(parse_iso8601("2024-06-10T06:13:20Z"), kNow);
  EXPECT_EQ(parse_iso8601("2024-06-10T06:13:20.5Z"), kNow + 500ms);
  EXPECT_EQ(parse_iso8601("2024-06-10T15:13:20+09:00"), kNow);
  EXPECT_EQ(parse_iso8601("2024-06-10T15:13:20+0900"), kNow);
  EXPECT_FALSE(parse_iso8601("2024-06-10T06:13:20").has_value());  // no zone
  EXPECT_FALSE(parse_iso8601("2024-13-10T06:13:20Z").has_value());
  EXPECT_FALSE(parse_iso8601("2024-02-30T06:13:20Z").has_value());
  EXPECT_FALSE(parse_iso8601("yesterday").has_value());
  EXPECT_FALSE(parse_iso8601("").has_value());
}

TEST(HttpDate, ParsesImfFixdateOnly) {
  EXPECT_EQ(parse_http_date("Mon, 10 Jun 2024 06:13:20 GMT"), kNow);
  EXPECT_FALSE(parse_http_date("Mon, 10 Foo 2024 06:13:20 GMT").has_value());
  EXPECT_FALSE(parse_http_date("Monday, 10-Jun-24 06:13:20 GMT").has_value());
}

TEST(UnixSeconds, RejectsImplausibleValues) {
  EXPECT_EQ(parse_unix_seconds("1718000000"), kNow);
  EXPECT_FALSE(parse_unix_seconds("42").has_value());
  EXPECT_FALSE(parse_unix_seconds("99999999999999").has_value());
  EXPECT_FALSE(parse_unix_seconds("1718000000.5").has_value());
}

TEST(PolicyWindow, ReadsTheWParameter) {
  EXPECT_EQ(parse_policy_window("3000;w=300"), std::chrono::seconds(300));
  EXPECT_EQ(parse_policy_window("100;w=60, 3000;w=300"), std::chrono::seconds(60));
  EXPECT_FALSE(parse_policy_window("3000").has_value());
  EXPECT_FALSE(parse_policy_window("3000;w=abc").has_value());
}

}  // namespace
}  // namespace mamori::collectors
