// Accounts' runs spread over their interval (daemon/polling/poll_phase.h).
#include "daemon/polling/poll_phase.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace mamori::polling {
namespace {

using namespace std::chrono_literals;

TEST(PollPhase, UpToHalfTheIntervalTheSameForTheSameKey) {
  for (int i = 0; i < 500; ++i) {
    const std::string key = "x/town" + std::to_string(i) + "_koho/posts";
    const auto offset = phase_offset(key, 120s);
    EXPECT_GE(offset, 0s) << key;
    EXPECT_LT(offset, 60s) << key;
    EXPECT_EQ(offset, phase_offset(key, 120s)) << key;
  }
}

TEST(PollPhase, ShortIntervalsAreNotSpread) {
  EXPECT_EQ(phase_offset("x/soma_city/replies", 1s), 0s);
  EXPECT_EQ(phase_offset("x/soma_city/replies", 9999ms), 0s);
  EXPECT_GT(phase_offset("x/soma_city/replies", 60s) + phase_offset("x/soma_city/posts", 60s), 0s);
}

// 2,000 accounts started together: their second runs fall into every tenth of the spread, none
// holding more than twice its share (all at one instant is what this prevents).
TEST(PollPhase, TwoThousandAccountsSpreadEvenly) {
  std::array<int, 10> tenths{};
  for (int i = 0; i < 2000; ++i) {
    const auto offset = phase_offset("bluesky/town" + std::to_string(i) + "-koho/replies", 60s);
    ++tenths.at(static_cast<std::size_t>(offset * 10 / 30s));
  }
  for (const int n : tenths) {
    EXPECT_GT(n, 100);
    EXPECT_LT(n, 400);
  }
}

}  // namespace
}  // namespace mamori::polling
