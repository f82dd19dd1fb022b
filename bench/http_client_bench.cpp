// CurlMultiClient under load: 2,000 concurrent requests to the fake platform server (a child
// process on loopback) from one io_context, while a 1 ms steady_timer on the same loop measures
// the loop's longest stall (the largest gap between its ticks). Goal: longest gap < 10 ms.
//
//   build/bin/http_client_bench
// Counters: items_per_second = requests/s; max_loop_gap_ms (wall time between ticks);
// max_loop_busy_ms (CPU time the loop spent between ticks: our own work, excluding time the
// thread waited for a core on a loaded machine; a VM may still count stolen time);
// p90_loop_gap_ms (90th percentile of the gaps); failed (must be 0).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "collectors/http/curl_multi_client.h"

extern char** environ;

namespace {

using namespace std::chrono_literals;
using mamori::collectors::CurlClientOptions;
using mamori::collectors::CurlMultiClient;
using mamori::collectors::HttpOutcome;
using mamori::collectors::HttpRequest;
using mamori::collectors::HttpResponse;

constexpr const char* kScenario = R"(
[x]
bearer_token = "bench"
rate_limit = { limit = 100000000, window = 900 }

[[account]]
platform = "x"
id = "1402345678901234567"
handle = "soma_city"
display_name = "相馬市"
description = "福島県相馬市の公式アカウントです。災害情報やイベント情報をお届けします。"
url = "https://www.city.soma.fukushima.jp/"
)";

void raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// build/bin/fakeplatform, next to this benchmark, started once for all benchmarks.
class FakeServer {
 public:
  static FakeServer& instance() {
    static FakeServer server;
    return server;
  }
  unsigned short port() const { return port_; }

  ~FakeServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  FakeServer() {
    raise_descriptor_limit();  // inherited by the server too
    char tmpl[] = "/tmp/mamori_http_bench_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    const auto scenario = dir_ / "scenario.toml";
    std::ofstream(scenario) << kScenario;
    const auto port_file = dir_ / "port";
    const auto exe = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "fakeplatform";
    std::vector<std::string> args = {exe.string(),  "--scenario",  scenario.string(), "--listen",
                                     "127.0.0.1:0", "--port-file", port_file.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + exe.string());
    }
    for (int i = 0; i < 1000 && !std::filesystem::exists(port_file); ++i)
      std::this_thread::sleep_for(10ms);
    std::ifstream in(port_file);
    int port = 0;
    if (!(in >> port) || port <= 0) throw std::runtime_error("fakeplatform did not start");
    port_ = static_cast<unsigned short>(port);
  }

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

struct BatchResult {
  std::chrono::duration<double, std::milli> max_gap{0};
  // CPU time the loop's thread spent between two ticks: the part of a gap that is our own
  // work, as opposed to the thread waiting for a core on a busy machine.
  std::chrono::duration<double, std::milli> max_busy{0};
  // 90th percentile of the gaps: less sensitive to a loaded machine than the maximum.
  std::chrono::duration<double, std::milli> p90_gap{0};
  int failed = 0;
};

std::chrono::duration<double, std::milli> thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::duration<double, std::milli>(static_cast<double>(ts.tv_sec) * 1e3 +
                                                   static_cast<double>(ts.tv_nsec) / 1e6);
}

// Issues `n` requests at once from a handler on the loop and runs the loop until all are done,
// with a 1 ms ticker recording the largest gap between ticks.
BatchResult run_batch(boost::asio::io_context& io, CurlMultiClient& client, unsigned short port,
                      int n) {
  BatchResult result;
  int done = 0;
  bool finished = false;
  boost::asio::steady_timer ticker(io);
  auto last = std::chrono::steady_clock::now();
  auto last_cpu = thread_cpu_time();
  std::vector<double> gaps;
  gaps.reserve(4096);
  std::function<void()> tick = [&] {
    ticker.expires_after(1ms);
    ticker.async_wait([&](const boost::system::error_code& ec) {
      if (ec || finished) return;
      const auto now = std::chrono::steady_clock::now();
      const auto cpu = thread_cpu_time();
      result.max_gap =
          std::max(result.max_gap, std::chrono::duration<double, std::milli>(now - last));
      result.max_busy = std::max(result.max_busy, cpu - last_cpu);
      gaps.push_back(std::chrono::duration<double, std::milli>(now - last).count());
      last = now;
      last_cpu = cpu;
      tick();
    });
  };
  tick();
  boost::asio::post(io, [&] {
    for (int i = 0; i < n; ++i) {
      HttpRequest r;
      r.url = "http://127.0.0.1:" + std::to_string(port) +
              "/2/users/by/username/soma_city?user.fields=description,url";
      r.headers.emplace_back("Authorization", "Bearer bench");
      r.timeout = 60s;
      client.fetch(std::move(r), [&](HttpResponse resp) {
        if (resp.outcome != HttpOutcome::ok || resp.status != 200) ++result.failed;
        if (++done == n) {
          finished = true;
          ticker.cancel();
        }
      });
    }
  });
  io.run();
  io.restart();
  if (!gaps.empty()) {
    std::sort(gaps.begin(), gaps.end());
    result.p90_gap = std::chrono::duration<double, std::milli>(gaps[gaps.size() * 90 / 100]);
  }
  return result;
}

CurlClientOptions options(int n) {
  CurlClientOptions o;
  o.allowed_hosts.add("127.0.0.1");
  o.max_in_flight = static_cast<std::size_t>(n);
  return o;
}

void report(benchmark::State& state, int n, const BatchResult& worst, int failed) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
  state.counters["max_loop_gap_ms"] = worst.max_gap.count();
  state.counters["max_loop_busy_ms"] = worst.max_busy.count();
  state.counters["p90_loop_gap_ms"] = worst.p90_gap.count();
  state.counters["failed"] = failed;
}

// New client each time: 2,000 new connections per batch.
void BM_ConcurrentRequestsColdConnections(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const unsigned short port = FakeServer::instance().port();
  BatchResult worst;
  int failed = 0;
  for (auto _ : state) {
    boost::asio::io_context io(1);
    CurlMultiClient client(io, options(n));
    const BatchResult r = run_batch(io, client, port, n);
    worst.max_gap = std::max(worst.max_gap, r.max_gap);
    worst.max_busy = std::max(worst.max_busy, r.max_busy);
    worst.p90_gap = std::max(worst.p90_gap, r.p90_gap);
    failed += r.failed;
  }
  report(state, n, worst, failed);
}

// One client: connections kept alive from the previous batch are reused.
void BM_ConcurrentRequestsWarmConnections(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const unsigned short port = FakeServer::instance().port();
  boost::asio::io_context io(1);
  CurlMultiClient client(io, options(n));
  run_batch(io, client, port, n);  // opens the connections
  BatchResult worst;
  int failed = 0;
  for (auto _ : state) {
    const BatchResult r = run_batch(io, client, port, n);
    worst.max_gap = std::max(worst.max_gap, r.max_gap);
    worst.max_busy = std::max(worst.max_busy, r.max_busy);
    worst.p90_gap = std::max(worst.p90_gap, r.p90_gap);
    failed += r.failed;
  }
  report(state, n, worst, failed);
}

BENCHMARK(BM_ConcurrentRequestsColdConnections)
    ->Arg(2000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK(BM_ConcurrentRequestsWarmConnections)
    ->Arg(2000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
