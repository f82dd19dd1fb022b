// Misinformation detection quality on labelled reply sets (issue 17): precision, recall and F1 of
// the `misinformation` verdict, recall per kind (subtype) and per style of voicing, and how often
// each benign kind (corrections and questions above all) is flagged. Runs the detector exactly as
// `mamorictl misinfo` does (same facts from the posts, no registered rumours unless --rumors).
//
//   build/bin/misinfo_eval --set tests/data/misinfo-dev --split tune [--errors]
//   build/bin/misinfo_eval --set tests/data/misinfo-voices --split held
//   build/bin/misinfo_eval --jnli tests/data/jnli/jnli-valid-v1.3.json --split held
//
// A set is a folder with posts.jsonl, replies.jsonl and labels.tsv (id, label, subtype, style,
// cluster[, voice, split]). Without a split column the split is by post: the posts at 0-based
// positions 2, 5, 8 … of posts.jsonl are `held` (tests/data/misinfo-dev/README.md). --errors
// lists the misclassified replies with the detector's reasons: use it on `tune` only. --dump prints
// every assessment in full (score, verdict, kind, claim, reasons; for JNLI the verdict and reason),
// to check that a change to the detector's speed leaves every decision as it was (diff two dumps).
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/common/iso_time.h"
#include "daemon/detection/rumour_file.h"
#include "detectors/misinfo/detector.h"
#include "detectors/misinfo/pair_contradiction.h"

namespace {

namespace mi = mamori::detectors::misinfo;
namespace json = boost::json;

std::vector<json::object> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<json::object> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    out.push_back(json::parse(line).as_object());
  }
  return out;
}

std::string str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

mamori::model::TimePoint when(const json::object& o) {
  const auto t = mamori::collectors::parse_datetime(str(o, "created_at"));
  if (!t) throw std::runtime_error("bad created_at: " + str(o, "id"));
  return *t;
}

struct Label {
  std::string label, subtype, style, cluster, voice, split;
};

std::map<std::string, Label> read_labels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::string line;
  std::getline(in, line);  // header
  std::map<std::string, Label> out;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, '\t')) f.push_back(x);
    f.resize(7);
    out[f[0]] = Label{f[1], f[2], f[3], f[4], f[5], f[6]};
  }
  return out;
}

struct Count {
  int n = 0, flagged = 0;
};

double ratio(int a, int b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / b;
}

int evaluate_set(const std::string& dir, const std::string& split, const std::string& rumours_path,
                 bool errors, bool dump) {
  const auto posts = read_jsonl(dir + "/posts.jsonl");
  const auto replies = read_jsonl(dir + "/replies.jsonl");
  const auto labels = read_labels(dir + "/labels.tsv");
  std::map<std::string, std::string> post_split;
  for (std::size_t i = 0; i < posts.size(); ++i) {
    post_split[str(posts[i], "id")] = i % 3 == 2 ? "held" : "tune";
  }
  std::vector<mi::OfficialStatement> statements;
  for (const auto& p : posts) statements.push_back({str(p, "id"), str(p, "text"), when(p), {}});
  std::vector<mi::Rumour> rumours;
  if (!rumours_path.empty()) {
    auto loaded = mamori::detection::load_rumour_file(rumours_path, {});
    if (!loaded.ok()) throw std::runtime_error(*loaded.error);
    rumours = std::move(loaded.rumours);
  }
  const mi::MisinformationDetector detector(
      std::make_shared<const mi::FactIndex>(std::move(statements)),
      std::make_shared<const mi::RumourRegistry>(std::move(rumours)));

  int tp = 0, fp = 0, fn = 0;
  std::map<std::string, Count> by_subtype, by_style, by_voice;
  Count corrections_questions;
  for (const auto& r : replies) {
    const std::string id = str(r, "id");
    const auto it = labels.find(id);
    if (it == labels.end()) throw std::runtime_error("no label for reply " + id);
    const Label& l = it->second;
    const std::string part = !l.split.empty() ? l.split : post_split[str(r, "in_reply_to")];
    if (split != "all" && part != split) continue;
    mamori::model::Post post;
    post.post_id = id;
    post.text = str(r, "text");
    post.created_at = when(r);
    if (const auto to = str(r, "in_reply_to"); !to.empty()) post.in_reply_to_post_id = to;
    const auto a = detector.score(post);
    const bool flagged = a.verdict == mi::Verdict::misinformation;
    const bool truth = l.label == "misinformation";
    if (dump) {
      std::printf("%s %.9f %d %d claim=%s matched=%s fact=%s rumour=%s/%.9f contact=%s hoax=%s\n",
                  id.c_str(), a.score, static_cast<int>(a.verdict), static_cast<int>(a.kind),
                  a.claim_key.c_str(), a.matched.c_str(), a.fact_id.c_str(), a.rumour_id.c_str(),
                  a.rumour_similarity, a.contact.c_str(), a.hoax_id.c_str());
      for (const auto& reason : a.reasons) std::printf("  | %s\n", reason.c_str());
    }
    tp += flagged && truth;
    fp += flagged && !truth;
    fn += !flagged && truth;
    auto& s = by_subtype[l.label.substr(0, 4) + ":" + l.subtype];
    ++s.n;
    s.flagged += flagged;
    if (truth) {
      ++by_style[l.style].n;
      by_style[l.style].flagged += flagged;
    }
    if (!l.voice.empty()) {
      ++by_voice[l.voice].n;
      by_voice[l.voice].flagged += flagged == truth;
    }
    if (l.subtype == "correction" || l.subtype == "question") {
      ++corrections_questions.n;
      corrections_questions.flagged += flagged;
    }
    if (errors && flagged != truth) {
      std::printf("%s %s [%s/%s] %.2f %s\n", truth ? "FN" : "FP", id.c_str(), l.subtype.c_str(),
                  l.style.c_str(), a.score, post.text.c_str());
      for (const auto& reason : a.reasons) std::printf("      - %s\n", reason.c_str());
    }
  }
  const double p = ratio(tp, tp + fp), rc = ratio(tp, tp + fn);
  std::printf("set %s split %s: %d misinformation, TP %d FP %d FN %d\n", dir.c_str(), split.c_str(),
              tp + fn, tp, fp, fn);
  std::printf("precision %.3f  recall %.3f  F1 %.3f\n", p, rc,
              p + rc == 0 ? 0 : 2 * p * rc / (p + rc));
  std::printf("corrections+questions flagged: %d/%d (%.1f%%)\n", corrections_questions.flagged,
              corrections_questions.n,
              100 * ratio(corrections_questions.flagged, corrections_questions.n));
  std::printf("recall per kind (misi) / flagged share per benign kind (beni):\n");
  for (const auto& [k, c] : by_subtype) {
    std::printf("  %-28s %3d/%-3d %.2f\n", k.c_str(), c.flagged, c.n, ratio(c.flagged, c.n));
  }
  std::printf("recall per style:\n");
  for (const auto& [k, c] : by_style) {
    std::printf("  %-28s %3d/%-3d %.2f\n", k.c_str(), c.flagged, c.n, ratio(c.flagged, c.n));
  }
  if (!by_voice.empty()) {
    std::printf("accuracy per voice:\n");
    for (const auto& [k, c] : by_voice) {
      std::printf("  %-28s %3d/%-3d %.2f\n", k.c_str(), c.flagged, c.n, ratio(c.flagged, c.n));
    }
  }
  return 0;
}

// JNLI: how many contradiction pairs the pair check finds, and at what precision. Even
// sentence_pair_id = tune, odd = held (tests/data/jnli/README.md).
int evaluate_jnli(const std::string& path, const std::string& split, bool errors, bool dump) {
  int tp = 0, fp = 0, fn = 0, n = 0;
  for (const auto& o : read_jsonl(path)) {
    const long id = std::stol(str(o, "sentence_pair_id"));
    const std::string part = id % 2 == 0 ? "tune" : "held";
    if (split != "all" && part != split) continue;
    ++n;
    const bool truth = str(o, "label") == "contradiction";
    const auto verdict = mi::check_pair(str(o, "sentence1"), str(o, "sentence2"));
    const bool flagged = verdict.contradiction;
    if (dump) std::printf("%ld %d %s\n", id, flagged ? 1 : 0, verdict.reason.c_str());
    tp += flagged && truth;
    fp += flagged && !truth;
    fn += !flagged && truth;
    if (errors && flagged != truth && (flagged || truth)) {
      std::printf("%s %s | %s | %s  (%s)\n", flagged ? "FP" : "FN", str(o, "label").c_str(),
                  str(o, "sentence1").c_str(), str(o, "sentence2").c_str(), verdict.reason.c_str());
    }
  }
  const double p = ratio(tp, tp + fp), rc = ratio(tp, tp + fn);
  std::printf("JNLI %s split %s: %d pairs, %d contradictions; flagged %d, TP %d FP %d\n",
              path.c_str(), split.c_str(), n, tp + fn, tp + fp, tp, fp);
  std::printf("contradiction precision %.3f  recall %.3f\n", p, rc);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string set, jnli, split = "all", rumours;
  bool errors = false;
  bool dump = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--set" && has) {
      set = argv[++i];
    } else if (a == "--jnli" && has) {
      jnli = argv[++i];
    } else if (a == "--split" && has) {
      split = argv[++i];
    } else if (a == "--rumors" && has) {
      rumours = argv[++i];
    } else if (a == "--errors") {
      errors = true;
    } else if (a == "--dump") {
      dump = true;
    } else {
      std::fprintf(stderr,
                   "usage: misinfo_eval (--set DIR | --jnli FILE) [--split tune|held|all] "
                   "[--rumors R.toml] [--errors] [--dump]\n");
      return 2;
    }
  }
  try {
    if (!set.empty()) return evaluate_set(set, split, rumours, errors, dump);
    if (!jnli.empty()) return evaluate_jnli(jnli, split, errors, dump);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "misinfo_eval: %s\n", e.what());
    return 2;
  }
  std::fprintf(stderr, "misinfo_eval: --set or --jnli is required\n");
  return 2;
}
