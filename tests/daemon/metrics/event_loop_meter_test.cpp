#include "daemon/metrics/event_loop_meter.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sstream>
#include <thread>

namespace mamori::metrics {
namespace {

std::string exposition(prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

struct Installed {
  explicit Installed(EventLoopMeter& m) { EventLoopMeter::install(&m); }
  ~Installed() { EventLoopMeter::install(nullptr); }
};

TEST(EventLoopMeterTest, ScopesRecordByHandlerNameOnlyWhenInstalled) {
  prometheus::Registry registry;
  EventLoopMeter meter(&registry);
  { const EventLoopMeter::Scope s("test.before_install"); }
  EXPECT_EQ(meter.handlers_measured(), 0U);
  const Installed installed(meter);
  { const EventLoopMeter::Scope s("test.handler"); }
  auto wrapped = EventLoopMeter::wrap("test.wrapped", [](int x) { return x + 1; });
  EXPECT_EQ(wrapped(41), 42);
  EXPECT_EQ(meter.handlers_measured(), 2U);
  const std::string text = exposition(registry);
  EXPECT_NE(text.find("mamori_event_loop_handler_seconds_count{handler=\"test.handler\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mamori_event_loop_handler_cpu_seconds_count{handler=\"test.wrapped\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("test.before_install"), std::string::npos);
}

TEST(EventLoopMeterTest, NestedScopesCountOnceAsTheOutermostHandler) {
  prometheus::Registry registry;
  EventLoopMeter meter(&registry);
  const Installed installed(meter);
  {
    const EventLoopMeter::Scope outer("test.outer");
    const EventLoopMeter::Scope inner("test.inner");
  }
  EXPECT_EQ(meter.handlers_measured(), 1U);
  EXPECT_EQ(exposition(registry).find("test.inner"), std::string::npos);
}

TEST(EventLoopMeterTest, AScopeOnAnotherThreadRecordsNothing) {
  EventLoopMeter meter(nullptr);
  const Installed installed(meter);
  std::thread([] { const EventLoopMeter::Scope s("test.worker"); }).join();
  EXPECT_EQ(meter.handlers_measured(), 0U);
}

TEST(EventLoopMeterTest, SlowHandlersAreCountedByName) {
  prometheus::Registry registry;
  EventLoopMeter meter(&registry);
  meter.record("test.fast", 0.001, 0.002);
  meter.record("test.slow_cpu", 0.150, 0.151);
  meter.record("test.slow_wall", 0.010, 0.120);
  EXPECT_EQ(meter.slow_handlers(), 2U);
  const std::string text = exposition(registry);
  EXPECT_NE(text.find("mamori_event_loop_slow_handlers_total{handler=\"test.slow_cpu\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mamori_event_loop_slow_handlers_total{handler=\"test.fast\"} 0"),
            std::string::npos)
      << text;
}

// The probe re-arms itself and reports lateness: a handler that blocks the loop for longer than
// the probe's period makes the probe late by at least the blocking time's remainder.
TEST(EventLoopMeterTest, ProbeReportsTheLoopsLatenessAfterABlockingHandler) {
  prometheus::Registry registry;
  EventLoopMeterOptions o;
  o.probe_period = std::chrono::milliseconds(1);
  EventLoopMeter meter(&registry, o);
  boost::asio::io_context io;
  meter.start_probe(io);
  boost::asio::post(io, [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); });
  boost::asio::steady_timer stop(io, std::chrono::milliseconds(100));
  stop.async_wait([&](const boost::system::error_code&) { meter.stop_probe(); });
  io.run();
  EXPECT_GE(meter.max_lag_seconds(), 0.020);
  EXPECT_NE(exposition(registry).find("mamori_event_loop_lag_seconds_count"), std::string::npos);
}

}  // namespace
}  // namespace mamori::metrics
