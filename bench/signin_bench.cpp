// Sign-in costs: argon2id verification (what one login attempt costs the password worker, and
// what an unknown name costs too), TOTP matching, and the throttle's bookkeeping per attempt.
#include <benchmark/benchmark.h>

#include <chrono>

#include "daemon/signin/login_throttle.h"
#include "daemon/signin/password.h"
#include "daemon/signin/totp.h"

namespace {

using namespace mamori::signin;

void BM_VerifyPasswordInteractive(benchmark::State& state) {
  const std::string hash = hash_password("Kawa#Sakura9", HashCost::interactive());
  for (auto _ : state) benchmark::DoNotOptimize(verify_password("Kawa#Sakura8", hash));
}
BENCHMARK(BM_VerifyPasswordInteractive)->Unit(benchmark::kMillisecond);

void BM_TotpMatchWindow(benchmark::State& state) {
  const auto key = generate_totp_secret();
  const std::int64_t now = 1'700'000'000;
  const std::string code = totp_code(key, totp_step(now) + 1);
  for (auto _ : state) benchmark::DoNotOptimize(match_totp(key, code, now));
}
BENCHMARK(BM_TotpMatchWindow);

void BM_ThrottleAttempt(benchmark::State& state) {
  LoginThrottle throttle;
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string name = "user" + std::to_string(i++ % 5000);
    if (!throttle.begin(name, "192.0.2.1", now)) throttle.finish(name, "192.0.2.1", true, now);
    now += std::chrono::seconds(1);
  }
}
BENCHMARK(BM_ThrottleAttempt);

}  // namespace
BENCHMARK_MAIN();
