// Which handles a look-alike round looks up when the platform's quota allows fewer than all of
// them (daemon/polling/lookup_budget.h sizes the round): flagged candidates first (an
// impersonator renamed or suspended is news), then the official accounts' generated look-alikes
// in turn, continuing each round where the last one stopped, so every account's look-alikes are
// checked once per pass however small the round; no handle twice in one round (ASCII case does
// not make another account). Pure: state and the time passed in, no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "daemon/polling/lookup_budget.h"
#include "model/platform.h"

namespace mamori::detection {

// One official account's generated look-alike handles; `key` orders the rotation and finds its
// place again when accounts are added or removed ("platform:handle").
struct AccountLookalikes {
  std::string key;
  const std::vector<std::string>* handles = nullptr;
};

class LookalikeRotation {
 public:
  // `tracked`: flagged candidates' handles; `accounts` sorted by key. At most `max_handles`.
  polling::LookupRound next_round(const std::vector<std::string>& tracked,
                                  const std::vector<AccountLookalikes>& accounts,
                                  std::size_t max_handles, model::TimePoint now);

 private:
  std::string cursor_key_;          // the account the next round continues with
  std::size_t cursor_offset_ = 0;   // its next look-alike
  std::size_t tracked_offset_ = 0;  // more flagged candidates than a round holds: in turn too
  std::optional<model::TimePoint> pass_started_;
  bool pass_has_lookups_ = false;
  std::optional<std::chrono::seconds> last_pass_;
};

}  // namespace mamori::detection
