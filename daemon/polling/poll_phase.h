// Spreading accounts' runs over their interval. Accounts started together (every account at
// start-up, or an instance's share on a take-over) would otherwise run each job at the same
// instant of every interval: at 2,000 accounts the posts and replies runs fell due together
// each minute and kept the event loop 100-600 ms late (bench/scale/run.sh). The first run
// stays immediate (every account is polled within one interval from the start); the second
// comes early by the account's own phase, and every later run a full interval after the last.
#pragma once

#include <chrono>
#include <string_view>

namespace mamori::polling {

// How much earlier than `interval` the second run of the job keyed `key` (platform, handle,
// job) comes: a fixed fraction of up to half the interval, the same for the same key. Zero for
// intervals under 10 s, where runs are too short-lived to pile up.
std::chrono::steady_clock::duration phase_offset(std::string_view key,
                                                 std::chrono::steady_clock::duration interval);

}  // namespace mamori::polling
