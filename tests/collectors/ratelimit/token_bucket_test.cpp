// TokenBucket over times the test chooses: no waiting.
#include "collectors/ratelimit/token_bucket.h"

#include <gtest/gtest.h>

namespace mamori::collectors {
namespace {

using namespace std::chrono_literals;
const TokenBucket::TimePoint kStart = TokenBucket::TimePoint(1000s);

int takes(TokenBucket& b, TokenBucket::TimePoint at, int tries) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += b.take(at) ? 1 : 0;
  return n;
}

TEST(TokenBucket, StartsFullAndAdmitsTheBurstAtOnce) {
  TokenBucket b(2.0, 5.0);
  EXPECT_EQ(takes(b, kStart, 10), 5);
  EXPECT_FALSE(b.take(kStart));
}

TEST(TokenBucket, RefillsAtTheRateUpToTheBurst) {
  TokenBucket b(2.0, 5.0);
  EXPECT_EQ(takes(b, kStart, 5), 5);
  EXPECT_FALSE(b.take(kStart + 400ms));  // 0.8 of a token
  EXPECT_TRUE(b.take(kStart + 500ms));   // 1.0
  EXPECT_FALSE(b.take(kStart + 500ms));
  EXPECT_EQ(takes(b, kStart + 2500ms, 10), 4);  // 2 s at 2/s: 4 tokens
  // A long pause fills it to the burst, not beyond.
  EXPECT_EQ(takes(b, kStart + 1h, 10), 5);
}

TEST(TokenBucket, PartTokensAddUpAcrossCalls) {
  TokenBucket b(0.25, 1.0);  // one every 4 s
  EXPECT_TRUE(b.take(kStart));
  int admitted = 0;
  for (int s = 1; s <= 8; ++s) admitted += b.take(kStart + std::chrono::seconds(s)) ? 1 : 0;
  EXPECT_EQ(admitted, 2);  // at 4 s and at 8 s
}

TEST(TokenBucket, AnEarlierTimeAddsNothing) {
  TokenBucket b(1.0, 2.0);
  EXPECT_EQ(takes(b, kStart + 10s, 2), 2);
  EXPECT_FALSE(b.take(kStart));
  EXPECT_FALSE(b.take(kStart + 10s));  // the earlier call did not move the clock back
  EXPECT_TRUE(b.take(kStart + 11s));
}

TEST(TokenBucket, ZeroRateNeverRefillsAndABurstBelowOneAdmitsNothing) {
  TokenBucket none(0.0, 1.0);
  EXPECT_TRUE(none.take(kStart));
  EXPECT_FALSE(none.take(kStart + 24h));
  TokenBucket closed(10.0, 0.5);
  EXPECT_FALSE(closed.take(kStart));
  EXPECT_FALSE(closed.take(kStart + 1h));
}

}  // namespace
}  // namespace mamori::collectors
