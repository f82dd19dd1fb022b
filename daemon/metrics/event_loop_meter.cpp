#include "daemon/metrics/event_loop_meter.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstring>

#include "daemon/log/log.h"

namespace mamori::metrics {

namespace {

std::atomic<EventLoopMeter*> g_meter{nullptr};
std::atomic<std::thread::id> g_loop_thread{};
thread_local int t_depth = 0;  // open scopes on this thread

const prometheus::Histogram::BucketBoundaries& handler_buckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.00001, 0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
  return b;
}

double seconds_between(const timespec& a, const timespec& b) {
  return static_cast<double>(b.tv_sec - a.tv_sec) +
         static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-9;
}

}  // namespace

EventLoopMeter::EventLoopMeter(prometheus::Registry* registry, EventLoopMeterOptions options)
    : own_registry_(registry == nullptr ? std::make_unique<prometheus::Registry>() : nullptr),
      registry_(registry == nullptr ? *own_registry_ : *registry),
      options_(options),
      slow_seconds_(std::chrono::duration<double>(options.slow).count()) {
  lag_ = &prometheus::BuildHistogram()
              .Name("mamori_event_loop_lag_seconds")
              .Help("How late the event loop ran a due probe timer")
              .Register(registry_)
              .Add({}, handler_buckets());
  lag_max_ = &prometheus::BuildGauge()
                  .Name("mamori_event_loop_lag_max_seconds")
                  .Help("The event loop's worst probe lateness since start")
                  .Register(registry_)
                  .Add({});
}

EventLoopMeter::~EventLoopMeter() {
  *alive_ = false;
  if (installed() == this) install(nullptr);
}

void EventLoopMeter::install(EventLoopMeter* meter) {
  g_loop_thread.store(std::this_thread::get_id());
  g_meter.store(meter);
}

EventLoopMeter* EventLoopMeter::installed() {
  return g_meter.load(std::memory_order_relaxed);
}

EventLoopMeter::Scope::Scope(const char* name) : name_(name) {
  if (t_depth++ != 0) return;  // inside another handler: the outermost one records
  EventLoopMeter* m = g_meter.load(std::memory_order_relaxed);
  if (m == nullptr || g_loop_thread.load(std::memory_order_relaxed) != std::this_thread::get_id())
    return;
  meter_ = m;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_);
  wall_ = std::chrono::steady_clock::now();
}

EventLoopMeter::Scope::~Scope() {
  --t_depth;
  if (meter_ == nullptr) return;
  timespec cpu_end{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
  meter_->record(name_, seconds_between(cpu_, cpu_end), wall);
}

EventLoopMeter::PerHandler& EventLoopMeter::of(const char* name) {
  for (auto& h : handlers_) {
    if (h.name == name) return h;
  }
  for (auto& h : handlers_) {  // the same literal from another translation unit
    if (std::strcmp(h.name, name) == 0) return h;
  }
  PerHandler h{name, nullptr, nullptr, nullptr};
  h.wall = &prometheus::BuildHistogram()
                .Name("mamori_event_loop_handler_seconds")
                .Help("Wall time of event-loop handlers, by handler")
                .Register(registry_)
                .Add({{"handler", name}}, handler_buckets());
  h.cpu = &prometheus::BuildHistogram()
               .Name("mamori_event_loop_handler_cpu_seconds")
               .Help("Thread CPU time of event-loop handlers, by handler")
               .Register(registry_)
               .Add({{"handler", name}}, handler_buckets());
  h.slow = &prometheus::BuildCounter()
                .Name("mamori_event_loop_slow_handlers_total")
                .Help("Event-loop handlers that took 100 ms or more, by handler")
                .Register(registry_)
                .Add({{"handler", name}});
  handlers_.push_back(h);
  return handlers_.back();
}

void EventLoopMeter::record(const char* name, double cpu_seconds, double wall_seconds) {
  ++measured_;
  PerHandler& h = of(name);
  h.wall->Observe(wall_seconds);
  h.cpu->Observe(cpu_seconds);
  if (wall_seconds >= slow_seconds_ || cpu_seconds >= slow_seconds_) {
    ++slow_;
    h.slow->Increment();
    log::warn(
        "event_loop.slow_handler",
        {{"handler", name}, {"wall_ms", wall_seconds * 1000.0}, {"cpu_ms", cpu_seconds * 1000.0}});
  }
}

void EventLoopMeter::record_lag(double seconds) {
  if (seconds < 0) seconds = 0;
  lag_->Observe(seconds);
  if (seconds > max_lag_) {
    max_lag_ = seconds;
    lag_max_->Set(seconds);
  }
  if (seconds >= slow_seconds_) log::warn("event_loop.lag", {{"late_ms", seconds * 1000.0}});
}

void EventLoopMeter::start_probe(boost::asio::io_context& io) {
  probe_ = std::make_unique<boost::asio::steady_timer>(io);
  probing_ = true;
  arm_probe();
}

void EventLoopMeter::stop_probe() {
  probing_ = false;  // a probe already due stops too
  if (probe_) probe_->cancel();
}

void EventLoopMeter::arm_probe() {
  probe_due_ = std::chrono::steady_clock::now() + options_.probe_period;
  probe_->expires_at(probe_due_);
  probe_->async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || !probing_) return;
        record_lag(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - probe_due_).count());
        arm_probe();
      });
}

}  // namespace mamori::metrics
