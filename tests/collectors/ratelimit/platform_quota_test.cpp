// Graph API usage headers, YouTube's daily quota and the governor's reading of them.
#include "collectors/ratelimit/platform_quota.h"

#include <gtest/gtest.h>

#include "collectors/common/iso_time.h"
#include "collectors/ratelimit/governor.h"

namespace mamori::collectors {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

model::TimePoint at(std::string_view iso) {
  return parse_datetime(iso).value();
}

// The Instagram answer's X-Business-Use-Case-Usage recorded by sns-sdks/python-facebook
// (testdata/instagram/headers.json, Apache-2.0).
const std::string kRecordedBusinessUsage =
    R"({"17841400455970028": [{"type": "instagram", "call_count": 12, "total_cputime": 29,)"
    R"( "total_time": 10, "estimated_time_to_regain_access": 0}]})";

TEST(GraphUsageHeaders, TheHighestPercentageIsWhatIsSpent) {
  const auto now = at("2024-05-20T12:00:00Z");
  const auto info =
      parse_graph_usage_headers({{"x-business-use-case-usage", kRecordedBusinessUsage}}, now);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->limit, 100);
  EXPECT_EQ(info->remaining, 71);  // total_cputime 29 %
  EXPECT_EQ(info->reset, now + 1h);

  const auto app = parse_graph_usage_headers(
      {{"x-app-usage", R"({"call_count":28,"total_time":25,"total_cputime":25})"},
       {"x-page-usage", R"({"call_count":104,"total_cputime":3,"total_time":3,)"
                        R"("estimated_time_to_regain_access":19})"}},
      now);
  ASSERT_TRUE(app.has_value());
  EXPECT_EQ(app->remaining, 0);
  EXPECT_EQ(app->reset, now + 19min);

  EXPECT_FALSE(parse_graph_usage_headers({{"x-rate-limit-remaining", "5"}}, now).has_value());
  EXPECT_FALSE(parse_graph_usage_headers({{"x-app-usage", "{\"call_count\": \"x\"}"}}, now));
}

TEST(GraphUsageHeaders, ReadThroughTheCommonHeaderParserForMetaPlatformsOnly) {
  const auto now = at("2024-05-20T12:00:00Z");
  const Headers h = {{"x-app-usage", R"({"call_count":60,"total_time":5,"total_cputime":5})"}};
  EXPECT_EQ(parse_rate_limit_headers(model::Platform::facebook, h, now).remaining, 40);
  EXPECT_EQ(parse_rate_limit_headers(model::Platform::instagram, h, now).remaining, 40);
  EXPECT_FALSE(parse_rate_limit_headers(model::Platform::x, h, now).remaining.has_value());
}

TEST(PacificMidnight, FollowsDaylightSavingTime) {
  EXPECT_EQ(next_pacific_midnight(at("2024-05-20T12:00:00Z")), at("2024-05-21T07:00:00Z"));
  EXPECT_EQ(next_pacific_midnight(at("2024-01-15T12:00:00Z")), at("2024-01-16T08:00:00Z"));
  EXPECT_EQ(next_pacific_midnight(at("2024-05-21T06:59:59Z")), at("2024-05-21T07:00:00Z"));
  EXPECT_EQ(next_pacific_midnight(at("2024-05-21T07:00:00Z")), at("2024-05-22T07:00:00Z"));
  // 2024-03-10 and 2024-11-03 are the change-over Sundays.
  EXPECT_EQ(next_pacific_midnight(at("2024-03-09T20:00:00Z")), at("2024-03-10T08:00:00Z"));
  EXPECT_EQ(next_pacific_midnight(at("2024-03-10T09:00:00Z")), at("2024-03-11T07:00:00Z"));
  EXPECT_EQ(next_pacific_midnight(at("2024-11-02T20:00:00Z")), at("2024-11-03T07:00:00Z"));
  EXPECT_EQ(next_pacific_midnight(at("2024-11-03T12:00:00Z")), at("2024-11-04T08:00:00Z"));
}

HttpResponse youtube_403(std::string reason) {
  HttpResponse r;
  r.outcome = HttpOutcome::ok;
  r.status = 403;
  r.body = R"({"error": {"code": 403, "message": "The request cannot be completed because you )"
           R"(have exceeded your quota.", "errors": [{"message": "The request cannot be )"
           R"(completed because you have exceeded your quota.", "domain": "youtube.quota", )"
           R"("reason": ")" +
           reason + R"("}]}})";
  return r;
}

TEST(DailyQuota, OnlyYoutubeQuotaReasonsCount) {
  const auto now = at("2024-05-20T12:00:00Z");
  EXPECT_EQ(daily_quota_renewal(model::Platform::youtube, youtube_403("quotaExceeded"), now),
            at("2024-05-21T07:00:00Z"));
  EXPECT_TRUE(
      daily_quota_renewal(model::Platform::youtube, youtube_403("dailyLimitExceeded"), now));
  EXPECT_FALSE(daily_quota_renewal(model::Platform::youtube, youtube_403("forbidden"), now));
  EXPECT_FALSE(daily_quota_renewal(model::Platform::x, youtube_403("quotaExceeded"), now));
  auto ok = youtube_403("quotaExceeded");
  ok.status = 200;
  EXPECT_FALSE(daily_quota_renewal(model::Platform::youtube, ok, now));
}

TEST(DailyQuota, TheGovernorHoldsTheWholeScopeUntilTheQuotaRenews) {
  RequestGovernor governor(GovernorPolicy{}, [] { return 0.0; });
  const auto now = at("2024-05-20T12:00:00Z");
  const std::string_view scope = "youtube project";
  ASSERT_EQ(governor.admit("youtube", "commentThreads.list", now, scope).kind, AdmitKind::go);
  governor.started("youtube", "commentThreads.list", now, scope);
  // The answer is handed back (it becomes an error observation), not retried.
  EXPECT_EQ(
      governor.finished("youtube", "commentThreads.list", youtube_403("quotaExceeded"), now, scope),
      AttemptVerdict::done);
  const auto later = now + 5min;
  const auto other = governor.admit("youtube", "channels.list", later, scope);
  EXPECT_EQ(other.kind, AdmitKind::wait);
  EXPECT_EQ(other.until, at("2024-05-21T07:00:00Z"));
  // After the renewal requests go again.
  EXPECT_EQ(governor.admit("youtube", "channels.list", at("2024-05-21T07:00:02Z"), scope).kind,
            AdmitKind::go);
  // A 403 for another reason holds nothing.
  governor.started("youtube", "search.list", at("2024-05-21T07:00:02Z"), scope);
  governor.finished("youtube", "search.list", youtube_403("forbidden"), at("2024-05-21T07:00:03Z"),
                    scope);
  EXPECT_EQ(governor.admit("youtube", "search.list", at("2024-05-21T07:00:04Z"), scope).kind,
            AdmitKind::go);
}

TEST(GraphUsageHeaders, TheGovernorStopsAtTheLimitUntilAccessIsRegained) {
  RequestGovernor governor(GovernorPolicy{}, [] { return 0.0; });
  const auto now = at("2024-05-20T12:00:00Z");
  HttpResponse r;
  r.outcome = HttpOutcome::ok;
  r.status = 200;
  r.headers = {{"x-business-use-case-usage",
                R"({"1234":[{"type":"pages","call_count":100,"total_cputime":25,)"
                R"("total_time":25,"estimated_time_to_regain_access":19}]})"}};
  governor.started("facebook", "/{page-id}/feed", now);
  governor.finished("facebook", "/{page-id}/feed", r, now);
  const auto a = governor.admit("facebook", "/{page-id}/feed", now + 1s);
  EXPECT_EQ(a.kind, AdmitKind::wait);
  EXPECT_EQ(a.until, now + 19min + GovernorPolicy{}.reset_margin);
}

}  // namespace
}  // namespace mamori::collectors
