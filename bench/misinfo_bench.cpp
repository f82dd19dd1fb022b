// Misinformation scoring throughput with the morphological analyzer in the loop (issue 17: goal
// >= 50,000 replies/s per core against 1,000 facts and 1,000 registered rumours), and the cost of
// the analysis alone. Facts and rumours are generated from templates; the replies are the
// evaluation sets' reply texts (tests/data/misinfo, misinfo-dev, misinfo-voices), each answering a
// random fact or, for one in five, none (so the topic index is searched).
//
//   build/bin/misinfo_bench                         # score, observe, analysis alone, indexes
//   build/bin/misinfo_bench --benchmark_filter=ScoreAndThreat  # with the threat detector,
//                                                   # separately or sharing one analysis
//   build/bin/misinfo_bench --benchmark_filter=Score
//   build/bin/misinfo_bench --dump > A.txt  # every corpus reply's assessment (alone and with a
//                                           # shared analysis), to diff before/after a speed change
#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"
#include "detectors/misinfo/detector.h"
#include "detectors/text/morphology.h"
#include "detectors/text/normalize.h"
#include "detectors/text/normalized_text.h"
#include "detectors/threat/detector.h"

namespace {

namespace mi = mamori::detectors::misinfo;
using mamori::model::TimePoint;

constexpr const char* kTopics[] = {"市民まつり", "花火大会",   "マラソン大会", "防災訓練",
                                   "健康診断",   "予防接種",   "粗大ごみ収集", "断水",
                                   "給水",       "避難所開設", "図書館休館",   "確定申告相談",
                                   "期日前投票", "成人式",     "清掃活動",     "子育て相談",
                                   "敬老会",     "文化祭",     "講演会",       "説明会"};
constexpr const char* kPlaces[] = {"中央公民館",   "北部公民館",   "市民体育館",
                                   "文化会館",     "第一小学校",   "第二中学校",
                                   "保健センター", "市役所本庁舎", "東部コミュニティセンター",
                                   "中央公園"};
constexpr const char* kPrefixes[] = {"若葉", "緑", "本", "栄", "港", "桜", "松", "梅",
                                     "竹",   "旭", "北", "南", "東", "西", "新"};
constexpr const char* kStates[] = {"開催", "中止", "延期", "実施", "開設"};
constexpr const char* kNouns[] = {"食中毒", "火災", "爆発",     "感染",   "盗難",
                                  "停電",   "断水", "ガス漏れ", "不審者", "詐欺"};
constexpr const char* kEvents[] = {"が発生した", "が起きた", "が広がっている", "が相次いでいる"};
constexpr const char* kWeekdays[] = {"日", "月", "火", "水", "木", "金", "土"};

template <class T, std::size_t N>
const T& pick(std::mt19937& rng, const T (&a)[N]) {
  return a[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

int number(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

struct Corpus {
  std::shared_ptr<const mi::FactIndex> facts;
  std::shared_ptr<const mi::RumourRegistry> rumours;
  std::vector<mamori::model::Post> replies;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus x;
    std::mt19937 rng(20241103);
    const TimePoint base = TimePoint(std::chrono::sys_days(std::chrono::year(2024) / 10 / 1));
    std::vector<mi::OfficialStatement> statements;
    for (int i = 0; i < 1000; ++i) {
      const std::string topic = pick(rng, kTopics);
      std::ostringstream t;
      t << "【" << topic << "のお知らせ】" << number(rng, 1, 12) << "月" << number(rng, 1, 28)
        << "日(" << pick(rng, kWeekdays) << ")" << number(rng, 8, 19) << "時から"
        << pick(rng, kPrefixes) << pick(rng, kPlaces) << "で" << topic << "を" << pick(rng, kStates)
        << "します。定員" << number(rng, 10, 500) << "人、参加費" << number(rng, 0, 30) * 100
        << "円。問い合わせは0299-" << number(rng, 10, 99) << "-" << number(rng, 1000, 9999)
        << "。 https://www.city.wakaba.example.lg.jp/info/" << i;
      statements.push_back({"f" + std::to_string(i), t.str(), base + std::chrono::hours(i), {}});
    }
    x.facts = std::make_shared<const mi::FactIndex>(std::move(statements));
    std::vector<mi::Rumour> rumours;
    for (int i = 0; i < 1000; ++i) {
      const std::string place = std::string(pick(rng, kPrefixes)) + pick(rng, kPlaces);
      const std::string noun = pick(rng, kNouns);
      mi::Rumour r;
      r.id = "r" + std::to_string(i);
      r.claim = place + "で" + noun + pick(rng, kEvents);
      r.wordings = {place + "で" + noun + "が出たらしい", noun + "で" + place + "が閉鎖された",
                    place + "の" + noun + "は市が隠している"};
      r.correction = "事実ではありません。";
      rumours.push_back(std::move(r));
    }
    x.rumours = std::make_shared<const mi::RumourRegistry>(std::move(rumours));
    const std::filesystem::path dir =
        std::filesystem::path(MAMORI_SOURCE_DIR) / "tests/data/misinfo";
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().filename().string().rfind("replies_", 0) == 0) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const char* set : {"misinfo-dev", "misinfo-voices"}) {
      files.push_back(std::filesystem::path(MAMORI_SOURCE_DIR) / "tests/data" / set /
                      "replies.jsonl");
    }
    for (const auto& file : files) {
      std::ifstream in(file);
      std::string line;
      while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto o = boost::json::parse(line).as_object();
        mamori::model::Post p;
        p.post_id = std::string(o.at("id").as_string());
        p.text = std::string(o.at("text").as_string());
        p.created_at = base + std::chrono::hours(number(rng, 0, 2000));
        if (number(rng, 0, 4) != 0)
          p.in_reply_to_post_id = "f" + std::to_string(number(rng, 0, 999));
        x.replies.push_back(std::move(p));
      }
    }
    return x;
  }();
  return c;
}

void BM_ScoreReply(benchmark::State& state) {
  const Corpus& c = corpus();
  const mi::MisinformationDetector detector(c.facts, c.rumours);
  std::size_t i = 0;
  std::size_t flagged = 0;
  for (auto _ : state) {
    const auto a = detector.score(c.replies[i]);
    flagged += a.verdict == mi::Verdict::misinformation ? 1 : 0;
    benchmark::DoNotOptimize(a.score);
    if (++i == c.replies.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["facts"] = static_cast<double>(c.facts->size());
  state.counters["rumours"] = static_cast<double>(c.rumours->size());
  state.counters["flagged_share"] =
      static_cast<double>(flagged) /
      static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}
BENCHMARK(BM_ScoreReply)->MinTime(2.0);

// What the daemon does per reply for both text detectors: the misinformation score and the
// threat assessment, each normalizing and analysing the text itself (Arg 0) or sharing one
// text::NormalizedText (Arg 1; the assessments are the same, tests/detectors/misinfo).
void BM_ScoreAndThreat(benchmark::State& state) {
  const Corpus& c = corpus();
  const mi::MisinformationDetector detector(c.facts, c.rumours);
  const bool shared = state.range(0) != 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& reply = c.replies[i];
    if (shared) {
      const mamori::detectors::text::NormalizedText normalized(reply.text);
      benchmark::DoNotOptimize(detector.score(reply, normalized).score);
      benchmark::DoNotOptimize(mamori::detectors::threat::assess(normalized).threat);
    } else {
      benchmark::DoNotOptimize(detector.score(reply).score);
      benchmark::DoNotOptimize(mamori::detectors::threat::assess(reply.text).threat);
    }
    if (++i == c.replies.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ScoreAndThreat)->Arg(0)->Arg(1)->MinTime(2.0);

// The analysis every reply gets before any signal: NFKC, links, MeCab, sentences.
void BM_AnalyzeText(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto t = mi::analyze_text(c.replies[i].text);
    benchmark::DoNotOptimize(t.tokens.size());
    if (++i == c.replies.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_AnalyzeText)->MinTime(1.0);

// MeCab alone on the replies' NFKC text.
void BM_Morphology(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<std::string> texts;
  for (const auto& r : c.replies) texts.push_back(mamori::detectors::text::nfkc_casefold(r.text));
  const auto& analyzer = mamori::detectors::text::Morphology::shared();
  std::vector<mamori::detectors::text::Morpheme> out;
  std::size_t i = 0;
  std::size_t morphemes = 0;
  for (auto _ : state) {
    analyzer.analyze(texts[i], out);
    morphemes += out.size();
    if (++i == texts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["morphemes_per_reply"] =
      static_cast<double>(morphemes) /
      static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}
BENCHMARK(BM_Morphology)->MinTime(1.0);

void BM_ObserveAndAdvance(benchmark::State& state) {
  const Corpus& c = corpus();
  mi::MisinformationDetector detector(c.facts, c.rumours);
  std::size_t i = 0;
  TimePoint now = c.replies.front().created_at;
  for (auto _ : state) {
    now += std::chrono::seconds(1);
    const auto a = detector.observe(c.replies[i], {}, now);
    benchmark::DoNotOptimize(a.score);
    if (i % 64 == 0) benchmark::DoNotOptimize(detector.advance(now));
    if (++i == c.replies.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ObserveAndAdvance)->MinTime(1.0);

void BM_BuildIndexes(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<mi::OfficialStatement> statements;
  for (const auto& f : c.facts->facts()) statements.push_back(f->statement);
  for (auto _ : state) {
    mi::FactIndex facts(statements);
    mi::RumourRegistry rumours(c.rumours->rumours());
    benchmark::DoNotOptimize(facts.size() + rumours.size());
  }
}
BENCHMARK(BM_BuildIndexes)->Unit(benchmark::kMillisecond);

// Prints every corpus reply's assessment, scored alone and with a shared analysis.
void dump() {
  const Corpus& c = corpus();
  const mi::MisinformationDetector detector(c.facts, c.rumours);
  for (const auto& reply : c.replies) {
    const mamori::detectors::text::NormalizedText normalized(reply.text);
    for (const auto& a : {detector.score(reply), detector.score(reply, normalized)}) {
      std::printf("%s %.9f %d %d %s %s %s/%.9f %s %s\n", reply.post_id.c_str(), a.score,
                  static_cast<int>(a.verdict), static_cast<int>(a.kind), a.claim_key.c_str(),
                  a.fact_id.c_str(), a.rumour_id.c_str(), a.rumour_similarity, a.contact.c_str(),
                  a.hoax_id.c_str());
      for (const auto& reason : a.reasons) std::printf("  | %s\n", reason.c_str());
    }
    const auto t = mamori::detectors::threat::assess(normalized);
    std::printf("  threat %.9f\n", static_cast<double>(t.threat));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--dump") {
    dump();
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
