// Flame-up detector throughput and memory (issue 5: >= 10 million bucket updates/s per core).
//   build/bin/flameup_bench
// "Bucket update" = closing one bucket of one series: baseline lookup, three sliding windows,
// the count-aware test, the episode state machine and the robust baseline/dispersion update.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "detectors/flameup/rate_scorer.h"
#include "detectors/flameup/reply_character.h"
#include "detectors/flameup/reply_rate_detector.h"

namespace fu = mamori::detectors::flameup;

namespace {

// A municipal-like count series: mostly 0-3 replies a minute, a flood now and then.
std::vector<double> make_counts(std::size_t n) {
  std::vector<double> out(n);
  std::uint64_t x = 88172645463325252ULL;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const auto r = static_cast<unsigned>(x % 1000);
    double c = r < 600 ? 0 : r < 850 ? 1 : r < 950 ? 2 : 3;
    if ((i / 1440) % 7 == 3 && i % 1440 > 600 && i % 1440 < 700) c += 40;  // weekly flood
    out[i] = c;
  }
  return out;
}

constexpr std::int64_t kStart = 1711897200;

void BM_RateScorerBucketUpdate(benchmark::State& state) {
  const auto counts = make_counts(1 << 20);
  fu::RateScorer scorer(fu::Settings{});
  std::size_t i = 0;
  std::int64_t t = kStart;
  for (auto _ : state) {
    benchmark::DoNotOptimize(scorer.push(t, counts[i]));
    t += 60;
    i = (i + 1) & ((1 << 20) - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_series"] = static_cast<double>(scorer.memory_bytes());
}
BENCHMARK(BM_RateScorerBucketUpdate);

// Many independent series (a prefecture: ~600 accounts), round-robin: cache behaviour included.
void BM_RateScorerManySeries(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto counts = make_counts(1 << 16);
  std::vector<fu::RateScorer> scorers(n, fu::RateScorer(fu::Settings{}));
  std::size_t i = 0;
  std::int64_t t = kStart;
  for (auto _ : state) {
    for (std::size_t s = 0; s < n; ++s) {
      benchmark::DoNotOptimize(scorers[s].push(t, counts[(i + s * 7919) & 0xffff]));
    }
    t += 60;
    i = (i + 1) & 0xffff;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_RateScorerManySeries)->Arg(600)->Arg(10000);

// The whole account detector (all-replies and hostile series, character counts, episodes),
// per closed bucket, replies added through the classified-reply path.
void BM_DetectorBucket(benchmark::State& state) {
  const auto counts = make_counts(1 << 20);
  fu::ReplyRateDetector detector(mamori::model::Platform::x, "123");
  std::size_t i = 0;
  std::int64_t t = kStart;
  std::int64_t replies = 0;
  const fu::ReplyTraits hostile{fu::Tone::hostile, true};
  const fu::ReplyTraits thanks{fu::Tone::thanks, false};
  const auto at = [](std::int64_t s) {
    return mamori::model::TimePoint(std::chrono::milliseconds(s * 1000));
  };
  for (auto _ : state) {
    const auto c = static_cast<int>(counts[i]);
    for (int k = 0; k < c; ++k) {
      detector.observe(at(t + k), k % 3 == 0 ? hostile : thanks, k % 2 ? "post1" : "post2",
                       at(t + 30));
    }
    replies += c;
    benchmark::DoNotOptimize(detector.advance(at(t + 150)));
    t += 60;
    i = (i + 1) & ((1 << 20) - 1);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["replies_per_bucket"] =
      static_cast<double>(replies) / static_cast<double>(state.iterations());
  state.counters["bytes_per_account"] = static_cast<double>(detector.memory_bytes());
}
BENCHMARK(BM_DetectorBucket);

void BM_ClassifyReply(benchmark::State& state) {
  const std::vector<std::string> texts = {
      "税金の無駄遣いもいい加減にしろ。担当者は謝罪しろ",
      "避難所の情報ありがとうございます。家族で向かいます",
      "給水所は何時まで開いていますか？",
      "今日は朝から雨がすごい",
  };
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fu::classify_reply(texts[i++ % texts.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifyReply);

}  // namespace

BENCHMARK_MAIN();
