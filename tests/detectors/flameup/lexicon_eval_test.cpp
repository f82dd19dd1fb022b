// Reply-character evaluation on the labelled corpus tests/data/flameup/replies.tsv.
// The lexicon was adjusted against "tune" rows only; the thresholds are asserted on "held" rows.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "detectors/flameup/reply_character.h"
#include "tests/support/test_support.h"

namespace mamori::detectors::flameup {
namespace {

struct LabelledReply {
  std::string id;
  std::string split;
  Tone label = Tone::neutral;
  std::string text;
};

std::vector<LabelledReply> load_replies() {
  const std::string text = testing::read_file(testing::data_dir() / "flameup" / "replies.tsv");
  std::vector<LabelledReply> out;
  std::istringstream in(text);
  std::string line;
  const std::map<std::string, Tone> tones = {{"hostile", Tone::hostile},
                                             {"thanks", Tone::thanks},
                                             {"question", Tone::question},
                                             {"neutral", Tone::neutral}};
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (std::size_t tab = line.find('\t'); tab != std::string::npos;
         tab = line.find('\t', start)) {
      f.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    f.push_back(line.substr(start));
    if (f.size() != 4) throw std::runtime_error("replies.tsv: bad row: " + line);
    out.push_back({f[0], f[1], tones.at(f[2]), f[3]});
  }
  return out;
}

struct Confusion {
  std::array<std::array<int, 4>, 4> m{};  // [label][predicted]
  std::vector<std::string> errors;
  int n = 0;
};

Confusion evaluate(const std::vector<LabelledReply>& replies, const std::string& split) {
  Confusion c;
  for (const auto& r : replies) {
    if (r.split != split) continue;
    const Tone got = classify_reply(r.text).tone;
    ++c.m[static_cast<int>(r.label)][static_cast<int>(got)];
    ++c.n;
    if (got != r.label) {
      c.errors.push_back(r.id + " " + std::string(to_string(r.label)) + "->" +
                         std::string(to_string(got)) + " " + r.text);
    }
  }
  return c;
}

void print(const Confusion& c, const std::string& split) {
  std::printf("reply character, %s split (%d replies); rows = label, columns = predicted\n",
              split.c_str(), c.n);
  std::printf("%10s %8s %8s %8s %8s\n", "", "neutral", "hostile", "thanks", "question");
  for (int i = 0; i < 4; ++i) {
    std::printf("%10s %8d %8d %8d %8d\n", std::string(to_string(static_cast<Tone>(i))).c_str(),
                c.m[i][0], c.m[i][1], c.m[i][2], c.m[i][3]);
  }
  for (const auto& e : c.errors) std::printf("  miss: %s\n", e.c_str());
}

int hostile_row(const Confusion& c) {
  int n = 0;
  for (int j = 0; j < 4; ++j) n += c.m[1][j];
  return n;
}

int hostile_column(const Confusion& c) {
  int n = 0;
  for (int i = 0; i < 4; ++i) n += c.m[i][1];
  return n;
}

TEST(ReplyCharacterEvaluation, CorpusIsLabelledAndSplit) {
  const auto replies = load_replies();
  EXPECT_GE(replies.size(), 300u);
  std::map<std::string, int> splits;
  for (const auto& r : replies) ++splits[r.split];
  EXPECT_EQ(splits.size(), 2u);
  EXPECT_GE(splits["held"], 150);
  EXPECT_GE(splits["tune"], 150);
}

TEST(ReplyCharacterEvaluation, TunePartFigures) {
  const auto c = evaluate(load_replies(), "tune");
  print(c, "tune");
  EXPECT_GT(c.n, 0);
}

TEST(ReplyCharacterEvaluation, HeldPartMeetsThresholds) {
  const auto c = evaluate(load_replies(), "held");
  print(c, "held");
  const double recall = static_cast<double>(c.m[1][1]) / hostile_row(c);
  const double precision = static_cast<double>(c.m[1][1]) / std::max(1, hostile_column(c));
  const int supportive =
      c.m[2][0] + c.m[2][1] + c.m[2][2] + c.m[2][3] + c.m[3][0] + c.m[3][1] + c.m[3][2] + c.m[3][3];
  const double supportive_as_hostile = static_cast<double>(c.m[2][1] + c.m[3][1]) / supportive;
  std::printf("held: hostile recall %.3f, precision %.3f, thanks/questions called hostile %.3f\n",
              recall, precision, supportive_as_hostile);
  EXPECT_GE(recall, 0.80);
  EXPECT_GE(precision, 0.85);
  EXPECT_LE(supportive_as_hostile, 0.05);
}

}  // namespace
}  // namespace mamori::detectors::flameup
