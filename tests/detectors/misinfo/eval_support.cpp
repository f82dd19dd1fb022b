#include "tests/detectors/misinfo/eval_support.h"

#include <toml++/toml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/test_support.h"

namespace mamori::detectors::misinfo::testing {
namespace {

std::string string_field(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

}  // namespace

std::optional<model::TimePoint> parse_utc(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z') {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return model::TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s);
}

std::vector<OfficialStatement> load_official(const std::filesystem::path& file) {
  std::vector<OfficialStatement> out;
  std::istringstream in(mamori::testing::read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto o = boost::json::parse(line).as_object();
    OfficialStatement s;
    s.id = string_field(o, "id");
    s.text = string_field(o, "text");
    const auto t = parse_utc(string_field(o, "created_at"));
    if (!t) throw std::runtime_error("bad created_at in " + file.string() + ": " + line);
    s.published_at = *t;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<LabelledReply> load_replies(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name.rfind("replies_", 0) == 0 && e.path().extension() == ".jsonl")
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<LabelledReply> out;
  for (const auto& file : files) {
    std::istringstream in(mamori::testing::read_file(file));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto o = boost::json::parse(line).as_object();
      LabelledReply r;
      r.post.post_id = string_field(o, "id");
      r.post.text = string_field(o, "text");
      const auto t = parse_utc(string_field(o, "created_at"));
      if (!t) throw std::runtime_error("bad created_at in " + file.string() + ": " + line);
      r.post.created_at = *t;
      if (const auto to = string_field(o, "in_reply_to"); !to.empty())
        r.post.in_reply_to_post_id = to;
      r.label = string_field(o, "label");
      r.split = string_field(o, "split");
      r.file = file.filename().string();
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<Rumour> load_starter_rumours() {
  const auto path = mamori::testing::source_dir() / "deploy" / "rumours" / "starter.toml";
  const toml::table doc = toml::parse_file(path.string());
  std::vector<Rumour> out;
  const auto* list = doc["rumour"].as_array();
  if (list == nullptr) throw std::runtime_error("no [[rumour]] in " + path.string());
  for (const auto& node : *list) {
    const auto& t = *node.as_table();
    Rumour r;
    r.id = t["id"].value_or(std::string());
    r.claim = t["claim"].value_or(std::string());
    r.correction = t["correction"].value_or(std::string());
    if (const auto* words = t["wordings"].as_array()) {
      for (const auto& w : *words) r.wordings.push_back(w.value_or(std::string()));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mamori::detectors::misinfo::testing
