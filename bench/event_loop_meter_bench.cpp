// The cost of measuring one event-loop handler (daemon/metrics/event_loop_meter.h): two
// CLOCK_THREAD_CPUTIME_ID reads, two steady-clock reads and two histogram observations.
#include <benchmark/benchmark.h>
#include <prometheus/registry.h>

#include "daemon/metrics/event_loop_meter.h"

namespace {

using mamori::metrics::EventLoopMeter;

void BM_MeteredHandler(benchmark::State& state) {
  prometheus::Registry registry;
  EventLoopMeter meter(&registry);
  EventLoopMeter::install(&meter);
  int work = 0;
  for (auto _ : state) {
    const EventLoopMeter::Scope scope("bench.handler");
    benchmark::DoNotOptimize(++work);
  }
  EventLoopMeter::install(nullptr);
}
BENCHMARK(BM_MeteredHandler);

// Nested in a measured handler (a poll completion that runs the detectors): a counter only.
void BM_NestedScope(benchmark::State& state) {
  EventLoopMeter meter(nullptr);
  EventLoopMeter::install(&meter);
  const EventLoopMeter::Scope outer("bench.outer");
  int work = 0;
  for (auto _ : state) {
    const EventLoopMeter::Scope scope("bench.inner");
    benchmark::DoNotOptimize(++work);
  }
  EventLoopMeter::install(nullptr);
}
BENCHMARK(BM_NestedScope);

// No meter installed (tests, tools).
void BM_ScopeWithoutMeter(benchmark::State& state) {
  int work = 0;
  for (auto _ : state) {
    const EventLoopMeter::Scope scope("bench.handler");
    benchmark::DoNotOptimize(++work);
  }
}
BENCHMARK(BM_ScopeWithoutMeter);

}  // namespace

BENCHMARK_MAIN();
