#include "collectors/ratelimit/token_bucket.h"

#include <algorithm>

namespace mamori::collectors {

TokenBucket::TokenBucket(double per_second, double burst)
    : per_second_(per_second), burst_(burst), tokens_(burst) {}

bool TokenBucket::take(TimePoint now) {
  if (started_ && now > last_) {
    const std::chrono::duration<double> gone = now - last_;
    tokens_ = std::min(burst_, tokens_ + gone.count() * per_second_);
  }
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace mamori::collectors
