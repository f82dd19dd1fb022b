// The collectors' HTTP health as metrics and log lines: a degraded platform is visible in the
// log too, without a line per refused request.
#include "daemon/metrics/collector_metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace mamori::metrics {
namespace {

using collectors::BreakerState;
using namespace std::chrono_literals;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(CollectorMetrics, ABreakerLogsOnceWhenItOpensAndOnceWhenItCloses) {
  prometheus::Registry registry;
  CollectorMetrics m(registry);
  ::testing::internal::CaptureStderr();
  m.breaker_state("x", "users/:id/tweets", BreakerState::closed);
  // A long outage: open, probe (half-open), probe fails (open again)... then a probe succeeds.
  for (int i = 0; i < 20; ++i) {
    m.breaker_state("x", "users/:id/tweets", BreakerState::open);
    m.breaker_state("x", "users/:id/tweets", BreakerState::half_open);
  }
  m.breaker_state("x", "users/:id/tweets", BreakerState::closed);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(count(log, "platform.circuit_open"), 1u) << log;
  EXPECT_EQ(count(log, "platform.circuit_closed"), 1u) << log;
  EXPECT_NE(log.find("endpoint=users/:id/tweets"), std::string::npos) << log;
}

// A stalled request (no answer until the timeout) shows in the log, each attempt, not only in
// mamori_platform_requests_total{outcome="timeout"}.
TEST(CollectorMetrics, AnAttemptWithoutAnAnswerIsLogged) {
  prometheus::Registry registry;
  CollectorMetrics m(registry);
  ::testing::internal::CaptureStderr();
  m.request_finished("bluesky", "app.bsky.feed.getAuthorFeed", "ok", 120ms);
  m.request_finished("bluesky", "app.bsky.feed.getAuthorFeed", "http_4xx", 80ms);
  m.request_finished("bluesky", "app.bsky.feed.getAuthorFeed", "timeout", 30s);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(count(log, "platform.request_failed"), 1u) << log;
  EXPECT_NE(log.find("outcome=timeout"), std::string::npos) << log;
  EXPECT_NE(log.find("seconds=30"), std::string::npos) << log;
}

}  // namespace
}  // namespace mamori::metrics
