// Login throttling per (user name, client address) and per client address, with an explicit
// clock.
#include "daemon/signin/login_throttle.h"

#include <gtest/gtest.h>

namespace mamori::signin {
namespace {

using namespace std::chrono_literals;
using TimePoint = LoginThrottle::TimePoint;

const TimePoint kStart = TimePoint(std::chrono::seconds(1'700'000'000));

// One failed attempt; returns the wait begin() demanded, if any.
std::optional<std::chrono::seconds> fail_once(LoginThrottle& t, const std::string& name,
                                              const std::string& address, TimePoint now) {
  if (auto wait = t.begin(name, address, now)) return wait;
  t.finish(name, address, false, now);
  return std::nullopt;
}

TEST(LoginThrottle, FreeFailuresThenExponentialWaits) {
  LoginThrottle t;  // 5 free failures per name, then 2 s doubling
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(fail_once(t, "hanako", "10.0.0.1", kStart), std::nullopt) << i;
  EXPECT_EQ(fail_once(t, "hanako", "10.0.0.1", kStart), std::nullopt);  // the 6th failure blocks...
  EXPECT_EQ(t.begin("hanako", "10.0.0.1", kStart), std::optional(2s));  // ...for 2 s
  EXPECT_EQ(t.begin("hanako", "10.0.0.1", kStart + 1500ms), std::optional(1s));  // rounded up
  EXPECT_EQ(fail_once(t, "hanako", "10.0.0.1", kStart + 2s), std::nullopt);
  EXPECT_EQ(t.begin("hanako", "10.0.0.1", kStart + 2s), std::optional(4s));
  EXPECT_EQ(fail_once(t, "hanako", "10.0.0.1", kStart + 6s), std::nullopt);
  EXPECT_EQ(t.begin("hanako", "10.0.0.1", kStart + 6s), std::optional(8s));
  // Another name from another address is not affected.
  EXPECT_EQ(t.begin("taro", "10.0.0.2", kStart + 6s), std::nullopt);
}

TEST(LoginThrottle, WaitIsCapped) {
  ThrottleOptions o;
  o.per_name = {0, 1s, 60s, 1h};
  LoginThrottle t(o);
  TimePoint now = kStart;
  for (int i = 0; i < 20; ++i) {
    auto w = t.begin("x", "a", now);
    if (w) {
      now += *w;
      w = t.begin("x", "a", now);
    }
    ASSERT_EQ(w, std::nullopt);
    t.finish("x", "a", false, now);
  }
  EXPECT_EQ(t.begin("x", "a", now), std::optional(60s));
}

TEST(LoginThrottle, SuccessForgetsTheNameButNotTheAddress) {
  LoginThrottle t;
  for (int i = 0; i < 4; ++i) fail_once(t, "hanako", "10.0.0.1", kStart);
  EXPECT_EQ(t.failures_for("hanako", "10.0.0.1"), 4);
  ASSERT_EQ(t.begin("hanako", "10.0.0.1", kStart), std::nullopt);
  t.finish("hanako", "10.0.0.1", true, kStart);
  EXPECT_EQ(t.failures_for("hanako", "10.0.0.1"), 0);
  EXPECT_EQ(t.failures_for_address("10.0.0.1"), 4);
}

TEST(LoginThrottle, AddressBoundsPasswordSprayingOverManyNames) {
  LoginThrottle t;  // 20 free failures per address
  for (int i = 0; i < 21; ++i) {
    EXPECT_EQ(fail_once(t, "user" + std::to_string(i), "203.0.113.9", kStart), std::nullopt) << i;
  }
  EXPECT_EQ(t.begin("someone-new", "203.0.113.9", kStart), std::optional(1s));
  EXPECT_EQ(t.begin("someone-new", "203.0.113.10", kStart), std::nullopt);
}

TEST(LoginThrottle, ParallelAttemptsForOneNameFromOneAddressWait) {
  LoginThrottle t;
  ASSERT_EQ(t.begin("hanako", "a", kStart), std::nullopt);
  EXPECT_EQ(t.begin("hanako", "a", kStart), std::optional(1s));
  EXPECT_EQ(t.begin("hanako", "b", kStart), std::nullopt);  // another address is not held up
  t.finish("hanako", "a", false, kStart);
  EXPECT_EQ(t.begin("hanako", "a", kStart), std::nullopt);
  t.cancel("hanako", "a");  // not judged: no failure counted
  EXPECT_EQ(t.failures_for("hanako", "a"), 1);
  EXPECT_EQ(t.begin("hanako", "a", kStart), std::nullopt);
}

// Anyone could lock a staff member out by guessing at their name: the block is per name AND
// address, so the owner signing in from an address without failures is not held up.
TEST(LoginThrottle, GuessingANameElsewhereNeverBlocksACleanAddress) {
  LoginThrottle t;
  TimePoint now = kStart;
  for (int i = 0; i < 40; ++i) {
    auto w = t.begin("hanako", "203.0.113.9", now);
    if (w) {
      now += *w;
      w = t.begin("hanako", "203.0.113.9", now);
    }
    ASSERT_EQ(w, std::nullopt) << i;
    t.finish("hanako", "203.0.113.9", false, now);
  }
  EXPECT_NE(t.begin("hanako", "203.0.113.9", now), std::nullopt);   // the guesser waits
  ASSERT_EQ(t.begin("hanako", "198.51.100.7", now), std::nullopt);  // the owner does not
  t.finish("hanako", "198.51.100.7", true, now);
}

TEST(LoginThrottle, LiftForgetsANamesOrAnAddresssBlocks) {
  LoginThrottle t;
  for (int i = 0; i < 6; ++i) fail_once(t, "hanako", "10.0.0.1", kStart);
  for (int i = 0; i < 20; ++i) fail_once(t, "user" + std::to_string(i), "10.0.0.1", kStart);
  for (int i = 0; i < 6; ++i) fail_once(t, "taro", "10.0.0.2", kStart);
  ASSERT_NE(t.begin("hanako", "10.0.0.1", kStart), std::nullopt);
  ASSERT_NE(t.begin("taro", "10.0.0.2", kStart), std::nullopt);
  // The name alone: its pairs go, the address's spraying count stays.
  EXPECT_EQ(t.lift("hanako", ""), 1u);
  EXPECT_EQ(t.failures_for("hanako", "10.0.0.1"), 0);
  EXPECT_NE(t.begin("hanako", "10.0.0.1", kStart), std::nullopt);  // 26 > 20 from that address
  EXPECT_GE(t.lift("", "10.0.0.1"), 1u);
  EXPECT_EQ(t.begin("hanako", "10.0.0.1", kStart), std::nullopt);
  t.cancel("hanako", "10.0.0.1");
  EXPECT_NE(t.begin("taro", "10.0.0.2", kStart), std::nullopt);  // untouched
  EXPECT_GE(t.lift("", ""), 2u);
  EXPECT_EQ(t.begin("taro", "10.0.0.2", kStart), std::nullopt);
}

TEST(LoginThrottle, OldFailuresAreForgotten) {
  LoginThrottle t;
  for (int i = 0; i < 5; ++i) fail_once(t, "hanako", "a", kStart);
  fail_once(t, "hanako", "a", kStart + 2h);  // after forget_after: counts as the first again
  EXPECT_EQ(t.failures_for("hanako", "a"), 1);
  EXPECT_EQ(t.begin("hanako", "a", kStart + 2h), std::nullopt);
}

TEST(LoginThrottle, TableStaysBounded) {
  ThrottleOptions o;
  o.max_entries = 50;
  LoginThrottle t(o);
  for (int i = 0; i < 500; ++i)
    fail_once(t, "n" + std::to_string(i), "a" + std::to_string(i),
              kStart + std::chrono::seconds(i));
  // The most recent entries are kept, the oldest evicted.
  EXPECT_EQ(t.failures_for("n499", "a499"), 1);
  EXPECT_EQ(t.failures_for("n0", "a0"), 0);
}

}  // namespace
}  // namespace mamori::signin
