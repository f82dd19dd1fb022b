#include "tests/detectors/impersonation/eval_set.h"

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/detectors/impersonation/avatar_recipes.h"
#include "tests/support/test_support.h"

namespace mamori::testing::impersonation {
namespace {

std::vector<boost::json::object> read_jsonl(const std::string& part, const std::string& name) {
  const auto path = data_dir() / "impersonation" / part / name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::vector<boost::json::object> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) {
      throw std::runtime_error(path.string() + ":" + std::to_string(line_no) +
                               ": not a JSON object");
    }
    out.push_back(std::move(v.as_object()));
  }
  return out;
}

std::string str(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int integer(const boost::json::object& o, const char* key) {
  return static_cast<int>(o.at(key).as_int64());
}

model::Platform platform(const boost::json::object& o) {
  const auto p = model::platform_from_string(str(o, "platform"));
  if (!p) throw std::runtime_error("bad platform in " + boost::json::serialize(o));
  return *p;
}

imp::Verdict verdict(const std::string& s) {
  if (s == "impersonation") return imp::Verdict::impersonation;
  if (s == "suspicious") return imp::Verdict::suspicious;
  if (s == "benign") return imp::Verdict::benign;
  if (s == "related") return imp::Verdict::related;
  throw std::runtime_error("bad label " + s);
}

std::optional<imp::AvatarHash> hash_recipe(const boost::json::value* recipe) {
  if (recipe == nullptr || recipe->is_null()) return std::nullopt;
  const auto bytes = render_recipe(recipe->as_object());
  auto result = imp::compute_avatar_hash(bytes);
  if (!result.ok()) throw std::runtime_error("avatar rejected: " + result.message);
  return result.hash;
}

std::optional<imp::OfficialAvatarHash> official_hash_recipe(const boost::json::value* recipe) {
  if (recipe == nullptr || recipe->is_null()) return std::nullopt;
  const auto bytes = render_recipe(recipe->as_object());
  auto result = imp::compute_official_avatar_hash(bytes);
  if (!result.ok()) throw std::runtime_error("official avatar rejected: " + result.message);
  return std::move(result.hash);
}

bool flagged(imp::Verdict v) {
  return v == imp::Verdict::suspicious || v == imp::Verdict::impersonation;
}

}  // namespace

model::TimePoint eval_now() {
  return model::TimePoint(std::chrono::milliseconds(1'717'200'000'000LL));  // 2024-06-01
}

EvalSet load_eval_set(const std::string& part) {
  EvalSet set;
  for (const auto& m : read_jsonl(part, "municipalities.jsonl")) {
    EvalBody body;
    body.city = integer(m, "city");
    body.split = str(m, "split");
    body.names.name = str(m, "name");
    body.names.name_kana = str(m, "kana");
    body.names.name_romaji = str(m, "romaji");
    body.names.homepage_url = str(m, "homepage");
    for (const auto& n : m.at("neighbours").as_array()) {
      body.names.neighbours.emplace_back(n.as_string());
    }
    for (const auto& a : m.at("allow").as_array()) {
      body.allow.push_back({platform(a.as_object()), str(a.as_object(), "handle"), ""});
    }
    if (const auto* listed = m.if_contains("listed"); listed && listed->is_array()) {
      for (const auto& a : listed->as_array()) {
        body.allow.push_back({platform(a.as_object()), str(a.as_object(), "handle"), "", true});
      }
    }
    set.bodies[body.city] = std::move(body);
  }
  for (const auto& o : read_jsonl(part, "officials.jsonl")) {
    imp::OfficialAccount account;
    account.profile.platform = platform(o);
    account.profile.handle = str(o, "handle");
    account.profile.display_name = str(o, "display_name");
    account.profile.description = str(o, "description");
    account.profile.url = str(o, "url");
    account.avatar = official_hash_recipe(o.if_contains("avatar"));
    set.bodies.at(integer(o, "city")).officials.push_back(std::move(account));
  }
  for (const auto& c : read_jsonl(part, "candidates.jsonl")) {
    EvalCandidate e;
    e.id = str(c, "id");
    e.city = integer(c, "city");
    e.split = str(c, "split");
    e.label = verdict(str(c, "label"));
    e.kind = str(c, "kind");
    e.category = str(c, "category");
    e.profile.platform = platform(c);
    e.profile.account_id = e.id;
    e.profile.handle = str(c, "handle");
    e.profile.display_name = str(c, "display_name");
    e.profile.description = str(c, "description");
    e.profile.url = str(c, "url");
    if (const auto* age = c.if_contains("age_days"); age && age->is_int64()) {
      e.profile.created_at = eval_now() - std::chrono::hours(24 * age->as_int64());
    }
    if (const auto* f = c.if_contains("followers"); f && f->is_int64()) {
      e.profile.followers_count = f->as_int64();
    }
    e.profile.observed_at = eval_now();
    e.avatar = hash_recipe(c.if_contains("avatar"));
    set.candidates.push_back(std::move(e));
  }
  return set;
}

std::vector<EvalOutcome> run_eval(const EvalSet& set, const imp::DetectorSettings& settings,
                                  bool avatar_gate) {
  std::map<int, std::unique_ptr<imp::ImpersonationDetector>> detectors;
  for (const auto& [city, body] : set.bodies) {
    detectors[city] = std::make_unique<imp::ImpersonationDetector>(body.names, body.officials,
                                                                   body.allow, settings);
  }
  std::vector<EvalOutcome> out;
  out.reserve(set.candidates.size());
  for (const auto& c : set.candidates) {
    const imp::AvatarHash* avatar = c.avatar ? &*c.avatar : nullptr;
    if (avatar_gate && avatar != nullptr &&
        !imp::avatar_could_matter(detectors.at(c.city)->assess(c.profile, nullptr, eval_now()))) {
      avatar = nullptr;
    }
    out.push_back({&c, detectors.at(c.city)->assess(c.profile, avatar, eval_now())});
  }
  return out;
}

double Metrics::recall() const {
  const int positives = true_positive + false_negative;
  return positives == 0 ? 1.0 : static_cast<double>(true_positive) / positives;
}

double Metrics::precision() const {
  const int flagged_count = true_positive + false_positive;
  return flagged_count == 0 ? 1.0 : static_cast<double>(true_positive) / flagged_count;
}

Metrics metrics(const std::vector<EvalOutcome>& outcomes, const std::string& split,
                const std::string& category) {
  Metrics m;
  for (const auto& o : outcomes) {
    if (o.candidate->split != split) continue;
    if (!category.empty() && o.candidate->category != category) continue;
    const auto label = o.candidate->label;
    const auto predicted = o.assessment.verdict;
    m.confusion[static_cast<int>(label)][static_cast<int>(predicted)]++;
    if (flagged(label) && flagged(predicted)) ++m.true_positive;
    if (!flagged(label) && flagged(predicted)) ++m.false_positive;
    if (flagged(label) && !flagged(predicted)) ++m.false_negative;
    if (!flagged(label) && !flagged(predicted)) ++m.true_negative;
  }
  return m;
}

std::string report(const std::vector<EvalOutcome>& outcomes, const std::string& split) {
  const Metrics m = metrics(outcomes, split);
  std::ostringstream s;
  s << "split " << split << ": rows = label, columns = verdict\n";
  s << "                 benign  suspicious  impersonation  related\n";
  const char* names[] = {"benign       ", "suspicious   ", "impersonation", "related      "};
  for (int i = 0; i < 4; ++i) {
    s << "  " << names[i] << "  " << m.confusion[i][0] << "\t" << m.confusion[i][1] << "\t"
      << m.confusion[i][2] << "\t" << m.confusion[i][3] << "\n";
  }
  s << "  flagged (impersonation+suspicious): TP " << m.true_positive << " FP " << m.false_positive
    << " FN " << m.false_negative << " TN " << m.true_negative << "  recall " << m.recall()
    << " precision " << m.precision() << "\n";
  // Margins: the closest calls on each side of the suspicious threshold.
  const EvalOutcome* lowest_positive = nullptr;
  const EvalOutcome* highest_negative = nullptr;
  for (const auto& o : outcomes) {
    if (o.candidate->split != split) continue;
    if (flagged(o.candidate->label)) {
      if (!lowest_positive || o.assessment.score < lowest_positive->assessment.score)
        lowest_positive = &o;
    } else if (!highest_negative || o.assessment.score > highest_negative->assessment.score) {
      highest_negative = &o;
    }
  }
  if (lowest_positive) {
    s << "  lowest-scored positive " << lowest_positive->candidate->id << " ["
      << lowest_positive->candidate->kind << "] " << lowest_positive->assessment.score << "\n";
  }
  if (highest_negative) {
    s << "  highest-scored negative " << highest_negative->candidate->id << " ["
      << highest_negative->candidate->kind << "] " << highest_negative->assessment.score << "\n";
  }
  for (const auto& o : outcomes) {
    if (o.candidate->split != split) continue;
    const bool show_three_class =
        std::getenv("MAMORI_EVAL_VERBOSE") != nullptr && o.candidate->label != o.assessment.verdict;
    if (!show_three_class && flagged(o.candidate->label) == flagged(o.assessment.verdict)) continue;
    s << "  miss " << o.candidate->id << " [" << o.candidate->kind << "] label "
      << imp::to_string(o.candidate->label) << " got " << imp::to_string(o.assessment.verdict)
      << " score " << o.assessment.score << " @" << o.candidate->profile.handle << " "
      << o.candidate->profile.display_name << " vs @" << o.assessment.matched_handle << " |";
    for (const auto& r : o.assessment.reasons) s << " " << r << ";";
    s << "\n";
  }
  return s.str();
}

}  // namespace mamori::testing::impersonation
