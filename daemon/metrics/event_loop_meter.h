// How long the event loop's handlers take (issue 20: no stall over 100 ms at 2,000 accounts).
// A handler run on the daemon's io_context thread is measured by a Scope (or wrap()): its thread
// CPU time (CLOCK_THREAD_CPUTIME_ID: what it cost, whatever else the machine was doing) and its
// wall time go into Prometheus histograms by handler name, and one taking 100 ms or more is
// logged as `event_loop.slow_handler` with its name. A probe timer measures how late the loop
// runs a due timer (the stall every other handler sees).
//
// The daemon installs one meter; scopes with none installed cost one load and do nothing (tests,
// benchmarks). Only the outermost scope of a nested pair records (a poll completion that stores
// a batch and runs the detectors is one handler). Scopes are meant for the loop's thread only:
// one opened on another thread records nothing.
//
//   mamori_event_loop_handler_seconds{handler}      wall time per handler
//   mamori_event_loop_handler_cpu_seconds{handler}  thread CPU time per handler
//   mamori_event_loop_slow_handlers_total{handler}  handlers taking >= the slow threshold
//   mamori_event_loop_lag_seconds                   probe timer lateness
//   mamori_event_loop_lag_max_seconds               the worst lateness since start
#pragma once

#include <time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace prometheus {
class Registry;
class Histogram;
class Counter;
class Gauge;
}  // namespace prometheus

namespace mamori::metrics {

struct EventLoopMeterOptions {
  std::chrono::milliseconds slow{100};          // logged and counted at or above this
  std::chrono::milliseconds probe_period{100};  // the lateness probe's period
};

class EventLoopMeter {
 public:
  // `registry` may be null (the histograms then exist but are not exported).
  explicit EventLoopMeter(prometheus::Registry* registry, EventLoopMeterOptions options = {});
  ~EventLoopMeter();
  EventLoopMeter(const EventLoopMeter&) = delete;
  EventLoopMeter& operator=(const EventLoopMeter&) = delete;

  // The meter scopes report to, for the calling thread as the loop's thread (null: none).
  static void install(EventLoopMeter* meter);
  static EventLoopMeter* installed();

  // Measures from construction to destruction. `name` must be a string literal (it is kept
  // by pointer).
  class Scope {
   public:
    explicit Scope(const char* name);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    EventLoopMeter* meter_ = nullptr;
    const char* name_;
    timespec cpu_{};
    std::chrono::steady_clock::time_point wall_{};
  };

  // `f` measured under `name` each time it runs (a completion handler, a posted job).
  template <class F>
  static auto wrap(const char* name, F f) {
    return [name, f = std::move(f)](auto&&... args) mutable -> decltype(auto) {
      const Scope scope(name);
      return f(std::forward<decltype(args)>(args)...);
    };
  }

  // Starts the lateness probe on `io` (it re-arms itself until stop_probe()).
  void start_probe(boost::asio::io_context& io);
  void stop_probe();

  // What was recorded (tests, benchmarks).
  void record(const char* name, double cpu_seconds, double wall_seconds);
  void record_lag(double seconds);
  std::uint64_t handlers_measured() const { return measured_; }
  std::uint64_t slow_handlers() const { return slow_; }
  double max_lag_seconds() const { return max_lag_; }

 private:
  struct PerHandler {
    const char* name;
    prometheus::Histogram* wall;
    prometheus::Histogram* cpu;
    prometheus::Counter* slow;
  };
  PerHandler& of(const char* name);
  void arm_probe();

  std::unique_ptr<prometheus::Registry> own_registry_;  // when none is given
  prometheus::Registry& registry_;
  EventLoopMeterOptions options_;
  double slow_seconds_;
  std::vector<PerHandler> handlers_;
  prometheus::Histogram* lag_ = nullptr;
  prometheus::Gauge* lag_max_ = nullptr;
  std::unique_ptr<boost::asio::steady_timer> probe_;
  std::chrono::steady_clock::time_point probe_due_{};
  bool probing_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::uint64_t measured_ = 0;
  std::uint64_t slow_ = 0;
  double max_lag_ = 0.0;
};

}  // namespace mamori::metrics
