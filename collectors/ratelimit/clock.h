// Time and chance for the rate-limit governor, injectable so tests control both.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "model/platform.h"

namespace mamori::collectors {

// Wall-clock time (UTC, ms): the platforms' reset headers are wall-clock times.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual model::TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  model::TimePoint now() const override {
    return std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
  }
};

// A clock that moves only when told to (tests). Safe to read on the store's worker while the
// test thread moves it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(model::TimePoint start) : now_(start) {}
  model::TimePoint now() const override { return now_.load(); }
  void set(model::TimePoint t) { now_.store(t); }
  void advance(std::chrono::milliseconds d) { now_.store(now_.load() + d); }

 private:
  std::atomic<model::TimePoint> now_;
};

// Uniform in [0, 1): the jitter in backoff delays.
using RandomSource = std::function<double()>;
RandomSource default_random_source();

}  // namespace mamori::collectors
