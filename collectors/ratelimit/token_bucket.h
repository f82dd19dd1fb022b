// TokenBucket: at most `burst` actions at once, refilled at `per_second` tokens a second. Pure
// logic over a time the caller passes in (a steady clock in the daemon, any time in tests): no
// clock of its own, no lock, no timer. Used wherever mamori caps its own pace or a caller's:
// the Meta webhook's requests (daemon/webhooks) and the avatar fetches of look-alike
// candidates (daemon/detection/avatar_fetcher.h).
#pragma once

#include <chrono>

namespace mamori::collectors {

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Starts full. A rate of 0 never refills; a burst below 1 admits nothing.
  TokenBucket(double per_second, double burst);

  // One token at `now` if there is one. The first call only starts the clock (the bucket is
  // full then); a time earlier than the last one adds nothing.
  bool take(TimePoint now);

  // Tokens left as of the last take() (for tests and diagnostics).
  double tokens() const { return tokens_; }

 private:
  double per_second_;
  double burst_;
  double tokens_;
  bool started_ = false;
  TimePoint last_{};
};

}  // namespace mamori::collectors
