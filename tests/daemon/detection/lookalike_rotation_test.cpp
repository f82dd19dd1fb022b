// The order of a look-alike round sized below what is wanted (daemon/detection/
// lookalike_rotation.h): flagged candidates first, then every official account's look-alikes in
// turn across rounds, no handle twice in a round.
#include "daemon/detection/lookalike_rotation.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;

struct Officials {
  std::map<std::string, std::vector<std::string>> by_key;
  std::vector<AccountLookalikes> list() const {
    std::vector<AccountLookalikes> out;
    for (const auto& [k, v] : by_key) out.push_back({k, &v});
    return out;
  }
};

Officials three_accounts() {
  Officials o;
  o.by_key["x:a"] = {"a1", "a2", "a3", "a4"};
  o.by_key["x:b"] = {"b1", "b2", "b3", "b4"};
  o.by_key["x:c"] = {"c1", "c2", "c3", "c4"};
  return o;
}

const model::TimePoint t0{std::chrono::seconds(1'800'000'000)};

TEST(LookalikeRotationTest, FlaggedCandidatesComeFirst) {
  LookalikeRotation r;
  const auto o = three_accounts();
  const auto round = r.next_round({"soma__city", "soma_clty"}, o.list(), 3, t0);
  EXPECT_EQ(round.handles, (std::vector<std::string>{"soma__city", "soma_clty", "a1"}));
  EXPECT_EQ(round.tracked(), 2u);
  // Named apart: absent, they are stored as gone even if never seen (store::GoneFilter).
  EXPECT_EQ(round.tracked_handles, (std::vector<std::string>{"soma__city", "soma_clty"}));
  EXPECT_EQ(round.wanted, 14u);
  EXPECT_EQ(round.skipped, 11u);
  EXPECT_EQ(round.pending, 11u);
}

TEST(LookalikeRotationTest, EveryAccountIsCoveredInTurnAcrossRounds) {
  LookalikeRotation r;
  const auto o = three_accounts();
  std::vector<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    const auto round = r.next_round({}, o.list(), 5, t0 + std::chrono::minutes(10 * i));
    EXPECT_LE(round.handles.size(), 5u);
    seen.insert(seen.end(), round.handles.begin(), round.handles.end());
  }
  // 15 taken: the 12 look-alikes once, in account order, then the next pass begins.
  const std::vector<std::string> expected{"a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4",
                                          "c1", "c2", "c3", "c4", "a1", "a2", "a3"};
  EXPECT_EQ(seen, expected);
}

TEST(LookalikeRotationTest, FullPassTimeIsMeasuredAndAStalledPassShowsItsAge) {
  LookalikeRotation r;
  const auto o = three_accounts();
  // Five handles a round, a round every 10 minutes: 12 look-alikes take three rounds, so the
  // second pass begins in the third round, 20 minutes after the first.
  auto round = r.next_round({}, o.list(), 5, t0);
  EXPECT_EQ(round.full_pass, 0s);
  round = r.next_round({}, o.list(), 5, t0 + 10min);
  EXPECT_EQ(round.full_pass, 600s);  // the first pass's age, none complete yet
  EXPECT_EQ(round.pending, 2u);
  round = r.next_round({}, o.list(), 5, t0 + 20min);
  EXPECT_EQ(round.full_pass, 1200s);
  // No quota for an hour: nothing looked up, and the pass's age keeps rising.
  round = r.next_round({}, o.list(), 0, t0 + 80min);
  EXPECT_TRUE(round.handles.empty());
  EXPECT_EQ(round.skipped, 12u);
  EXPECT_EQ(round.full_pass, 3600s);
}

TEST(LookalikeRotationTest, AllFitEveryRoundIsOnePass) {
  LookalikeRotation r;
  const auto o = three_accounts();
  auto round = r.next_round({}, o.list(), 100, t0);
  EXPECT_EQ(round.handles.size(), 12u);
  EXPECT_EQ(round.skipped, 0u);
  EXPECT_EQ(round.pending, 0u);
  round = r.next_round({}, o.list(), 100, t0 + 10min);
  EXPECT_EQ(round.handles.size(), 12u);
  EXPECT_EQ(round.full_pass, 600s);
}

TEST(LookalikeRotationTest, NoHandleTwiceInARound) {
  LookalikeRotation r;
  Officials o;
  o.by_key["x:a"] = {"soma__city", "Shared", "a3"};
  o.by_key["x:b"] = {"shared", "b2"};
  const auto round = r.next_round({"soma__city"}, o.list(), 100, t0);
  EXPECT_EQ(round.handles, (std::vector<std::string>{"soma__city", "Shared", "a3", "b2"}));
  EXPECT_EQ(round.skipped, 0u);  // repeats are looked up, once
  const std::set<std::string> unique(round.handles.begin(), round.handles.end());
  EXPECT_EQ(unique.size(), round.handles.size());
}

TEST(LookalikeRotationTest, MoreFlaggedThanARoundHoldsTakeTurns) {
  LookalikeRotation r;
  const Officials none;
  const std::vector<std::string> flagged{"f1", "f2", "f3"};
  EXPECT_EQ(r.next_round(flagged, none.list(), 2, t0).handles,
            (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(r.next_round(flagged, none.list(), 2, t0 + 10min).handles,
            (std::vector<std::string>{"f3", "f1"}));
}

TEST(LookalikeRotationTest, ContinuesAfterAnAccountIsRemovedOrAdded) {
  LookalikeRotation r;
  auto o = three_accounts();
  EXPECT_EQ(r.next_round({}, o.list(), 6, t0).handles,
            (std::vector<std::string>{"a1", "a2", "a3", "a4", "b1", "b2"}));
  // b was removed (a reload): the rotation goes on with the account after it.
  o.by_key.erase("x:b");
  EXPECT_EQ(r.next_round({}, o.list(), 2, t0 + 10min).handles,
            (std::vector<std::string>{"c1", "c2"}));
  // An account added before the cursor waits for the next pass; none is skipped.
  o.by_key["x:0"] = {"n1"};
  EXPECT_EQ(r.next_round({}, o.list(), 4, t0 + 20min).handles,
            (std::vector<std::string>{"c3", "c4", "n1", "a1"}));
}

}  // namespace
}  // namespace mamori::detection
