// mamorictl misinfo: scores replies against official posts and a rumour file with the daemon's
// own misinformation detector (docs/design.md "mamorictl").
//
//   mamorictl misinfo --official POSTS.jsonl --replies REPLIES.jsonl [--rumors R.toml]
//                     [--official-host HOST]... [--official-account HANDLE]...
//                     [--municipality NAME] [-o OUT.jsonl]
//
// Input lines are JSON objects {id, text, created_at}; a reply may add `in_reply_to` (the id of
// the post it answers) and `impersonator: true` (its author was flagged as an impersonator).
// Other keys are ignored, so labelled evaluation files can be fed as they are. created_at is
// ISO-8601 (no offset means UTC) or epoch seconds. Output: one line per reply
// {id, score, verdict, matched, reasons}, verdict "misinformation" or "benign", to OUT.jsonl or
// stdout. The city's genuine contacts are every contact its posts give, the --official-host
// domains and the --official-account handles.
// Exit status: 0 done, 2 bad usage or bad input (one line naming file, line and field).
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/common/iso_time.h"
#include "daemon/ctl/commands.h"
#include "daemon/detection/rumour_file.h"
#include "detectors/misinfo/detector.h"
#include "detectors/text/morphology.h"

namespace mamori::ctl {
namespace {

namespace json = boost::json;
namespace mi = detectors::misinfo;

constexpr const char* kUsage =
    "usage: mamorictl misinfo --official POSTS.jsonl --replies REPLIES.jsonl [--rumors R.toml] "
    "[--official-host HOST]... [--official-account HANDLE]... [--municipality NAME] "
    "[-o OUT.jsonl]\n";

constexpr std::uintmax_t kMaxInputBytes = 512ull * 1024 * 1024;

struct InputLine {
  std::string id;
  std::string text;
  model::TimePoint created_at{};
  std::optional<std::string> in_reply_to;
  bool impersonator = false;
};

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string read_all(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path + ": cannot read: " + ec.message());
  if (size > kMaxInputBytes) {
    throw InputError(path + ": file too large (" + std::to_string(size) +
                     " bytes; at most 512 MiB)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open for reading");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::optional<model::TimePoint> read_time(const json::value& v) {
  if (const auto* s = v.if_string()) return collectors::parse_datetime(std::string_view(*s));
  double seconds = 0;
  if (v.is_int64()) {
    seconds = static_cast<double>(v.get_int64());
  } else if (v.is_uint64()) {
    seconds = static_cast<double>(v.get_uint64());
  } else if (v.is_double()) {
    seconds = v.get_double();
  } else {
    return std::nullopt;
  }
  // Epoch seconds between 1970 and 2200.
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 7.3e9) return std::nullopt;
  return model::TimePoint(std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0)));
}

std::vector<InputLine> read_jsonl(const std::string& path, bool replies) {
  const std::string content = read_all(path);
  std::vector<InputLine> out;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string_view line(content.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::string at = path + ":" + std::to_string(line_no);
    json::error_code ec;
    const json::value v = json::parse(line, ec);
    if (ec) throw InputError(at + ": invalid JSON: " + ec.message());
    const auto* obj = v.if_object();
    if (obj == nullptr) throw InputError(at + ": expected a JSON object {id, text, created_at}");
    InputLine item;
    const auto* id = obj->if_contains("id");
    if (id == nullptr) throw InputError(at + ": field 'id': missing (expected a string)");
    if (const auto* s = id->if_string(); s != nullptr && !s->empty()) {
      item.id = std::string(*s);
    } else if (id->is_int64() || id->is_uint64()) {
      item.id = json::serialize(*id);  // numeric ids, as some exports write them
    } else {
      throw InputError(at + ": field 'id': expected a non-empty string");
    }
    const auto* text = obj->if_contains("text");
    if (text == nullptr || !text->is_string()) {
      throw InputError(at + ": field 'text': " + (text == nullptr ? "missing" : "not a string") +
                       " (expected a string)");
    }
    item.text = std::string(text->get_string());
    const auto* created = obj->if_contains("created_at");
    if (created == nullptr) {
      throw InputError(at +
                       ": field 'created_at': missing (expected ISO-8601 like "
                       "2024-11-03T10:00:00Z or epoch seconds)");
    }
    const auto t = read_time(*created);
    if (!t) {
      throw InputError(at +
                       ": field 'created_at': expected ISO-8601 like 2024-11-03T10:00:00Z "
                       "or epoch seconds");
    }
    item.created_at = *t;
    if (replies) {
      if (const auto* r = obj->if_contains("in_reply_to"); r != nullptr && !r->is_null()) {
        if (const auto* s = r->if_string()) {
          item.in_reply_to = std::string(*s);
        } else if (r->is_int64() || r->is_uint64()) {
          item.in_reply_to = json::serialize(*r);
        } else {
          throw InputError(at +
                           ": field 'in_reply_to': expected a string (the answered post's id)");
        }
      }
      if (const auto* f = obj->if_contains("impersonator"); f != nullptr && !f->is_null()) {
        if (!f->is_bool()) throw InputError(at + ": field 'impersonator': expected true or false");
        item.impersonator = f->get_bool();
      }
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::string output_line(const std::string& id, const mi::ReplyAssessment& a) {
  char score[32];
  std::snprintf(score, sizeof score, "%.3f", a.score);
  std::string line =
      "{\"id\":" + json::serialize(json::string(id)) + ",\"score\":" + score + ",\"verdict\":\"" +
      std::string(mi::to_string(a.verdict)) + "\",\"matched\":" +
      (a.matched.empty() ? std::string("null") : json::serialize(json::string(a.matched))) +
      ",\"reasons\":[";
  for (std::size_t i = 0; i < a.reasons.size(); ++i) {
    if (i > 0) line += ",";
    line += json::serialize(json::string(a.reasons[i]));
  }
  line += "]}";
  return line;
}

}  // namespace

int misinfo_command(const Args& args) {
  std::optional<std::string> official_path;
  std::optional<std::string> replies_path;
  std::optional<std::string> rumours_path;
  std::vector<std::string> official_hosts;
  std::vector<std::string> official_accounts;
  std::optional<std::string> out_path;
  detection::RumourFileOptions rumour_options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if ((a == "--official" || a == "--replies" || a == "--rumors" || a == "--rumours" ||
         a == "--official-host" || a == "--official-account" || a == "--municipality" ||
         a == "-o") &&
        !has_value) {
      std::fprintf(stderr, "mamorictl misinfo: %s needs a value\n%s", a.c_str(), kUsage);
      return 2;
    }
    if (a == "--official") {
      official_path = args[++i];
    } else if (a == "--replies") {
      replies_path = args[++i];
    } else if (a == "--rumors" || a == "--rumours") {
      rumours_path = args[++i];
    } else if (a == "--official-host") {
      official_hosts.push_back(args[++i]);
    } else if (a == "--official-account") {
      official_accounts.push_back(args[++i]);
    } else if (a == "-o") {
      out_path = args[++i];
    } else if (a == "--municipality") {
      rumour_options.municipality = args[++i];
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "mamorictl misinfo: unknown argument '%s'\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (!official_path || !replies_path) {
    std::fprintf(stderr, "mamorictl misinfo: --official and --replies are required\n%s", kUsage);
    return 2;
  }

  std::vector<InputLine> official;
  std::vector<InputLine> replies;
  std::vector<mi::Rumour> rumours;
  try {
    official = read_jsonl(*official_path, false);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < official.size(); ++i) {
      if (!ids.insert(official[i].id).second) {
        throw InputError(*official_path + ": field 'id': duplicate id '" + official[i].id + "'");
      }
    }
    replies = read_jsonl(*replies_path, true);
  } catch (const InputError& e) {
    std::fprintf(stderr, "mamorictl misinfo: %s\n", e.what());
    return 2;
  }
  if (rumours_path) {
    auto loaded = detection::load_rumour_file(*rumours_path, rumour_options);
    if (!loaded.ok()) {
      std::fprintf(stderr, "mamorictl misinfo: %s\n", loaded.error->c_str());
      return 2;
    }
    rumours = std::move(loaded.rumours);
  }

  try {
    detectors::text::Morphology::shared();  // load the dictionary once, failing clearly here
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mamorictl misinfo: %s\n", e.what());
    return 1;
  }
  std::vector<mi::OfficialStatement> statements;
  statements.reserve(official.size());
  for (auto& o : official) {
    statements.push_back(
        mi::OfficialStatement{std::move(o.id), std::move(o.text), o.created_at, {}});
  }
  mi::FactIndexOptions options;
  options.official_hosts = official_hosts;
  options.contacts.handles = official_accounts;
  auto facts = std::make_shared<const mi::FactIndex>(std::move(statements), std::move(options));
  auto registry = std::make_shared<const mi::RumourRegistry>(std::move(rumours));
  const mi::MisinformationDetector detector(facts, registry);

  std::FILE* out = stdout;
  if (out_path) {
    out = std::fopen(out_path->c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "mamorictl misinfo: %s: cannot open for writing\n", out_path->c_str());
      return 2;
    }
  }
  for (const auto& r : replies) {
    model::Post post;
    post.post_id = r.id;
    post.text = r.text;
    post.created_at = r.created_at;
    post.in_reply_to_post_id = r.in_reply_to;
    const auto assessment =
        detector.score(post, mi::ReplyContext{.author_flagged_impersonator = r.impersonator});
    const std::string line = output_line(r.id, assessment);
    std::fwrite(line.data(), 1, line.size(), out);
    std::fputc('\n', out);
  }
  if (out != stdout) {
    const bool ok = std::ferror(out) == 0;
    if (std::fclose(out) != 0 || !ok) {
      std::fprintf(stderr, "mamorictl misinfo: %s: write failed\n", out_path->c_str());
      return 1;
    }
    return 0;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace mamori::ctl
